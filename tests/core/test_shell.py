"""The pages shell: navigation and home cards registered by modules, CSP, request ids."""

import pytest

from sanxin.core import registry


@pytest.fixture
def extra_card():
    registry.card(
        registry.HomeCard(
            key="test.card",
            title="测试卡片",
            template="core/cards/notifications.html",
            order=5,
            context=lambda request: {"items": []},
            visible=lambda user: user.username.startswith("user"),
        )
    )
    registry.nav(
        registry.NavItem(
            key="test.nav",
            label="测试导航",
            url_name="core:notifications",
            order=5,
            visible=lambda user: user.is_superuser,
        )
    )
    yield
    registry._cards.pop("test.card")
    registry._nav.pop("test.nav")


@pytest.mark.django_db
def test_home_shows_registered_cards_to_whom_they_are_visible(client, user, extra_card):
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "测试卡片" in html and "最新消息" in html
    assert "测试导航" not in html  # visible to superusers only
    assert "审计日志" not in html  # office pages hidden from a plain user


@pytest.mark.django_db
def test_office_user_sees_system_navigation(client, office_user):
    client.force_login(office_user)
    html = client.get("/").content.decode()
    for label in ("审计日志", "工作日历", "数据导入"):
        assert label in html


@pytest.mark.django_db
def test_pages_carry_strict_csp_and_request_id(client, user):
    client.force_login(user)
    r = client.get("/", HTTP_X_REQUEST_ID="abcdef0123456789")
    csp = r["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and r["X-Frame-Options"] == "DENY"  # no clickjacking
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["X-Request-ID"] == "abcdef0123456789"
    bad = client.get("/", HTTP_X_REQUEST_ID="<script>")
    assert bad["X-Request-ID"] != "<script>" and len(bad["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_no_cdn_anywhere(client, user):
    import re

    client.force_login(user)
    html = client.get("/").content.decode() + client.get("/api/v1/docs").content.decode()
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert external == []


@pytest.mark.django_db
def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.django_db
def test_login_flow_in_chinese(client, user):
    from tests.factories import PASSWORD

    r = client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    assert "用户名或密码错误" in r.content.decode()
    r = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/"


@pytest.mark.django_db
def test_django_admin_is_for_superusers_only(client):
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/").status_code == 302
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200
