"""Reads of the funds ledger. Every number is computed by the database: balances are ``SUM(amount)``,
running balances a window sum, monthly totals ``GROUP BY`` month."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, Window
from django.db.models.functions import Coalesce, TruncMonth

from sanxin.core.scope import Scope
from sanxin.members.dues import FEN
from sanxin.members.models import DuesPayment
from sanxin.orgs.models import Org, OrgStatus, OrgType

from .models import INFLOW_KINDS, FundEntry, FundKind

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)
DEFAULT_RETURN_SHARE = Decimal("0.50")


def _money(value) -> Decimal:
    """A sum as it comes back from the database (SQLite: a float for raw SQL) to the fen."""
    if value is None:
        return ZERO
    return Decimal(str(value)).quantize(FEN)


def entries(
    scope: Scope,
    *,
    org: Org | None = None,
    kind: str = "",
    category: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[FundEntry]:
    qs = scope.filter(FundEntry.objects.select_related("org", "receipt", "reverses", "reversal"))
    if org is not None:
        qs = qs.filter(org=org)
    if kind:
        qs = qs.filter(kind=kind)
    if category:
        qs = qs.filter(category=category)
    if date_from:
        qs = qs.filter(occurred_on__gte=date_from)
    if date_to:
        qs = qs.filter(occurred_on__lte=date_to)
    return qs.order_by("occurred_on", "pk")


def balance(org: Org, on: dt.date | None = None) -> Decimal:
    """The org's balance at the end of ``on`` (default: everything recorded)."""
    qs = FundEntry.objects.filter(org=org)
    if on is not None:
        qs = qs.filter(occurred_on__lte=on)
    return _money(qs.aggregate(total=Sum("amount"))["total"])


def available_on(org: Org, on: dt.date) -> Decimal:
    """What an outflow dated ``on`` may take without the balance going below zero on any day from
    ``on`` on: the smaller of the balance at the end of ``on`` and every later day's closing balance
    (a backdated spending must not overdraw the days after it). One query, a window sum by day."""
    table = connection.ops.quote_name(FundEntry._meta.db_table)  # the model's own table, quoted
    sql = f"""
        SELECT (SELECT SUM(amount) FROM {table} WHERE org_id = %s AND occurred_on <= %s),
               (SELECT MIN(running) FROM (
                   SELECT occurred_on, SUM(SUM(amount)) OVER (ORDER BY occurred_on) AS running
                   FROM {table} WHERE org_id = %s GROUP BY occurred_on
               ) days WHERE occurred_on > %s)
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [org.pk, on, org.pk, on])
        through, later = cursor.fetchone()
    through = _money(through)
    return through if later is None else min(through, _money(later))


def with_running_balance(org: Org, *, date_from: dt.date | None = None, date_to: dt.date | None = None):
    """The org's entries in date order with ``running`` (the balance after each entry), computed by a
    window sum over the period plus the balance brought forward from before it."""
    opening = balance(org, date_from - dt.timedelta(days=1)) if date_from else ZERO
    qs = FundEntry.objects.filter(org=org).select_related("receipt", "reverses", "reversal")
    if date_from:
        qs = qs.filter(occurred_on__gte=date_from)
    if date_to:
        qs = qs.filter(occurred_on__lte=date_to)
    qs = qs.annotate(
        running=Window(Sum("amount"), order_by=[F("occurred_on").asc(), F("id").asc()]) + Value(opening)
    )
    return opening, qs.order_by("occurred_on", "pk")


def _kind_sum(q: Q) -> Coalesce:
    return Coalesce(Sum("amount", filter=q), Value(ZERO), output_field=MONEY)


def monthly(org: Org, year: int) -> list[dict]:
    """Per month of ``year`` with entries: the net of each kind (a reversal nets its original out),
    income, outflow, net and the closing balance. One GROUP BY query and one for the opening balance;
    the closing balances add the (at most twelve) monthly nets to the opening one."""
    opening = balance(org, dt.date(year, 1, 1) - dt.timedelta(days=1))
    inflow = Q(kind__in=[k.value for k in INFLOW_KINDS])
    rows = (
        FundEntry.objects.filter(org=org, occurred_on__year=year)
        .annotate(month=TruncMonth("occurred_on"))
        .values("month")
        .annotate(
            **{k.value: _kind_sum(Q(kind=k.value)) for k in FundKind},
            income=_kind_sum(inflow),
            outflow=-_kind_sum(~inflow),
            net=Sum("amount"),
        )
        .order_by("month")
    )
    out, closing = [], opening
    for r in rows:
        month = r.pop("month")
        r = {k: _money(v) for k, v in r.items()}  # SQLite hands sums back without their scale
        r["month"] = month.date() if isinstance(month, dt.datetime) else month
        closing += r["net"]
        r["closing"] = closing
        out.append(r)
    return out


def year_totals(rows: list[dict]) -> dict:
    """The year's column totals from ``monthly``'s rows (already aggregated by the database)."""
    keys = [k.value for k in FundKind] + ["income", "outflow", "net"]
    return {k: sum((r[k] for r in rows), ZERO) for k in keys}


def overview(scope: Scope, year: int) -> QuerySet[Org]:
    """The orgs in ``scope`` that keep a ledger (all but 党小组), each with its balance and the year's
    income and outflow — three correlated sums, one query."""

    def total(q: Q) -> Subquery:
        sub = (
            FundEntry.objects.filter(q, org=OuterRef("pk"))
            .order_by()
            .values("org")
            .annotate(t=Sum("amount"))
            .values("t")
        )
        return Coalesce(Subquery(sub, output_field=MONEY), Value(ZERO), output_field=MONEY)

    inflow = Q(kind__in=[k.value for k in INFLOW_KINDS], occurred_on__year=year)
    outflow = ~Q(kind__in=[k.value for k in INFLOW_KINDS]) & Q(occurred_on__year=year)
    return (
        scope.filter(Org.objects.filter(status=OrgStatus.ACTIVE).exclude(org_type=OrgType.GROUP))
        .annotate(balance=total(Q()), income=total(inflow), outflow=total(outflow))
        .order_by("path")
    )


# --- dues returned to the branch -------------------------------------------------------------------


def month_end(d: dt.date) -> dt.date:
    """The last day of ``d``'s month."""
    return dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1) - dt.timedelta(days=1)


