"""Compliance in SQL: required vs held by kind for every branch and period, the committee's table by
child org, the reasons for a miss, the quorum's effect, what a later change of rules does not rewrite,
and the secretary's "about to miss" card."""

import datetime as dt

import pytest

from sanxin.core.scope import Scope, scope_for
from sanxin.meetings import rules, selectors, services
from sanxin.meetings.models import Kind, Mode
from sanxin.orgs import services as org_services
from sanxin.orgs.models import Org, OrgType
from tests.helpers import assert_max_queries
from tests.meetings.conftest import member

pytestmark = pytest.mark.django_db
D = dt.date
OCT, NOV = D(2026, 10, 1), D(2026, 11, 1)
TODAY = D(2026, 12, 3)


def held(b, org, kind, day, *, present=None, topic="会议"):
    start = dt.datetime.combine(day, dt.time(19, 0), tzinfo=rules.SHANGHAI)
    m = services.meeting_schedule(
        actor=None,
        org=org,
        kind=kind,
        topic=topic,
        starts_at=start,
        mode=Mode.ONLINE,
        online_url="https://meet.example.cn/r",
    )
    for a in m.attendances.all()[: present if present is not None else 99]:
        services.attendance_record(actor=None, meeting=m, member=a.member, status="present")
    return services.meeting_close(actor=None, meeting=m, at=start + dt.timedelta(hours=2))


@pytest.fixture
def world(b):
    second = org_services.org_create(
        actor=None,
        parent=b.committee,
        name="外卖骑手党支部",
        org_type=OrgType.BRANCH,
        region=b.branch.region,
        founded_on=D(2019, 6, 1),
    )
    member(second, "孙外卖")
    # October: the first branch holds its 支委会 and 主题党日; the second only a 主题党日; the other
    # committee's branch holds nothing.
    held(b, b.branch, Kind.COMMITTEE, D(2026, 10, 9))
    held(b, b.branch, Kind.THEME_DAY, D(2026, 10, 15))
    held(b, second, Kind.THEME_DAY, D(2026, 10, 15))
    b.second = second
    return b


def row_of(table, org):
    return next(r for r in table.rows if r["org"] == org)


def test_committee_table_by_child_and_totals(world):
    b = world
    table = selectors.compliance(Scope.all(), OCT, NOV, under=b.city, today=TODAY)
    kinds = {(q.kind, q.start) for q in table.requirements if "mobile_branch" in q.types}
    assert (Kind.COMMITTEE, OCT) in kinds and (Kind.THEME_DAY, OCT) in kinds
    assert (Kind.GENERAL, OCT) in kinds  # the fourth quarter, still open on 3 December
    mine = row_of(table, b.committee)
    assert (mine["branches"], mine["compliant_n"], mine["missed_n"]) == (2, 1, 1)
    assert mine["rate"] == 50.0
    theirs = row_of(table, Org.objects.get_parent(b.other))
    assert (theirs["branches"], theirs["compliant_n"], theirs["missed_n"]) == (1, 0, 1)
    assert table.total["branches"] == 3 and table.total["compliant_n"] == 1
    # attendance: every invited member was recorded present in the helper above
    assert mine["attendance_rate"] == 100.0


def test_branch_rows_cells_and_reasons(world):
    b = world
    reqs, qs = selectors.branch_compliance(Scope.all(), OCT, NOV, under=b.committee, today=TODAY)
    rows = {o.pk: o for o in qs}
    first, second = rows[b.branch.pk], rows[b.second.pk]
    assert first.compliant and first.missed == 0 and first.pending == 0
    assert not second.compliant and second.missed == 1
    cells = {(c.requirement.kind, c.requirement.start): c for c in selectors.cells(second, reqs, TODAY)}
    assert cells[(Kind.COMMITTEE, OCT)].state == "missed"
    assert cells[(Kind.COMMITTEE, OCT)].reason == "2026年10月未召开支委会"
    assert cells[(Kind.THEME_DAY, OCT)].state == "met"
    assert cells[(Kind.GENERAL, OCT)].state == "progress"  # the quarter is judged in the quarter's table
    assert [o.pk for o in selectors.missed_branches(Scope.all(), OCT, NOV, today=TODAY)[1]] == [
        b.second.pk,
        b.other.pk,
    ]


