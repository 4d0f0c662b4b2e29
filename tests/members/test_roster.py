"""The roster export (masked unless asked by someone allowed, audited), its round trip through the
import, bulk actions (all or none, scoped, audited), and the enrol and declaration pages and API with
the five input errors of the issue in Chinese."""

import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from sanxin.accounts.services import grant_create
from sanxin.core.models import AuditLog
from sanxin.members import selectors, services
from sanxin.members.models import Direction, Member, Mobility
from sanxin.orgs.models import Person
from tests.factories import UserFactory
from tests.helpers import ApiClient, assert_error
from tests.members.test_import import rid, upload
from tests.world import LEAK_MARKER, build_world

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def w():
    return build_world()


def workbook_rows(response) -> list[tuple]:
    data = b"".join(response.streaming_content)
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "姓名")
    return rows[header:]


def security_admin(w):
    u = UserFactory(username="sec_admin")
    grant_create(actor=None, user=u, role="security_admin", org=w.city)
    grant_create(actor=None, user=u, role="org_department", org=w.city)
    return u


def test_roster_export_is_masked_scoped_and_audited(w):
    c = Client()
    c.force_login(w.secretary_a)
    r = c.get("/members/", {"export": "xlsx"})
    assert r.status_code == 200
    rows = workbook_rows(r)
    names = [row[0] for row in rows[1:]]
    assert w.member_a.person.name in names and not any(LEAK_MARKER in (n or "") for n in names)
    person = w.member_a.person
    flat = str(rows)
    assert person.resident_id not in flat and person.phone not in flat
    assert "*" in rows[names.index(person.name) + 1][3]
    assert AuditLog.objects.filter(actor_id=w.secretary_a.pk, action="export").exists()
    # full identifiers: only for people.reveal holders
    assert c.get("/members/", {"export": "xlsx", "identifiers": "1"}).status_code == 403


def test_the_roster_round_trips_through_the_import(w):
    admin = security_admin(w)
    c = Client()
    c.force_login(admin)
    r = c.get("/members/", {"export": "xlsx", "identifiers": "1", "org": w.branch_a.code})
    rows = workbook_rows(r)
    assert w.member_a.person.resident_id in str(rows)
    assert AuditLog.objects.filter(actor_id=admin.pk, action="reveal").exists()
    job = upload(admin, [list(map(lambda v: "" if v is None else str(v), row)) for row in rows[1:]])
    assert job.error_count == 0 and job.created_count == 0 and job.unchanged_count == len(rows) - 1


def test_list_filters_by_work_employer_and_age(w):
    services.employment_record(
        actor=None, person=w.member_a.person, kind="rider", since=D(2024, 1, 1), employer_name="蜂行快送"
    )
    scope_user = w.secretary_a
    c = Client()
    c.force_login(scope_user)
    name = w.member_a.person.name
    assert name in c.get("/members/", {"work_kind": "rider"}).content.decode()
    assert name not in c.get("/members/", {"work_kind": "courier"}).content.decode()
    assert name in c.get("/members/", {"employer": "蜂行"}).content.decode()
    assert name not in c.get("/members/", {"employer": "急速达"}).content.decode()
    age = selectors._years_before(timezone.localdate(), 0).year - w.member_a.person.birth_date.year
    band = next(k for k, (_, lo, hi) in selectors.AGE_BANDS.items() if lo <= age and (hi is None or age < hi))
    other = next(k for k in selectors.AGE_BANDS if k != band)
    assert name in c.get("/members/", {"q": name[:1]}).content.decode()  # the name's beginning
    assert name in c.get("/members/", {"q": name}).content.decode()
    assert name not in c.get("/members/", {"q": name[1:]}).content.decode()
    assert name in c.get("/members/", {"age_band": band}).content.decode()
    assert name not in c.get("/members/", {"age_band": other}).content.decode()


def _second_member(w, org=None):
    p, _ = __import__("sanxin.orgs.services", fromlist=["x"]).person_create(
        actor=None, name="第二名", org=org or w.branch_a, birth_date=D(1990, 1, 1)
    )
    return services.member_register(actor=None, person=p, org=org or w.branch_a, joined_on=D(2015, 1, 1))


