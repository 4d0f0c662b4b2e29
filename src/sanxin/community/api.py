"""/api/v1/community: 互动交流. Members read the boards of their org chain, post, reply, like and report,
write to their secretary's mailbox (optionally anonymous) and propose and second suggestions — on routes
of their own; moderators (``community.moderate``) keep the boards and the word list; a mailbox's
recipients (``community.mailbox``, anchored at that org) read and reply; the responsible orgs
(``community.suggest``) handle suggestions; offices see counts (``community.view``); the security
administrator alone reveals an anonymous letter's author (``community.reveal``). Every write goes
through ``community.services``; a refused rate limit answers 429 with ``retry_after``."""

import datetime as dt
from typing import Literal

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from sanxin.core.apischema import FileIn, PageNumber, decode_files
from sanxin.core.permissions import permission
from sanxin.orgs.models import Org

from . import selectors, services
from .models import Letter, Post, PostStatus, SensitiveWord, Suggestion, SuggestionCategory, Thread

router = Router(tags=["互动交流"])

CATEGORIES = Literal[tuple(SuggestionCategory.values)]  # type: ignore[valid-type]


# --- schemas ------------------------------------------------------------------------------------------


class ForumBoardOut(Schema):
    id: int = Field(validation_alias="pk")
    org_id: int
    org_name: str = Field(validation_alias="org.name")
    name: str
    description: str


class ThreadOut(Schema):
    id: int = Field(validation_alias="pk")
    board_id: int
    title: str
    author: str
    status: str
    status_label: str
    pinned: bool
    locked: bool
    replies: int
    created_at: dt.datetime
    last_post_at: dt.datetime

    @staticmethod
    def resolve_author(obj):
        return selectors.display_name(obj.author)

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class ForumPostOut(Schema):
    id: int
    author: str
    mine: bool = False
    first: bool
    body: str
    status: str
    status_label: str = Field(description="审核中：含敏感词，仅作者和版主可见，等待版主审核")
    hidden_reason: str
    images: list[str]
    likes: int
    liked: bool = False
    created_at: dt.datetime


def _post_out(post: Post, user) -> dict:
    return {
        "id": post.pk,
        "author": selectors.display_name(post.author),
        "mine": post.author_id == user.pk,
        "first": post.first,
        "body": post.body,
        "status": post.status,
        "status_label": post.get_status_display(),
        "hidden_reason": post.hidden_reason,
        "images": [f"/files/{f.pk}/?inline=1" for f in post.images.all()],
        "likes": post.likes,
        "liked": bool(getattr(post, "liked", False)),
        "created_at": post.created_at,
    }


class ThreadDetailOut(Schema):
    id: int
    board_id: int
    board_name: str
    title: str
    author: str
    status: str
    status_label: str
    pinned: bool
    locked: bool
    replies: int
    created_at: dt.datetime
    last_post_at: dt.datetime
    posts: list[ForumPostOut] = []
    moderator: bool = False


class ThreadIn(Schema):
    title: str = Field(max_length=80)
    body: str = Field(max_length=5000)
    images: list[FileIn] = Field(default_factory=list, max_length=9)


class LetterReplyIn(Schema):
    body: str = Field(max_length=5000)
    images: list[FileIn] = Field(default_factory=list, max_length=9)


class LikeIn(Schema):
    like: bool = True


class LikeOut(Schema):
    id: int
    likes: int
    liked: bool


class CommunityReasonIn(Schema):
    reason: str = Field(max_length=200)


class PostModerateIn(Schema):
    action: Literal["publish", "hide", "dismiss"]
    reason: str = Field("", max_length=200, description="隐藏时必填")


class ThreadSetIn(Schema):
    locked: bool | None = None
    pinned: bool | None = None


class QueuePostOut(Schema):
    id: int
    thread_id: int
    thread_title: str
    board_name: str
    author: str
    body: str
    status: str
    held_words: list[str]
    open_reports: int
    created_at: dt.datetime


