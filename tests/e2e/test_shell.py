"""The shell in a real browser: login, home, a notification read through htmx, Chinese rendering,
static files, CSP, the phone layout."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from sanxin.core import notify
from sanxin.core.models import Notification
from tests.e2e.conftest import (
    PHONE,
    SCREENSHOTS,
    is_cjk_font,
    launch_chromium,
    login,
    open_page,
    rendered_fonts,
)
from tests.factories import PASSWORD, UserFactory

NOTICE = "请于本周五前完成第三季度组织生活会"
STATIC = ["/static/sanxin/sanxin.css", "/static/vendor/htmx/htmx-2.0.11.min.js", "/static/sanxin/sanxin.js"]


def _member_with_a_notice():
    """王敏 with one unread notice, dated so that the committed screenshots do not change per run."""
    user = UserFactory(username="wangmin", display_name="王敏")
    n = notify.notify(recipient=user, kind="system", title=NOTICE, body="地点：党群服务中心二楼会议室")
    Notification.objects.filter(pk=n.pk).update(created_at=dt.datetime(2026, 11, 24, 1, 30, tzinfo=dt.UTC))
    return user


def test_login_home_and_read_a_notification(page, live_server):
    _member_with_a_notice()
    login(page, "wangmin", PASSWORD)
    assert page.url == f"{live_server.url}/"
    page.get_by_role("heading", name="您好，王敏").wait_for()
    card = page.locator('[data-card="core.notifications"]')
    assert card.get_by_role("heading").inner_text() == "最新消息"
    assert NOTICE in card.inner_text()
    assert page.get_by_test_id("unread-count").inner_text() == "1"

    for url in STATIC:
        assert (200, live_server.url + url) in page.responses, (url, page.responses)
    fonts = rendered_fonts(page, "h1.page-title")
    assert fonts and all(is_cjk_font(f) for f in fonts), fonts
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "home.png"))

    page.get_by_test_id("bell").click()
    page.wait_for_url("**/notifications/")
    item = page.get_by_test_id("notification")
    assert NOTICE in item.inner_text()
    page.evaluate("window.__samePage = true")  # gone if the click navigated instead of swapping
    with page.expect_response(
        lambda r: "/notifications/read/" in r.url and r.request.headers.get("hx-request") == "true"
    ) as read:
        item.get_by_role("button", name="标为已读", exact=True).click()
    assert read.value.status == 200
    item.get_by_role("button", name="标为已读").wait_for(state="detached")
    assert page.evaluate("window.__samePage") is True
    assert NOTICE in page.get_by_test_id("notification").inner_text()  # still listed, now read
    assert Notification.objects.get(title=NOTICE).read_at is not None

    # The header badge follows the unread count the view sends with HX-Trigger, without a reload.
    page.get_by_test_id("unread-count").wait_for(state="detached")
    page.reload()
    assert page.get_by_test_id("unread-count").count() == 0
    page.goto("/")
    assert page.get_by_test_id("unread-count").count() == 0
    assert page.console_errors == []
    assert page.csp_violations == []


def test_wrong_password_shows_the_chinese_error_and_stays(page):
    UserFactory(username="lisi")
    login(page, "lisi", "wrong-password")
    assert page.url.endswith("/accounts/login/")
    assert "用户名或密码错误" in page.get_by_role("alert").inner_text()
    assert page.get_by_role("heading", name="登录").is_visible()
    assert page.get_by_label("用户名", exact=True).input_value() == "lisi"
    assert page.get_by_label("密码", exact=True).input_value() == ""
    assert page.get_by_test_id("bell").count() == 0
    assert page.console_errors == []


def test_no_csp_violations_script_errors_or_broken_requests(page, live_server):
    user = UserFactory(username="zhaoliu")
    for i in range(3):
        notify.notify(recipient=user, kind="system", title=f"测试消息{i}")
    login(page, "zhaoliu", PASSWORD)
    for path in ["/", "/notifications/", "/notifications/preferences/", "/accounts/me/", "/api/v1/docs"]:
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    # an htmx swap (and django-htmx's headers) under the same policy
    page.goto("/notifications/")
    with page.expect_response(lambda r: "/notifications/read/" in r.url):
        page.get_by_role("button", name="全部标为已读").click()
    page.get_by_role("button", name="标为已读", exact=True).first.wait_for(state="detached")

    refused = [e for e in page.console_errors if "Content Security Policy" in e or "Refused" in e]
    assert refused == []
    assert page.csp_violations == []
    assert page.console_errors == []
    broken = [(s, u) for s, u in page.responses if s == 0 or s >= 400]
    assert broken == []
    assert {(200, live_server.url + url) for url in STATIC} <= set(page.responses)

    # The detector itself: an inline script injected now is refused and reported.
    page.evaluate("""() => {
        const s = document.createElement("script"); s.textContent = "window.__ran = 1";
        document.body.appendChild(s);
    }""")
    assert page.evaluate("window.__ran") is None
    for _ in range(100):  # the report arrives through the binding, asynchronously
        if any(v.startswith("script-src") for v in page.csp_violations):
            break
        page.wait_for_timeout(20)
    assert any(v.startswith("script-src") for v in page.csp_violations), page.csp_violations


def test_phone_layout_has_no_horizontal_scroll_and_a_menu(phone_page):
    page = phone_page
    _member_with_a_notice()
    login(page, "wangmin", PASSWORD)
    for path in ["/", "/notifications/", "/accounts/me/"]:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)
    page.goto("/")
    assert page.get_by_test_id("unread-count").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "home-phone.png"))

    nav = page.locator("#mainnav")
    toggle = page.get_by_role("button", name="菜单")
    assert not nav.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert nav.is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    nav.get_by_role("link", name="消息").click()
    page.wait_for_url("**/notifications/")
    assert NOTICE in page.get_by_test_id("notification").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.console_errors == []


def test_chinese_renders_with_a_cjk_font(page):
    page.goto("/accounts/login/")
    for selector in [".brand-text", "h1", "label[for=id_username]", "button[type=submit]", ".footer"]:
        fonts = rendered_fonts(page, selector)
        assert fonts and all(is_cjk_font(f) for f in fonts), (selector, fonts)


def test_the_font_check_fails_without_a_cjk_font(
    live_server, transactional_db, tmp_path, playwright_instance
):
    """The check above is worth something only if it fails where Chinese would be drawn as boxes:
    a chromium that sees the machine's fonts minus the CJK ones must fail it."""
    font_dirs = sorted(
        {
            p.parent
            for p in Path("/usr/share/fonts").rglob("*")
            if p.suffix.lower() in {".ttf", ".otf", ".ttc"}
        }
    )
    latin = [d for d in font_dirs if not any("cjk" in p.name.lower() for p in d.iterdir())]
    if not latin:
        pytest.skip("no non-CJK fonts on this machine to compare with")
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        + "".join(f"<dir>{d}</dir>" for d in latin)
        + f"<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>"
    )
    browser = launch_chromium(playwright_instance, env={**os.environ, "FONTCONFIG_FILE": str(conf)})
    try:
        page = open_page(browser, live_server.url, {"width": 1280, "height": 800})
        page.goto("/accounts/login/")
        fonts = rendered_fonts(page, "h1")
        assert fonts and not any(is_cjk_font(f) for f in fonts), fonts
    finally:
        browser.close()
