"""诉求 (连心桥) in a real browser (新河市 demo): the rider 李晨阳 (``dangyuan``) submits
"平台连续三个月克扣配送费，站长不给说法" from a phone-sized page; it is classified as 欠薪/劳动报酬 with
the rider's platform (蜂行快送) recognised and goes to the platform committee's 诉求处理小组
(``fengxing``), which transfers it to the 人社局 (``renshe``); the bureau answers; the rider rates
不满意, it reopens with the same bureau, is answered again and rated 满意 — and the organization
department's (``zzb``) 接诉即办 figures move by exactly this appeal."""

from __future__ import annotations

from sanxin.appeals.models import Appeal, Status
from tests.e2e.conftest import DESKTOP, SCREENSHOTS, login, open_page

TEXT = "平台连续三个月克扣配送费，站长不给说法"
WAIT = 30000


def _figures(page) -> dict[str, int]:
    page.goto("/appeals/metrics/")
    return {
        k: int(page.locator(f'[data-testid="{k}"]').inner_text())
        for k in ("received", "resolved", "rated", "satisfied")
    }


def _act(page, button: str, message: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()
    page.get_by_text(message).first.wait_for(timeout=WAIT)


def test_rider_appeal_classified_routed_transferred_resolved_reopened_and_rated(
    phone_page, browser, live_server, demo
):
    office = open_page(browser, live_server.url, DESKTOP)
    login(office, "zzb")
    before = _figures(office)

    # 1. The rider submits from the phone.
    me = phone_page
    login(me, "dangyuan")
    me.goto("/appeals/new/")
    form = me.get_by_test_id("submit-form")
    form.get_by_role("radio", name="投诉", exact=True).check()
    form.get_by_label("遇到了什么问题").fill(TEXT)
    form.get_by_label("我已阅读并同意《诉求个人信息处理说明》").check()
    with me.expect_navigation():
        form.get_by_role("button", name="提交").click()
    me.get_by_text("诉求已提交").first.wait_for(timeout=WAIT)
    appeal = Appeal.objects.get(text=TEXT)
    assert appeal.category_id == "wages" and appeal.about.name == "蜂行快送新河区域有限公司"
    assert me.get_by_test_id("category").inner_text() == "欠薪/劳动报酬"
    assert me.get_by_test_id("holder").inner_text() == "中共蜂行快送新河区域公司委员会"
    me.screenshot(path=str(SCREENSHOTS / "appeals-phone.png"))

    # 2. The platform's group accepts it and transfers it to the 人社局.
    group = open_page(browser, live_server.url, DESKTOP)
    login(group, "fengxing")
    group.goto("/appeals/")
    with group.expect_navigation():
        group.get_by_role("link", name=appeal.number).click()
    assert group.get_by_test_id("about").inner_text() == "蜂行快送新河区域有限公司"
    _act(group, "受理", "已受理")
    group.get_by_label("转办给").select_option(label="新河市人力资源和社会保障局")
    group.get_by_label("转办理由").fill("涉及劳动报酬，平台协调未果，转人社部门依法处理")
    _act(group, "转办", "已转办")
    assert "主管部门" in group.get_by_test_id("holder").inner_text()

    # 3. The bureau accepts and answers.
    bureau = open_page(browser, live_server.url, DESKTOP)
    login(bureau, "renshe")
    bureau.goto(f"/appeals/{appeal.pk}/")
    _act(bureau, "受理", "已受理")
    bureau.get_by_label("答复诉求人（办理了什么、结果如何、下一步怎么做）").fill(
        "经劳动保障监察核查，站点已补发两个月的配送费差额，第三个月正在核对。"
    )
    _act(bureau, "答复办结", "已答复")

    # 4. The rider is not satisfied: it reopens with the same bureau.
    me.goto(f"/appeals/mine/{appeal.pk}/")
    me.get_by_test_id("reply").wait_for(timeout=WAIT)
    me.get_by_role("radio", name="不满意", exact=True).check()
    me.get_by_label("意见").fill("第三个月的还没补")
    _act(me, "提交评价", "感谢您的评价")
    appeal.refresh_from_db()
    assert (appeal.status, appeal.reopened, appeal.department.name) == (
        Status.HANDLING,
        1,
        "新河市人力资源和社会保障局",
    )

    # 5. Answered again, rated 满意.
    bureau.goto(f"/appeals/{appeal.pk}/")
    bureau.get_by_label("答复诉求人（办理了什么、结果如何、下一步怎么做）").fill(
        "第三个月的配送费差额420元已于今日补发到账，请查收；如再有克扣可直接拨打0391-8210 1234。"
    )
    _act(bureau, "答复办结", "已答复")
    me.goto(f"/appeals/mine/{appeal.pk}/")
    me.get_by_role("radio", name="满意", exact=True).check()
    _act(me, "提交评价", "感谢您的评价")
    assert me.get_by_test_id("status").inner_text() == "已办结"
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED and appeal.rating == "satisfied"

    # 6. The office's figures moved by exactly this appeal.
    after = _figures(office)
    assert after == {k: before[k] + 1 for k in before}
    for p in (me, office, group, bureau):
        assert p.console_errors == [] and p.csp_violations == [], (p.console_errors, p.csp_violations)
    for p in (office, group, bureau):
        p.context.close()