class QueueOut(Schema):
    held: list[QueuePostOut]
    reported: list[QueuePostOut]


class BoardIn(Schema):
    org_id: int
    name: str = Field(max_length=60)
    description: str = Field("", max_length=300)


class WordOut(Schema):
    id: int = Field(validation_alias="pk")
    org_id: int
    org_name: str = Field(validation_alias="org.name")
    word: str
    note: str
    created_at: dt.datetime


class WordsIn(Schema):
    org_id: int
    words: list[str] = Field(min_length=1, max_length=200)
    note: str = Field("", max_length=100)


# --- forum: members -------------------------------------------------------------------------------------


@router.get("/boards", response=list[ForumBoardOut], summary="我能看到的论坛版块")
@permission.own()
def boards(request):
    return list(selectors.boards_for(request.auth).order_by("org__path", "pk"))


@router.get("/boards/{board_id}/threads", response=list[ThreadOut], summary="版块中的主题帖")
@permission.own()
@paginate(PageNumber)
def threads(request, board_id: int, q: str = ""):
    board = selectors.board_get(request.auth, board_id)
    return selectors.threads_of(request.auth, board, q=q.strip()[:50])


@router.post(
    "/boards/{board_id}/threads",
    response={201: ThreadDetailOut},
    summary="发主题帖（含敏感词的帖子进入审核）",
)
@permission.own()
def thread_new(request, board_id: int, payload: ThreadIn):
    board = selectors.board_get(request.auth, board_id)
    thread = services.thread_create(
        actor=request.auth,
        board=board,
        title=payload.title,
        body=payload.body,
        images=decode_files(payload.images, field="images"),
    )
    return Status(201, _thread_detail(request.auth, thread.pk))


def _thread_detail(user, thread_id: int) -> dict:
    thread = selectors.thread_get(user, thread_id)
    return {
        "id": thread.pk,
        "board_id": thread.board_id,
        "board_name": thread.board.name,
        "title": thread.title,
        "author": selectors.display_name(thread.author),
        "status": thread.status,
        "status_label": thread.get_status_display(),
        "pinned": thread.pinned,
        "locked": thread.locked,
        "replies": thread.replies,
        "created_at": thread.created_at,
        "last_post_at": thread.last_post_at,
        "posts": [_post_out(p, user) for p in selectors.posts_of(user, thread)],
        "moderator": selectors.moderates(user, thread.board),
    }


@router.get("/search", response=list[ThreadOut], summary="搜索我能看到的主题帖")
@permission.own()
def search(request, q: str = Query(..., min_length=1, max_length=50)):
    return list(selectors.search(request.auth, q.strip()))


@router.get("/threads/{thread_id}", response=ThreadDetailOut, summary="主题帖及回复")
@permission.own()
def thread(request, thread_id: int):
    return _thread_detail(request.auth, thread_id)


@router.post("/threads/{thread_id}/posts", response={201: ForumPostOut}, summary="回复主题帖")
@permission.own()
def reply(request, thread_id: int, payload: LetterReplyIn):
    thread = selectors.thread_get(request.auth, thread_id)
    post = services.reply_create(
        actor=request.auth,
        thread=thread,
        body=payload.body,
        images=decode_files(payload.images, field="images"),
    )
    return Status(201, _post_out(post, request.auth))


@router.post("/posts/{post_id}/like", response=LikeOut, summary="点赞或取消点赞（每人一次）")
@permission.own()
def like(request, post_id: int, payload: LikeIn):
    post = services.post_like(
        actor=request.auth, post=selectors.post_get(request.auth, post_id), like=payload.like
    )
    return {"id": post.pk, "likes": post.likes, "liked": payload.like}


@router.post("/posts/{post_id}/report", response={201: dict}, summary="举报帖子")
@permission.own()
def report(request, post_id: int, payload: CommunityReasonIn):
    services.post_report(
        actor=request.auth, post=selectors.post_get(request.auth, post_id), reason=payload.reason
    )
    return Status(201, {"reported": True})


