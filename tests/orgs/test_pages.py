import datetime as dt

import pytest
from django.test import Client

from sanxin.core.models import Notification
from sanxin.orgs import services
from sanxin.orgs.models import Org, PostTitle
from sanxin.orgs.tasks import remind_renewals
from tests.world import LEAK_MARKER, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def as_user(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_tree_starts_at_scope_roots_and_expands_with_htmx(w):
    c = as_user(w.industry_x)
    html = c.get("/orgs/").content.decode()
    assert "快递外卖行业党委" in html and LEAK_MARKER not in html and "中共新河市委员会" not in html
    part = c.get(f"/orgs/{w.committee_x.pk}/children/", HTTP_HX_REQUEST="true").content.decode()
    assert "骑手流动党员党支部" in part and "<html" not in part
    assert c.get(f"/orgs/{w.committee_y.pk}/children/").status_code == 404


def test_search_and_as_of(w):
    services.org_rename(actor=None, org=w.branch_a, name="骑手第一流动党员党支部", on=dt.date(2024, 3, 1))
    c = as_user(w.office)
    html = c.get("/orgs/", {"q": "骑手"}).content.decode()
    assert "骑手第一流动党员党支部" in html
    old = c.get("/orgs/", {"on": "2023-06-01"}).content.decode()
    assert "骑手流动党员党支部" in old and "骑手第一流动党员党支部" not in old
    assert "历史视图" in old
    bad = c.get("/orgs/", {"on": "2023-02-30"}).content.decode()
    assert "日期格式应为" in bad


def test_create_with_bad_value_shows_chinese_error_then_saves(w):
    c = as_user(w.industry_x)
    url = f"/orgs/{w.committee_x.pk}/new/"
    form = c.get(url).content.decode()
    assert "组建组织" in form and "组织类别" in form
    data = {
        "name": "城关骑手第二流动党员党支部",
        "org_type": "group",
        "region": "390102001000",
        "founded_on": "2024-03-01",
    }
    r = c.post(url, data)
    assert r.status_code == 400
    assert "党小组只能设在党支部" in r.content.decode()
    assert not Org.objects.filter(name=data["name"]).exists()
    r = c.post(url, data | {"founded_on": "2024-13-01"})
    assert "日期格式应为" in r.content.decode()
    r = c.post(url, data | {"org_type": "mobile_branch"})
    assert r.status_code == 302
    org = Org.objects.get(name=data["name"])
    assert r["Location"] == f"/orgs/{org.pk}/"
    assert "已组建" in c.get(r["Location"]).content.decode()


def test_event_form_renames_and_refuses_out_of_scope_targets(w):
    c = as_user(w.industry_y)
    r = c.post(f"/orgs/{w.branch_c.pk}/event/", {"kind": "rename", "on": "2024-05-01", "name": ""})
    assert "更名请填写新名称" in r.content.decode()
    r = c.post(
        f"/orgs/{w.branch_c.pk}/event/",
        {"kind": "move", "on": "2024-05-01", "target_code": w.committee_x.code},
    )
    assert "不在您的管理范围内" in r.content.decode()
    r = c.post(
        f"/orgs/{w.branch_c.pk}/event/", {"kind": "rename", "on": "2024-05-01", "name": "网约车第一党支部"}
    )
    assert r.status_code == 302
    detail = c.get(f"/orgs/{w.branch_c.pk}/").content.decode()
    assert "由“网约车司机党支部”更名为“网约车第一党支部”" in detail


def test_detail_shows_posts_and_term_alert(w):
    services.org_renew(actor=None, org=w.branch_a, on=w.branch_a.founded_on, term_years=1)
    html = as_user(w.secretary_a).get(f"/orgs/{w.branch_a.pk}/").content.decode()
    assert "已超期未换届" in html and "张骑手" in html and "书记" in html


def test_renewal_card_and_reminders(w):
    services.org_renew(actor=None, org=w.branch_a, on=dt.date(2021, 1, 1), term_years=1)  # overdue since 2022
    person = w.branch_a.posts.get(title=PostTitle.SECRETARY).person
    person.user = w.secretary_a
    person.save()
    home = as_user(w.secretary_a).get("/").content.decode()
    assert "换届提醒" in home and "已超期" in home and "骑手流动党员党支部" in home
    assert remind_renewals() == 1
    assert remind_renewals() == 0  # once per org, term and state
    n = Notification.objects.get(recipient=w.secretary_a, kind="orgs.renewal")
    assert n.level == "alert" and "尽快换届" in n.title


def test_matrix_page_for_offices_only(w):
    assert as_user(w.secretary_a).get("/accounts/matrix/").status_code == 403
    html = as_user(w.office).get("/accounts/matrix/").content.decode()
    assert "权限矩阵" in html and "行业党委" in html and "组织及其下级" in html


def test_my_permissions_page(w):
    html = as_user(w.street_s_user).get("/accounts/me/").content.decode()
    assert "街道社区党(工)委" in html and "城关街道" in html


def test_login_locks_after_repeated_failures(w, settings):
    settings.AXES_ENABLED = True
    from tests.factories import PASSWORD

    c = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(5):
        c.post("/accounts/login/", {"username": w.secretary_a.username, "password": "wrong"})
    r = c.post("/accounts/login/", {"username": w.secretary_a.username, "password": PASSWORD})
    assert r.status_code == 429
    assert "登录已暂时锁定" in r.content.decode()
