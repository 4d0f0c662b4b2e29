"""双找双核 in a real browser (新河市 demo): the secretary of 蜂行快送城关站 uploads the demo rider list,
reviews the findings, the organization department and the 快递外卖 industry committee each confirm one,
and the member is then in the branch's member list."""

from __future__ import annotations

from sanxin.members.findings import riderlist
from sanxin.members.findings.models import Finding, FindingBatch
from sanxin.orgs.models import Org
from tests.e2e.conftest import DESKTOP, login, open_page

BRANCH = "蜂行快送城关站流动党员党支部"


def test_secretary_imports_the_rider_list_two_checks_register_the_member(page, browser, live_server, demo):
    login(page, "shuji")
    page.goto("/members/findings/")
    page.click('[data-testid="findings-upload"]')
    page.select_option("#id_platform", label=riderlist.PLATFORM_NAME)
    page.select_option("#id_region", label="新河市")
    page.set_input_files("#id_file", str(riderlist.path()))
    page.locator('[data-testid="findings-upload-form"]').get_by_role("button", name="上传").click()
    # the core import pages: the columns were recognised from the platform's headers
    mapping = page.locator('[data-testid="mapping-form"]')
    assert "骑手姓名" in mapping.inner_text()
    page.click("text=开始导入")
    page.wait_for_selector('[data-testid="import-progress"][data-status="done"]', timeout=60000)
    progress = page.locator('[data-testid="import-progress"]').inner_text()
    assert "新增10条" in progress and "2 行有错误" in progress
    page.click('[data-testid="import-result"]')

    batch = FindingBatch.objects.get()
    assert batch.stats["unmatched"] == riderlist.UNMATCHED and batch.stats["member"] == 6
    findings = page.locator('[data-testid="finding-list"]')
    assert findings.locator('tr[data-kind="member"]').count() == 6
    assert findings.locator('tr[data-kind="work"]').count() == 4
    page.select_option("#id_kind", "member")
    page.click("text=筛选")
    assert page.locator('[data-testid="finding-list"] tr[data-kind="work"]').count() == 0
    pocket = (
        Finding.objects.filter(batch=batch, kind="member", matched_by="resident_id").order_by("pk").first()
    )
    name = pocket.person.name
    page.get_by_role("link", name=name, exact=True).first.click()
    assert "名单记为党员" in page.locator('[data-testid="finding-facts"]').inner_text()
    assert page.locator('[data-testid="check-office"]').count() == 0  # the uploader checks nothing
    url = page.url

    branch = Org.objects.get(name=BRANCH)
    office = open_page(browser, live_server.url, DESKTOP)
    try:
        login(office, "zzb")
        office.goto(url)
        form = office.locator('[data-testid="check-office"]')
        form.locator('input[name="branch"]').fill(branch.code)
        form.get_by_role("button", name="核实属实").click()
        assert "请填写入党日期" in office.locator(".errors").inner_text()  # Chinese, and the branch kept
        form = office.locator('[data-testid="check-office"]')
        assert form.locator('input[name="branch"]').input_value() == branch.code
        form.locator('input[name="joined_on"]').fill("2023-07-01")
        form.locator('select[name="standing"]').select_option("full")
        form.locator('input[name="converted_on"]').fill("2024-07-01")
        form.get_by_role("button", name="核实属实").click()
        office.get_by_text("已记录核实结论").first.wait_for()
        assert "待核实" in office.locator('[data-testid="finding-status"]').inner_text()
        # the refused form answered 400 (the browser logs that), nothing else went wrong
        assert [e for e in office.console_errors if "status of 400" not in e] == []
    finally:
        office.context.close()

    industry = open_page(browser, live_server.url, DESKTOP)
    try:
        login(industry, "kuaidi")
        industry.goto(url)
        assert industry.locator('[data-testid="check-office"]').count() == 0
        industry.locator('[data-testid="check-industry"]').get_by_role("button", name="核实属实").click()
        industry.get_by_text("已记录核实结论").first.wait_for()
        assert "已核实并登记" in industry.locator('[data-testid="finding-status"]').inner_text()
        assert industry.console_errors == []
    finally:
        industry.context.close()

    page.goto(f"/members/?q={name}")
    members = page.locator('[data-testid="member-list"]').inner_text()
    assert name in members and BRANCH in members
    assert page.console_errors == [] and page.csp_violations == []
