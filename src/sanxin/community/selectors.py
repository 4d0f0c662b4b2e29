"""Reads of community. Who sees what:

- a board: the members whose formal org or activity org (today) lies in the board's org's subtree — the
  board's org is on their ancestor chain (``audience_paths``) — and the offices above it through the
  scope (``community.view``; moderators through ``community.moderate``);
- a post: published posts to whoever sees the board; a held or hidden post only to its author and the
  board's moderators;
- a letter: its author (their own routes) and the recipients of its org's mailbox (``community.mailbox``
  anchored at that very org), never the offices above, who get counts only (``oversight``);
- a suggestion: its author, the members under its responsible org, and the offices through the scope.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from sanxin.core import crypto
from sanxin.core.errors import NotFound
from sanxin.core.scope import Scope, scope_for
from sanxin.members.models import OrgRelation, RelationKind
from sanxin.orgs.models import BRANCH_TYPES, COMMITTEE_TYPES, Org

from .models import (
    Board,
    Letter,
    LetterStatus,
    Like,
    Post,
    PostStatus,
    Report,
    ReportStatus,
    Second,
    SensitiveWord,
    Suggestion,
    SuggestionStatus,
    Thread,
)


def _ancestor_paths(path: str) -> list[str]:
    step = Org.steplen
    return [path[:i] for i in range(step, len(path) + 1, step)]


def member_orgs(user) -> list[Org]:
    """The orgs a signed-in person belongs to today: their formal org and their activity orgs."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    person = getattr(user, "person", None)
    if person is None:
        return []
    ids = set(
        OrgRelation.objects.filter(
            OrgRelation.active_q(timezone.localdate()), member_id=person.pk, kind=RelationKind.ACTIVITY
        ).values_list("org_id", flat=True)
    )
    if person.org_id:
        ids.add(person.org_id)
    return list(Org.objects.filter(pk__in=ids, status="active").order_by("path"))


def audience_paths(user) -> list[str]:
    """Every org on the ancestor chain of the user's formal and activity orgs."""
    cache = getattr(user, "__dict__", {}).get("_community_audience")
    if cache is not None:
        return cache
    paths: set[str] = set()
    for org in member_orgs(user):
        paths.update(_ancestor_paths(org.path))
    out = sorted(paths)
    if getattr(user, "is_authenticated", False):
        user.__dict__["_community_audience"] = out
    return out


def owner_index(user) -> str:
    return crypto.blind_index(f"user:{user.pk}", purpose="community.letter_owner")


# --- forum --------------------------------------------------------------------------------------------


def _view_scope(user) -> Scope:
    return scope_for(user, "community", "view") | scope_for(user, "community", "moderate")