def test_bulk_move_is_all_or_none_and_audited(w):
    second = _second_member(w)
    c = Client()
    c.force_login(w.office)
    page = c.get("/members/bulk/", {"ids": [w.member_a.pk, second.pk]}).content.decode()
    assert "已选 2 名党员" in page
    on = timezone.localdate()
    # a date before one member joined: nothing moves, the refusal names the member
    r = c.post(
        "/members/bulk/",
        {"ids": [w.member_a.pk, second.pk], "action": "move", "org": w.branch_c.code, "on": "2014-01-01"},
    )
    assert r.status_code == 400 and "未作任何调整" in r.content.decode()
    assert Person.objects.get(pk=second.pk).org == w.branch_a
    r = c.post(
        "/members/bulk/",
        {"ids": [w.member_a.pk, second.pk], "action": "move", "org": w.branch_c.code, "on": on},
    )
    assert r.status_code == 302
    for m in (w.member_a, second):
        assert selectors.org_on(Member.objects.get(pk=m.pk), on) == w.branch_c
    assert AuditLog.objects.filter(action="bulk_move", after__count=2).exists()
    # a missing field is a Chinese error on the form
    r = c.post("/members/bulk/", {"ids": [second.pk], "action": "move", "on": on})
    assert r.status_code == 400 and "请选择调入的党支部" in r.content.decode()


def test_bulk_mobile_out_page_and_api_stay_in_scope(w):
    second = _second_member(w)
    api = ApiClient(w.secretary_a)
    # member_b is outside secretary_a's scope: the whole request is refused as not found
    assert_error(
        api.post(
            "/api/v1/members/bulk/mobile-out",
            {"member_ids": [second.pk, w.member_b.pk], "on": "2026-01-05", "destination": "杭州"},
        ),
        404,
    )
    assert not Mobility.objects.filter(member=second).exists()
    r = api.post(
        "/api/v1/members/bulk/mobile-out",
        {"member_ids": [second.pk], "on": "2026-01-05", "destination": "杭州"},
    )
    assert r.status_code == 200 and r.json() == {"count": 1}
    assert Mobility.objects.get(member=second).direction == Direction.OUT
    # the page ignores ids outside the scope
    c = Client()
    c.force_login(w.secretary_a)
    page = c.get("/members/bulk/", {"ids": [w.member_b.pk]}).content.decode()
    assert "没有选中党员" in page and LEAK_MARKER not in page
    # member_a is already away (外出): the API's refusal is structured and names the member
    body = assert_error(
        api.post(
            "/api/v1/members/bulk/mobile-out",
            {"member_ids": [w.member_a.pk], "on": "2026-01-05", "destination": "杭州"},
        ),
        409,
        "bulk_refused",
    )
    assert w.member_a.person.name in body["message"]


GOOD_ID = rid("19900101", 301)


def enrol_form(w, **over):
    data = {
        "name": "新党员",
        "resident_id": GOOD_ID,
        "phone": "13912345678",
        "org": w.branch_a.code,
        "standing": "probationary",
        "joined_on": "2025-06-01",
        "ethnicity": "汉族",
    }
    return data | over


def wrong_check_digit(value: str) -> str:
    return value[:-1] + ("0" if value[-1] != "0" else "1")


