"""The shell in a real browser: login, home, a notification, Chinese rendering, CSP, phone layout."""

from __future__ import annotations

from pathlib import Path

from sanxin.core import notify
from tests.e2e.conftest import login
from tests.factories import PASSWORD, UserFactory

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_login_home_and_notification(page, transactional_db):
    user = UserFactory(username="wangmin", display_name="王敏")
    notify.notify(recipient=user, kind="system", title="请于本周五前完成第三季度组织生活会", level="warning")
    login(page, "wangmin", PASSWORD)
    assert page.url.endswith("/")
    page.get_by_text("您好，王敏").wait_for()
    card = page.locator('[data-card="core.notifications"]')
    assert "请于本周五前完成第三季度组织生活会" in card.inner_text()
    assert page.locator('[data-testid="unread-count"]').inner_text() == "1"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "home.png"))

    page.click('[data-testid="bell"]')
    page.get_by_test_id("notification").get_by_role("button", name="标为已读", exact=True).click()
    page.wait_for_load_state("networkidle")
    page.reload()
    assert page.locator('[data-testid="unread-count"]').count() == 0
    assert page.console_errors == []


def test_chinese_renders_with_a_cjk_font_not_boxes(page, transactional_db):
    """Two different characters rendered as missing-glyph boxes look identical; with a CJK font
    they differ."""
    page.goto("/accounts/login/")
    page.evaluate("""() => {
        for (const [id, ch] of [["g1", "党"], ["g2", "建"]]) {
            const s = document.createElement("span"); s.id = id; s.textContent = ch;
            s.style.fontSize = "48px"; document.body.appendChild(s);
        }
    }""")
    a = page.locator("#g1").screenshot()
    b = page.locator("#g2").screenshot()
    assert a != b


def test_wrong_password_shows_chinese_error(page, transactional_db):
    UserFactory(username="lisi")
    login(page, "lisi", "wrong-password")
    assert "/accounts/login/" in page.url
    assert "用户名或密码错误" in page.locator(".errors").inner_text()


def test_no_csp_violations_or_script_errors(page, transactional_db):
    user = UserFactory(username="zhaoliu", perms=[])
    notify.notify(recipient=user, kind="system", title="测试")
    login(page, "zhaoliu", PASSWORD)
    for path in ["/", "/notifications/", "/accounts/me/", "/api/v1/docs"]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    blocked = [e for e in page.console_errors if "Content Security Policy" in e or "Refused" in e]
    assert blocked == []
    assert page.console_errors == []


def test_phone_layout_has_no_horizontal_scroll_and_a_menu(phone_page, transactional_db):
    page = phone_page
    UserFactory(username="qianqi")
    login(page, "qianqi", PASSWORD)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    nav = page.locator("#mainnav")
    assert not nav.is_visible()
    page.click("[data-toggle-nav]")
    assert nav.is_visible()
    page.screenshot(path=str(SCREENSHOTS / "home-phone.png"))
