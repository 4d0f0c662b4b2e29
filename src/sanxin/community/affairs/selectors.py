"""Reads of community affairs. Who sees what:

- a notice (党务公开): the members and workers whose org chain holds its org
  (``community.selectors.audience_paths``), once its publishing day has come, and the offices whose
  ``community.view`` or ``community.affairs`` scope holds it; a withdrawn notice stays readable, marked;
- a consultation (协商议事): likewise the audience of its org and the offices over it (its parties with
  an account are in that audience or the office);
- a designation (示范岗/责任区): its holder on their own routes, the offices through the scope.
Anything else is ``NotFound``.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from sanxin.community.selectors import audience_paths, display_name
from sanxin.core.errors import NotFound
from sanxin.core.query import prefix_q
from sanxin.core.scope import Scope, scope_for
from sanxin.members.models import OrgRelation, RelationKind
from sanxin.orgs.models import Org, Person

from .models import (
    AffairsNotice,
    Consultation,
    ConsultationStatus,
    Deed,
    Designation,
    FollowUp,
    Holding,
    NoticeRead,
)


def _today() -> dt.date:
    return timezone.localdate()


def read_scope(user) -> Scope:
    return scope_for(user, "community", "view") | scope_for(user, "community", "affairs")


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


# --- 党务公开 -------------------------------------------------------------------------------------------


def notices_for(user, *, include_expired: bool = False) -> QuerySet[AffairsNotice]:
    """The notices ``user`` reads, each marked ``is_read`` for them; pinned first, newest first."""
    if not _signed_in(user):
        return AffairsNotice.objects.none()
    today = _today()
    q = Q(org__path__in=audience_paths(user), published_on__lte=today)
    scope = read_scope(user)
    if not scope.is_empty:
        q |= scope.q(AffairsNotice)
    qs = AffairsNotice.objects.filter(q)
    if not include_expired:
        qs = qs.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    return (
        qs.select_related("org", "public_notice")
        .annotate(is_read=Exists(NoticeRead.objects.filter(notice=OuterRef("pk"), user_id=user.pk)))
        .order_by("withdrawn", "-pinned", "-published_on", "-pk")
    )


def notice_get(user, notice_id: int) -> AffairsNotice:
    n = notices_for(user, include_expired=True).filter(pk=notice_id).first()
    if n is None:
        raise NotFound()
    return n


def in_audience(user, notice: AffairsNotice) -> bool:
    """A member or worker under the notice's org (who may object to its 公示), not an office."""
    return _signed_in(user) and notice.org.path in audience_paths(user)


def notices_managed(scope: Scope, *, kind: str = "") -> QuerySet[AffairsNotice]:
    qs = scope.filter(AffairsNotice.objects.select_related("org", "public_notice"))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.annotate(read_count=Count("reads")).order_by("withdrawn", "-pinned", "-published_on", "-pk")


def audience_user_ids(org: Org) -> set[int]:
    """The accounts a notice of ``org`` is meant for: people whose formal org lies in its subtree and
    those with an activity relation to an org there today."""
    formal = Person.objects.filter(prefix_q("org__path", org.path), user__isnull=False).values_list(
        "user_id", flat=True
    )
    activity = OrgRelation.objects.filter(
        OrgRelation.active_q(_today()),
        prefix_q("org__path", org.path),
        kind=RelationKind.ACTIVITY,
        member__person__user__isnull=False,
    ).values_list("member__person__user_id", flat=True)
    return set(formal) | set(activity)


def receipts(notice: AffairsNotice) -> dict:
    """Who has read the notice and how many of its audience that is (the reads of offices count too)."""
    audience = audience_user_ids(notice.org)
    reads = list(
        NoticeRead.objects.filter(notice=notice).select_related("user__person").order_by("read_at", "pk")
    )
    read_ids = {r.user_id for r in reads}
    unread = (
        Person.objects.filter(user_id__in=audience - read_ids)
        .select_related("org")
        .order_by("org__path", "name")
    )
    return {
        "audience": len(audience),
        "read": len(read_ids & audience),
        "reads": [
            {"name": display_name(r.user), "read_at": r.read_at, "in_audience": r.user_id in audience}
            for r in reads
        ],
        "unread": [{"name": p.name, "org": p.org.name if p.org_id else ""} for p in unread[:500]],
    }


def unread_count(user) -> int:
    return notices_for(user).filter(is_read=False, withdrawn=False).count()


# --- 协商议事 -------------------------------------------------------------------------------------------


def _overdue_q(on: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}done_on__isnull": True, f"{prefix}due_on__lt": on})