BAD_INPUTS = [
    ("resident_id", wrong_check_digit(GOOD_ID), "校验位"),
    ("resident_id", rid("20991231", 302), "出生日期"),
    ("phone", "1391234567", "手机号码"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_INPUTS)
def test_enrol_page_and_api_refuse_bad_identifiers_in_chinese(w, field, value, message):
    c = Client()
    c.force_login(w.secretary_a)
    r = c.post("/members/new/", enrol_form(w, **{field: value}))
    html = r.content.decode()
    assert r.status_code == 400 and message in html
    assert 'value="新党员"' in html  # nothing typed is lost
    api = ApiClient(w.secretary_a)
    payload = {k: v for k, v in enrol_form(w, **{field: value}).items() if k != "org"} | {
        "org_id": w.branch_a.pk
    }
    err = assert_error(api.post("/api/v1/members/enrol", payload), 422)
    assert message in err["message"] and err["details"][0]["loc"][-1] == field
    assert not Person.objects.filter(name="新党员").exists()


def test_enrol_registers_once_and_a_duplicate_id_is_refused(w):
    c = Client()
    c.force_login(w.secretary_a)
    r = c.post("/members/new/", enrol_form(w))
    assert r.status_code == 302
    member = Member.objects.get(person__name="新党员")
    assert member.person.resident_id == GOOD_ID and member.person.org == w.branch_a
    assert selectors.org_on(member, D(2025, 6, 1)) == w.branch_a
    r = c.post("/members/new/", enrol_form(w, name="又一个"))
    assert r.status_code == 400 and "该公民身份号码已登记" in r.content.decode()
    api = ApiClient(w.secretary_a)
    payload = {k: v for k, v in enrol_form(w, name="又一个").items() if k != "org"} | {
        "org_id": w.branch_a.pk
    }
    err = assert_error(api.post("/api/v1/members/enrol", payload), 409, "duplicate")
    assert "已登记" in err["message"]
    # the plaintext ID is in no page
    assert GOOD_ID not in c.get(f"/members/{member.pk}/").content.decode()


def test_enrol_is_scoped(w):
    c = Client()
    c.force_login(w.secretary_a)
    r = c.post("/members/new/", enrol_form(w, org=w.branch_b.code))
    assert r.status_code == 400  # not a choice: branch_b is not offered
    assert w.branch_b.name not in c.get("/members/new/").content.decode()
    api = ApiClient(w.secretary_a)
    payload = {k: v for k, v in enrol_form(w).items() if k != "org"} | {"org_id": w.branch_b.pk}
    assert_error(api.post("/api/v1/members/enrol", payload), 404)


def test_a_negative_income_is_refused_in_chinese_on_the_page_and_in_the_api(w):
    c = Client()
    c.force_login(w.secretary_a)
    url = f"/members/{w.member_a.pk}/declare/"
    r = c.post(url, {"basis": "salary", "amount": "-1", "month": "2026-01"})
    assert r.status_code == 400 and "不能为负" in r.content.decode()
    err = assert_error(
        ApiClient(w.secretary_a).post(
            f"/api/v1/members/{w.member_a.pk}/declarations",
            {"basis": "salary", "amount": "-1", "month": "2026-01-01"},
        ),
        422,
    )
    assert "不能为负" in err["message"]
    r = c.post(url, {"basis": "salary", "amount": "5000", "month": "2026-01"})
    assert r.status_code == 302
    assert w.member_a.declarations.get().amount == 5000
    assert c.get(f"/members/{w.member_b.pk}/declare/").status_code == 404


def test_the_payment_page_records_whole_months_and_refuses_in_chinese(w):
    services.income_declare(actor=None, member=w.member_a, basis="salary", amount="5000", month=D(2026, 1, 1))
    c = Client()
    c.force_login(w.secretary_a)
    url = f"/members/{w.member_a.pk}/pay/"
    assert "欠交" in c.get(url).content.decode()
    r = c.post(
        url,
        {
            "month_from": "2026-01",
            "month_to": "2026-02",
            "channel": "wechat",
            "paid_on": "2026-02-10",
            "amount": "1",
        },
    )
    assert r.status_code == 400 and "不能少于应交" in r.content.decode()
    assert not w.member_a.payments.exists()
    r = c.post(
        url, {"month_from": "2026-01", "month_to": "2026-02", "channel": "wechat", "paid_on": "2026-02-10"}
    )
    assert r.status_code == 302
    payment = w.member_a.payments.get()
    assert (payment.month_from, payment.month_to, payment.due) == (
        D(2026, 1, 1),
        D(2026, 2, 1),
        100,
    )  # 1% of 5000, two months
    r = c.post(url, {"month_from": "2026-02", "channel": "cash", "paid_on": "2026-02-11"})
    assert r.status_code == 400 and "的党费已交纳" in r.content.decode()
    r = c.post(url, {"month_from": "2026年2月", "channel": "cash", "paid_on": "2026-02-11"})
    assert r.status_code == 400 and "月份格式" in r.content.decode()
    assert c.get(f"/members/{w.member_b.pk}/pay/").status_code == 404
