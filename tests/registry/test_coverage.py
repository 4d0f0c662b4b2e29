"""The two coverages on the fixture of the issue: exact figures, gap lists, marginal decline, and
the rates as of a past date."""

import datetime as dt

import pytest

from sanxin.core.models import Industry
from sanxin.core.scope import Scope
from sanxin.orgs import services as org_services
from sanxin.orgs.models import OrgType
from sanxin.registry import coverage, services
from sanxin.registry.models import ContactRole, CoverageKind, Kind
from tests.world import regions

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 24)
LAST_MONTH = dt.date(2026, 10, 20)
TWO_MONTHS_AGO = dt.date(2026, 9, 24)


@pytest.fixture
def fixture():
    r = regions()
    city = r["390100000000"]
    ind = {
        code: Industry.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in [("courier", "快递"), ("delivery", "外卖"), ("live", "网络直播")]
    }
    root = org_services.org_create(
        actor=None,
        parent=None,
        name="市委",
        org_type=OrgType.PARTY_COMMITTEE,
        region=city,
        founded_on=dt.date(2000, 1, 1),
    )
    committee = org_services.org_create(
        actor=None,
        parent=root,
        name="网络直播行业党委",
        org_type=OrgType.INDUSTRY_COMMITTEE,
        region=city,
        founded_on=dt.date(2019, 1, 1),
    )

    def party(name, parent=root):
        return org_services.org_create(
            actor=None,
            parent=parent,
            name=name,
            org_type=OrgType.BRANCH,
            region=city,
            founded_on=dt.date(2020, 1, 1),
        )

    since = dt.date(2021, 1, 1)

    def org(name, industry, kind, parent=None):
        return services.organization_create(
            actor=None,
            name=name,
            region=city,
            industry=ind[industry],
            kind=kind,
            registered_on=dt.date(2020, 6, 1),
            parent=parent,
        )

    o = {}
    o[1] = org("快递总部", "courier", Kind.PLATFORM_HQ)
    o[2] = org("快递分公司甲", "courier", Kind.BRANCH, o[1])
    o[3] = org("快递分公司乙", "courier", Kind.BRANCH, o[1])
    o[4] = org("快递网点一", "courier", Kind.OUTLET, o[2])
    o[5] = org("快递网点二", "courier", Kind.OUTLET, o[2])
    o[6] = org("外卖总部", "delivery", Kind.PLATFORM_HQ)
    o[7] = org("外卖区域公司", "delivery", Kind.REGIONAL, o[6])
    o[8] = org("外卖站点", "delivery", Kind.OUTLET, o[7])
    o[9] = org("直播机构甲", "live", Kind.AGENCY)
    o[10] = org("直播机构乙", "live", Kind.AGENCY)
    services.coverage_add(
        actor=None, org=o[1], party_org=party("快递总部党支部"), kind=CoverageKind.OWN, start_on=since
    )
    joint = party("快递分公司联合党支部")
    services.coverage_add(actor=None, org=o[2], party_org=joint, kind=CoverageKind.JOINT, start_on=since)
    services.coverage_add(actor=None, org=o[3], party_org=joint, kind=CoverageKind.JOINT, start_on=since)
    services.coverage_add(
        actor=None, org=o[6], party_org=party("外卖总部党支部"), kind=CoverageKind.OWN, start_on=since
    )
    industry_joint = party("直播行业联合党支部", committee)
    services.coverage_add(
        actor=None, org=o[9], party_org=industry_joint, kind=CoverageKind.INDUSTRY, start_on=since
    )
    instructor, _ = org_services.person_create(actor=None, name="指导员", org=root)
    for n in (4, 7):
        services.contact_assign(
            actor=None, org=o[n], person=instructor, role=ContactRole.INSTRUCTOR, start_on=since
        )
    services.contact_assign(
        actor=None, org=o[10], person=instructor, role=ContactRole.INSTRUCTOR, start_on=LAST_MONTH
    )
    return o


def test_exact_figures(fixture):
    everything = Scope.all()
    total = coverage.rates(everything, TODAY)
    assert (total.total, total.org_covered, total.work_covered) == (10, 5, 8)
    assert total.org_rate == 0.5 and total.work_rate == 0.8
    by_industry = {
        r["key"]: (r["rates"].org_covered, r["rates"].total)
        for r in coverage.rates_by(everything, TODAY, "industry_id")
    }
    assert by_industry == {"courier": (3, 5), "delivery": (1, 3), "live": (1, 2)}
    names = {o.pk: n for n, o in fixture.items()}
    assert {names[o.pk] for o in coverage.blank_points(everything, TODAY)} == {5, 8}
    assert {names[o.pk] for o in coverage.weak_points(everything, TODAY)} == {4, 7, 10}
    decline = {
        names[hq.pk]: sorted(names[o.pk] for o in rest)
        for hq, rest in coverage.marginal_decline(everything, TODAY)
    }
    assert decline == {1: [4, 5], 6: [7, 8]}


def test_as_of_two_months_ago(fixture):
    then = coverage.rates(Scope.all(), TWO_MONTHS_AGO)
    assert (then.total, then.org_covered, then.work_covered) == (10, 5, 7)


def test_rates_follow_history(fixture):
    before = coverage.rates(Scope.all(), dt.date(2020, 12, 31))
    assert (before.total, before.org_covered, before.work_covered) == (10, 0, 0)
    services.organization_close(actor=None, org=fixture[5], on=dt.date(2026, 11, 1))
    now = coverage.rates(Scope.all(), TODAY)
    assert (now.total, now.org_covered, now.work_covered) == (9, 5, 8)
    assert coverage.rates(Scope.all(), dt.date(2026, 10, 31)).total == 10


def test_counts_do_not_depend_on_rows_or_pages(fixture, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        coverage.rates(Scope.all(), TODAY)
    with django_assert_max_num_queries(1):
        coverage.rates_by(Scope.all(), TODAY, "industry_id")


def test_marginal_decline_api_in_two_queries_whatever_the_count(fixture, django_assert_max_num_queries):
    from sanxin.registry.coverage import marginal_decline

    with django_assert_max_num_queries(2):
        rows = marginal_decline(Scope.all(), TODAY)
    assert sorted(hq.name for hq, _ in rows) == ["外卖总部", "快递总部"]
    assert all(hq.is_org_covered for hq, _ in rows)