# --- forum: moderators ----------------------------------------------------------------------------------


def _queue_out(post: Post) -> QueuePostOut:
    return QueuePostOut(
        id=post.pk,
        thread_id=post.thread_id,
        thread_title=post.thread.title,
        board_name=post.thread.board.name,
        author=selectors.display_name(post.author),
        body=post.body,
        status=post.status,
        held_words=post.held_words,
        open_reports=getattr(post, "open_reports", 0),
        created_at=post.created_at,
    )


@router.get("/moderation", response=QueueOut, summary="版主待办：待审核帖子和被举报帖子")
@permission("community", "moderate")
def moderation(request):
    q = selectors.moderation_queue(request.scope)
    return {
        "held": [_queue_out(p) for p in q["held"][:200]],
        "reported": [_queue_out(p) for p in q["reported"][:200]],
    }


@router.post(
    "/posts/{post_id}/moderate", response=ForumPostOut, summary="审核通过、隐藏（须写原因）或驳回举报"
)
@permission("community", "moderate", model=Post, lookup="post_id")
def moderate(request, post_id: int, payload: PostModerateIn):
    post = request.scope.get(Post, pk=post_id)
    post = services.post_moderate(actor=request.auth, post=post, action=payload.action, reason=payload.reason)
    return _post_out(post, request.auth)


@router.post("/threads/{thread_id}/set", response=ThreadOut, summary="锁定或置顶主题帖")
@permission("community", "moderate", model=Thread, lookup="thread_id")
def thread_set(request, thread_id: int, payload: ThreadSetIn):
    thread = request.scope.get(Thread, pk=thread_id)
    return services.thread_set(
        actor=request.auth, thread=thread, locked=payload.locked, pinned=payload.pinned
    )


@router.post("/boards", response={201: ForumBoardOut}, summary="开设论坛版块（版主）")
@permission("community", "moderate")
def board_new(request, payload: BoardIn):
    org = request.scope.get(Org, pk=payload.org_id)
    board = services.board_create(
        actor=request.auth, org=org, name=payload.name, description=payload.description
    )
    return Status(201, board)


@router.get("/words", response=list[WordOut], summary="敏感词表（版主维护）")
@permission("community", "moderate")
def words(request):
    return list(selectors.words(request.scope)[:2000])


@router.post("/words", response={201: list[WordOut]}, summary="添加敏感词（立即生效，无需重启）")
@permission("community", "moderate")
def words_add(request, payload: WordsIn):
    org = request.scope.get(Org, pk=payload.org_id)
    return Status(
        201, services.words_add(actor=request.auth, org=org, words=payload.words, note=payload.note)
    )


@router.delete("/words/{word_id}", response={204: None}, summary="删除敏感词（立即生效）")
@permission("community", "moderate", model=SensitiveWord, lookup="word_id")
def word_remove(request, word_id: int):
    services.word_remove(actor=request.auth, word=request.scope.get(SensitiveWord, pk=word_id))
    return Status(204, None)


# --- mailbox --------------------------------------------------------------------------------------------


class OrgRef(Schema):
    id: int = Field(validation_alias="pk")
    name: str
    org_type: str


class LetterIn(Schema):
    org_id: int
    subject: str = Field(max_length=80)
    body: str = Field(max_length=5000)
    anonymous: bool = Field(False, description="匿名：收信人（书记）看不到写信人身份")


class MessageOut(Schema):
    by_author: bool
    writer: str
    body: str
    created_at: dt.datetime


class LetterOut(Schema):
    id: int
    org_id: int
    org_name: str
    subject: str
    body: str
    anonymous: bool
    author: str = Field(description="匿名来信为“匿名”")
    status: str
    status_label: str
    overdue: bool
    sent_at: dt.datetime
    replied_at: dt.datetime | None
    messages: list[MessageOut] = []


