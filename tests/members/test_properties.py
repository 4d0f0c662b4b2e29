"""Properties (hypothesis): the dues bands at and around every boundary; one formal org at every instant
under random sequences of moves, 外出, 流入, returns and merges."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sanxin.core.errors import InvalidInput, ServiceError
from sanxin.members import dues, selectors, services
from sanxin.members.models import Direction, Member, Mobility, OrgRelation, RelationKind
from sanxin.orgs import services as org_services
from sanxin.orgs.models import OrgType, Person
from tests.world import regions

# --- dues --------------------------------------------------------------------------------------------

BOUNDS = [Decimal("3000"), Decimal("5000"), Decimal("10000")]
cents = st.integers(min_value=0, max_value=5_000_000).map(lambda c: Decimal(c) / 100)
near_bounds = st.sampled_from(BOUNDS).flatmap(
    lambda b: st.integers(-3, 3).map(lambda d: b + Decimal(d) / 100)
)


def expected_salary_rate(income: Decimal) -> Decimal:
    if income <= 3000:
        return Decimal("0.005")
    if income <= 5000:
        return Decimal("0.01")
    if income <= 10000:
        return Decimal("0.015")
    return Decimal("0.02")


@given(income=st.one_of(cents, near_bounds))
@example(income=Decimal("3000.00")).via("the first band is inclusive")
@example(income=Decimal("3000.01"))
@example(income=Decimal("10000.01"))
def test_salary_dues_follow_the_bands(income):
    got = dues.monthly_dues(dues.Basis.SALARY, income)
    exact = income * expected_salary_rate(income)
    assert got == got.quantize(Decimal("0.01")) and abs(got - exact) <= Decimal("0.005")
    # never less than for a lower income
    lower = max(Decimal(0), income - Decimal("0.01"))
    assert dues.monthly_dues(dues.Basis.SALARY, lower) <= got


def test_dues_at_the_boundaries():
    s = dues.Basis.SALARY
    assert dues.monthly_dues(s, "3000") == Decimal("15.00")
    assert dues.monthly_dues(s, "3000.01") == Decimal("30.00")
    assert dues.monthly_dues(s, "5000") == Decimal("50.00")
    assert dues.monthly_dues(s, "5000.01") == Decimal("75.00")
    assert dues.monthly_dues(s, "10000") == Decimal("150.00")
    assert dues.monthly_dues(s, "10000.01") == Decimal("200.00")
    assert dues.monthly_dues(s, "1234.50") == Decimal("6.17")  # 6.1725, to the fen
    p = dues.Basis.PENSION
    assert dues.monthly_dues(p, "5000") == Decimal("25.00")
    assert dues.monthly_dues(p, "5000.01") == Decimal("50.00")
    assert dues.monthly_dues(dues.Basis.FLAT) == Decimal("0.20")
    assert dues.monthly_dues(dues.Basis.RURAL, "0.5") == Decimal("0.50")


@pytest.mark.parametrize(
    ("basis", "value", "message"),
    [
        (dues.Basis.SALARY, "-1", "金额不能为负数"),
        (dues.Basis.SALARY, "abc", "金额应为数字"),
        (dues.Basis.SALARY, "12.345", "两位小数"),
        (dues.Basis.SALARY, "", "请填写月收入"),
        (dues.Basis.RURAL, "1.5", "0.2元至1元"),
        (dues.Basis.RURAL, "0.1", "0.2元至1元"),
        ("alien", "100", "请选择党费计算方式"),
    ],
)
def test_bad_incomes_get_chinese_errors(basis, value, message):
    with pytest.raises(InvalidInput) as e:
        dues.monthly_dues(basis, value)
    assert message in e.value.message


# --- one formal org at every instant ----------------------------------------------------------------

op = st.one_of(
    st.tuples(st.just("move"), st.integers(0, 2), st.integers(0, 3)),
    st.tuples(st.just("out"), st.integers(0, 2), st.just(0)),
    st.tuples(st.just("in"), st.integers(0, 2), st.integers(0, 3)),
    st.tuples(st.just("end"), st.integers(0, 2), st.sampled_from(["out", "in"])),
    st.tuples(st.just("merge"), st.integers(0, 3), st.integers(0, 3)),
)
steps = st.lists(st.tuples(op, st.integers(0, 30)), min_size=1, max_size=20)


def snapshot() -> frozenset:
    return frozenset(OrgRelation.objects.values_list("member_id", "org_id", "kind", "start_on", "end_on"))


def check(members: list[Member], days: list[dt.date]) -> None:
    for m in members:
        for kind in RelationKind.values:
            periods = list(OrgRelation.objects.filter(member=m, kind=kind).order_by("start_on"))
            assert periods and periods[-1].end_on is None
            for a, b in itertools.pairwise(periods):
                assert a.end_on == b.start_on  # contiguous, no gap, no overlap
        formal = OrgRelation.objects.get(member=m, kind="formal", end_on__isnull=True)
        activity = OrgRelation.objects.get(member=m, kind="activity", end_on__isnull=True)
        assert Person.objects.get(pk=m.pk).org_id == formal.org_id
        hosted = Mobility.objects.filter(member=m, direction=Direction.IN, end_on__isnull=True).first()
        assert activity.org_id == (hosted.host_id if hosted else formal.org_id)
        for day in days:
            assert OrgRelation.objects.filter(OrgRelation.active_q(day), member=m, kind="formal").count() == 1


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps)
# a 流入 ends and the formal org moves the same day: the activity org must follow it
@example(plan=[(("in", 0, 1), 10), (("end", 0, "in"), 10), (("move", 0, 2), 0)])
# merged into another branch on the day a member registered a 流入 there
@example(plan=[(("in", 0, 1), 5), (("merge", 0, 1), 0), (("move", 1, 0), 3)])
def test_one_formal_org_at_every_instant(plan):
    with transaction.atomic():
        region = regions()["390100000000"]
        start = dt.date(2020, 1, 1)
        root = org_services.org_create(
            actor=None,
            parent=None,
            name="市委",
            org_type=OrgType.PARTY_COMMITTEE,
            region=region,
            founded_on=start,
        )
        branches = [
            org_services.org_create(
                actor=None,
                parent=root,
                name=f"支部{i}",
                org_type=OrgType.BRANCH,
                region=region,
                founded_on=start,
            )
            for i in range(4)
        ]
        members = []
        for i in range(3):
            p, _ = org_services.person_create(actor=None, name=f"党员{i}", org=branches[i])
            members.append(
                services.member_register(actor=None, person=p, org=branches[i], joined_on=start, since=start)
            )
        on, days, formal_at = start, [start], {}
        for (kind, a, b), gap in plan:
            on = min(on + dt.timedelta(days=gap), dt.date.today())
            m = Member.objects.get(pk=members[a % 3].pk) if kind != "merge" else None
            before = snapshot()
            try:
                with transaction.atomic():
                    if kind == "move":
                        services.membership_move(actor=None, member=m, org=branches[b], on=on)
                    elif kind == "out":
                        services.mobile_out(actor=None, member=m, on=on, destination="外地")
                    elif kind == "in":
                        services.mobile_in(actor=None, member=m, host=branches[b], on=on)
                    elif kind == "end":
                        open_one = m.mobilities.filter(direction=b, end_on__isnull=True).first()
                        if open_one is not None:
                            services.mobility_end(actor=None, mobility=open_one, on=on)
                    else:
                        org_services.org_merge(actor=None, sources=[branches[a]], target=branches[b], on=on)
            except ServiceError:
                assert snapshot() == before  # a refused change leaves no trace
            days.append(on)
            check(members, days)
            formal_at[on] = {m.pk: Person.objects.get(pk=m.pk).org_id for m in members}
        for day, orgs in formal_at.items():  # the org on any past date is the one recorded then
            for m in members:
                assert selectors.org_on(m, day).pk == orgs[m.pk]
        transaction.set_rollback(True)
