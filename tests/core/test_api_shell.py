"""The API's conventions: one error format, Chinese field errors, pagination, ordering, request ids,
OpenAPI, and a docs page that works offline."""

import math
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from sanxin.core.models import Region
from tests.helpers import ApiClient, assert_error
from tests.world import build_world, regions

pytestmark = pytest.mark.django_db

REQUEST_ID = re.compile(r"[0-9a-f]{32}")


def has_chinese(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


# --- one error format -----------------------------------------------------------------------------


def test_401_without_credentials():
    err = assert_error(Client().get("/api/v1/core/notifications"), 401, "not_authenticated")
    assert err["message"] == "请先登录或提供有效的令牌" and err["details"] == []
    assert_error(
        Client().get("/api/v1/core/notifications", headers={"Authorization": "Bearer nonsense"}), 401
    )


def test_403_without_the_permission(user):
    err = assert_error(ApiClient(user).get("/api/v1/core/audit"), 403, "permission_denied")
    assert has_chinese(err["message"])


def test_404_for_a_missing_object(user):
    err = assert_error(ApiClient(user).get("/api/v1/core/regions/990000000000"), 404, "not_found")
    assert err["message"] == "对象不存在或无权访问"


def test_409_for_a_rule_the_change_breaks():
    world = build_world()
    api = ApiClient(world.office)
    person = {"name": "张三", "org_id": world.branch_a.pk, "resident_id": "11010519491231002X"}
    assert api.post("/api/v1/people/", person).status_code == 201
    err = assert_error(api.post("/api/v1/people/", person | {"name": "李四"}), 409, "duplicate")
    assert err["message"] == "该公民身份号码已登记"
    assert err["details"] == [{"loc": ["resident_id"], "msg": "该公民身份号码已登记", "type": "duplicate"}]


def test_422_for_a_missing_body_field_has_its_path():
    r = Client().post("/api/v1/auth/token", {"username": "a"}, content_type="application/json")
    err = assert_error(r, 422, "validation_error")
    assert err["details"] == [{"loc": ["body", "payload", "password"], "msg": "必填项", "type": "missing"}]
    assert err["message"] == "输入有误：password 必填项"


def test_422_for_bad_query_parameters_names_each_one(user):
    api = ApiClient(user)
    err = assert_error(
        api.get("/api/v1/core/calendar/add-working-days", {"start": "bad", "days": "1"}),
        422,
        "validation_error",
    )
    assert [d["loc"] for d in err["details"]] == [["query", "start"]]
    assert err["details"][0]["msg"] == "日期格式应为 YYYY-MM-DD"
    assert err["message"] == "输入有误：start 日期格式应为 YYYY-MM-DD"

    err = assert_error(
        api.get("/api/v1/core/calendar/add-working-days", {"start": "2026-02-30", "days": "x"}), 422
    )
    by_loc = {tuple(d["loc"]): d["msg"] for d in err["details"]}
    assert by_loc[("query", "days")] == "应为整数" and "日期" in by_loc[("query", "start")]
    assert all(has_chinese(m) for m in by_loc.values())

    err = assert_error(
        api.get("/api/v1/core/calendar/add-working-days", {"start": "2026-01-05", "days": "9999"}), 422
    )
    assert err["details"][0]["msg"] == "应不大于3650"
    ok = api.get("/api/v1/core/calendar/add-working-days", {"start": "2026-01-05", "days": "1"})
    assert ok.status_code == 200 and ok.json()["start"] == "2026-01-05"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ('{"username": "a",}', "application/json"),
        ("username=a", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_body_is_a_400_in_the_same_format(body, content_type):
    r = Client().post("/api/v1/auth/token", body, content_type=content_type)
    err = assert_error(r, 400, "bad_request")
    assert err["message"].startswith("请求体不是有效的JSON")
    assert err["details"] == [{"loc": ["body"], "msg": err["message"], "type": "json_invalid"}]


def test_unknown_route_and_wrong_method_keep_the_format(user):
    api = ApiClient(user)
    err = assert_error(api.get("/api/v1/no/such/route"), 404, "not_found")
    assert has_chinese(err["message"])
    r = api.client.put("/api/v1/core/regions", "{}", content_type="application/json", headers=api._headers())
    err = assert_error(r, 405, "method_not_allowed")
    assert r["Allow"] == "GET" and err["message"] == "不支持此请求方法"


def test_a_crash_is_a_500_in_the_format(user, monkeypatch):
    from sanxin.core import workdays

    def boom(*args, **kwargs):
        raise RuntimeError("kaputt")

    monkeypatch.setattr(workdays, "add_working_days", boom)
    api = ApiClient(user)
    api.client.raise_request_exception = False
    r = api.get("/api/v1/core/calendar/add-working-days", {"start": "2026-01-05", "days": "1"})
    err = assert_error(r, 500, "server_error")
    assert "kaputt" not in r.content.decode() and "请求编号" in err["message"]


def test_pages_are_unaffected_by_the_api_error_format(client):
    r = client.get("/no/such/page/")
    assert r.status_code == 404 and r["Content-Type"].startswith("text/html")


# --- pagination and ordering ----------------------------------------------------------------------


@pytest.fixture
def streets():
    regions()
    for i in range(2, 9):
        Region.objects.create(code=f"390102{i:03d}000", name=f"街道{i}", level=4, parent_id="390102000000")
    return sorted(Region.objects.filter(code__startswith="390102").values_list("code", flat=True))


@pytest.mark.parametrize("page_size", [1, 2, 3, 4, 5, 8, 9, 10, 200])
def test_pages_cover_every_row_once(user, streets, page_size):
    api = ApiClient(user)
    expected_pages = math.ceil(len(streets) / page_size)
    seen = []
    for page in range(1, expected_pages + 2):
        body = api.get(
            "/api/v1/core/regions", {"within": "390102", "page": page, "page_size": page_size}
        ).json()
        assert body["count"] == len(streets) == 9
        assert body["pages"] == expected_pages and body["page"] == page and body["page_size"] == page_size
        seen += [i["code"] for i in body["items"]]
        if page > expected_pages:
            assert body["items"] == []
    assert seen == streets


def test_pagination_defaults_and_limits(user, streets):
    api = ApiClient(user)
    body = api.get("/api/v1/core/regions").json()
    assert body["page"] == 1 and body["page_size"] == 50 and body["count"] == Region.objects.count()
    assert set(body) == {"items", "count", "page", "page_size", "pages"}
    err = assert_error(api.get("/api/v1/core/regions", {"page_size": 201}), 422, "validation_error")
    assert err["details"][0]["loc"] == ["query", "page_size"] and err["details"][0]["msg"] == "应不大于200"
    assert api.get("/api/v1/core/regions", {"page_size": 200}).status_code == 200
    for bad in ({"page_size": 0}, {"page": 0}, {"page": -1}, {"page": "x"}):
        assert_error(api.get("/api/v1/core/regions", bad), 422, "validation_error")


def test_a_page_far_past_the_end_is_empty_not_an_error(user, streets):
    api = ApiClient(user)
    for page in (10**6, 10**25):
        r = api.get("/api/v1/core/regions", {"page": page})
        assert r.status_code == 200, r.content
        assert r.json()["items"] == [] and r.json()["count"] == Region.objects.count()


def test_ordering_whitelist(user, streets):
    api = ApiClient(user)
    body = api.get(
        "/api/v1/core/regions", {"within": "390102", "page_size": 3, "page": 2, "ordering": "-code"}
    ).json()
    assert [i["code"] for i in body["items"]] == streets[::-1][3:6]
    body = api.get("/api/v1/core/regions", {"within": "390102", "ordering": "level, -code"}).json()
    assert [i["code"] for i in body["items"]] == ["390102000000", *streets[1:][::-1]]
    for bad, name in (
        ("password", "password"),
        ("code,parent__name", "parent__name"),
        ("--code", "-code"),
        ("code,", ""),
    ):
        err = assert_error(api.get("/api/v1/core/regions", {"ordering": bad}), 422, "validation_error")
        assert err["message"].startswith(f"不支持按“{name}”排序")
        assert err["details"] == [{"loc": ["ordering"], "msg": err["message"], "type": "validation_error"}]


# --- request ids ----------------------------------------------------------------------------------


def test_request_id_is_echoed_and_used_in_the_error_body(user):
    api = ApiClient(user)
    r = api.client.get(
        "/api/v1/core/regions/990000000000", headers={**api._headers(), "X-Request-ID": "trace-0123456789"}
    )
    assert r["X-Request-ID"] == "trace-0123456789"
    assert assert_error(r, 404) and r.json()["request_id"] == "trace-0123456789"
    ok = api.client.get(
        "/api/v1/core/regions", headers={**api._headers(), "X-Request-ID": "trace-abcdefghij"}
    )
    assert ok.status_code == 200 and ok["X-Request-ID"] == "trace-abcdefghij"


@pytest.mark.parametrize(
    "incoming", ["short", "has space 0123456", "<script>alert(1)</script>", "a" * 65, "abcdefgh\n", ""]
)
def test_a_malformed_request_id_is_replaced(incoming):
    r = Client().get("/api/v1/core/notifications", headers={"X-Request-ID": incoming} if incoming else {})
    rid = r["X-Request-ID"]
    assert rid != incoming and REQUEST_ID.fullmatch(rid)
    assert assert_error(r, 401) and r.json()["request_id"] == rid


def test_every_request_gets_its_own_id():
    a, b = Client().get("/api/v1/core/notifications"), Client().get("/api/v1/core/notifications")
    assert a["X-Request-ID"] != b["X-Request-ID"]


# --- OpenAPI and the docs page --------------------------------------------------------------------


def test_openapi_lists_the_routes(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    assert spec["info"]["title"] == "三新党建智慧平台 API"
    paths = spec["paths"]
    for path, method in [
        ("/api/v1/auth/token", "post"),
        ("/api/v1/auth/tokens", "get"),
        ("/api/v1/auth/token/{token_id}", "delete"),
        ("/api/v1/core/regions", "get"),
        ("/api/v1/core/regions/{code}", "get"),
        ("/api/v1/core/calendar/add-working-days", "get"),
        ("/api/v1/core/notifications", "get"),
        ("/api/v1/core/notifications/read", "post"),
        ("/api/v1/core/audit", "get"),
        ("/api/v1/orgs/", "get"),
        ("/api/v1/people/", "post"),
    ]:
        assert method in paths[path], (path, method)
    assert all(p.startswith("/api/v1/") for p in paths)
    schemes = spec["components"]["securitySchemes"]
    assert {"TokenAuth", "SessionAuth"} <= set(schemes)
    params = {p["name"] for p in paths["/api/v1/core/regions"]["get"]["parameters"]}
    assert {"page", "page_size", "ordering"} <= params


def test_docs_page_uses_only_local_static_files(client):
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    foreign = [u for u in re.findall(r"https?://[^\s\"'<>]+", html) if not u.startswith("http://testserver/")]
    assert foreign == []
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in assets and "/static/ninja/swagger-ui.css" in assets
    for url in assets:
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")), f"{url} is not a local static file"
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "http" not in csp


def test_chinese_is_utf8_not_escaped(user):
    regions()
    r = ApiClient(user).get("/api/v1/core/regions/390100000000")
    assert "新河市".encode() in r.content and b"\\u" not in r.content
    assert r["Content-Type"] == "application/json; charset=utf-8"


def test_no_two_api_schemas_share_a_name():
    """The OpenAPI document keys its components by class name alone (django-ninja merges each operation's
    definitions into one dict), so two schemas of one name would silently document one of them twice."""
    import collections

    import pydantic

    from sanxin.api import api

    api.get_openapi_schema()
    modules = collections.defaultdict(set)
    stack = [pydantic.BaseModel]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("sanxin."):
                modules[sub.__name__].add(f"{sub.__module__}.{sub.__qualname__}")
            stack.append(sub)
    shared = {name: sorted(where) for name, where in modules.items() if len(where) > 1}
    assert shared == {}, f"rename one of each: {shared}"


def test_a_number_no_column_can_hold_is_the_clients_error_not_a_crash(user):
    """2**65 as an id, a page or an id in a body: SQLite's driver cannot bind it, PostgreSQL cannot store
    it; either way the answer is 4xx in the one format (pages: a Chinese message), never a 500."""
    from django.test import Client

    from tests.world import build_world

    world = build_world()
    huge = 2**65
    api = ApiClient(world.secretary_a)
    for r in (
        api.get(f"/api/v1/members/{huge}"),
        api.post(f"/api/v1/members/{huge}/exit", {"reason": "走查", "on": "2026-01-01", "kind": "death"}),
        api.post("/api/v1/members/bulk/move", {"member_ids": [huge], "to_org_id": world.branch_a.pk}),
    ):
        assert r.status_code in {404, 409, 422}, (r.status_code, r.content)
        assert set(r.json()) == {"error", "request_id"} and has_chinese(r.json()["error"]["message"])
    page = Client()
    page.force_login(world.secretary_a)
    r = page.get(f"/members/{huge}/")
    assert r.status_code in {400, 404} and has_chinese(r.content.decode())


def test_every_operation_documents_the_error_format(client):
    spec = client.get("/api/v1/openapi.json").json()
    error = spec["components"]["schemas"]["ErrorOut"]
    assert set(error["required"]) == {"error"}
    assert spec["components"]["schemas"]["ErrorBody"]["required"] == ["code", "message"]
    missing = [
        f"{method.upper()} {path} {code}"
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        for code in ("400", "401", "403", "404", "409", "422", "429")
        if operation["responses"].get(code, {}).get("content", {}).get("application/json", {}).get("schema")
        != {"$ref": "#/components/schemas/ErrorOut"}
    ]
    assert missing == []


def test_times_are_documented_as_they_are_sent(client):
    """Times travel without an offset ("08:30:00"); the document must not call them JSON Schema's "time"
    (full-time, offset required), or every conforming validator refuses our own responses."""
    import json

    raw = client.get("/api/v1/openapi.json").content.decode()
    assert '"format": "time"' not in raw and '"format":"time"' not in raw
    opens = json.loads(raw)["components"]["schemas"]["HoursIO"]["properties"]["opens"]
    assert re.match(opens["pattern"], "08:30:00") and not re.match(opens["pattern"], "25:00")
