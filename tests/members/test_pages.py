"""The member pages: a scoped list with filters and Chinese errors, a member's file with the history,
identifiers masked, the hidden flag for the organization department only."""

import datetime as dt

import pytest
from django.test import Client

from sanxin.core.errors import NotFound
from sanxin.members import services
from sanxin.members.dues import Basis
from sanxin.members.models import Hidden
from sanxin.orgs.services import person_phone_update
from tests.world import LEAK_MARKER, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def test_list_is_scoped_and_filters(w):
    c = Client()
    c.force_login(w.secretary_a)
    html = c.get("/members/").content.decode()
    assert w.member_a.person.name in html and LEAK_MARKER not in html
    assert w.member_a.person.name in c.get("/members/", {"mobile": "out"}).content.decode()
    assert w.member_a.person.name not in c.get("/members/", {"mobile": "in"}).content.decode()
    html = c.get("/members/", {"org": w.branch_b.code}).content.decode()
    assert "没有找到该组织，或它不在您的管理范围内" in html and LEAK_MARKER not in html
    assert "党员信息库" in c.get("/").content.decode()  # the nav entry


def test_arrears_filter(w):
    services.income_declare(actor=None, member=w.member_a, basis=Basis.FLAT, month=dt.date(2021, 3, 1))
    c = Client()
    c.force_login(w.office)
    html = c.get("/members/", {"arrears": "on"}).content.decode()
    assert w.member_a.person.name in html


def test_detail_shows_history_masked_ids_and_flags_to_the_department_only(w):
    services.member_flag_hidden(actor=w.office, member=w.member_a, hidden=Hidden.INVISIBLE, how="走访发现")
    c = Client()
    c.force_login(w.secretary_a)
    html = c.get(f"/members/{w.member_a.pk}/").content.decode()
    assert "组织关系历史" in html and w.branch_a.name in html and "广东省深圳市" in html
    assert "隐形党员" not in html and 'data-testid="hidden-flag"' not in html
    assert "欠交" in html
    assert c.get(f"/members/{w.member_b.pk}/").status_code == 404
    c.force_login(w.office)
    html = c.get(f"/members/{w.member_a.pk}/").content.decode()
    assert "隐形党员" in html and "走访发现" in html


def test_dues_ledger_page_and_excel(w):
    import io

    import openpyxl

    services.income_declare(
        actor=None, member=w.member_a, basis=Basis.SALARY, amount="4500", month=dt.date(2025, 1, 1)
    )
    services.dues_pay(
        actor=None,
        member=w.member_a,
        month_from=dt.date(2025, 1, 1),
        channel="wechat",
        paid_on=dt.date(2025, 1, 3),
    )
    c = Client()
    c.force_login(w.secretary_a)
    html = c.get("/members/dues/", {"month": "2025-01"}).content.decode()
    assert w.member_a.person.name in html and "45.00" in html and "微信" in html and LEAK_MARKER not in html
    assert "月份格式应为" in c.get("/members/dues/", {"month": "2025/13"}).content.decode()
    html = c.get("/members/dues/", {"org": w.branch_b.code}).content.decode()
    assert "不在您的管理范围内" in html and LEAK_MARKER not in html
    r = c.get("/members/dues/", {"org": w.branch_a.code, "month": "2025-02", "export": "xlsx"})
    assert r.status_code == 200
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.iter_rows(values_only=True)
    )
    assert rows[0][0] == "姓名" and rows[1][0] == w.member_a.person.name
    assert rows[1][4] == 45 and rows[1][6] == "未交"  # February: due, unpaid
    from sanxin.core.models import AuditLog

    assert AuditLog.objects.filter(
        action="export",
        object_id=str(w.branch_a.pk),
        actor_id=w.secretary_a.pk,
        message__contains="党费收缴台账",
    ).exists()


def test_home_cards(w):
    from sanxin.accounts.services import grant_create

    w.member_a.person.user = w.secretary_a
    w.member_a.person.save()
    services.income_declare(actor=None, member=w.member_a, basis=Basis.FLAT, month=dt.date(2025, 1, 1))
    grant_create(actor=None, user=w.secretary_a, role="member", org=w.branch_a)
    c = Client()
    c.force_login(w.secretary_a)
    html = c.get("/").content.decode()
    assert 'data-testid="my-membership"' in html and w.branch_a.name in html and "0.20 元" in html
    assert 'data-testid="follow-up-card"' in html and w.member_a.person.name in html  # months in arrears
    assert LEAK_MARKER not in html


def test_a_person_sees_their_record_and_corrects_only_their_phone(w):
    from django.contrib.auth import get_user_model

    from sanxin.core.models import AuditLog

    user = get_user_model().objects.create_user(username="liu", password="x-Strong-pass-1")
    person = w.member_a.person
    person.user = user
    person.save()
    c = Client()
    c.force_login(user)
    html = c.get("/members/me/").content.decode()
    assert "390*************13" in html and "138****0001" in html and w.branch_a.name in html
    assert "390102199001010013" not in html
    r = c.post("/members/me/", {"phone": "1380000000"})
    assert r.status_code == 400 and "11位" in r.content.decode()
    r = c.post("/members/me/", {"phone": "139 0000 0009"})
    assert r.status_code == 302
    person.refresh_from_db()
    assert person.phone == "13900000009"
    log = AuditLog.objects.get(action="phone_update", object_id=str(person.pk))
    assert log.actor_id == user.pk and "13900000009" not in str(log.after)
    # someone else's record is not theirs to change
    other = w.member_b.person
    with pytest.raises(NotFound):
        person_phone_update(actor=user, person=other, phone="13900000008")
