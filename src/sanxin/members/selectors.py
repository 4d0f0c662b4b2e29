"""Reads of the member registry, for any date: a member's org then, an org's members then."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from sanxin.core.query import prefix_q, text_prefix_q
from sanxin.core.scope import Scope
from sanxin.orgs.models import Org

from . import dues
from .models import Employment, Member, MemberStatus, Mobility, OrgRelation, RelationKind


def member_of(user) -> Member | None:
    """The member record of a signed-in user (with the person and their org), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.select_related("person__org").filter(person__user=user).first()


def relation_on(member: Member, on: dt.date, kind: str = RelationKind.FORMAL) -> OrgRelation | None:
    return (
        OrgRelation.objects.filter(OrgRelation.active_q(on), member=member, kind=kind)
        .select_related("org")
        .first()
    )


def org_on(member: Member, on: dt.date, kind: str = RelationKind.FORMAL) -> Org | None:
    """The member's formal (or activity) org on ``on``; None before they were registered."""
    relation = relation_on(member, on, kind)
    return relation.org if relation else None


def members_of(
    org: Org, on: dt.date, kind: str = RelationKind.FORMAL, *, subtree: bool = False
) -> QuerySet[Member]:
    """The members whose formal (or activity) org was ``org`` (or one below it) on ``on``."""
    relations = OrgRelation.objects.filter(OrgRelation.active_q(on), kind=kind)
    relations = relations.filter(prefix_q("org__path", org.path)) if subtree else relations.filter(org=org)
    return Member.objects.filter(pk__in=relations.values("member_id")).select_related("person")


def history(member: Member) -> QuerySet[OrgRelation]:
    return member.relations.select_related("org").order_by("kind", "start_on")


def member_list(
    scope: Scope,
    *,
    org: Org | None = None,
    standing: str = "",
    mobile: str = "",
    q: str = "",
    arrears_only: bool = False,
    work_kind: str = "",
    employer: str = "",
    age_band: str = "",
    status: str = "",
    on: dt.date | None = None,
) -> QuerySet[Member]:
    """The members in ``scope``: of ``org`` and below (formal org on ``on``), of a standing, currently
    外出/流入, by the beginning of the name, working now as ``work_kind`` or for an ``employer`` (platform or employer name
    containing it), of an ``age_band`` (``AGE_BANDS``) on ``on``; ``arrears_only`` keeps those with
    months unpaid. ``status``: by default the current members (正常 and 停止党籍), or one ``MemberStatus``,
    or ``"all"``."""
    on = on or dt.date.today()
    qs = scope.filter(Member.objects.select_related("person", "person__org"))
    if not status:
        qs = qs.exclude(status=MemberStatus.ENDED)
    elif status != "all":
        qs = qs.filter(status=status)
    if work_kind or employer:
        jobs = Employment.objects.filter(Employment.active_q(on))
        if work_kind:
            jobs = jobs.filter(kind=work_kind)
        if employer.strip():
            jobs = jobs.filter(employer_name__contains=employer.strip())
        qs = qs.filter(person_id__in=jobs.values("person_id"))
    if age_band:
        low, high = AGE_BANDS[age_band][1:]
        # aged ``low`` or more: born on or before ``on`` minus ``low`` years; under ``high``: born after
        # ``on`` minus ``high`` years
        qs = qs.filter(person__birth_date__lte=_years_before(on, low))
        if high is not None:
            qs = qs.filter(person__birth_date__gt=_years_before(on, high))
    if org is not None:
        qs = qs.filter(pk__in=members_of(org, on, subtree=True).values("pk"))
    if standing:
        qs = qs.filter(standing=standing)
    if mobile:
        qs = qs.filter(
            pk__in=Mobility.objects.filter(direction=mobile, end_on__isnull=True).values("member_id")
        )
    if q.strip():  # the name's first characters: an index range, fast among millions
        qs = qs.filter(text_prefix_q("person__name", q.strip()))
    if arrears_only:
        owing = [m.pk for m in qs.prefetch_related("payments", "relations", "declarations") if arrears(m, on)]
        qs = qs.filter(pk__in=owing)
    return qs.order_by("person__name", "pk")


AGE_BANDS = {  # key: (label, from age, under age)
    "to35": ("35岁及以下", 0, 36),
    "36to45": ("36至45岁", 36, 46),
    "46to60": ("46至60岁", 46, 61),
    "over60": ("61岁及以上", 61, None),
}


def _years_before(on: dt.date, years: int) -> dt.date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def with_current_job(members, on: dt.date | None = None):
    """Members with ``current_job`` set: their open employment on ``on`` (the latest begun), or None —
    one query per chunk of members, for rosters."""
    on = on or dt.date.today()
    jobs = Employment.objects.filter(Employment.active_q(on)).order_by("-start_on", "-pk")
    for m in members.prefetch_related(
        Prefetch("person__employments", queryset=jobs, to_attr="jobs_now")
    ).iterator(chunk_size=2000):
        m.current_job = m.person.jobs_now[0] if m.person.jobs_now else None
        yield m


# --- dues (党费) -------------------------------------------------------------------------------------


def _declaration_on(declarations, month: dt.date):
    return next((d for d in declarations if d.active_on(month)), None)


def due_for(member: Member, month: dt.date) -> Decimal | None:
    """What the rules ask of ``member`` for ``month``: None when no income declaration covers it."""
    declaration = _declaration_on(member.declarations.all(), dues.month_start(month))
    if declaration is None:
        return None
    return dues.monthly_dues(declaration.basis, declaration.amount)


def paid_months(member: Member) -> set[dt.date]:
    out: set[dt.date] = set()
    for p in member.payments.all():
        out.update(dues.months(p.month_from, p.month_to))
    return out


def first_month(member: Member) -> dt.date | None:
    first = min((r.start_on for r in member.relations.all() if r.kind == RelationKind.FORMAL), default=None)
    return dues.month_start(first) if first else None


def arrears(member: Member, today: dt.date) -> list[dt.date]:
    """The months before this one for which ``member`` has paid nothing (the current month may still be
    paid within it), from their first month in the registry — or, once they have declared an income,
    from the first declared month (dues are tracked from the declaration the branch records when the
    member comes into the registry; a member who never declared owes from their first month)."""
    start = first_month(member)
    if start is None:
        return []
    declared = min((d.start_on for d in member.declarations.all()), default=None)
    if declared is not None:
        start = max(start, dues.month_start(declared))
    last = dues.add_months(dues.month_start(today), -1)
    paid = paid_months(member)
    return [m for m in dues.months(start, last) if m not in paid]


@dataclasses.dataclass
class LedgerRow:
    member: Member
    declaration: object | None
    due: Decimal | None
    payment: object | None
    arrears: int


def dues_ledger(org: Org, month: dt.date, today: dt.date) -> list[LedgerRow]:
    """The branch's dues ledger for ``month``: each member whose formal org it was on the month's first
    day, what was due, what was paid for it, and the months in arrears as of ``today``. Four queries,
    whatever the number of members."""
    month = dues.month_start(month)
    members = (
        members_of(org, month)
        .prefetch_related("declarations", "payments", "relations")
        .order_by("person__name", "pk")
    )
    rows = []
    for m in members:
        declaration = _declaration_on(m.declarations.all(), month)
        payment = next((p for p in m.payments.all() if p.month_from <= month <= p.month_to), None)
        rows.append(
            LedgerRow(
                member=m,
                declaration=declaration,
                due=dues.monthly_dues(declaration.basis, declaration.amount) if declaration else None,
                payment=payment,
                arrears=len(arrears(m, today)),
            )
        )
    return rows
