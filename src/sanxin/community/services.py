"""Writes of community: the forum (threads, replies, likes, reports, moderation, the word list), the
secretary mailbox and suggestions. Every function takes the acting user, checks what they may see or do
again (whatever route called it), and audits; notifications and domain events go out from here.

Rate limits are counted from the rows themselves (the user's posts of the last minute, letters and
suggestions of the last day) with the user's row locked, so two requests at once cannot both slip under
the limit; a refusal is ``RateLimited`` (429) with the seconds to wait.
"""

from __future__ import annotations

import json
import re
import secrets
import types

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from sanxin.accounts.actors import actors_for
from sanxin.core import audit, events, notify, uploads
from sanxin.core.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation, ServiceError
from sanxin.core.scope import scope_for
from sanxin.orgs.models import Org, Person

from . import selectors, wordfilter
from .models import (
    Board,
    Letter,
    LetterStatus,
    Like,
    Post,
    PostStatus,
    Reply,
    Report,
    ReportStatus,
    Second,
    SensitiveWord,
    StepAction,
    Suggestion,
    SuggestionCategory,
    SuggestionStatus,
    SuggestionStep,
    Thread,
    WordListVersion,
)

IMAGE_PURPOSE = "community.image"
MAX_IMAGES = 9
# The audit row of an anonymous letter names no one: not the author (hidden from the recipient), and
# not the request's user either (core.audit would fall back to it for a None actor).
ANONYMOUS = types.SimpleNamespace(pk=None, get_username=lambda: "匿名来信人")


class RateLimited(ServiceError):
    status = 429
    code = "rate_limited"


def _now():
    return timezone.now()


def _text(value: str, *, field: str, label: str, min_len: int, max_len: int) -> str:
    value = (value or "").strip()
    if len(value) < min_len:
        raise InvalidInput(f"请填写{label}（至少 {min_len} 个字）", field=field, code="too_short")
    if len(value) > max_len:
        raise InvalidInput(
            f"{label}不能超过 {max_len} 字（现有 {len(value)} 字）", field=field, code="too_long"
        )
    return value


def _rate_limit(actor, qs, *, limit: int, seconds: int, what: str, field_name: str = "created_at") -> None:
    """Refuse when ``qs`` (the actor's rows) already holds ``limit`` rows of the last ``seconds``."""
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
    since = _now() - timezone.timedelta(seconds=seconds)
    recent = list(
        qs.filter(**{f"{field_name}__gte": since})
        .order_by(field_name)
        .values_list(field_name, flat=True)[:limit]
    )
    if len(recent) >= limit:
        wait = max(1, int((recent[0] + timezone.timedelta(seconds=seconds) - _now()).total_seconds()) + 1)
        window = "每分钟" if seconds == 60 else ("每天" if seconds == 86400 else f"每 {seconds} 秒")
        message = f"{what}太频繁：{window}最多 {limit} 条，请 {wait} 秒后再试"
        raise RateLimited(
            message, details=[{"loc": [], "msg": message, "type": "rate_limited", "retry_after": wait}]
        )


