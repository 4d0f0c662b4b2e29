"""/api/v1/members: scoped lists and details, history, writes through the services, Chinese errors,
the hidden flag returned to the organization department only."""

import pytest

from sanxin.members.models import Hidden
from sanxin.members.services import member_flag_hidden
from sanxin.orgs import services as org_services
from tests.helpers import ApiClient, assert_error
from tests.world import LEAK_MARKER, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def test_list_and_detail_are_scoped_and_carry_the_history(w):
    api = ApiClient(w.secretary_a)
    body = api.get("/api/v1/members/").json()
    assert [m["name"] for m in body["items"]] == [w.member_a.person.name] and LEAK_MARKER not in str(body)
    assert body["items"][0]["hidden"] is None
    detail = api.get(f"/api/v1/members/{w.member_a.pk}").json()
    assert [(r["org_id"], r["kind"], r["start_on"]) for r in detail["relations"]] == [
        (w.branch_a.pk, "activity", "2021-03-01"),
        (w.branch_a.pk, "formal", "2021-03-01"),
    ]
    assert detail["mobilities"][0]["direction"] == "out"
    assert_error(api.get(f"/api/v1/members/{w.member_b.pk}"), 404)
    out = api.get("/api/v1/members/", {"mobile": "out"}).json()
    assert [m["id"] for m in out["items"]] == [w.member_a.pk]
    assert api.get("/api/v1/members/", {"mobile": "in"}).json()["count"] == 0


def test_the_hidden_flag_is_shown_to_the_organization_department_only(w):
    member_flag_hidden(actor=w.office, member=w.member_a, hidden=Hidden.POCKET, how="双找比对发现")
    office = ApiClient(w.office).get(f"/api/v1/members/{w.member_a.pk}").json()
    assert office["hidden"] == "pocket"
    secretary = ApiClient(w.secretary_a).get(f"/api/v1/members/{w.member_a.pk}").json()
    assert secretary["hidden"] is None
    assert_error(
        ApiClient(w.secretary_a).post(f"/api/v1/members/{w.member_a.pk}/hidden", {"hidden": "", "how": ""}),
        403,
    )


def test_register_move_and_errors_in_chinese(w):
    api = ApiClient(w.office)
    person, _ = org_services.person_create(actor=None, name="新党员", org=w.branch_a)
    err = assert_error(
        api.post(
            "/api/v1/members/",
            {"person_id": person.pk, "org_id": w.committee_x.pk, "joined_on": "2020-07-01"},
        ),
        409,
        "not_a_branch",
    )
    assert "党支部" in err["message"]
    r = api.post(
        "/api/v1/members/", {"person_id": person.pk, "org_id": w.branch_a.pk, "joined_on": "2020-07-01"}
    )
    assert r.status_code == 201 and r.json()["standing"] == "probationary"
    member_id = r.json()["id"]
    err = assert_error(
        api.post(f"/api/v1/members/{member_id}/move", {"org_id": w.branch_c.pk, "on": "2019-01-01"}),
        409,
        "date_order",
    )
    assert "2020-07-01" in err["message"]
    r = api.post(f"/api/v1/members/{member_id}/move", {"org_id": w.branch_c.pk, "on": "2024-06-01"})
    assert r.status_code == 200 and r.json()["org_id"] == w.branch_c.pk
    err = assert_error(
        api.post(f"/api/v1/members/{member_id}/mobility", {"direction": "in", "on": "2024-07-01"}), 422
    )
    assert err["details"][0]["loc"] == ["host_id"]


def test_dues_calculator(w):
    api = ApiClient(w.secretary_a)
    r = api.get("/api/v1/members/dues/calculate", {"basis": "salary", "income": "4500"})
    assert r.json() == {"basis": "salary", "income": "4500.00", "monthly": "45.00"}
    err = assert_error(api.get("/api/v1/members/dues/calculate", {"basis": "salary", "income": "-1"}), 422)
    assert err["message"] == "金额不能为负数" and err["details"][0]["loc"] == ["income"]
    assert api.get("/api/v1/members/dues/calculate", {"basis": "flat"}).json()["monthly"] == "0.20"


def test_declare_pay_and_see_the_arrears(w):
    api = ApiClient(w.secretary_a)
    url = f"/api/v1/members/{w.member_a.pk}"
    err = assert_error(
        api.post(f"{url}/declarations", {"basis": "salary", "amount": "-1", "month": "2024-01-01"}), 422
    )
    assert err["message"] == "金额不能为负数"
    r = api.post(f"{url}/declarations", {"basis": "salary", "amount": "4500", "month": "2021-03-01"})
    assert r.status_code == 201 and r.json()["start_on"] == "2021-03-01"
    r = api.post(
        f"{url}/payments",
        {"month_from": "2021-03-01", "month_to": "2021-05-01", "channel": "wechat", "paid_on": "2021-03-02"},
    )
    assert r.status_code == 201 and r.json()["due"] == "135.00" and r.json()["org_id"] == w.branch_a.pk
    err = assert_error(
        api.post(f"{url}/payments", {"month_from": "2021-05-01", "channel": "cash", "paid_on": "2021-05-02"}),
        409,
        "already_paid",
    )
    assert "2021年05月" in err["message"]
    status = api.get(f"{url}/dues").json()
    assert status["arrears"][0] == "2021-06-01" and "2021-05-01" not in status["arrears"]
    assert [p["month_to"] for p in status["payments"]] == ["2021-05-01"]
    assert_error(ApiClient(w.secretary_b).get(f"{url}/dues"), 404)


def test_search_by_identifier_goes_in_the_body_and_stays_in_scope(w):
    api = ApiClient(w.secretary_a)
    found = api.post("/api/v1/people/search", {"resident_id": "390102199001010013"}).json()
    assert [p["name"] for p in found] == [w.member_a.person.name]
    assert found[0]["resident_id_masked"] == "390*************13" and "390102199001010013" not in str(found)
    assert api.post("/api/v1/people/search", {"resident_id": "390103199001010028"}).json() == []  # side B
    assert [p["name"] for p in api.post("/api/v1/people/search", {"phone": "138 0000 0001"}).json()] == [
        w.member_a.person.name
    ]
    err = assert_error(api.post("/api/v1/people/search", {"resident_id": "390102199001010012"}), 422)
    assert err["message"] == "身份证号码校验位不正确，请核对" and err["details"][0]["loc"] == ["resident_id"]
    err = assert_error(api.post("/api/v1/people/search", {"phone": "1380000000"}), 422)
    assert "11位" in err["message"]
    assert_error(api.post("/api/v1/people/search", {}), 422)
    assert api.get("/api/v1/people/search").status_code == 405
