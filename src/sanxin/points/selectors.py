"""Reads of points. Every figure is a SQL aggregate over the ledger (or the balance row the ledger keeps
in the same transaction); lists filter through the caller's Scope."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db.models import Count, Q, QuerySet, Sum, Window
from django.db.models.functions import Coalesce, Rank
from django.utils import timezone

from sanxin.core.query import prefix_q
from sanxin.core.scope import Scope
from sanxin.members.models import Member
from sanxin.orgs.models import Org

from . import ledger
from .models import (
    EARNING_KINDS,
    Balance,
    Catalogue,
    Category,
    Claim,
    ClaimStatus,
    Entry,
    Offer,
    Tier,
    Voucher,
    VoucherStatus,
)

# --- a member's own ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Summary:
    earned: int
    spendable: int
    by_category: list[tuple[str, str, int]]  # (code, label, earned)
    basic: int
    pioneer: int
    year_earned: int


def balance_of(member: Member) -> Balance:
    return Balance.objects.filter(member=member).first() or Balance(member=member)


def summary(member: Member, year: int | None = None) -> Summary:
    """The member's balance and their earned points by category and tier (over all time), with this
    year's earned total: one aggregate over the member's ledger rows."""
    year = year or timezone.localdate().year
    in_year = Q(on__gte=dt.date(year, 1, 1), on__lt=dt.date(year + 1, 1, 1))
    # Grouped by (category, tier): at most ten rows, summed here (cheaper to build than ten filtered sums).
    rows = (
        Entry.objects.filter(member=member, kind__in=EARNING_KINDS)
        .values_list("category", "tier")
        .annotate(total=Sum("points"), this_year=Sum("points", filter=in_year))
        .order_by()
    )
    by_category: dict[str, int] = {}
    by_tier: dict[str, int] = {}
    year_earned = 0
    for category, tier, total, this_year in rows:
        by_category[category] = by_category.get(category, 0) + total
        by_tier[tier] = by_tier.get(tier, 0) + total
        year_earned += this_year or 0
    bal = balance_of(member)
    return Summary(
        earned=bal.earned,
        spendable=bal.spendable,
        by_category=[(code, label, by_category.get(code, 0)) for code, label in Category.choices],
        basic=by_tier.get(Tier.BASIC, 0),
        pioneer=by_tier.get(Tier.PIONEER, 0),
        year_earned=year_earned,
    )


def history(member: Member) -> QuerySet[Entry]:
    return Entry.objects.filter(member=member).select_related("decided_by").order_by("-id")


def my_claims(member: Member) -> QuerySet[Claim]:
    return Claim.objects.filter(member=member).select_related("item", "notice").order_by("-created_at", "-id")


def my_vouchers(member: Member) -> QuerySet[Voucher]:
    return (
        Voucher.objects.filter(member=member).select_related("offer__partner").order_by("-created_at", "-id")
    )


def catalogue_of(member: Member, on: dt.date | None = None) -> Catalogue | None:
    on = on or timezone.localdate()
    branch = ledger.branch_of(member, on)
    return ledger.catalogue_for(branch, on) if branch else None


def offers_for(member: Member, on: dt.date | None = None) -> QuerySet[Offer]:
    """What the member can buy today: offers of partners contracted by an org above their branch."""
    on = on or timezone.localdate()
    branch = ledger.branch_of(member, on)
    if branch is None:
        return Offer.objects.none()
    return (
        Offer.objects.filter(
            partner__org__path__in=ledger.ancestor_paths(branch),
            active=True,
            partner__active=True,
            valid_from__lte=on,
            valid_to__gte=on,
        )
        .select_related("partner")
        .order_by("price", "id")
    )


# --- queues ---------------------------------------------------------------------------------------------


def claims(scope: Scope, *, status: str | None = None, q: str = "") -> QuerySet[Claim]:
    qs = scope.filter(Claim.objects.all()).select_related("member__person", "item", "branch", "committee")
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(member__person__name__startswith=q) | Q(item__name__contains=q))
    return qs.order_by("due_on", "id")


def review_queue(review_scope: Scope, user) -> QuerySet[Claim]:
    """Claims waiting for the branch's review, other than the reviewer's own."""
    return claims(review_scope, status=ClaimStatus.SUBMITTED).exclude(member__person__user=user)


def confirm_queue(confirm_scope: Scope, user) -> QuerySet[Claim]:
    """Claims waiting for the committee: approved by their branch, or objected to in their 公示. The
    committee (the catalogue's org) must be in the caller's confirm scope."""
    qs = Claim.objects.filter(status__in=[ClaimStatus.APPROVED, ClaimStatus.OBJECTED])
    if not confirm_scope.everything:
        qs = qs.filter(committee__in=confirm_scope.filter(Org.objects.all()))
    return (
        qs.exclude(member__person__user=user)
        .select_related("member__person", "item", "branch", "committee")
        .order_by("due_on", "id")
    )


def notice_board(user, view_scope: Scope) -> QuerySet[Claim]:
    """积分公示 the user may see: claims in 公示 of the user's own branch (and above it, for the people
    of a committee) or of branches in their points scope."""
    person_org = Org.objects.filter(people__user=user).first() if user.is_authenticated else None
    cond = Q(pk__in=[])
    if person_org is not None:
        cond |= Q(branch__path__startswith=person_org.path)
    if not view_scope.is_empty:
        cond |= view_scope.q(Claim)
    return (
        Claim.objects.filter(cond, status=ClaimStatus.NOTICE)
        .select_related("member__person", "item", "branch", "notice")
        .order_by("notice__ends_on", "id")
    )


# --- rankings -------------------------------------------------------------------------------------------


def _sums():
    out = {f"c_{code}": Coalesce(Sum("points", filter=Q(category=code)), 0) for code, _ in Category.choices}
    out["basic"] = Coalesce(Sum("points", filter=Q(tier=Tier.BASIC)), 0)
    out["pioneer"] = Coalesce(Sum("points", filter=Q(tier=Tier.PIONEER)), 0)
    return out


def ranking(
    org: Org,
    start: dt.date,
    end: dt.date,
    *,
    by: str = "member",
    category: str = "",
    limit: int | None = 100,
    scope: Scope | None = None,
) -> list[dict]:
    """Earned points in [start, end) of the members (``by="member"``) or the branches (``by="branch"``)
    of ``org``'s subtree, with the category and tier breakdown and the rank (ties share a rank), in one
    grouped query. ``category`` ranks by that category's points instead of the total; ``scope`` keeps
    only the rows of branches in it (an org reached through a region anchor may have branches elsewhere)."""
    qs = Entry.objects.filter(kind__in=EARNING_KINDS, on__gte=start, on__lt=end)
    if scope is not None and not scope.everything:
        qs = scope.filter(qs)
    if org.numchild == 0:  # a branch: its own rows, by the (branch, on) index
        qs = qs.filter(branch=org)
    else:
        qs = qs.filter(prefix_q("branch__path", org.path))
    key = "member_id" if by == "member" else "branch_id"
    total = Sum("points", filter=Q(category=category)) if category else Sum("points")
    rows = (
        qs.values(key)
        .annotate(total=Coalesce(total, 0), entries=Count("id"), **_sums())
        .annotate(rank=Window(Rank(), order_by=[Coalesce(total, 0).desc()]))
        .order_by("rank", key)
    )
    rows = list(rows[:limit] if limit else rows)
    ids = [r[key] for r in rows]
    if by == "member":
        people = Member.objects.filter(pk__in=ids).values_list("pk", "person__name", "person__org__name")
        names, branches = {}, {}
        for pk, name, org_name in people:
            names[pk], branches[pk] = name, org_name
    else:
        names = dict(Org.objects.filter(pk__in=ids).values_list("pk", "name"))
        branches = {}
    for r in rows:
        r["name"] = names.get(r[key], "")
        r["branch"] = branches.get(r[key], "")
        r["categories"] = [r[f"c_{code}"] for code, _ in Category.choices]
    return rows


def period_bounds(period: str, on: dt.date) -> tuple[dt.date, dt.date, str]:
    if period == "year":
        return dt.date(on.year, 1, 1), dt.date(on.year + 1, 1, 1), f"{on.year}年"
    start = on.replace(day=1)
    return start, (start + dt.timedelta(days=32)).replace(day=1), f"{on.year}年{on.month}月"


# --- the ledger for export ---------------------------------------------------------------------------


def register_rows(org: Org, start: dt.date, end: dt.date, scope: Scope | None = None) -> list[dict]:
    """积分登记表 (the layout of the 积分管理手册): one row per member of the org's subtree with their
    earned points in the period by category, 基础分, 先锋分 and total."""
    return ranking(org, start, end, by="member", limit=None, scope=scope)


def ledger_rows(scope: Scope, start: dt.date, end: dt.date, org: Org | None = None) -> QuerySet[Entry]:
    qs = scope.filter(Entry.objects.filter(on__gte=start, on__lt=end))
    if org is not None:
        qs = qs.filter(prefix_q("branch__path", org.path))
    return qs.select_related("member__person", "branch", "item", "decided_by").order_by("on", "id")


def partner_vouchers(redeem_scope: Scope) -> QuerySet[Voucher]:
    return (
        redeem_scope.filter(Voucher.objects.all())
        .filter(status=VoucherStatus.REDEEMED)
        .select_related("offer", "member__person")
        .order_by("-redeemed_at")
    )