def _with_counts(qs: QuerySet[Consultation]) -> QuerySet[Consultation]:
    today = _today()
    return qs.annotate(
        followups_total=Count("followups", distinct=True),
        followups_done=Count("followups", filter=Q(followups__done_on__isnull=False), distinct=True),
        followups_overdue=Count("followups", filter=_overdue_q(today, "followups__"), distinct=True),
    )


def consultations_for(user) -> QuerySet[Consultation]:
    """The consultations of the orgs on ``user``'s chain, and those in their office's scope."""
    if not _signed_in(user):
        return Consultation.objects.none()
    q = Q(org__path__in=audience_paths(user))
    scope = read_scope(user)
    if not scope.is_empty:
        q |= scope.q(Consultation)
    return _with_counts(Consultation.objects.filter(q).select_related("org", "enterprise")).order_by(
        "-updated_at", "-pk"
    )


def consultation_get(user, consultation_id: int) -> Consultation:
    c = consultations_for(user).filter(pk=consultation_id).first()
    if c is None:
        raise NotFound()
    return c


def consultations_managed(scope: Scope, *, status: str = "", overdue: bool = False) -> QuerySet[Consultation]:
    qs = scope.filter(Consultation.objects.select_related("org", "enterprise"))
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(Exists(FollowUp.objects.filter(_overdue_q(_today()), consultation=OuterRef("pk"))))
    return _with_counts(qs).order_by("-updated_at", "-pk")


def consultation_detail(c: Consultation) -> dict:
    """Everything hanging off a consultation, each in one query."""
    today = _today()
    followups = list(c.followups.all())
    for f in followups:
        f.overdue = f.is_overdue(today)
    return {
        "parties": list(c.parties.select_related("user")),
        "meetings": list(c.meetings.prefetch_related("attended")),
        "opinions": list(c.opinions.select_related("author__person")),
        "followups": followups,
        "overdue": sum(1 for f in followups if f.overdue),
    }


def overdue_followups(scope: Scope) -> QuerySet[FollowUp]:
    return scope.filter(FollowUp.objects.filter(_overdue_q(_today()))).select_related("consultation__org")


def open_consultations(scope: Scope) -> int:
    return scope.filter(Consultation.objects.exclude(status=ConsultationStatus.CLOSED)).count()


# --- 示范岗 and 责任区 ------------------------------------------------------------------------------------


def _current_holdings(on: dt.date) -> Prefetch:
    return Prefetch(
        "holdings",
        queryset=Holding.objects.filter(Holding.active_q(on)).select_related("person"),
        to_attr="current",
    )


def designations_managed(scope: Scope, *, kind: str = "", ended: bool = False) -> QuerySet[Designation]:
    qs = scope.filter(Designation.objects.select_related("org"))
    if kind:
        qs = qs.filter(kind=kind)
    qs = qs.filter(ended_on__isnull=not ended)
    return (
        qs.annotate(deed_count=Count("deeds"))
        .prefetch_related(_current_holdings(_today()))
        .order_by("org__path", "kind", "name", "pk")
    )


def holder_of(designation: Designation, on: dt.date | None = None) -> Holding | None:
    current = getattr(designation, "current", None)
    if current is not None:
        return current[0] if current else None
    return designation.holdings.filter(Holding.active_q(on or _today())).select_related("person").first()


def designations_mine(user) -> QuerySet[Designation]:
    """The designations ``user``'s person holds today."""
    person_id = getattr(getattr(user, "person", None), "pk", None) if _signed_in(user) else None
    if person_id is None:
        return Designation.objects.none()
    held = Holding.objects.filter(Holding.active_q(_today()), person_id=person_id)
    return (
        Designation.objects.filter(pk__in=held.values("designation_id"), ended_on__isnull=True)
        .select_related("org")
        .prefetch_related(_current_holdings(_today()))
        .annotate(deed_count=Count("deeds"))
        .order_by("kind", "name")
    )


def designation_mine(user, designation_id: int) -> Designation:
    d = designations_mine(user).filter(pk=designation_id).first()
    if d is None:
        raise NotFound()
    return d


def history(designation: Designation) -> list[Holding]:
    return list(designation.holdings.select_related("person").order_by("start_on", "pk"))


def deeds(designation: Designation, limit: int = 100) -> list[Deed]:
    return list(designation.deeds.select_related("person", "photo")[:limit])


def candidates(org: Org) -> QuerySet[Person]:
    """The members an org may designate: people of its subtree with a member record."""
    return (
        Person.objects.filter(prefix_q("org__path", org.path), member__isnull=False)
        .select_related("org")
        .order_by("org__path", "name")
    )
