"""The API's conventions: one error format, Chinese field errors, pagination, ordering, docs offline."""

import re

import pytest

from sanxin.core.models import Region
from tests.helpers import ApiClient, assert_error
from tests.world import regions

pytestmark = pytest.mark.django_db


def test_422_has_field_paths_and_chinese_messages(user):
    api = ApiClient(user)
    err = assert_error(
        api.get("/api/v1/core/calendar/add-working-days", {"start": "2026-02-30", "days": "x"}),
        422,
        "validation_error",
    )
    locs = {tuple(d["loc"]) for d in err["details"]}
    assert ("query", "start") in locs and ("query", "days") in locs
    msgs = {d["msg"] for d in err["details"]}
    assert "应为整数" in msgs and any("日期" in m for m in msgs)
    assert err["message"].startswith("输入有误")


def test_missing_body_field_and_malformed_json(client, db):
    err = assert_error(
        client.post("/api/v1/auth/token", {"username": "a"}, content_type="application/json"), 422
    )
    assert {"loc": ["body", "payload", "password"], "msg": "必填项", "type": "missing"} in err["details"]
    r = client.post("/api/v1/auth/token", "{not json", content_type="application/json")
    assert r.status_code in {400, 422}
    assert_error(r, r.status_code)


def test_401_403_404_409_share_the_format(user, office_user):
    from django.test import Client

    assert_error(Client().get("/api/v1/orgs/"), 401, "not_authenticated")
    assert_error(ApiClient(user).get("/api/v1/core/audit"), 403, "permission_denied")
    assert_error(ApiClient(user).get("/api/v1/core/regions/990000000000"), 404, "not_found")
    api = ApiClient(user)
    tokens = api.get("/api/v1/auth/tokens").json()
    assert_error(api.delete(f"/api/v1/auth/token/{tokens[0]['id'] + 999}"), 404)


def test_pagination_and_ordering(user):
    regions()
    for i in range(2, 9):
        Region.objects.create(code=f"390102{i:03d}000", name=f"街道{i}", level=4, parent_id="390102000000")
    api = ApiClient(user)
    body = api.get(
        "/api/v1/core/regions", {"within": "390102", "page_size": 3, "page": 2, "ordering": "-code"}
    ).json()
    assert body["count"] == 9 and body["pages"] == 3 and body["page"] == 2 and len(body["items"]) == 3
    assert [i["code"] for i in body["items"]] == ["390102005000", "390102004000", "390102003000"]
    assert_error(api.get("/api/v1/core/regions", {"page_size": 201}), 422)
    err = assert_error(api.get("/api/v1/core/regions", {"ordering": "password"}), 422, "validation_error")
    assert "不支持按" in err["message"] and err["details"][0]["loc"] == ["ordering"]


def test_request_id_is_echoed(user):
    r = ApiClient(user).client.get("/api/v1/core/regions/990000000000", HTTP_X_REQUEST_ID="trace-0123456789")
    assert r["X-Request-ID"] == "trace-0123456789" and r.json()["request_id"] == "trace-0123456789"


def test_openapi_and_offline_docs(client, user):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/orgs/" in spec["paths"] and "/api/v1/auth/token" in spec["paths"]
    html = client.get("/api/v1/docs").content.decode()
    assert not re.findall(r'(?:src|href)="https?://', html)
    assert "/static/ninja/swagger-ui-bundle.js" in html


def test_chinese_is_utf8_not_escaped(user):
    regions()
    raw = ApiClient(user).get("/api/v1/core/regions/390100000000").content
    assert "新河市".encode() in raw
