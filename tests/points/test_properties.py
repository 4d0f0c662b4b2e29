"""Properties of the points ledger over random sequences of claims, reviews, confirmations, objections,
the ends of 公示, automatic credits (some delivered twice), deductions, purchases, cancellations,
expiries and reversals: the balances equal their sums over the ledger, spending never lowers earned
points, no cap is ever exceeded, the spendable balance never goes negative, and each event credits each
item at most once. A second property: the bulk backfill of past events writes exactly what the
subscriber writes event by event."""

import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from sanxin.core import events, notices
from sanxin.core.errors import ServiceError
from sanxin.core.models import Event, PublicNotice
from sanxin.points import services
from sanxin.points.models import (
    EARNING_KINDS,
    Balance,
    Claim,
    ClaimStatus,
    Entry,
    EntryKind,
    Item,
    Voucher,
    VoucherStatus,
)
from tests.helpers import committed

from .conftest import make_points_world, photo

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAYS = st.integers(min_value=0, max_value=40)


def check_ledger(world) -> None:
    for member in world.members:
        sums = Entry.objects.filter(member=member).aggregate(p=Sum("points"), s=Sum("spendable"))
        bal = Balance.objects.filter(member=member).first()
        earned, spendable = (bal.earned, bal.spendable) if bal else (0, 0)
        assert earned == (sums["p"] or 0)
        assert spendable == (sums["s"] or 0)
        assert spendable >= 0
    # spending and refunds move only the spendable balance
    assert not Entry.objects.filter(kind__in=[EntryKind.SPEND, EntryKind.REFUND]).exclude(points=0).exists()
    # no cap exceeded, by month and by year, per member, item code and committee
    by_month: dict = defaultdict(int)
    by_year: dict = defaultdict(int)
    for e in Entry.objects.filter(kind__in=EARNING_KINDS).exclude(item=None):
        by_month[(e.member_id, e.item_code, e.committee_id, e.on.year, e.on.month)] += e.points
        by_year[(e.member_id, e.item_code, e.committee_id, e.on.year)] += e.points
    caps = {i.code: i for i in Item.objects.filter(catalogue=world.catalogue)}
    for (_m, code, _c, _y, _mo), total in by_month.items():
        if caps[code].month_cap is not None:
            assert abs(total) <= caps[code].month_cap
    for (_m, code, _c, _y), total in by_year.items():
        if caps[code].year_cap is not None:
            assert abs(total) <= caps[code].year_cap
    # each event credits each item at most once
    per_event = Counter(Entry.objects.exclude(event=None).values_list("event_id", "item_code"))
    assert all(n == 1 for n in per_event.values())


