import datetime as dt

import pytest
from django.test import Client

from sanxin.core.errors import InvalidInput, NotFound
from sanxin.core.scope import Scope, scope_for
from sanxin.registry import campaigns, services
from sanxin.registry.models import Outcome
from tests.helpers import ApiClient, assert_error
from tests.world import build_world

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def w():
    return build_world()


def test_campaign_targets_outcomes_and_burndown(w):
    extra = [
        services.organization_create(
            actor=None,
            name=f"空白网点{i}",
            region=w.enterprise_a.region,
            industry=w.enterprise_a.industry,
            registered_on=D(2022, 1, 1),
        )
        for i in range(3)
    ]
    c = campaigns.campaign_create(
        actor=w.industry_x,
        name="三季度攻坚",
        owner_org=w.committee_x,
        start_on=D(2026, 7, 1),
        deadline=D(2026, 7, 10),
        organizations=extra,
    )
    t1, t2, t3 = list(c.targets.order_by("id"))
    with pytest.raises(InvalidInput) as exc:
        campaigns.target_update(actor=w.industry_x, target=t3, outcome=Outcome.NOT_FEASIBLE, reason="")
    assert exc.value.field == "reason"
    campaigns.target_update(actor=w.industry_x, target=t1, outcome=Outcome.JOINT, on=D(2026, 7, 3))
    campaigns.target_update(
        actor=w.industry_x,
        target=t2,
        outcome=Outcome.NOT_FEASIBLE,
        reason="企业已停业待注销",
        on=D(2026, 7, 5),
    )
    series = dict(campaigns.burndown(Scope.all(), c, today=D(2026, 7, 6)))
    assert series[D(2026, 7, 1)] == 3 and series[D(2026, 7, 3)] == 2 and series[D(2026, 7, 5)] == 1
    assert series[D(2026, 7, 10)] == 1 and len(series) == 10
    row = campaigns.campaigns(scope_for(w.industry_x, "registry", "view")).get(pk=c.pk)
    assert (row.n_targets, row.n_done) == (3, 2)
    with pytest.raises(NotFound):
        campaigns.target_update(actor=w.industry_y, target=t3, outcome=Outcome.JOINT)


def test_campaign_from_the_gap_list_through_the_api_and_pages(w):
    services.organization_create(
        actor=None,
        name="城关空白网点",
        region=w.enterprise_a.region,
        industry=w.enterprise_a.industry,
        registered_on=D(2022, 1, 1),
    )
    api = ApiClient(w.industry_x)
    r = api.post(
        "/api/v1/registry/campaigns",
        {
            "name": "城关攻坚二期",
            "owner_org_id": w.committee_x.pk,
            "start_on": "2026-11-01",
            "deadline": "2026-12-31",
            "gap": "blank",
        },
    )
    assert r.status_code == 201 and r.json()["n_targets"] == 1
    cid = r.json()["id"]
    detail = api.get(f"/api/v1/registry/campaigns/{cid}").json()
    assert [t["organization_name"] for t in detail["targets"]] == ["城关空白网点"]
    target = detail["targets"][0]["id"]
    assert (
        api.patch(f"/api/v1/registry/campaigns/targets/{target}", {"outcome": "instructor"}).json()["outcome"]
        == "instructor"
    )
    assert_error(ApiClient(w.industry_y).get(f"/api/v1/registry/campaigns/{cid}"), 404)
    c = Client()
    c.force_login(w.industry_x)
    page = c.get(f"/registry/campaigns/{cid}/").content.decode()
    assert "燃尽图" in page and 'id="burndown-data"' in page and "选派指导员" in page
    r = c.post(f"/registry/campaigns/targets/{target}/", {"outcome": "not_feasible", "reason": ""})
    assert r.status_code == 302
    assert "须写明原因" in c.get(r["Location"]).content.decode()
    r = c.post(
        "/registry/campaigns/new/",
        {
            "name": "x",
            "owner_org_code": "000",
            "start_on": "2026-12-01",
            "deadline": "2026-11-01",
            "gap": "blank",
        },
    )
    body = r.content.decode()
    assert r.status_code == 400 and "完成时限不能早于开始日期" in body