def test_a_general_meeting_without_quorum_does_not_count(b):
    q3, q4 = D(2026, 7, 1), D(2026, 10, 1)
    held(b, b.branch, Kind.GENERAL, D(2026, 8, 20), present=1)  # 1 of 3 voting members
    reqs, qs = selectors.branch_compliance(Scope.all(), q3, q4, under=b.branch, today=TODAY)
    cells = {c.requirement.kind: c for c in selectors.cells(qs.get(), reqs, TODAY)}
    assert cells[Kind.GENERAL].state == "missed"
    assert cells[Kind.GENERAL].reason == "已召开但到会人数未达到规定"
    held(b, b.branch, Kind.GENERAL, D(2026, 9, 20))
    reqs, qs = selectors.branch_compliance(Scope.all(), q3, q4, under=b.branch, today=TODAY)
    assert {c.requirement.kind: c for c in selectors.cells(qs.get(), reqs, TODAY)}[
        Kind.GENERAL
    ].state == "met"


def test_a_later_rule_change_does_not_rewrite_october(world):
    b = world
    before = selectors.compliance(Scope.all(), OCT, NOV, under=b.city, today=TODAY).total
    services.rule_set(
        actor=None,
        kind=Kind.COMMITTEE,
        period="quarter",
        min_count=3,
        audience="committee",
        start_on=D(2027, 1, 1),
    )
    after = selectors.compliance(Scope.all(), OCT, NOV, under=b.city, today=TODAY).total
    assert after == before
    winter = selectors.requirements(D(2026, 12, 1), D(2027, 2, 1))
    assert {(q.start, q.min_count) for q in winter if q.kind == Kind.COMMITTEE} == {
        (D(2026, 12, 1), 1),  # December still by the monthly rule
        (D(2027, 1, 1), 3),  # the first quarter of 2027 by the new one
    }


def test_scope_limits_the_table(world):
    b = world
    table = selectors.compliance(scope_for(b.secretary, "meetings", "view"), OCT, NOV, today=TODAY)
    assert table.total["branches"] == 1
    office = selectors.compliance(scope_for(b.office, "meetings", "view"), OCT, NOV, today=TODAY)
    assert office.total["branches"] == 2


def test_about_to_miss(world):
    b = world
    late_october = D(2026, 10, 25)
    pending = selectors.about_to_miss(b.second, late_october)
    assert [(c.requirement.kind, c.requirement.start) for c in pending] == [(Kind.COMMITTEE, OCT)]
    assert selectors.about_to_miss(b.branch, late_october) == []


def test_three_states_and_what_each_window_judges(world):
    b = world
    december = selectors.compliance(
        Scope.all(), D(2026, 12, 1), D(2027, 1, 1), under=b.committee, today=TODAY
    )
    row = december.total
    # nothing held yet in December and December is not over: in progress, not compliant, not missed
    assert (row["compliant_n"], row["missed_n"], row["pending_n"]) == (0, 0, 2)
    judged = {(q.kind, q.judged) for q in december.requirements}
    assert (Kind.THEME_DAY, True) in judged and (Kind.GENERAL, False) in judged
    # the fourth quarter seen in January: its monthly rules and the quarter's own are judged
    q4 = selectors.compliance(Scope.all(), OCT, D(2027, 1, 1), under=b.committee, today=D(2027, 1, 5))
    assert {q.start for q in q4.requirements if q.kind == Kind.THEME_DAY} == {OCT, NOV, D(2026, 12, 1)}
    assert all(q.judged for q in q4.requirements if q.kind in (Kind.GENERAL, Kind.LECTURE))
    assert q4.total["missed_n"] == 2 and q4.total["compliant_n"] == 0


def test_reasons_of_a_page_are_read_in_one_query(world):
    b = world
    reqs, qs = selectors.branch_compliance(Scope.all(), OCT, NOV, today=TODAY)
    orgs = list(qs)
    assert sum(o.missed for o in orgs) >= 2
    with assert_max_queries(1):
        rows = selectors.rows_with_cells(orgs, reqs, TODAY)
    reasons = {org.name: [c.reason for c in cells if c.state == "missed"] for org, cells in rows}
    assert reasons[b.other.name] == ["2026年10月未召开支委会", "2026年10月未召开主题党日"]