def last_quarter(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the calendar quarter before ``today``'s."""
    start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last = start - dt.timedelta(days=1)
    return dt.date(last.year, last.month - 2, 1), last


def return_share() -> Decimal:
    """The share of a branch's collected dues returned to it (``DUES_RETURN_SHARE``, default 0.5)."""
    return Decimal(str(getattr(settings, "DUES_RETURN_SHARE", DEFAULT_RETURN_SHARE)))


def collected_dues(org: Org, period_from: dt.date, period_to: dt.date) -> Decimal:
    """The dues the org collected (``DuesPayment`` paid to it) with a payment date in the period."""
    total = DuesPayment.objects.filter(org=org, paid_on__gte=period_from, paid_on__lte=period_to).aggregate(
        t=Sum("amount")
    )["t"]
    return _money(total)


@dataclasses.dataclass(frozen=True)
class Proposal:
    org: Org
    period_from: dt.date
    period_to: dt.date
    collected: Decimal
    share: Decimal
    amount: Decimal


def dues_return_proposal(
    org: Org, period_from: dt.date, period_to: dt.date, share: Decimal | None = None
) -> Proposal:
    share = return_share() if share is None else share
    collected = collected_dues(org, period_from, period_to)
    return Proposal(org, period_from, period_to, collected, share, (collected * share).quantize(FEN))


def returned_overlapping(org: Org, period_from: dt.date, period_to: dt.date) -> FundEntry | None:
    """A dues return of the org, not reversed, whose period overlaps the given one."""
    return (
        FundEntry.objects.filter(
            org=org,
            kind=FundKind.DUES_RETURN,
            reverses__isnull=True,
            reversal__isnull=True,
            period_from__lte=period_to,
            period_to__gte=period_from,
        )
        .order_by("period_from")
        .first()
    )