def _require_signed_in(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("请先登录")


# --- forum: boards ------------------------------------------------------------------------------------


def _require_moderator_of_org(actor, org: Org) -> None:
    if actor is not None and not scope_for(actor, "community", "moderate").contains(org):
        raise NotFound()


def _require_moderator(actor, obj) -> None:
    if actor is not None and not scope_for(actor, "community", "moderate").contains(obj):
        raise NotFound()


@transaction.atomic
def board_create(*, actor, org: Org, name: str, description: str = "") -> Board:
    _require_moderator_of_org(actor, org)
    if not org.is_active:
        raise RuleViolation("该党组织已撤销，不能开设版块", code="org_closed")
    name = _text(name, field="name", label="版块名称", min_len=2, max_len=60)
    if Board.objects.filter(org=org, name=name).exists():
        raise RuleViolation("该党组织已有同名版块", code="duplicate", field="name")
    board = Board.objects.create(org=org, name=name, description=(description or "").strip()[:300])
    audit.record(actor=actor, action="board_create", obj=board, after={"org": org.pk, "name": name})
    return board


@transaction.atomic
def board_update(*, actor, board: Board, name: str | None = None, description: str | None = None,
                 is_active: bool | None = None) -> Board:  # fmt: skip
    _require_moderator(actor, board)
    before = {"name": board.name, "description": board.description, "is_active": board.is_active}
    if name is not None:
        board.name = _text(name, field="name", label="版块名称", min_len=2, max_len=60)
    if description is not None:
        board.description = description.strip()[:300]
    if is_active is not None:
        board.is_active = bool(is_active)
    board.save()
    after = {"name": board.name, "description": board.description, "is_active": board.is_active}
    audit.record(actor=actor, action="board_update", obj=board, before=before, after=after)
    return board


# --- forum: posting -----------------------------------------------------------------------------------

_MENTION = re.compile(r"@([\w\u3400-\u9fff·]{1,20})")


def mentioned_users(body: str, board: Board, *, exclude: int | None = None) -> list:
    """The people named ``@name`` in ``body`` who can read ``board`` (the longest name that matches,
    since Chinese text runs on without a space after a name)."""
    tokens = _MENTION.findall(body or "")
    if not tokens:
        return []
    prefixes = {t[:n] for t in tokens for n in range(1, len(t) + 1)}
    candidates: dict[str, list] = {}
    for person in Person.objects.filter(name__in=prefixes, user__isnull=False).select_related("user")[:200]:
        candidates.setdefault(person.name, []).append(person.user)
    out, seen = [], set()
    for token in tokens:
        for n in range(len(token), 0, -1):
            users = candidates.get(token[:n])
            if users:
                for user in users:
                    if user.pk in seen or user.pk == exclude or not user.is_active:
                        continue
                    if selectors.boards_for(user).filter(pk=board.pk).exists():
                        out.append(user)
                        seen.add(user.pk)
                break
    return out


def _notify_mentions(post: Post) -> None:
    board = post.thread.board
    users = mentioned_users(post.body, board, exclude=post.author_id)
    if not users:
        return
    post.mentions.add(*users)
    who = selectors.display_name(post.author)
    for user in users:
        notify.notify(
            recipient=user,
            kind="community",
            title=f"{who}在“{post.thread.title}”中提到了您",
            url=f"/community/forum/threads/{post.thread_id}/#post-{post.pk}",
            key=f"community:mention:{post.pk}:{user.pk}",
        )


def _moderators(board: Board) -> list[int]:
    """Who moderates a board: the grants anchored at its org (its secretary, its committee's office)."""
    return actors_for(board.org, "community", "moderate")


def _tell_moderators(post: Post, title: str, key: str) -> None:
    for user_id in _moderators(post.thread.board):
        notify.notify(
            recipient=user_id,
            kind="community",
            title=title,
            url="/community/forum/moderate/",
            key=f"{key}:{user_id}",
        )


def _write_post(*, actor, thread: Thread, body: str, images, first: bool, now) -> Post:
    board = thread.board
    held = wordfilter.find(f"{thread.title if first else ''}\n{body}", board.org.path)
    post = Post.objects.create(
        thread=thread,
        author=actor,
        first=first,
        body=body,
        status=PostStatus.HELD if held else PostStatus.PUBLISHED,
        held_words=held,
        created_at=now,
    )
    stored = uploads.store_all(actor=actor, purpose_name=IMAGE_PURPOSE, files=images) if images else []
    if stored:
        post.images.set(stored)
    audit.record(
        actor=actor,
        action="post_create",
        obj=post,
        after={"thread": thread.pk, "status": post.status, "held_words": held, "images": len(stored)},
    )
    if held:
        _tell_moderators(post, f"有帖子待审核：{thread.title}", f"community:held:{post.pk}")
    else:
        _notify_mentions(post)
    return post


def _check_images(images) -> list:
    images = list(images or [])
    if len(images) > MAX_IMAGES:
        raise InvalidInput(f"每帖最多 {MAX_IMAGES} 张图片", field="images", code="too_many")
    return images


@transaction.atomic
def thread_create(*, actor, board: Board, title: str, body: str, images=()) -> Thread:
    _require_signed_in(actor)
    board = selectors.board_get(actor, board.pk)
    title = _text(title, field="title", label="标题", min_len=2, max_len=80)
    body = _text(body, field="body", label="内容", min_len=2, max_len=settings.COMMUNITY_POST_MAX_CHARS)
    images = _check_images(images)
    _rate_limit(
        actor,
        Post.objects.filter(author=actor),
        limit=settings.COMMUNITY_POSTS_PER_MINUTE,
        seconds=60,
        what="发帖",
    )
    now = _now()
    thread = Thread.objects.create(board=board, author=actor, title=title, created_at=now, last_post_at=now)
    post = _write_post(actor=actor, thread=thread, body=body, images=images, first=True, now=now)
    if post.status != PostStatus.PUBLISHED:
        thread.status = post.status
        thread.save(update_fields=["status"])
    return thread


@transaction.atomic
def reply_create(*, actor, thread: Thread, body: str, images=()) -> Post:
    _require_signed_in(actor)
    thread = selectors.thread_get(actor, thread.pk)
    moderator = selectors.moderates(actor, thread.board)
    if thread.status != PostStatus.PUBLISHED:
        raise RuleViolation("主题帖尚未发布，暂不能回复", code="not_published")
    if thread.locked and not moderator:
        raise RuleViolation("该主题已被版主锁定，不能回复", code="locked")
    body = _text(body, field="body", label="回复内容", min_len=1, max_len=settings.COMMUNITY_POST_MAX_CHARS)
    images = _check_images(images)
    _rate_limit(
        actor,
        Post.objects.filter(author=actor),
        limit=settings.COMMUNITY_POSTS_PER_MINUTE,
        seconds=60,
        what="发帖",
    )
    now = _now()
    post = _write_post(actor=actor, thread=thread, body=body, images=images, first=False, now=now)
    if post.status == PostStatus.PUBLISHED:
        Thread.objects.filter(pk=thread.pk).update(replies=F("replies") + 1, last_post_at=now)
        if thread.author_id != actor.pk:
            notify.notify(
                recipient=thread.author_id,
                kind="community",
                title=f"{selectors.display_name(actor)}回复了您的主题“{thread.title}”",
                url=f"/community/forum/threads/{thread.pk}/#post-{post.pk}",
                key=f"community:reply:{post.pk}",
            )
    return post


def post_like(*, actor, post: Post, like: bool = True) -> Post:
    """Like (or take back a like of) a published post; once per person (a unique constraint)."""
    _require_signed_in(actor)
    post = selectors.post_get(actor, post.pk)
    if post.status != PostStatus.PUBLISHED:
        raise RuleViolation("只能为已发布的帖子点赞", code="not_published")
    with transaction.atomic():
        if like:
            try:
                with transaction.atomic():
                    Like.objects.create(post=post, user=actor)
            except IntegrityError:
                pass  # already liked: a second click changes nothing
            else:
                Post.objects.filter(pk=post.pk).update(likes=F("likes") + 1)
        elif Like.objects.filter(post=post, user=actor).delete()[0]:
            Post.objects.filter(pk=post.pk).update(likes=F("likes") - 1)
    post.refresh_from_db(fields=["likes"])
    return post


@transaction.atomic
def post_report(*, actor, post: Post, reason: str) -> Report:
    _require_signed_in(actor)
    post = selectors.post_get(actor, post.pk)
    if post.author_id == actor.pk:
        raise RuleViolation("不能举报自己的帖子", code="own_post")
    reason = _text(reason, field="reason", label="举报理由", min_len=2, max_len=200)
    try:
        with transaction.atomic():
            report = Report.objects.create(post=post, reporter=actor, reason=reason)
    except IntegrityError:
        raise RuleViolation("您已举报过这条帖子，版主会尽快处理", code="already_reported") from None
    audit.record(actor=actor, action="post_report", obj=post, after={"reason": reason})
    _tell_moderators(post, f"有帖子被举报：{post.thread.title}", f"community:report:{report.pk}")
    return report


def _recount(thread: Thread) -> None:
    thread.replies = thread.posts.filter(first=False, status=PostStatus.PUBLISHED).count()
    thread.save(update_fields=["replies"])


@transaction.atomic
def post_moderate(*, actor, post: Post, action: str, reason: str = "") -> Post:
    """``publish`` a held (or hidden) post, ``hide`` one with a reason, or ``dismiss`` its open reports."""
    post = Post.objects.select_for_update(of=("self",)).select_related("thread__board__org").get(pk=post.pk)
    _require_moderator(actor, post)
    thread = post.thread
    before = {"status": post.status, "hidden_reason": post.hidden_reason}
    now = _now()
    if action == "dismiss":
        n = post.reports.filter(status=ReportStatus.OPEN).update(
            status=ReportStatus.DISMISSED, resolved_by=actor, resolved_at=now
        )
        if not n:
            raise RuleViolation("这条帖子没有待处理的举报", code="no_reports")
        audit.record(actor=actor, action="report_dismiss", obj=post, after={"reports": n})
        return post
    if action == "publish":
        if post.status == PostStatus.PUBLISHED:
            raise RuleViolation("帖子已是发布状态", code="wrong_status")
        was_held = post.status == PostStatus.HELD
        post.status, post.hidden_reason = PostStatus.PUBLISHED, ""
    elif action == "hide":
        reason = _text(reason, field="reason", label="隐藏原因", min_len=2, max_len=200)
        if post.status == PostStatus.HIDDEN:
            raise RuleViolation("帖子已被隐藏", code="wrong_status")
        post.status, post.hidden_reason = PostStatus.HIDDEN, reason
        post.reports.filter(status=ReportStatus.OPEN).update(
            status=ReportStatus.UPHELD, resolved_by=actor, resolved_at=now
        )
    else:
        raise InvalidInput("未知的操作", field="action")
    post.moderated_by, post.moderated_at = actor, now
    post.save(update_fields=["status", "hidden_reason", "moderated_by", "moderated_at"])
    if post.first:
        thread.status = post.status
        thread.save(update_fields=["status"])
    else:
        _recount(thread)
    audit.record(
        actor=actor,
        action=f"post_{action}",
        obj=post,
        before=before,
        after={"status": post.status, "hidden_reason": post.hidden_reason},
    )
    if action == "publish":
        if was_held:
            Thread.objects.filter(pk=thread.pk).update(last_post_at=now)
        title = f"您的帖子已通过审核：{thread.title}"
        _notify_mentions(post)
    else:
        title = f"您的帖子已被版主隐藏：{reason}"
    notify.notify(
        recipient=post.author_id,
        kind="community",
        title=title,
        url=f"/community/forum/threads/{thread.pk}/#post-{post.pk}",
        key=f"community:moderated:{post.pk}:{action}:{now.isoformat()}",
    )
    return post


@transaction.atomic
def thread_set(*, actor, thread: Thread, locked: bool | None = None, pinned: bool | None = None) -> Thread:
    """Lock (no more replies) or pin (first in its board) a thread, or undo either."""
    thread = Thread.objects.select_for_update(of=("self",)).select_related("board__org").get(pk=thread.pk)
    _require_moderator(actor, thread)
    before = {"locked": thread.locked, "pinned": thread.pinned}
    if locked is not None:
        thread.locked = bool(locked)
    if pinned is not None:
        thread.pinned = bool(pinned)
    after = {"locked": thread.locked, "pinned": thread.pinned}
    if after == before:
        raise RuleViolation("没有需要修改的内容", code="unchanged")
    thread.save(update_fields=["locked", "pinned"])
    action = "thread_lock" if before["locked"] != after["locked"] else "thread_pin"
    audit.record(actor=actor, action=action, obj=thread, before=before, after=after)
    return thread


# --- forum: the word list -----------------------------------------------------------------------------


def _bump_word_list() -> None:
    """A new random stamp for the list, not a counter: two databases (a backup restored, a test's and the
    demo's in one process) could hold the same count for different lists, and a process would keep the
    automaton of the other one."""
    stamp = secrets.randbits(62) + 1
    while stamp == wordfilter.built_version():
        stamp = secrets.randbits(62) + 1
    WordListVersion.objects.update_or_create(pk=1, defaults={"version": stamp})


@transaction.atomic
def words_add(*, actor, org: Org, words: list[str], note: str = "") -> list[SensitiveWord]:
    """Add words to ``org``'s list (for the boards of its subtree); those already listed are skipped."""
    _require_moderator_of_org(actor, org)
    cleaned: dict[str, str] = {}
    for raw in words:
        raw = (raw or "").strip()
        if not raw:
            continue
        normalized = wordfilter.normalize(raw)
        if not normalized:
            raise InvalidInput(f"“{raw}”不含文字或数字，不能作为敏感词", field="words")
        if len(normalized) > 40:
            raise InvalidInput(f"“{raw[:20]}…”过长（最多 40 字）", field="words")
        cleaned.setdefault(normalized, raw)
    if not cleaned:
        raise InvalidInput("请输入至少一个敏感词", field="words")
    existing = set(
        SensitiveWord.objects.filter(org=org, normalized__in=cleaned).values_list("normalized", flat=True)
    )
    created = [
        SensitiveWord.objects.create(
            org=org, word=raw, normalized=n, note=(note or "")[:100], created_by=actor
        )
        for n, raw in cleaned.items()
        if n not in existing
    ]
    if created:
        _bump_word_list()
        audit.record(
            actor=actor,
            action="words_add",
            obj=org,
            after={"words": [w.word for w in created], "note": note},
        )
    return created


@transaction.atomic
def word_remove(*, actor, word: SensitiveWord) -> None:
    _require_moderator(actor, word)
    audit.record(actor=actor, action="word_remove", obj=word.org, before={"word": word.word})
    word.delete()
    _bump_word_list()


# --- mailbox ------------------------------------------------------------------------------------------


def _mailbox_url(letter: Letter) -> str:
    return f"/community/mailbox/inbox/{letter.pk}/"


def _author_id(letter: Letter) -> int | None:
    if letter.author_id:
        return letter.author_id
    return json.loads(letter.sealed).get("user_id") if letter.sealed else None


@transaction.atomic
def letter_send(*, actor, org: Org, subject: str, body: str, anonymous: bool = False) -> Letter:
    _require_signed_in(actor)
    if org.pk not in {o.pk for o in selectors.letter_targets(actor)}:
        raise NotFound("只能写信给本人所在支部的书记或上级党委")
    subject = _text(subject, field="subject", label="主题", min_len=2, max_len=80)
    body = _text(body, field="body", label="来信内容", min_len=5, max_len=5000)
    index = selectors.owner_index(actor)
    from django.db.models import Q

    _rate_limit(
        actor,
        Letter.objects.filter(Q(author=actor) | Q(owner_index=index)),
        limit=settings.COMMUNITY_LETTERS_PER_DAY,
        seconds=86400,
        what="写信",
        field_name="sent_at",
    )
    now = _now()
    letter = Letter(
        org=org, subject=subject, body=body, anonymous=bool(anonymous), sent_at=now, waiting_since=now
    )
    if letter.anonymous:
        letter.sealed = json.dumps(
            {
                "user_id": actor.pk,
                "name": selectors.display_name(actor),
                "person_id": getattr(getattr(actor, "person", None), "pk", None),
            },
            ensure_ascii=False,
        )
        letter.owner_index = index
    else:
        letter.author = actor
    letter.save()
    audit.record(
        actor=ANONYMOUS if letter.anonymous else actor,
        action="letter_send",
        obj=letter,
        after={"org": org.pk, "anonymous": letter.anonymous},
    )
    sender = "一位党员（匿名）" if letter.anonymous else selectors.display_name(actor)
    for user_id in actors_for(org, "community", "mailbox"):
        notify.notify(
            recipient=user_id,
            kind="community",
            title=f"书记信箱：{sender}来信“{subject}”",
            url=_mailbox_url(letter),
            key=f"community:letter:{letter.pk}:{user_id}",
        )
    return letter


def _require_recipient(actor, letter: Letter) -> None:
    if actor is not None and not scope_for(actor, "community", "mailbox").contains(letter):
        raise NotFound()


@transaction.atomic
def letter_open(*, actor, letter: Letter) -> Letter:
    """The recipient opens the letter: the first opening marks it read (audited)."""
    _require_recipient(actor, letter)
    if letter.status == LetterStatus.SENT:
        letter.status, letter.read_at = LetterStatus.READ, _now()
        letter.save(update_fields=["status", "read_at"])
        audit.record(actor=actor, action="letter_read", obj=letter, after={"status": letter.status})
    return letter


@transaction.atomic
def letter_reply(*, actor, letter: Letter, body: str) -> Reply:
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    _require_recipient(actor, letter)
    if letter.status == LetterStatus.CLOSED:
        raise RuleViolation("来信已办结", code="closed")
    body = _text(body, field="body", label="回复内容", min_len=2, max_len=5000)
    now = _now()
    reply = Reply.objects.create(letter=letter, writer=actor, body=body, created_at=now)
    before = {"status": letter.status}
    letter.status, letter.replied_at = LetterStatus.REPLIED, now
    letter.read_at = letter.read_at or now
    letter.save(update_fields=["status", "replied_at", "read_at"])
    audit.record(
        actor=actor, action="letter_reply", obj=letter, before=before, after={"status": letter.status}
    )
    author_id = _author_id(letter)
    if author_id:
        notify.notify(
            recipient=author_id,
            kind="community",
            title=f"您写给{letter.org.name}的信“{letter.subject}”有了回复",
            url=f"/community/mailbox/mine/{letter.pk}/",
            key=f"community:letter_reply:{reply.pk}",
        )
    return reply


@transaction.atomic
def letter_close(*, actor, letter: Letter) -> Letter:
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    _require_recipient(actor, letter)
    if letter.status != LetterStatus.REPLIED:
        raise RuleViolation("回复来信后才能办结", code="not_replied")
    letter.status = LetterStatus.CLOSED
    letter.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="letter_close",
        obj=letter,
        before={"status": "replied"},
        after={"status": "closed"},
    )
    return letter