def _letter_out(letter: Letter, *, for_author: bool, with_messages: bool = False) -> dict:
    if letter.anonymous:
        author = "匿名（本人）" if for_author else "匿名"
    else:
        author = selectors.display_name(letter.author)
    messages = []
    if with_messages:
        for r in letter.replies.select_related("writer__person"):
            if r.by_author:
                writer = author
            else:
                writer = f"{letter.org.name} · {selectors.display_name(r.writer)}"
            messages.append(
                MessageOut(by_author=r.by_author, writer=writer, body=r.body, created_at=r.created_at)
            )
    return LetterOut(
        id=letter.pk,
        org_id=letter.org_id,
        org_name=letter.org.name,
        subject=letter.subject,
        body=letter.body,
        anonymous=letter.anonymous,
        author=author,
        status=letter.status,
        status_label=letter.get_status_display(),
        overdue=selectors.is_overdue(letter),
        sent_at=letter.sent_at,
        replied_at=letter.replied_at,
        messages=messages,
    )


class BodyIn(Schema):
    body: str = Field(max_length=5000)


class LetterIdentityOut(Schema):
    name: str
    user_id: int | None
    person_id: int | None


@router.get("/mailbox/targets", response=list[OrgRef], summary="我可以写信的党组织（本支部书记、上级党委）")
@permission.own()
def letter_targets(request):
    return selectors.letter_targets(request.auth)


@router.post("/mailbox/letters", response={201: LetterOut}, summary="给书记写信（可匿名）")
@permission.own()
def letter_send(request, payload: LetterIn):
    org = next((o for o in selectors.letter_targets(request.auth) if o.pk == payload.org_id), None)
    if org is None:
        from sanxin.core.errors import NotFound

        raise NotFound("只能写信给本人所在支部的书记或上级党委")
    letter = services.letter_send(
        actor=request.auth, org=org, subject=payload.subject, body=payload.body, anonymous=payload.anonymous
    )
    return Status(201, _letter_out(letter, for_author=True))


@router.get("/mailbox/letters", response=list[LetterOut], summary="我写的信")
@permission.own()
@paginate(PageNumber)
def letters_mine(request):
    return [_letter_out(x, for_author=True) for x in selectors.letters_mine(request.auth)[:500]]


@router.get("/mailbox/letters/{letter_id}", response=LetterOut, summary="我写的一封信及回复")
@permission.own()
def letter_mine(request, letter_id: int):
    return _letter_out(selectors.letter_mine(request.auth, letter_id), for_author=True, with_messages=True)


@router.post("/mailbox/letters/{letter_id}/followup", response={201: LetterOut}, summary="补充来信内容")
@permission.own()
def letter_followup(request, letter_id: int, payload: BodyIn):
    letter = selectors.letter_mine(request.auth, letter_id)
    services.letter_followup(actor=request.auth, letter=letter, body=payload.body)
    letter.refresh_from_db()
    return Status(201, _letter_out(letter, for_author=True, with_messages=True))


@router.get("/mailbox/inbox", response=list[LetterOut], summary="书记信箱：收到的来信")
@permission("community", "mailbox")
@paginate(PageNumber)
def inbox(request, status: str = "", overdue: bool = False):
    return [
        _letter_out(x, for_author=False)
        for x in selectors.inbox(request.scope, status=status, overdue=overdue)[:1000]
    ]


@router.get("/mailbox/inbox/{letter_id}", response=LetterOut, summary="阅读一封来信（首次阅读记为已阅）")
@permission("community", "mailbox", model=Letter, lookup="letter_id")
def inbox_letter(request, letter_id: int):
    letter = services.letter_open(actor=request.auth, letter=request.scope.get(Letter, pk=letter_id))
    return _letter_out(letter, for_author=False, with_messages=True)


