import pytest

from sanxin.orgs.models import Org, OrgStatus
from tests.helpers import ApiClient, assert_error, assert_max_queries
from tests.world import LEAK_MARKER, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def test_list_is_scoped_filtered_and_paginated(w):
    api = ApiClient(w.industry_x)
    body = api.get("/api/v1/orgs/", {"page_size": 2}).json()
    names = {i["name"] for i in body["items"]}
    assert body["count"] == 2 and body["pages"] == 1  # committee_x and branch_a
    assert names == {"快递外卖行业党委", "骑手流动党员党支部"}
    assert all(LEAK_MARKER not in n for n in names)
    item = next(i for i in body["items"] if i["name"] == "骑手流动党员党支部")
    assert item["parent_id"] == w.committee_x.pk and item["org_type_label"] == "流动党员党支部"
    body = ApiClient(w.office).get("/api/v1/orgs/", {"org_type": "mobile_branch"}).json()
    assert [i["id"] for i in body["items"]] == [w.branch_a.pk]
    body = ApiClient(w.office).get("/api/v1/orgs/", {"region": "390102001", "ordering": "-code"}).json()
    assert [i["id"] for i in body["items"]] == [w.street_s.pk, w.branch_c.pk, w.branch_a.pk]
    assert_error(ApiClient(w.office).get("/api/v1/orgs/", {"ordering": "secret"}), 422, "validation_error")


def test_list_has_no_n_plus_one(w):
    api = ApiClient(w.office)
    api.get("/api/v1/orgs/")  # warm the token's last-used update
    with assert_max_queries(8):
        body = api.get("/api/v1/orgs/", {"page_size": 200}).json()
    assert body["count"] == Org.objects.count()


def test_detail_subtree_ancestors_events(w):
    api = ApiClient(w.industry_x)
    assert api.get(f"/api/v1/orgs/{w.branch_a.pk}").json()["code"] == w.branch_a.code
    assert_error(api.get(f"/api/v1/orgs/{w.branch_b.pk}"), 404, "not_found")
    sub = api.get(f"/api/v1/orgs/{w.committee_x.pk}/subtree").json()
    assert [i["id"] for i in sub["items"]] == [w.committee_x.pk, w.branch_a.pk]
    anc = api.get(f"/api/v1/orgs/{w.branch_a.pk}/ancestors").json()
    assert [a["id"] for a in anc] == [w.city.pk, w.committee_x.pk]
    ev = api.get(f"/api/v1/orgs/{w.branch_a.pk}/events").json()
    assert [e["kind"] for e in ev] == ["found"]


def test_create_with_bad_values_gives_chinese_field_errors(w):
    api = ApiClient(w.industry_x)
    payload = {
        "parent_id": w.committee_x.pk,
        "name": "新支部",
        "org_type": "branch",
        "region": "390102001000",
        "founded_on": "2024-02-30",
    }
    err = assert_error(api.post("/api/v1/orgs/", payload), 422, "validation_error")
    assert err["details"][0]["loc"][-1] == "founded_on" and "日期" in err["details"][0]["msg"]
    err = assert_error(
        api.post("/api/v1/orgs/", payload | {"founded_on": "2024-02-01", "org_type": "group"}), 422
    )
    assert "党小组只能设在党支部" in err["message"] and err["details"][0]["loc"] == ["org_type"]
    err = assert_error(
        api.post("/api/v1/orgs/", payload | {"founded_on": "2024-02-01", "region": "390199999000"}), 422
    )
    assert err["details"][0]["loc"] == ["region"]
    r = api.post("/api/v1/orgs/", payload | {"founded_on": "2024-02-01"})
    assert r.status_code == 201, r.content
    assert r.json()["code"].startswith("390102001000") and r.json()["parent_id"] == w.committee_x.pk


def test_lifecycle_events_through_the_api(w):
    api = ApiClient(w.industry_y)
    r = api.post(
        f"/api/v1/orgs/{w.branch_c.pk}/events",
        {"kind": "rename", "on": "2024-05-01", "name": "网约车第一党支部"},
    )
    assert r.status_code == 201 and r.json()["name"] == "网约车第一党支部"
    r = api.post(
        f"/api/v1/orgs/{w.branch_c.pk}/events", {"kind": "rename", "on": "2024-04-01", "name": "再改"}
    )
    assert_error(r, 409, "date_order")
    r = api.post(f"/api/v1/orgs/{w.branch_c.pk}/events", {"kind": "dissolve", "on": "2024-06-01"})
    assert r.status_code == 201 and r.json()["status"] == OrgStatus.DISSOLVED
    r = api.post(
        f"/api/v1/orgs/{w.committee_y.pk}/events",
        {"kind": "move", "on": "2024-06-01", "new_parent_id": w.branch_b.pk},
    )
    assert_error(r, 409, "cycle")
    # merging into an org outside the caller's scope is a 404, not a merge
    r = api.post(
        f"/api/v1/orgs/{w.branch_b.pk}/events",
        {"kind": "merge", "on": "2024-06-01", "into_id": w.branch_a.pk},
    )
    assert_error(r, 404)


