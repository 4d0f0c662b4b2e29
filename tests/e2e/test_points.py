"""积分管理 in a real browser (新河市 demo): the rider 李晨阳 (``dangyuan``) declares a volunteer deed
with a photo on a phone-sized page; the secretary of 蜂行快送城关站 (``shuji``) approves it, the
快递外卖 industry committee (``kuaidi``) confirms it and its 公示 opens on the branch's notice board;
the 公示 ends with nobody objecting (closed as the platform's daily job closes it), the points arrive,
and the rider buys a 新河书城 reading voucher that the bookshop's staff (``shudian``) redeem on the
partner page, seeing only a masked holder name."""

from __future__ import annotations

import datetime as dt

import segno
from django.utils import timezone

from sanxin.accounts.models import User
from sanxin.core import events, notices
from sanxin.core.models import Event, PublicNotice
from sanxin.points import selectors, services
from sanxin.points.models import Balance, Claim, ClaimStatus, Item, Offer, Voucher, VoucherStatus
from sanxin.transfers.credentials.codec import read_qr_png
from tests.e2e.conftest import DESKTOP, SCREENSHOTS, login, open_page

ITEM = "参加志愿服务活动"
DEED = "在城关街道路口开展文明交通劝导，提醒骑手和行人遵守信号灯，共劝导40余人次。"
PARTNER = "新河书城"
VOUCHER = "图书兑换券（50元）"
WAIT = 30000


def _figures(page) -> tuple[int, int]:
    """The rider's spendable and earned points as the page shows them."""
    spendable = int(page.locator('[data-testid="spendable"]').inner_text().strip())
    earned = int(page.locator('[data-testid="earned"]').inner_text().strip())
    return spendable, earned


def _photo(tmp_path) -> str:
    path = tmp_path / "志愿服务现场.png"
    segno.make("新河市文明交通劝导志愿服务", error="m").save(str(path), kind="png", scale=6, dark="#b91c1c")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return str(path)


def _close_notice(notice: PublicNotice) -> None:
    """The 公示 window has ended with no objection: close it as the daily job does, and deliver the
    closing event to its subscribers (a delivery already done is not run again)."""
    closed = notices.notice_close(actor=None, notice=notice, on=notice.ends_on + dt.timedelta(days=1))
    assert closed.status == PublicNotice.Status.PASSED
    event = Event.objects.get(key=f"notice_closed:{notice.pk}")
    for delivery_id in events.dispatch(event.pk):
        assert events.deliver(delivery_id)


def _reading_offer(member, spendable: int) -> Offer:
    """The bookshop's 图书兑换券 when the rider can afford it, otherwise the dearest reading offer of
    the bookshop within the rider's points."""
    offers = [
        o
        for o in selectors.offers_for(member)
        if o.partner.name == PARTNER and o.kind == "reading" and o.stock and o.price <= spendable
    ]
    assert offers, f"the rider cannot afford any reading offer of {PARTNER} with {spendable} points"
    return next((o for o in offers if o.title == VOUCHER), max(offers, key=lambda o: o.price))


