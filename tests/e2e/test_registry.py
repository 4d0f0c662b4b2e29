"""数据比对 to 集中攻坚 in a real browser, as the organization department (新河市 demo)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl

import sanxin.demo
from sanxin.orgs.models import Org
from tests.e2e.conftest import login

SAMPLE = Path(sanxin.demo.__file__).parent / "data" / "xinchengqu-express-extract-2026-10.csv"


def test_extract_review_gaps_campaign_and_gap_list(page, demo):
    login(page, "zzb")
    page.goto("/registry/extracts/new/")
    page.select_option("#id_source", "market")
    page.select_option("#id_region", label="新城区")
    page.select_option("#id_industry", label="快递外卖")
    page.fill("#id_as_of", "2026-10-31")
    page.set_input_files("#id_file", str(SAMPLE))
    page.click("text=保存")
    # The column mapping was recognised from the Chinese headers; confirm it.
    mapping = page.locator('[data-testid="mapping-form"]')
    assert "企业名称" in mapping.inner_text()
    page.click("text=开始导入")
    page.wait_for_selector('[data-testid="import-progress"][data-status="done"]', timeout=30000)
    assert "新增3条" in page.locator('[data-testid="import-progress"]').inner_text()

    page.goto("/registry/extracts/")
    page.locator("table a").first.click()
    reviews = page.locator('[data-testid="reviews"]')
    assert "新河东速02快件服务部" in reviews.inner_text()
    reviews.get_by_role("button", name="是同一组织").click()
    page.get_by_text("已确认").first.wait_for()
    assert "确认为同一组织" in page.locator('[data-testid="reviews"]').inner_text()

    page.goto("/registry/organizations/?gap=blank&industry=express")
    blank = page.locator('[data-testid="registry-list"]').inner_text()
    assert "新河城关闪送跑腿服务部" in blank and "新河文昌同城配送站" in blank

    kd = Org.objects.get(name="中共新河市快递外卖行业委员会")
    page.goto("/registry/campaigns/new/")
    page.fill("#id_name", "新城区快递新业态攻坚")
    page.fill("#id_owner_org_code", kd.code)
    page.fill("#id_start_on", "2026-11-01")
    page.fill("#id_deadline", "2026-12-31")
    page.select_option("#id_gap", "blank")
    page.click("text=保存")
    targets = page.locator('[data-testid="targets"]').inner_text()
    assert "新河城关闪送跑腿服务部" in targets
    page.wait_for_selector('[data-testid="burndown"] svg')  # ECharts drew the burn-down

    page.goto("/registry/organizations/?gap=blank&industry=express")
    with page.expect_download() as info:
        page.click('[data-testid="export"]')
    data = Path(info.value.path()).read_bytes()
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "组织名称"
    names = {r[0] for r in rows[1:]}
    assert {"新河城关闪送跑腿服务部", "新河文昌同城配送站", "新河新华即时配送服务有限公司"} <= names
    assert all(r[10] == "空白点" for r in rows[1:])
    assert page.console_errors == []
