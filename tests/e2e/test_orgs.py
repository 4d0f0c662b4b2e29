"""The org tree in a real browser, as the demo's roles (新河市)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanxin.demo.registry import demo_logins
from sanxin.orgs.models import Org
from tests.e2e.conftest import login

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_every_demo_role_logs_in_and_sees_its_home(page, demo):
    logins = demo_logins()
    assert len(logins) >= 12
    for username, _role in logins:
        page.context.clear_cookies()
        login(page, username)
        assert page.locator("h1.page-title").inner_text().startswith("您好"), username
        nav = page.locator("#mainnav").inner_text()
        if username in {"zzb", "kuaidi", "chengguan", "shuji", "dangyuan"}:
            assert "组织体系" in nav, username
            assert page.locator('[data-card="orgs.renewals"]').count() == 1, username
        if username == "zzb":
            assert "审计日志" in nav and "权限矩阵" in nav
            page.screenshot(path=str(SCREENSHOTS / "home-office.png"))
        if username == "dangyuan":
            assert "审计日志" not in nav
    assert page.console_errors == []


def test_browse_search_and_the_tree_three_years_ago(page, demo):
    login(page, "zzb")
    page.click("#mainnav >> text=组织体系")
    tree = page.locator('[data-testid="tree"]')
    assert "中共新河市委员会" in tree.inner_text()
    city = Org.objects.get(name="中共新河市委员会")
    page.click(f'[data-testid="expand-{city.pk}"]')
    page.get_by_text("中共新河市快递外卖行业委员会").wait_for()
    kd = Org.objects.get(name="中共新河市快递外卖行业委员会")
    page.click(f'[data-testid="expand-{kd.pk}"]')
    page.get_by_text("临港分拣中心流动党员党支部").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "org-tree.png"))

    page.fill('[data-testid="org-search"]', "城关站")
    page.click("text=查询")
    results = page.locator('[data-testid="search-results"]').inner_text()
    assert "蜂行快送城关站流动党员党支部" in results

    page.goto("/orgs/")
    page.fill('[data-testid="org-search"]', "")
    page.fill('[data-testid="as-of"]', "2023-11-24")
    page.click("text=查询")
    then = page.locator('[data-testid="tree-as-of"]').inner_text()
    assert "历史视图" in page.content()
    # Founded in 2024, merged in 2024, renamed in 2025: the tree of three years ago differs.
    assert "临港分拣中心流动党员党支部" not in then
    assert "河东区网约车司机党支部" in then
    assert "中共急速达（新河）网络科技有限公司委员会" in then
    page.goto("/orgs/?on=2026-11-24")
    now = page.locator('[data-testid="tree-as-of"]').inner_text()
    assert "临港分拣中心流动党员党支部" in now and "河东区网约车司机党支部" not in now
    assert "中共急速达（新河）科技有限公司委员会" in now


def test_create_an_org_with_a_bad_value_then_fix_it(page, demo):
    login(page, "kuaidi")
    kd = Org.objects.get(name="中共新河市快递外卖行业委员会")
    page.goto(f"/orgs/{kd.pk}/")
    page.click("text=组建下级组织")
    page.fill("#id_name", "河东物流园骑手流动党员党支部")
    page.select_option("#id_org_type", label="党小组")
    page.select_option("#id_region", label="物流园街道")
    page.fill("#id_founded_on", "2026-11-01")
    page.click("text=保存")
    error = page.locator('[data-testid="org-form"] .error').first
    assert "党小组只能设在党支部" in error.inner_text()
    assert not Org.objects.filter(name="河东物流园骑手流动党员党支部").exists()
    page.select_option("#id_org_type", label="流动党员党支部")
    page.click("text=保存")
    page.get_by_text("已组建“河东物流园骑手流动党员党支部”").wait_for()
    assert "组织代码" in page.content()
    assert Org.objects.filter(name="河东物流园骑手流动党员党支部", status="active").exists()


@pytest.mark.parametrize(
    "query,name,visible",
    [("城关站", "蜂行快送城关站流动党员党支部", True), ("滨江站", "蜂行快送滨江站流动党员党支部", False)],
)
def test_street_sees_orgs_located_in_it_only(page, demo, query, name, visible):
    """城关街道 sees a branch located in it that belongs to the 快递外卖 committee's subtree, and not
    one located in another street."""
    login(page, "chengguan")
    page.goto(f"/orgs/?q={query}")
    results = page.locator('[data-testid="search-results"]').inner_text()
    assert ("流动党员党支部" in results) is visible
    branch = Org.objects.get(name=name)
    response = page.goto(f"/orgs/{branch.pk}/")
    assert (response.status == 200) is visible
    if not visible:
        assert "不在您的管理范围内" in page.content()