def test_rider_declares_deed_points_credited_after_notice_and_voucher_redeemed(
    phone_page, page, browser, live_server, demo, tmp_path
):
    me = phone_page
    rider = User.objects.get(username="dangyuan")
    member = services.member_of(rider)
    name = member.person.name
    today = timezone.localdate()
    photo = _photo(tmp_path)

    # 1. The rider declares the volunteer deed with a photo on the phone.
    login(me, "dangyuan")
    me.goto("/points/me/")
    spendable_before, earned_before = _figures(me)
    balance = Balance.objects.get(member=member)
    assert (balance.spendable, balance.earned) == (spendable_before, earned_before)
    form = me.locator('[data-testid="declare-form"]')
    select = form.get_by_label("积分项目")
    option = select.locator("option", has_text=ITEM)
    assert option.count() == 1
    assert option.inner_text().startswith(f"志愿服务 · {ITEM}（+")
    select.select_option(value=option.get_attribute("value"))
    item = Item.objects.get(pk=int(option.get_attribute("value")))
    assert item.name == ITEM and item.points > 0
    form.get_by_label("事项日期").fill(f"{today:%Y-%m-%d}")
    form.get_by_label("事项经过").fill(DEED)
    form.get_by_label("证明材料（照片或PDF）").set_input_files(photo)
    last = Claim.objects.filter(member=member).order_by("-pk").values_list("pk", flat=True).first() or 0
    with me.expect_navigation():
        form.get_by_role("button", name="提交申报").click()
    me.get_by_text("申报已提交，等待党支部审核").first.wait_for(timeout=WAIT)
    claim = Claim.objects.get(member=member, pk__gt=last)
    assert claim.item == item and claim.deed_on == today and claim.status == ClaimStatus.SUBMITTED
    assert [f.content_type for f in claim.evidence.all()] == ["image/png"]
    mine = me.locator(f'[data-testid="claim-{claim.pk}"]')
    assert mine.locator('[data-testid="claim-status"]').inner_text() == "待支部审核"
    assert f"{ITEM}（+{item.points}分）" in mine.inner_text()
    assert me.console_errors == [] and me.csp_violations == []

    # 2. The branch secretary finds it waiting for the branch, looks at the photo, ticks it and approves.
    login(page, "shuji")
    page.goto("/points/")
    review = page.locator('[data-testid="review-queue"]')
    assert "待党支部审核" in review.locator("h2").inner_text()
    row = review.locator("tr", has=page.locator(f'input[name="claim"][value="{claim.pk}"]'))
    assert name in row.inner_text() and "待支部审核" in row.inner_text()
    with page.expect_navigation():
        row.get_by_role("link", name=ITEM).click()
    assert page.locator('[data-testid="status"]').inner_text() == "待支部审核"
    image = page.locator('[data-testid="evidence-image"]')
    image.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert page.locator('[data-testid="approve"]').inner_text() == "审核通过"
    page.goto("/points/")
    review = page.locator('[data-testid="review-queue"]')
    review.locator(f'input[name="claim"][value="{claim.pk}"]').check()
    with page.expect_navigation():
        review.locator('[data-testid="bulk-approve"]').click()
    page.get_by_text("已审核通过1条").first.wait_for(timeout=WAIT)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert page.console_errors == [] and page.csp_violations == []

    # 3. The industry committee confirms it on the claim's page: the 公示 opens.
    office = open_page(browser, live_server.url, DESKTOP)
    try:
        login(office, "kuaidi")
        office.goto("/points/")
        waiting = office.locator('[data-testid="confirm-queue"]')
        assert "待党委认定" in waiting.locator("h2").inner_text()
        row = waiting.locator("tr", has=office.locator(f'input[name="claim"][value="{claim.pk}"]'))
        assert name in row.inner_text() and "待党委认定" in row.inner_text()
        with office.expect_navigation():
            row.get_by_role("link", name=ITEM).click()
        assert office.locator('[data-testid="status"]').inner_text() == "待党委认定"
        with office.expect_navigation():
            office.get_by_role("button", name="认定并公示").click()
        office.get_by_text("已办理").first.wait_for(timeout=WAIT)
        assert office.locator('[data-testid="status"]').inner_text() == "公示中"
        assert office.console_errors == [] and office.csp_violations == []
    finally:
        office.context.close()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.NOTICE and claim.notice is not None
    notice = claim.notice
    assert notice.status == PublicNotice.Status.OPEN

    # 4. The rider sees it on the branch's 积分公示 board and as 公示中 on their own page.
    me.goto("/points/notices/")
    board = me.locator(f'[data-testid="notice-{claim.pk}"]')
    assert f"{name} · {ITEM}（+{item.points}分）" in board.locator("h2").inner_text()
    assert f"公示 {notice.starts_on:%Y-%m-%d} 至 {notice.ends_on:%Y-%m-%d}" in board.inner_text()
    assert "提出异议" in board.inner_text()
    me.goto("/points/me/")
    mine = me.locator(f'[data-testid="claim-{claim.pk}"]')
    assert mine.locator('[data-testid="claim-status"]').inner_text() == "公示中"
    assert f"公示至{notice.ends_on:%Y-%m-%d}" in mine.inner_text()
    assert _figures(me) == (spendable_before, earned_before)  # nothing is credited during the 公示

    # 5. The 公示 ends and nobody has objected: the points are credited.
    assert not notice.objections.exists()
    _close_notice(notice)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CREDITED
    me.reload()
    spendable, earned = _figures(me)
    assert (spendable, earned) == (spendable_before + item.points, earned_before + item.points)
    balance.refresh_from_db()
    assert (balance.spendable, balance.earned) == (spendable, earned)
    mine = me.locator(f'[data-testid="claim-{claim.pk}"]')
    assert mine.locator('[data-testid="claim-status"]').inner_text() == "已计入"
    history = me.locator('[data-testid="history"] tbody tr').first
    assert ITEM in history.inner_text() and f"+{item.points}" in history.inner_text()
    me.goto("/points/notices/")
    assert me.locator(f'[data-testid="notice-{claim.pk}"]').count() == 0

    # 6. The rider buys a reading voucher of the bookshop and gets its code and QR.
    offer = _reading_offer(member, spendable)
    me.goto("/points/me/")
    card = me.locator(f'[data-testid="offer-{offer.pk}"]')
    assert offer.title in card.inner_text() and f"{offer.price} 分" in card.inner_text()
    assert f"阅读 · {PARTNER}" in card.inner_text()
    with me.expect_navigation():
        card.get_by_role("button", name="兑换").click()
    me.get_by_text(f"兑换成功：{offer.title}").first.wait_for(timeout=WAIT)
    voucher = Voucher.objects.get(pk=int(me.url.rsplit("#voucher-", 1)[1]))
    assert voucher.member == member and voucher.offer == offer
    ticket = me.locator(f'[data-testid="voucher-{voucher.pk}"]')
    code = ticket.locator('[data-testid="voucher-code"]').inner_text().strip()
    assert code == voucher.code
    assert "待使用" in ticket.inner_text() and f"请到 {PARTNER}" in ticket.inner_text()
    qr = ticket.get_by_role("img", name="兑换码二维码")
    me.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    assert read_qr_png(qr.screenshot()) == [code]  # what the bookshop's scanner would read
    assert _figures(me) == (spendable - offer.price, earned)  # buying spends, never the earned total
    balance.refresh_from_db()
    assert (balance.spendable, balance.earned) == (spendable - offer.price, earned)
    me.locator('[data-testid="balance"]').scroll_into_view_if_needed()
    me.screenshot(path=str(SCREENSHOTS / "points-phone.png"))
    assert me.console_errors == [] and me.csp_violations == []

    # 7. The bookshop's staff type the code, see the service and a masked name, and redeem it once.
    shop = open_page(browser, live_server.url, DESKTOP)
    try:
        login(shop, "shudian")
        shop.goto("/points/redeem/")
        assert shop.locator("h1").inner_text() == "兑换券核销"
        shop.get_by_label("兑换码").fill(code)
        with shop.expect_navigation():
            shop.get_by_role("button", name="查询").click()
        found = shop.locator('[data-testid="voucher"]')
        assert found.locator("h2").inner_text() == offer.title
        facts = found.inner_text()
        holder = found.locator("dt", has_text="持券人").locator("xpath=following-sibling::dd[1]").inner_text()
        assert holder[0] == name[0] and len(holder) > 1 and set(holder[1:]) == {"*"}, holder
        assert name not in shop.inner_text("body")
        assert code in facts and found.locator('[data-testid="voucher-status"]').inner_text() == "待使用"
        shop.screenshot(path=str(SCREENSHOTS / "points-redeem.png"))
        with shop.expect_navigation():
            found.get_by_role("button", name="确认核销").click()
        shop.get_by_text(f"核销成功：{offer.title}").first.wait_for(timeout=WAIT)
        assert code in shop.locator("section", has_text="最近核销").inner_text()
        # the same code again, typed in lower case: 已核销, and no second redemption is offered
        shop.get_by_label("兑换码").fill(code.lower())
        with shop.expect_navigation():
            shop.get_by_role("button", name="查询").click()
        found = shop.locator('[data-testid="voucher"]')
        assert found.locator('[data-testid="voucher-status"]').inner_text() == "已核销"
        assert found.get_by_role("button", name="确认核销").count() == 0
        assert name not in shop.inner_text("body")
        assert shop.console_errors == [] and shop.csp_violations == []
    finally:
        shop.context.close()
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.REDEEMED and voucher.redeemed_by.username == "shudian"

    # 8. The rider's page shows the voucher used.
    me.goto("/points/me/")
    ticket = me.locator(f'[data-testid="voucher-{voucher.pk}"]')
    assert "已核销" in ticket.inner_text() and "核销" in ticket.locator("p").inner_text()
    assert ticket.locator('[data-testid="voucher-code"]').count() == 0
    assert ticket.get_by_role("button", name="取消兑换").count() == 0
    assert _figures(me) == (spendable - offer.price, earned)
    assert me.console_errors == [] and me.csp_violations == []