@router.post(
    "/mailbox/inbox/{letter_id}/reply", response={201: LetterOut}, summary="回复来信（匿名来信人同样收到）"
)
@permission("community", "mailbox", model=Letter, lookup="letter_id")
def inbox_reply(request, letter_id: int, payload: BodyIn):
    letter = request.scope.get(Letter, pk=letter_id)
    services.letter_reply(actor=request.auth, letter=letter, body=payload.body)
    letter.refresh_from_db()
    return Status(201, _letter_out(letter, for_author=False, with_messages=True))


@router.post("/mailbox/inbox/{letter_id}/close", response=LetterOut, summary="来信办结")
@permission("community", "mailbox", model=Letter, lookup="letter_id")
def inbox_close(request, letter_id: int):
    letter = services.letter_close(actor=request.auth, letter=request.scope.get(Letter, pk=letter_id))
    return _letter_out(letter, for_author=False)


class LetterRevealIn(Schema):
    reason: str = Field(max_length=500)


@router.post(
    "/mailbox/letters/{letter_id}/reveal",
    response=LetterIdentityOut,
    summary="查看匿名来信人身份（安全管理员，须写明理由，留痕）",
)
@permission("community", "reveal", model=Letter, lookup="letter_id")
def letter_reveal(request, letter_id: int, payload: LetterRevealIn):
    letter = request.scope.get(Letter, pk=letter_id)
    return services.letter_reveal(actor=request.auth, letter=letter, reason=payload.reason)


class OversightOut(Schema):
    org_id: int
    org_name: str
    letters: int
    waiting: int
    overdue: int
    suggestions: int
    open: int
    adopted: int


@router.get("/oversight", response=list[OversightOut], summary="各组织书记信箱和建言献策办理统计（只有数量）")
@permission("community", "view")
def oversight(request):
    return selectors.oversight(request.scope)


# --- suggestions ----------------------------------------------------------------------------------------


class SuggestionStepOut(Schema):
    action: str
    action_label: str
    org_name: str
    to_org_name: str | None
    note: str
    at: dt.datetime


class SuggestionOut(Schema):
    id: int = Field(validation_alias="pk")
    org_id: int
    org_name: str = Field(validation_alias="org.name")
    title: str
    body: str
    category: str
    category_label: str
    status: str
    status_label: str
    author: str
    mine: bool = False
    seconds: int
    seconded: bool = False
    answer: str
    answered_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj):
        return selectors.display_name(obj.author)

    @staticmethod
    def resolve_category_label(obj):
        return obj.get_category_display()

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_seconded(obj):
        return bool(getattr(obj, "seconded", False))


class SuggestionDetailOut(Schema):
    id: int
    org_id: int
    org_name: str
    title: str
    body: str
    category: str
    category_label: str
    status: str
    status_label: str
    author: str
    mine: bool
    seconds: int
    seconded: bool
    answer: str
    answered_at: dt.datetime | None
    created_at: dt.datetime
    steps: list[SuggestionStepOut] = []


def _suggestion_detail(s: Suggestion, user) -> dict:
    return {
        "id": s.pk,
        "org_id": s.org_id,
        "org_name": s.org.name,
        "title": s.title,
        "body": s.body,
        "category": s.category,
        "category_label": s.get_category_display(),
        "status": s.status,
        "status_label": s.get_status_display(),
        "author": selectors.display_name(s.author),
        "mine": s.author_id == user.pk,
        "seconds": s.seconds,
        "seconded": bool(getattr(s, "seconded", False)),
        "answer": s.answer,
        "answered_at": s.answered_at,
        "created_at": s.created_at,
        "steps": [
            {
                "action": st.action,
                "action_label": st.get_action_display(),
                "org_name": st.org.name,
                "to_org_name": st.to_org.name if st.to_org_id else None,
                "note": st.note,
                "at": st.at,
            }
            for st in s.steps.select_related("org", "to_org")
        ],
    }


class SuggestionIn(Schema):
    org_id: int
    title: str = Field(max_length=80)
    body: str = Field(max_length=5000)
    category: CATEGORIES