@transaction.atomic
def letter_followup(*, actor, letter: Letter, body: str) -> Reply:
    """The author writes again on their letter (still anonymous if it was): it waits for a reply again."""
    _require_signed_in(actor)
    letter = selectors.letter_mine(actor, letter.pk)
    if letter.status == LetterStatus.CLOSED:
        raise RuleViolation("来信已办结，如有新情况请另写一封", code="closed")
    body = _text(body, field="body", label="补充内容", min_len=2, max_len=5000)
    now = _now()
    reply = Reply.objects.create(
        letter=letter, by_author=True, writer=None if letter.anonymous else actor, body=body, created_at=now
    )
    letter.status, letter.waiting_since = LetterStatus.READ if letter.read_at else LetterStatus.SENT, now
    letter.save(update_fields=["status", "waiting_since"])
    audit.record(actor=ANONYMOUS if letter.anonymous else actor, action="letter_followup", obj=letter)
    for user_id in actors_for(letter.org, "community", "mailbox"):
        notify.notify(
            recipient=user_id,
            kind="community",
            title=f"书记信箱：来信“{letter.subject}”有补充",
            url=_mailbox_url(letter),
            key=f"community:letter_followup:{reply.pk}:{user_id}",
        )
    return reply


@transaction.atomic
def letter_reveal(*, actor, letter: Letter, reason: str) -> dict:
    """Break-glass: the security administrator learns who wrote an anonymous letter, with a reason,
    audited. Nobody else — the secretary included — ever sees it."""
    reason = (reason or "").strip()
    if len(reason) < 6:
        raise InvalidInput("请写明查看匿名来信人身份的理由（至少 6 个字，将留痕备查）", field="reason")
    if actor is not None and not scope_for(actor, "community", "reveal").contains(letter):
        raise NotFound()
    if not letter.anonymous:
        raise RuleViolation("该来信不是匿名来信", code="not_anonymous")
    identity = json.loads(letter.sealed) if letter.sealed else {}
    audit.record(actor=actor, action="letter_reveal", obj=letter, after={"field": "author", "reason": reason})
    return {
        "name": identity.get("name", ""),
        "user_id": identity.get("user_id"),
        "person_id": identity.get("person_id"),
    }