def boards_for(user) -> QuerySet[Board]:
    """The open boards ``user`` may read: on their org chain, or in their office's scope."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Board.objects.none()
    q = Q(org__path__in=audience_paths(user))
    scope = _view_scope(user)
    if not scope.is_empty:
        q |= scope.q(Board)
    return Board.objects.filter(q, is_active=True).select_related("org")


def board_get(user, board_id: int) -> Board:
    board = boards_for(user).filter(pk=board_id).first()
    if board is None:
        raise NotFound()
    return board


def moderates(user, board: Board) -> bool:
    return scope_for(user, "community", "moderate").contains(board)


def _visible_posts_q(user, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": PostStatus.PUBLISHED}) | Q(**{f"{prefix}author": user})


def threads_of(user, board: Board, *, q: str = "") -> QuerySet[Thread]:
    qs = Thread.objects.filter(board=board)
    if not moderates(user, board):
        qs = qs.filter(_visible_posts_q(user))
    if q:
        qs = qs.filter(
            Q(title__icontains=q) | Q(posts__body__icontains=q, posts__status=PostStatus.PUBLISHED)
        )
        qs = qs.distinct()
    return qs.select_related("author__person").order_by("-pinned", "-last_post_at", "-pk")


def thread_get(user, thread_id: int) -> Thread:
    thread = Thread.objects.select_related("board__org", "author__person").filter(pk=thread_id).first()
    if thread is None or not boards_for(user).filter(pk=thread.board_id).exists():
        raise NotFound()
    if (
        thread.status != PostStatus.PUBLISHED
        and thread.author_id != user.pk
        and not moderates(user, thread.board)
    ):
        raise NotFound()
    return thread


def posts_of(user, thread: Thread) -> QuerySet[Post]:
    qs = thread.posts.all()
    if not moderates(user, thread.board):
        qs = qs.filter(_visible_posts_q(user))
    return (
        qs.select_related("author__person")
        .prefetch_related("images")
        .annotate(liked=Exists(Like.objects.filter(post=OuterRef("pk"), user_id=user.pk)))
    )


def post_get(user, post_id: int) -> Post:
    post = Post.objects.select_related("thread__board__org").filter(pk=post_id).first()
    if post is None:
        raise NotFound()
    thread_get(user, post.thread_id)
    if (
        post.status != PostStatus.PUBLISHED
        and post.author_id != user.pk
        and not moderates(user, post.thread.board)
    ):
        raise NotFound()
    return post


def search(user, q: str, limit: int = 50) -> QuerySet[Thread]:
    """Threads of every board ``user`` reads whose title or published text holds ``q``."""
    boards = boards_for(user).values("pk")
    moderated = scope_for(user, "community", "moderate")
    visible = _visible_posts_q(user)
    if not moderated.is_empty:
        visible |= moderated.q(Thread)
    return (
        Thread.objects.filter(visible, board__in=boards)
        .filter(Q(title__icontains=q) | Q(posts__body__icontains=q, posts__status=PostStatus.PUBLISHED))
        .distinct()
        .select_related("board", "author__person")
        .order_by("-last_post_at")[:limit]
    )


def moderation_queue(scope: Scope) -> dict:
    held = scope.filter(Post.objects.filter(status=PostStatus.HELD)).select_related(
        "thread__board", "author__person"
    )
    reports = (
        scope.filter(Post.objects.filter(reports__status=ReportStatus.OPEN))
        .annotate(open_reports=Count("reports", filter=Q(reports__status=ReportStatus.OPEN)))
        .select_related("thread__board", "author__person")
        .distinct()
    )
    return {"held": held.order_by("created_at"), "reported": reports.order_by("created_at")}


def open_reports(post: Post) -> QuerySet[Report]:
    return post.reports.filter(status=ReportStatus.OPEN).select_related("reporter__person")


def words(scope: Scope) -> QuerySet[SensitiveWord]:
    return scope.filter(SensitiveWord.objects.select_related("org")).order_by("org__path", "normalized")


def display_name(user) -> str:
    person = getattr(user, "person", None) if user is not None else None
    if person is not None and person.name:
        return person.name
    return (getattr(user, "display_name", "") or getattr(user, "username", "")) if user else ""


# --- mailbox ------------------------------------------------------------------------------------------


def letter_targets(user) -> list[Org]:
    """Where ``user`` may write: the branches they belong to (their secretary) and the committees above."""
    orgs = member_orgs(user)
    if not orgs:
        return []
    paths = set(audience_paths(user))
    out = Org.objects.filter(path__in=paths, status="active").filter(
        Q(org_type__in=COMMITTEE_TYPES) | Q(org_type__in=BRANCH_TYPES, pk__in=[o.pk for o in orgs])
    )
    return list(out.order_by("-depth", "path"))


def letters_mine(user) -> QuerySet[Letter]:
    return Letter.objects.filter(Q(author=user) | Q(owner_index=owner_index(user))).select_related(
        "org", "author__person"
    )


def letter_mine(user, letter_id: int) -> Letter:
    letter = letters_mine(user).filter(pk=letter_id).first()
    if letter is None:
        raise NotFound()
    return letter


def is_author(user, letter: Letter) -> bool:
    return letter.author_id == user.pk or (
        bool(letter.owner_index) and letter.owner_index == owner_index(user)
    )


def _overdue_q(now: dt.datetime | None = None) -> Q:
    now = now or timezone.now()
    days = settings.COMMUNITY_LETTER_REPLY_DAYS
    return Q(
        status__in=[LetterStatus.SENT, LetterStatus.READ], waiting_since__lt=now - dt.timedelta(days=days)
    )


def inbox(scope: Scope, *, status: str = "", overdue: bool = False) -> QuerySet[Letter]:
    qs = scope.filter(Letter.objects.select_related("org", "author__person"))
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(_overdue_q())
    return qs.order_by("status", "-sent_at")


def is_overdue(letter: Letter, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return letter.status in (
        LetterStatus.SENT,
        LetterStatus.READ,
    ) and letter.waiting_since < now - dt.timedelta(days=settings.COMMUNITY_LETTER_REPLY_DAYS)


def overdue_count(scope: Scope) -> int:
    return scope.filter(Letter.objects.filter(_overdue_q())).count()


def oversight(scope: Scope) -> list[dict]:
    """Per org in ``scope``: letters received, waiting, overdue; suggestions open and decided — counts
    only, never a letter's subject, text or author."""
    orgs = scope.filter(Org.objects.all()).values("pk")
    overdue = _overdue_q()
    letters = {
        r["org_id"]: r
        for r in Letter.objects.filter(org__in=orgs)
        .values("org_id")
        .annotate(
            letters=Count("pk"),
            waiting=Count("pk", filter=Q(status__in=[LetterStatus.SENT, LetterStatus.READ])),
            overdue=Count("pk", filter=overdue),
        )
    }
    suggestions = {
        r["org_id"]: r
        for r in Suggestion.objects.filter(org__in=orgs)
        .values("org_id")
        .annotate(
            suggestions=Count("pk"),
            open=Count("pk", filter=Q(status__in=[SuggestionStatus.SUBMITTED, SuggestionStatus.ANSWERED])),
            adopted=Count("pk", filter=Q(status=SuggestionStatus.ADOPTED)),
        )
    }
    ids = set(letters) | set(suggestions)
    names = dict(Org.objects.filter(pk__in=ids).values_list("pk", "name"))
    paths = dict(Org.objects.filter(pk__in=ids).values_list("pk", "path"))
    rows = []
    for org_id in sorted(ids, key=lambda i: paths[i]):
        lr, sr = letters.get(org_id, {}), suggestions.get(org_id, {})
        rows.append(
            {
                "org_id": org_id,
                "org_name": names[org_id],
                "letters": lr.get("letters", 0),
                "waiting": lr.get("waiting", 0),
                "overdue": lr.get("overdue", 0),
                "suggestions": sr.get("suggestions", 0),
                "open": sr.get("open", 0),
                "adopted": sr.get("adopted", 0),
            }
        )
    return rows