def test_tree_as_of(w):
    from sanxin.orgs import services

    services.org_rename(
        actor=None, org=w.branch_a, name="骑手第一流动党员党支部", on=__import__("datetime").date(2024, 3, 1)
    )
    api = ApiClient(w.secretary_a)
    old = api.get("/api/v1/orgs/tree/as-of", {"on": "2023-01-01"}).json()
    new = api.get("/api/v1/orgs/tree/as-of", {"on": "2024-03-01"}).json()
    assert [n["name"] for n in old] == ["骑手流动党员党支部"]
    assert [n["name"] for n in new] == ["骑手第一流动党员党支部"]
    assert api.get("/api/v1/orgs/tree/as-of", {"on": "2020-12-31"}).json() == []


def test_member_without_orgs_create_is_forbidden(w):
    assert_error(
        ApiClient(w.instructor_1).post(
            "/api/v1/orgs/",
            {
                "parent_id": w.branch_a.pk,
                "name": "越权组建",
                "org_type": "group",
                "region": "390102001000",
                "founded_on": "2024-01-01",
            },
        ),
        403,
        "permission_denied",
    )


def test_people_are_listed_masked_and_revealed_only_with_an_audited_reason(w):
    from sanxin.accounts.services import grant_create
    from sanxin.core.models import AuditLog
    from tests.factories import UserFactory

    api = ApiClient(w.industry_x)
    r = api.post(
        "/api/v1/people/",
        {
            "name": "王骑手",
            "org_id": w.branch_a.pk,
            "resident_id": "11010519491231002X",
            "phone": "13800138000",
        },
    )
    assert r.status_code == 201, r.content
    person = r.json()["person"]
    assert person["resident_id_masked"] == "110*************2X" and person["phone_masked"] == "138****8000"
    assert "11010519491231002X" not in r.content.decode()
    listed = api.get("/api/v1/people/", {"org_id": w.branch_a.pk}).json()
    assert {p["name"] for p in listed["items"]} == {
        "张骑手",
        "王骑手",
        w.member_a.person.name,
        w.case_a.person.name,
    }
    assert "11010519491231002X" not in api.get("/api/v1/people/").content.decode()
    assert_error(
        api.post(f"/api/v1/people/{person['id']}/reveal", {"field": "resident_id", "reason": "核对身份"}), 403
    )
    admin = UserFactory()
    grant_create(actor=None, user=admin, role="security_admin", org=w.committee_x)
    sec = ApiClient(admin)
    assert_error(
        sec.post(f"/api/v1/people/{person['id']}/reveal", {"field": "resident_id", "reason": "短"}), 422
    )
    r = sec.post(f"/api/v1/people/{person['id']}/reveal", {"field": "resident_id", "reason": "核对党员身份"})
    assert r.json() == {"field": "resident_id", "value": "11010519491231002X"}
    log = AuditLog.objects.get(action="reveal", actor_id=admin.pk)
    assert "核对党员身份" in log.message


def test_posts_through_the_api(w):
    api = ApiClient(w.industry_x)
    person = api.post("/api/v1/people/", {"name": "赵委员", "org_id": w.branch_a.pk}).json()["person"]
    r = api.post(
        f"/api/v1/orgs/{w.branch_a.pk}/posts",
        {"person_id": person["id"], "title": "secretary", "start_on": "2024-01-01"},
    )
    assert_error(r, 409, "one_secretary")
    r = api.post(
        f"/api/v1/orgs/{w.branch_a.pk}/posts",
        {"person_id": person["id"], "title": "organization", "start_on": "2024-01-01"},
    )
    assert r.status_code == 201 and r.json()["title_label"] == "组织委员"
    post_id = r.json()["id"]
    assert (
        api.post(f"/api/v1/orgs/posts/{post_id}/end", {"end_on": "2025-01-01"}).json()["end_on"]
        == "2025-01-01"
    )
    current = api.get(f"/api/v1/orgs/{w.branch_a.pk}/posts", {"current": "true"}).json()
    assert [p["person_name"] for p in current] == ["张骑手"]
    other = ApiClient(w.industry_y).post(
        f"/api/v1/orgs/{w.branch_b.pk}/posts",
        {"person_id": person["id"], "title": "organization", "start_on": "2024-01-01"},
    )
    assert_error(other, 422)  # a person outside the caller's scope cannot be appointed


def test_split_through_the_api(w):
    api = ApiClient(w.industry_y)
    r = api.post(
        f"/api/v1/orgs/{w.branch_c.pk}/events",
        {
            "kind": "split",
            "on": "2024-05-01",
            "close_source": True,
            "parts": ["网约车东片党支部", "网约车西片党支部"],
        },
    )
    assert r.status_code == 201 and r.json()["status"] == "split"
    names = {i["name"] for i in api.get(f"/api/v1/orgs/{w.committee_y.pk}/subtree").json()["items"]}
    assert {"网约车东片党支部", "网约车西片党支部"} <= names