# --- suggestions --------------------------------------------------------------------------------------


def _tell_author(s: Suggestion, title: str, key: str) -> None:
    notify.notify(
        recipient=s.author_id, kind="community", title=title, url=f"/community/suggestions/{s.pk}/", key=key
    )


def _tell_handlers(s: Suggestion, title: str, key: str) -> None:
    for user_id in actors_for(s.org, "community", "suggest"):
        notify.notify(
            recipient=user_id,
            kind="community",
            title=title,
            url=f"/community/suggestions/manage/{s.pk}/",
            key=f"{key}:{user_id}",
        )


@transaction.atomic
def suggestion_propose(*, actor, org: Org, title: str, body: str, category: str) -> Suggestion:
    _require_signed_in(actor)
    if org.pk not in {o.pk for o in selectors.suggestion_targets(actor)}:
        raise NotFound("只能向本人所在党组织或其上级党组织提出建议")
    title = _text(title, field="title", label="标题", min_len=4, max_len=80)
    body = _text(body, field="body", label="建议内容", min_len=10, max_len=5000)
    if category not in SuggestionCategory.values:
        raise InvalidInput("请选择建议类别", field="category")
    _rate_limit(
        actor,
        Suggestion.objects.filter(author=actor),
        limit=settings.COMMUNITY_SUGGESTIONS_PER_DAY,
        seconds=86400,
        what="提建议",
    )
    s = Suggestion.objects.create(org=org, author=actor, title=title, body=body, category=category)
    SuggestionStep.objects.create(suggestion=s, action=StepAction.SUBMIT, actor=actor, org=org)
    audit.record(actor=actor, action="suggestion_propose", obj=s, after={"org": org.pk, "category": category})
    _tell_handlers(s, f"新的建言献策：{title}", f"community:suggestion:{s.pk}")
    return s