@router.get("/suggestions/targets", response=list[OrgRef], summary="我可以提建议的党组织")
@permission.own()
def suggestion_targets(request):
    return selectors.suggestion_targets(request.auth)


@router.get("/suggestions", response=list[SuggestionOut], summary="建言献策（本人所在组织链及本人的）")
@permission.own()
@paginate(PageNumber)
def suggestions(request, status: str = "", mine: bool = False):
    qs = selectors.suggestions_for(request.auth)
    if status:
        qs = qs.filter(status=status)
    if mine:
        qs = qs.filter(author=request.auth)
    return qs.order_by("-created_at", "-pk")


@router.post("/suggestions", response={201: SuggestionDetailOut}, summary="提出建议")
@permission.own()
def suggestion_propose(request, payload: SuggestionIn):
    org = next((o for o in selectors.suggestion_targets(request.auth) if o.pk == payload.org_id), None)
    if org is None:
        from sanxin.core.errors import NotFound

        raise NotFound("只能向本人所在党组织或其上级党组织提出建议")
    s = services.suggestion_propose(
        actor=request.auth, org=org, title=payload.title, body=payload.body, category=payload.category
    )
    return Status(201, _suggestion_detail(selectors.suggestion_get(request.auth, s.pk), request.auth))


@router.get("/suggestions/{suggestion_id}", response=SuggestionDetailOut, summary="一条建议及办理过程")
@permission.own()
def suggestion(request, suggestion_id: int):
    return _suggestion_detail(selectors.suggestion_get(request.auth, suggestion_id), request.auth)


@router.post("/suggestions/{suggestion_id}/second", response=SuggestionOut, summary="附议（每人一次）")
@permission.own()
def suggestion_second(request, suggestion_id: int):
    s = services.suggestion_second(
        actor=request.auth, suggestion=selectors.suggestion_get(request.auth, suggestion_id)
    )
    return selectors.suggestion_get(request.auth, s.pk)


@router.get("/suggestions/manage/queue", response=list[SuggestionOut], summary="待办理的建言献策")
@permission("community", "suggest")
@paginate(PageNumber)
def suggestions_manage(request, status: str = ""):
    return selectors.suggestions_to_handle(request.scope, status=status)


class SuggestionDecideIn(Schema):
    action: Literal["answer", "adopt", "reject"]
    text: str = Field(max_length=3000, description="答复内容、采纳说明或不予采纳的理由")


class ForwardIn(Schema):
    to_org_id: int
    note: str = Field(max_length=1000)


@router.post(
    "/suggestions/{suggestion_id}/decide",
    response=SuggestionDetailOut,
    summary="答复、采纳或不予采纳（写明理由）",
)
@permission("community", "suggest", model=Suggestion, lookup="suggestion_id")
def suggestion_decide(request, suggestion_id: int, payload: SuggestionDecideIn):
    s = request.scope.get(Suggestion, pk=suggestion_id)
    s = services.suggestion_decide(actor=request.auth, suggestion=s, action=payload.action, text=payload.text)
    return _suggestion_detail(request.scope.get(Suggestion, pk=s.pk), request.auth)


@router.post(
    "/suggestions/{suggestion_id}/forward", response=SuggestionDetailOut, summary="转交其他党组织办理"
)
@permission("community", "suggest", model=Suggestion, lookup="suggestion_id")
def suggestion_forward(request, suggestion_id: int, payload: ForwardIn):
    s = request.scope.get(Suggestion, pk=suggestion_id)
    to_org = Org.objects.filter(pk=payload.to_org_id).first()
    if to_org is None:
        from sanxin.core.errors import NotFound

        raise NotFound("没有这个党组织")
    s = services.suggestion_forward(actor=request.auth, suggestion=s, to_org=to_org, note=payload.note)
    return _suggestion_detail(s, request.auth)


__all__ = ["PostStatus", "router"]
