"""Pages of community (phone first): the forum, the secretary mailbox, suggestions; the moderators',
recipients' and handlers' pages; the offices' counts. Thin: selectors read, services write; a refusal
comes back as a Chinese message (or on the form), what was typed stays in the form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sanxin.core.errors import InvalidInput, NotFound, ServiceError
from sanxin.core.pages import message_error, paginate
from sanxin.core.permissions import permission
from sanxin.core.scope import has_permission, scope_for
from sanxin.orgs.models import Org

from . import selectors, services
from .models import (
    Letter,
    LetterStatus,
    Post,
    PostStatus,
    SensitiveWord,
    Suggestion,
    SuggestionCategory,
    SuggestionStatus,
    Thread,
)


def _int(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _chosen(choices, raw, message: str, *, field: str = "org") -> Org:
    """The org the form picked from the ones it offered; anything else is the form's error, not a 404
    (the choices are the user's own)."""
    org = next((o for o in choices if o.pk == _int(raw)), None)
    if org is None:
        raise InvalidInput(message, field=field)
    return org


def _status(request, failed: bool) -> int:
    return 400 if request.method == "POST" and failed else 200


# --- home -----------------------------------------------------------------------------------------------


@permission.own()
@login_required
@require_safe
def home(request):
    user = request.user
    context = {
        "boards": selectors.boards_for(user).order_by("org__path", "pk")[:50],
        "letters": selectors.letters_mine(user)[:5],
        "suggestions": selectors.suggestions_for(user).order_by("-created_at")[:5],
        "can_write": bool(selectors.letter_targets(user)),
        "is_mailbox": has_permission(user, "community", "mailbox"),
        "is_moderator": has_permission(user, "community", "moderate"),
        "is_handler": has_permission(user, "community", "suggest"),
        "is_office": has_permission(user, "community", "view"),
    }
    return render(request, "community/home.html", context)


# --- forum ----------------------------------------------------------------------------------------------


@permission.own()
@login_required
@require_safe
def board_list(request):
    q = request.GET.get("q", "").strip()[:50]
    context = {
        "boards": selectors.boards_for(request.user).order_by("org__path", "pk"),
        "q": q,
        "results": selectors.search(request.user, q) if q else None,
        "is_moderator": has_permission(request.user, "community", "moderate"),
    }
    return render(request, "community/boards.html", context)


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def board(request, board_id: int):
    b = selectors.board_get(request.user, board_id)
    data, error = {}, None
    if request.method == "POST":
        data = {"title": request.POST.get("title", ""), "body": request.POST.get("body", "")}
        try:
            thread = services.thread_create(
                actor=request.user, board=b, images=request.FILES.getlist("images"), **data
            )
        except ServiceError as exc:
            message_error(request, exc)
            error = exc
        else:
            if thread.status == PostStatus.HELD:
                messages.warning(request, "帖子含有需要审核的内容，已提交版主审核，审核通过后其他人才能看到")
            else:
                messages.success(request, "已发布")
            return redirect("community:thread", thread.pk)
    q = request.GET.get("q", "").strip()[:50]
    context = {
        "board": b,
        "page": paginate(request, selectors.threads_of(request.user, b, q=q), 30),
        "q": q,
        "data": data,
        "error": error,
        "moderator": selectors.moderates(request.user, b),
    }
    return render(request, "community/board.html", context, status=_status(request, error is not None))


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def thread(request, thread_id: int):
    t = selectors.thread_get(request.user, thread_id)
    data, error = {}, None
    if request.method == "POST":
        data = {"body": request.POST.get("body", "")}
        try:
            post = services.reply_create(
                actor=request.user, thread=t, body=data["body"], images=request.FILES.getlist("images")
            )
        except ServiceError as exc:
            message_error(request, exc)
            error = exc
        else:
            if post.status == PostStatus.HELD:
                messages.warning(request, "回复含有需要审核的内容，已提交版主审核，审核通过后其他人才能看到")
            return redirect(f"/community/forum/threads/{t.pk}/#post-{post.pk}")
    context = {
        "thread": t,
        "posts": selectors.posts_of(request.user, t),
        "moderator": selectors.moderates(request.user, t.board),
        "data": data,
        "error": error,
    }
    return render(request, "community/thread.html", context, status=_status(request, error is not None))


@permission.own()
@login_required
@require_POST
def post_action(request, post_id: int):
    post = selectors.post_get(request.user, post_id)
    action = request.POST.get("action", "")
    try:
        if action in ("like", "unlike"):
            services.post_like(actor=request.user, post=post, like=action == "like")
        elif action == "report":
            services.post_report(actor=request.user, post=post, reason=request.POST.get("reason", ""))
            messages.success(request, "已举报，版主会尽快处理")
        else:
            raise NotFound()
    except ServiceError as exc:
        message_error(request, exc)
    return redirect(f"/community/forum/threads/{post.thread_id}/#post-{post.pk}")


@require_safe  # before the permission: a POST is 405 for everyone
@permission("community", "moderate")
def moderate_queue(request):
    q = selectors.moderation_queue(request.scope)
    context = {"held": q["held"][:200], "reported": q["reported"][:200]}
    return render(request, "community/moderate.html", context)


@permission("community", "moderate", model=Post, lookup="post_id")
@require_POST
def post_moderate(request, post_id: int):
    post = request.scope.get(Post, pk=post_id)
    try:
        services.post_moderate(
            actor=request.user,
            post=post,
            action=request.POST.get("action", ""),
            reason=request.POST.get("reason", ""),
        )
    except ServiceError as exc:
        message_error(request, exc)
    else:
        messages.success(request, "已处理")
    if request.POST.get("next") == "thread":
        return redirect("community:thread", post.thread_id)
    return redirect("community:moderate")


@permission("community", "moderate", model=Thread, lookup="thread_id")
@require_POST
def thread_manage(request, thread_id: int):
    t = request.scope.get(Thread, pk=thread_id)
    action = request.POST.get("action", "")
    flags = {
        "lock": {"locked": True},
        "unlock": {"locked": False},
        "pin": {"pinned": True},
        "unpin": {"pinned": False},
    }
    try:
        if action not in flags:
            raise NotFound()
        services.thread_set(actor=request.user, thread=t, **flags[action])
    except ServiceError as exc:
        message_error(request, exc)
    else:
        messages.success(request, "已处理")
    return redirect("community:thread", t.pk)


def _moderated_orgs(user):
    return (
        scope_for(user, "community", "moderate")
        .filter(Org.objects.filter(status="active"))
        .order_by("path")[:300]
    )


@permission("community", "moderate")
@require_http_methods(["GET", "POST"])
def words(request):
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                word = request.scope.get(SensitiveWord, pk=_int(request.POST.get("word")))
                services.word_remove(actor=request.user, word=word)
                messages.success(request, f"已删除“{word.word}”，立即生效")
            else:
                org = request.scope.get(Org, pk=_int(request.POST.get("org")))
                raw = request.POST.get("words", "").replace("，", "\n").replace(",", "\n").splitlines()
                created = services.words_add(
                    actor=request.user, org=org, words=raw, note=request.POST.get("note", "")
                )
                messages.success(request, f"已添加 {len(created)} 个敏感词，立即生效")
        except ServiceError as exc:
            message_error(request, exc)
            error = exc
        else:
            return redirect("community:words")
    context = {
        "words": selectors.words(request.scope)[:2000],
        "orgs": _moderated_orgs(request.user),
        "error": error,
    }
    return render(request, "community/words.html", context, status=_status(request, error is not None))


@permission("community", "moderate")
@require_http_methods(["GET", "POST"])
def board_new(request):
    error, data = None, {}
    if request.method == "POST":
        data = {"name": request.POST.get("name", ""), "description": request.POST.get("description", "")}
        try:
            org = request.scope.get(Org, pk=_int(request.POST.get("org")))
            b = services.board_create(actor=request.user, org=org, **data)
        except ServiceError as exc:
            message_error(request, exc)
            error = exc
        else:
            messages.success(request, "已开设版块")
            return redirect("community:board", b.pk)
    context = {"orgs": _moderated_orgs(request.user), "data": data, "error": error}
    return render(request, "community/board_new.html", context, status=_status(request, error is not None))


# --- mailbox --------------------------------------------------------------------------------------------


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def mailbox(request):
    targets = selectors.letter_targets(request.user)
    data, error = {}, None
    if request.method == "POST":
        data = {
            "subject": request.POST.get("subject", ""),
            "body": request.POST.get("body", ""),
            "anonymous": request.POST.get("anonymous") == "1",
        }
        try:
            org = _chosen(targets, request.POST.get("org"), "请选择收信的党组织")
            letter = services.letter_send(actor=request.user, org=org, **data)
        except ServiceError as exc:
            message_error(request, exc)
            error = exc
        else:
            messages.success(
                request, "来信已送达" + ("（匿名：收信人看不到您的身份）" if letter.anonymous else "")
            )
            return redirect("community:letter_mine", letter.pk)
    context = {
        "targets": targets,
        "letters": paginate(request, selectors.letters_mine(request.user), 20),
        "data": data,
        "error": error,
        "picked": _int(request.POST.get("org")) if request.method == "POST" else 0,
    }
    return render(request, "community/mailbox.html", context, status=_status(request, error is not None))


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def letter_mine(request, letter_id: int):
    letter = selectors.letter_mine(request.user, letter_id)
    error = None
    if request.method == "POST":
        try:
            services.letter_followup(actor=request.user, letter=letter, body=request.POST.get("body", ""))
        except ServiceError as exc:
            message_error(request, exc)
            error = exc
        else:
            messages.success(request, "已补充")
            return redirect("community:letter_mine", letter.pk)
    context = {
        "letter": letter,
        "replies": letter.replies.select_related("writer__person"),
        "author_view": True,
        "error": error,
        "body": request.POST.get("body", "") if error else "",
    }
    return render(request, "community/letter.html", context, status=_status(request, error is not None))


@require_safe  # before the permission: a POST is 405 for everyone
@permission("community", "mailbox")
def inbox(request):
    status = request.GET.get("status", "")
    overdue = request.GET.get("overdue") == "1"
    context = {
        "page": paginate(request, selectors.inbox(request.scope, status=status, overdue=overdue), 30),
        "status": status,
        "overdue": overdue,
        "statuses": LetterStatus.choices,
        "overdue_count": selectors.overdue_count(request.scope),
    }
    return render(request, "community/inbox.html", context)


@permission("community", "mailbox", model=Letter, lookup="letter_id")
@require_http_methods(["GET", "POST"])
def inbox_letter(request, letter_id: int):
    letter = request.scope.get(Letter, pk=letter_id)
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "close":
                services.letter_close(actor=request.user, letter=letter)
                messages.success(request, "已办结")
            else:
                services.letter_reply(actor=request.user, letter=letter, body=request.POST.get("body", ""))
                messages.success(request, "已回复，写信人会收到通知")
        except ServiceError as exc:
            message_error(request, exc)
            error = exc
        else:
            return redirect("community:inbox_letter", letter.pk)
    else:
        letter = services.letter_open(actor=request.user, letter=letter)
    context = {
        "letter": letter,
        "replies": letter.replies.select_related("writer__person"),
        "author_view": False,
        "overdue": selectors.is_overdue(letter),
        "error": error,
        "body": request.POST.get("body", "") if error else "",
        "can_reveal": letter.anonymous and scope_for(request.user, "community", "reveal").contains(letter),
    }
    return render(request, "community/letter.html", context, status=_status(request, error is not None))


@permission("community", "reveal", model=Letter, lookup="letter_id")
@require_http_methods(["GET", "POST"])
def letter_reveal(request, letter_id: int):
    letter = request.scope.get(Letter, pk=letter_id)
    identity, error = None, None
    if request.method == "POST":
        try:
            identity = services.letter_reveal(
                actor=request.user, letter=letter, reason=request.POST.get("reason", "")
            )
        except ServiceError as exc:
            message_error(request, exc)
            error = exc
    context = {
        "letter": letter,
        "identity": identity,
        "error": error,
        "reason": request.POST.get("reason", ""),
    }
    return render(request, "community/reveal.html", context, status=_status(request, error is not None))


@require_safe  # before the permission: a POST is 405 for everyone
@permission("community", "view")
def oversight(request):
    return render(request, "community/oversight.html", {"rows": selectors.oversight(request.scope)})


# --- suggestions ----------------------------------------------------------------------------------------


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def suggestions(request):
    targets = selectors.suggestion_targets(request.user)
    data, error = {}, None
    if request.method == "POST":
        data = {
            "title": request.POST.get("title", ""),
            "body": request.POST.get("body", ""),
            "category": request.POST.get("category", ""),
        }
        try:
            org = _chosen(targets, request.POST.get("org"), "请选择承办的党组织")
            s = services.suggestion_propose(actor=request.user, org=org, **data)
        except ServiceError as exc:
            message_error(request, exc)
            error = exc
        else:
            messages.success(request, "建议已提交，办理进展会通知您")
            return redirect("community:suggestion", s.pk)
    status = request.GET.get("status", "")
    qs = selectors.suggestions_for(request.user).order_by("-created_at", "-pk")
    if status:
        qs = qs.filter(status=status)
    if request.GET.get("mine") == "1":
        qs = qs.filter(author=request.user)
    context = {
        "targets": targets,
        "page": paginate(request, qs, 20),
        "status": status,
        "mine": request.GET.get("mine") == "1",
        "statuses": SuggestionStatus.choices,
        "categories": SuggestionCategory.choices,
        "data": data,
        "error": error,
        "picked": _int(request.POST.get("org")) if request.method == "POST" else 0,
    }
    return render(request, "community/suggestions.html", context, status=_status(request, error is not None))


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def suggestion(request, suggestion_id: int):
    s = selectors.suggestion_get(request.user, suggestion_id)
    if request.method == "POST":
        try:
            services.suggestion_second(actor=request.user, suggestion=s)
        except ServiceError as exc:
            message_error(request, exc)
        else:
            messages.success(request, "已附议")
        return redirect("community:suggestion", s.pk)
    context = {
        "s": s,
        "steps": s.steps.select_related("org", "to_org"),
        "handler": scope_for(request.user, "community", "suggest").contains(s),
    }
    return render(request, "community/suggestion.html", context)


@require_safe  # before the permission: a POST is 405 for everyone
@permission("community", "suggest")
def manage_suggestions(request):
    status = request.GET.get("status", "")
    context = {
        "page": paginate(request, selectors.suggestions_to_handle(request.scope, status=status), 30),
        "status": status,
        "statuses": SuggestionStatus.choices,
    }
    return render(request, "community/manage_suggestions.html", context)


@permission("community", "suggest", model=Suggestion, lookup="suggestion_id")
@require_http_methods(["GET", "POST"])
def manage_suggestion(request, suggestion_id: int):
    s = request.scope.get(Suggestion, pk=suggestion_id)
    forward_to = selectors.forward_targets(request.user, s)
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "forward":
                to_org = _chosen(forward_to, request.POST.get("to_org"), "请选择转交的党组织", field="to_org")
                services.suggestion_forward(
                    actor=request.user, suggestion=s, to_org=to_org, note=request.POST.get("text", "")
                )
                messages.success(request, f"已转交{to_org.name}")
                if not scope_for(request.user, "community", "suggest").contains(s):
                    return redirect("community:manage_suggestions")
            else:
                services.suggestion_decide(
                    actor=request.user, suggestion=s, action=action, text=request.POST.get("text", "")
                )
                messages.success(request, "已办理，提出人会收到通知")
        except ServiceError as exc:
            message_error(request, exc)
            error = exc
        else:
            return redirect("community:manage_suggestion", s.pk)
    s.refresh_from_db()
    context = {
        "s": s,
        "steps": s.steps.select_related("org", "to_org"),
        "forward_to": forward_to,
        "error": error,
        "text": request.POST.get("text", "") if error else "",
    }
    return render(
        request, "community/manage_suggestion.html", context, status=_status(request, error is not None)
    )