def suggestion_second(*, actor, suggestion: Suggestion) -> Suggestion:
    _require_signed_in(actor)
    s = selectors.suggestion_get(actor, suggestion.pk)
    if s.author_id == actor.pk:
        raise RuleViolation("不能附议自己的建议", code="own_suggestion")
    if s.status not in (SuggestionStatus.SUBMITTED, SuggestionStatus.ANSWERED):
        raise RuleViolation("该建议已办结，不能再附议", code="closed")
    with transaction.atomic():
        try:
            with transaction.atomic():
                Second.objects.create(suggestion=s, user=actor)
        except IntegrityError:
            raise RuleViolation("您已附议过这条建议", code="already_seconded") from None
        Suggestion.objects.filter(pk=s.pk).update(seconds=F("seconds") + 1)
        audit.record(actor=actor, action="suggestion_second", obj=s)
    s.refresh_from_db(fields=["seconds"])
    return s


def _handled(actor, suggestion: Suggestion) -> Suggestion:
    s = Suggestion.objects.select_for_update(of=("self",)).select_related("org").get(pk=suggestion.pk)
    if actor is not None and not scope_for(actor, "community", "suggest").contains(s):
        raise NotFound()
    if s.status not in (SuggestionStatus.SUBMITTED, SuggestionStatus.ANSWERED):
        raise RuleViolation(f"该建议已办结（{s.get_status_display()}）", code="closed")
    return s