# --- suggestions --------------------------------------------------------------------------------------


def suggestion_targets(user) -> list[Org]:
    paths = audience_paths(user)
    return list(Org.objects.filter(path__in=paths, status="active").order_by("-depth", "path"))


def suggestions_for(user) -> QuerySet[Suggestion]:
    """Suggestions ``user`` may read: their own, those of the orgs on their chain, those in their scope."""
    q = Q(author=user) | Q(org__path__in=audience_paths(user))
    scope = scope_for(user, "community", "view") | scope_for(user, "community", "suggest")
    if not scope.is_empty:
        q |= scope.q(Suggestion)
    return (
        Suggestion.objects.filter(q)
        .select_related("org", "author__person")
        .annotate(seconded=Exists(Second.objects.filter(suggestion=OuterRef("pk"), user_id=user.pk)))
    )


def suggestion_get(user, suggestion_id: int) -> Suggestion:
    s = suggestions_for(user).filter(pk=suggestion_id).first()
    if s is None:
        raise NotFound()
    return s


def forward_targets(user, suggestion: Suggestion, *, most: int = 200) -> list[Org]:
    """Where the holder may forward a suggestion (what ``services.suggestion_forward`` accepts): the
    active orgs above its org, then those inside the user's own ``community.suggest`` scope."""
    active = Org.objects.filter(status="active").exclude(pk=suggestion.org_id)
    above = active.filter(path__in=_ancestor_paths(suggestion.org.path)).order_by("path")
    inside = scope_for(user, "community", "suggest").filter(active).exclude(pk__in=above).order_by("path")
    return list(above) + list(inside[:most])


def suggestions_to_handle(scope: Scope, *, status: str = "") -> QuerySet[Suggestion]:
    qs = scope.filter(Suggestion.objects.select_related("org", "author__person"))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "-created_at")
