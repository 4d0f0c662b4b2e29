"""The one gate to the points ledger. Every row is written here, under a lock on the member's
``Balance``, so that two writers for the same member (two reviewers, an automatic credit and a purchase)
run one after the other: caps are checked against what is already credited and reserved, the
spendable balance never goes below zero, and a ``source_key`` (the claim, the event, the voucher) is
written at most once.

Callers are the services of this module (claims, automatic credits, vouchers, reversals); they run in
a transaction (``transaction.atomic``) which these functions require."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db import transaction
from django.db.models import F, Sum
from django.db.models.functions import TruncMonth

from sanxin.members.models import Member
from sanxin.members.selectors import org_on
from sanxin.orgs.models import Org

from .models import (
    EARNING_KINDS,
    RESERVING,
    Balance,
    Catalogue,
    Claim,
    Entry,
    EntryKind,
    Item,
)


def ancestor_paths(org: Org) -> list[str]:
    step = Org.steplen
    return [org.path[:i] for i in range(step, len(org.path) + 1, step)]


def catalogue_for(branch: Org, on: dt.date) -> Catalogue | None:
    """The catalogue in force for ``branch`` on ``on``: the nearest committee above (or the branch itself)
    with a version in force that day."""
    return (
        Catalogue.objects.filter(Catalogue.active_q(on), org__path__in=ancestor_paths(branch))
        .select_related("org")
        .order_by("-org__depth", "-start_on")
        .first()
    )


def branch_of(member: Member, on: dt.date) -> Org | None:
    """The member's branch on ``on`` (their formal organization then), else their current one."""
    org = org_on(member, on)
    if org is None:
        org = Org.objects.filter(people__member=member).first()
    return org


def lock(member: Member | int) -> Balance:
    member_id = getattr(member, "pk", member)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger writes run inside a transaction")
    Balance.objects.get_or_create(member_id=member_id)
    return Balance.objects.select_for_update().get(member_id=member_id)


@dataclasses.dataclass(frozen=True)
class Room:
    """How much more of an item (in points, as a magnitude) a member may get in the deed's month and
    year; None when the item has no such cap."""

    month: int | None
    year: int | None

    @property
    def left(self) -> int | None:
        values = [v for v in (self.month, self.year) if v is not None]
        return max(0, min(values)) if values else None


Usage = dict[tuple, int]  # (member, item code, committee, year[, month]) -> points (signed)


def usage(member_ids, codes, *, exclude_claims=()) -> tuple[Usage, Usage]:
    """What counts against caps, by month and by year: credits net of reversals by item code and
    committee, plus confirmed claims awaiting their 公示 (reserved) other than ``exclude_claims``."""
    by_month: Usage = {}
    by_year: Usage = {}
    booked = (
        Entry.objects.filter(member_id__in=member_ids, item_code__in=codes, kind__in=EARNING_KINDS)
        .annotate(month=TruncMonth("on"), code=F("item_code"))
        .values("member_id", "code", "committee_id", "month")
        .annotate(s=Sum("points"))
        .order_by()
    )
    reserved = (
        Claim.objects.filter(member_id__in=member_ids, item__code__in=codes, status__in=RESERVING)
        .exclude(pk__in=list(exclude_claims))
        .annotate(month=TruncMonth("deed_on"), code=F("item__code"))
        .values("member_id", "code", "committee_id", "month")
        .annotate(s=Sum("points"))
        .order_by()
    )
    for rows in (booked, reserved):
        for r in rows:
            key = (r["member_id"], r["code"], r["committee_id"], r["month"].year)
            by_month[(*key, r["month"].month)] = by_month.get((*key, r["month"].month), 0) + r["s"]
            by_year[key] = by_year.get(key, 0) + r["s"]
    return by_month, by_year


def _room_in(by_month: Usage, by_year: Usage, member_id: int, item: Item, on: dt.date) -> Room:
    sign = 1 if item.points > 0 else -1
    key = (member_id, item.code, item.catalogue.org_id, on.year)
    return Room(
        None if item.month_cap is None else item.month_cap - sign * by_month.get((*key, on.month), 0),
        None if item.year_cap is None else item.year_cap - sign * by_year.get(key, 0),
    )


def room(member_id: int, item: Item, on: dt.date, *, exclude_claim: int | None = None) -> Room:
    """What is left under ``item``'s caps for the member around ``on`` (see ``usage``)."""
    by_month, by_year = usage(
        [member_id], [item.code], exclude_claims=[exclude_claim] if exclude_claim else []
    )
    return _room_in(by_month, by_year, member_id, item, on)


def post(
    balance: Balance,
    *,
    kind: str,
    points: int,
    spendable: int,
    on: dt.date,
    reason: str,
    branch: Org,
    committee: Org,
    item: Item | None = None,
    **links,
) -> Entry:
    """Append one row and move the balance with it. ``links``: claim, voucher, event, reverses,
    source_key, decided_by."""
    if balance.spendable + spendable < 0:
        raise ValueError("the spendable balance would go negative")
    entry = Entry.objects.create(
        member_id=balance.member_id,
        branch=branch,
        committee=committee,
        on=on,
        kind=kind,
        item=item,
        item_code=item.code if item else "",
        category=item.category if item else "",
        tier=item.tier if item else "",
        points=points,
        spendable=spendable,
        reason=reason[:200],
        **links,
    )
    Balance.objects.filter(pk=balance.pk).update(
        earned=F("earned") + points, spendable=F("spendable") + spendable
    )
    balance.earned += points
    balance.spendable += spendable
    return entry