@transaction.atomic
def suggestion_decide(*, actor, suggestion: Suggestion, action: str, text: str) -> Suggestion:
    """``answer`` (a reply that keeps it open), ``adopt`` or ``reject`` (with the reason); the last two
    close it. Adoption is announced as ``community.suggestion_adopted``."""
    s = _handled(actor, suggestion)
    labels = {"answer": "答复内容", "adopt": "采纳说明", "reject": "不予采纳的理由"}
    if action not in labels:
        raise InvalidInput("未知的操作", field="action")
    text = _text(text, field="text", label=labels[action], min_len=4, max_len=3000)
    before = {"status": s.status}
    now = _now()
    s.status = {
        "answer": SuggestionStatus.ANSWERED,
        "adopt": SuggestionStatus.ADOPTED,
        "reject": SuggestionStatus.REJECTED,
    }[action]
    s.answer, s.answered_at = text, now
    s.save(update_fields=["status", "answer", "answered_at"])
    SuggestionStep.objects.create(suggestion=s, action=action, actor=actor, org=s.org, note=text, at=now)
    audit.record(actor=actor, action=f"suggestion_{action}", obj=s, before=before, after={"status": s.status})
    verb = {"answer": "有了答复", "adopt": "已被采纳", "reject": "未被采纳"}[action]
    _tell_author(s, f"您的建议“{s.title}”{verb}", f"community:suggestion:{s.pk}:{action}:{now.isoformat()}")
    if action == "adopt":
        person_id = Person.objects.filter(user_id=s.author_id).values_list("pk", flat=True).first()
        events.publish(
            "community.suggestion_adopted",
            {
                "suggestion_id": s.pk,
                "org_id": s.org_id,
                "category": s.category,
                "user_id": s.author_id,
                "person_id": person_id,
                "member_id": person_id,
                "seconds": s.seconds,
                "on": timezone.localdate(now).isoformat(),
            },
            key=f"community.suggestion_adopted:{s.pk}",
        )
    return s