class Ledger(RuleBasedStateMachine):
    world = None  # set by the test

    def __init__(self):
        super().__init__()
        self.sid = transaction.savepoint()
        self.claims: list[Claim] = []
        self.events: list[Event] = []
        self.seq = 0

    def teardown(self):
        transaction.savepoint_rollback(self.sid)

    def _try(self, fn, **kwargs):
        try:
            with transaction.atomic():
                return fn(**kwargs)
        except ServiceError:
            return None

    @rule(m=st.integers(0, 2), code=st.sampled_from(["V01", "G01", "P01"]), ago=DAYS)
    def declare(self, m, code, ago):
        user = self.world.users[m + 1]
        claim = self._try(
            services.claim_declare,
            actor=user,
            item=self.world.item(code),
            deed_on=TODAY - dt.timedelta(days=ago),
            description="参加社区志愿服务活动",
            evidence=[photo(user)],
        )
        if claim is not None:
            self.claims.append(claim)

    @rule(i=st.integers(0, 50), decision=st.sampled_from(["approve", "approve", "return", "reject"]))
    def review(self, i, decision):
        if self.claims:
            claim = self.claims[i % len(self.claims)]
            self._try(
                services.claim_review,
                actor=self.world.secretary,
                claim=claim,
                decision=decision,
                reason="核实",
            )

    @rule(i=st.integers(0, 50), second=st.booleans())
    def confirm(self, i, second):
        if self.claims:
            claim = self.claims[i % len(self.claims)]
            who = self.world.committee_user2 if second else self.world.committee_user
            self._try(services.claim_confirm, actor=who, claim=claim)

    @rule(i=st.integers(0, 50), m=st.integers(0, 3))
    def object(self, i, m):
        if self.claims:
            claim = self.claims[i % len(self.claims)]
            self._try(
                services.claim_object, actor=self.world.users[m], claim=claim, reason="与事实不符，请核实"
            )

    @rule(i=st.integers(0, 50))
    def end_notice(self, i):
        open_ = [c for c in self.claims if Claim.objects.get(pk=c.pk).status == ClaimStatus.NOTICE]
        if open_:
            claim = Claim.objects.get(pk=open_[i % len(open_)].pk)
            notice = PublicNotice.objects.get(pk=claim.notice_id)
            with committed():
                notices.notice_close(actor=None, notice=notice, on=notice.ends_on + dt.timedelta(days=1))

    @rule(i=st.integers(0, 50), credit=st.booleans())
    def settle(self, i, credit):
        if self.claims:
            claim = self.claims[i % len(self.claims)]
            self._try(
                services.claim_settle,
                actor=self.world.committee_user,
                claim=claim,
                credit=credit,
                resolution="经核实",
            )

    @rule(
        m=st.integers(0, 3),
        name=st.sampled_from(["meetings.attended", "meetings.absent", "meetings.made_up"]),
        excused=st.booleans(),
        ago=DAYS,
        again=st.booleans(),
    )
    def meeting_event(self, m, name, excused, ago, again):
        self.seq += 1
        payload = {
            "member_id": self.world.members[m].pk,
            "kind": "theme_day",
            "on": (TODAY - dt.timedelta(days=ago)).isoformat(),
            "excused": excused,
        }
        event = events.publish(name, payload, key=f"prop.{self.seq}")
        with transaction.atomic():
            services.apply_auto_rules(event)
            if again:  # redelivered
                services.apply_auto_rules(event)
        self.events.append(event)

    @rule(i=st.integers(0, 50))
    def redeliver(self, i):
        if self.events:
            with transaction.atomic():
                services.apply_auto_rules(self.events[i % len(self.events)])

    @rule(m=st.integers(0, 3))
    def buy(self, m):
        self._try(services.voucher_buy, actor=self.world.users[m], offer=self.world.offer)

    @rule(i=st.integers(0, 50), expire=st.booleans())
    def give_back(self, i, expire):
        issued = list(Voucher.objects.filter(status=VoucherStatus.ISSUED).select_related("member__person"))
        if not issued:
            return
        v = issued[i % len(issued)]
        if expire:
            services.vouchers_expire(today=v.expires_on + dt.timedelta(days=1))
        else:
            self._try(services.voucher_cancel, actor=v.member.person.user, voucher=v)

    @rule(i=st.integers(0, 50))
    def reverse(self, i):
        rows = list(Entry.objects.filter(kind__in=[EntryKind.CREDIT, EntryKind.DEDUCTION]))
        if rows:
            self._try(
                services.entry_reverse,
                actor=self.world.committee_user,
                entry=rows[i % len(rows)],
                reason="记录有误",
            )

    @invariant()
    def ledger_holds(self):
        check_ledger(self.world)


def test_random_sequences_keep_the_ledger_true(db):
    Ledger.world = make_points_world()
    run_state_machine_as_test(
        Ledger,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )


EVENT = st.tuples(
    st.integers(0, 3),
    st.sampled_from(["meetings.attended", "meetings.absent", "meetings.made_up", "meetings.held"]),
    st.sampled_from(["theme_day", "lecture", "committee"]),
    st.booleans(),
    DAYS,
)


@given(spec=st.lists(EVENT, min_size=1, max_size=30))
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_backfill_writes_what_the_subscriber_writes(pw, spec):
    def publish_all(tag):
        out = []
        for n, (m, name, kind, excused, ago) in enumerate(spec):
            payload = {
                "member_id": pw.members[m].pk,
                "kind": kind,
                "excused": excused,
                "on": (TODAY - dt.timedelta(days=ago)).isoformat(),
            }
            out.append(events.publish(name, payload, key=f"{tag}.{n}"))
        return out

    def written(tag):
        rows = Entry.objects.filter(source_key__startswith=f"event:{tag}.")
        return sorted(
            (e.member_id, e.item_code, e.on, e.points, e.spendable, e.source_key.split(".", 1)[1])
            for e in rows
        )

    with transaction.atomic():
        for event in publish_all("one"):
            services.apply_auto_rules(event)
        one = written("one")
        transaction.set_rollback(True)
    with transaction.atomic():
        services.backfill(publish_all("bulk"))
        bulk = written("bulk")
        transaction.set_rollback(True)
    assert one == bulk