def existing(source_key: str) -> Entry | None:
    return Entry.objects.filter(source_key=source_key).first()


def award(
    *,
    member: Member,
    item: Item,
    on: dt.date,
    reason: str,
    source_key: str,
    branch: Org | None = None,
    claim: Claim | None = None,
    event=None,
    decided_by=None,
) -> Entry | None:
    """Credit (or, for a deduction item, deduct) ``item`` once for ``source_key``, within its caps: a
    credit beyond a cap is cut to what is left, and nothing is written when nothing is left. Returns the
    row (the earlier one if the key was already written), or None."""
    branch = branch or branch_of(member, on) or item.catalogue.org
    event_id = getattr(event, "pk", None)
    rows = award_many(
        [Award(member.pk, item, on, reason, source_key, branch.pk, event_id, claim, decided_by)]
    )
    return rows[0] if rows else existing(source_key)


def reverse(entry: Entry, *, reason: str, decided_by=None) -> Entry:
    """The reversing row of a credit or deduction (冲正). A reversed credit takes back from the spendable
    balance no more than is left; a reversed deduction gives back what it took."""
    balance = lock(entry.member_id)
    spendable = -min(entry.points, balance.spendable) if entry.points > 0 else -entry.spendable
    return post(
        balance,
        kind=EntryKind.REVERSAL,
        points=-entry.points,
        spendable=spendable,
        on=entry.on,
        reason=reason,
        branch=entry.branch,
        committee=entry.committee,
        item=entry.item,
        claim=entry.claim,
        reverses=entry,
        source_key=f"reverse:{entry.pk}",
        decided_by=decided_by,
    )


@dataclasses.dataclass(frozen=True)
class Award:
    """One credit (or deduction) of an item for a source, for ``award_many``."""

    member_id: int
    item: Item
    on: dt.date
    reason: str
    source_key: str
    branch_id: int
    event_id: int | None = None
    claim: Claim | None = None  # a claim's own reservation does not count against it
    decided_by: object = None


def award_many(awards: list[Award]) -> list[Entry]:
    """``award`` for many rows at once (a backfill of past events): the same caps, keys and balance rules,
    applied in order, with the members' balances locked and their cap usage read in a few queries instead
    of a dozen per row. Nothing already written for a key is written again."""
    if not awards:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger writes run inside a transaction")
    member_ids = sorted({a.member_id for a in awards})
    Balance.objects.bulk_create([Balance(member_id=m) for m in member_ids], ignore_conflicts=True)
    balances = {b.member_id: b for b in Balance.objects.select_for_update().filter(member_id__in=member_ids)}
    # read under the locks: a concurrent writer for these members has committed or not started
    written = set(
        Entry.objects.filter(source_key__in=[a.source_key for a in awards]).values_list(
            "source_key", flat=True
        )
    )
    by_month, by_year = usage(
        member_ids,
        sorted({a.item.code for a in awards}),
        exclude_claims=[a.claim.pk for a in awards if a.claim],
    )
    entries: list[Entry] = []
    for a in awards:
        if a.source_key in written:
            continue
        item = a.item
        sign = 1 if item.points > 0 else -1
        key = (a.member_id, item.code, item.catalogue.org_id, a.on.year)
        left = _room_in(by_month, by_year, a.member_id, item, a.on).left
        magnitude = abs(a.claim.points if a.claim else item.points)
        reason = a.reason
        if left is not None and left < magnitude:
            magnitude = left
            reason = f"{reason}（达到上限，计{magnitude}分）"
        if magnitude <= 0:
            continue
        points = sign * magnitude
        balance = balances[a.member_id]
        spendable = points if points > 0 else -min(magnitude, balance.spendable)
        balance.earned += points
        balance.spendable += spendable
        by_month[(*key, a.on.month)] = by_month.get((*key, a.on.month), 0) + points
        by_year[key] = by_year.get(key, 0) + points
        written.add(a.source_key)
        entries.append(
            Entry(
                member_id=a.member_id,
                branch_id=a.branch_id,
                committee_id=item.catalogue.org_id,
                on=a.on,
                kind=EntryKind.CREDIT if points > 0 else EntryKind.DEDUCTION,
                item=item,
                item_code=item.code,
                category=item.category,
                tier=item.tier,
                points=points,
                spendable=spendable,
                reason=reason[:200],
                event_id=a.event_id,
                claim=a.claim,
                decided_by=a.decided_by,
                source_key=a.source_key,
            )
        )
    Entry.objects.bulk_create(entries, batch_size=1000)
    Balance.objects.bulk_update(list(balances.values()), ["earned", "spendable"], batch_size=1000)
    return entries