@transaction.atomic
def suggestion_forward(*, actor, suggestion: Suggestion, to_org: Org, note: str) -> Suggestion:
    """Hand the suggestion to the org that can act on it: one above the current holder, or one inside
    the forwarder's own scope."""
    s = _handled(actor, suggestion)
    note = _text(note, field="note", label="转交说明", min_len=4, max_len=1000)
    if to_org.pk == s.org_id:
        raise InvalidInput("请选择另一个党组织", field="to_org")
    if not to_org.is_active:
        raise InvalidInput("该党组织已撤销", field="to_org")
    above = s.org.path.startswith(to_org.path)
    if not above and actor is not None and not scope_for(actor, "community", "suggest").contains(to_org):
        raise NotFound("只能转交给上级党组织或本人管辖范围内的党组织")
    from_org = s.org
    s.org = to_org
    s.save(update_fields=["org"])
    SuggestionStep.objects.create(
        suggestion=s, action=StepAction.FORWARD, actor=actor, org=from_org, to_org=to_org, note=note
    )
    audit.record(
        actor=actor, action="suggestion_forward", obj=s, before={"org": from_org.pk}, after={"org": to_org.pk}
    )
    _tell_author(
        s, f"您的建议“{s.title}”已转交{to_org.name}办理", f"community:suggestion:{s.pk}:forward:{to_org.pk}"
    )
    _tell_handlers(s, f"转来的建言献策：{s.title}", f"community:suggestion:{s.pk}:to:{to_org.pk}")
    return s
