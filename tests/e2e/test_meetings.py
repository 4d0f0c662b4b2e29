"""组织生活 in a real browser (新河市 demo): the secretary of 蜂行快送城关站 (``shuji``) schedules a 主题党日
at the city's party-mass service centre, shows the rotating check-in QR; the rider 李晨阳 (``dangyuan``)
scans it (the QR on the screen is decoded from a screenshot with zbar) and checks in on a phone-sized
page; another member asks for leave on the phone, the secretary grants it, closes the meeting, writes
and signs the minutes; the member then does the make-up; the 快递外卖 industry committee's compliance
table shows the branch's 主题党日 held and the branch compliant for the month."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from sanxin.accounts.models import User
from sanxin.meetings import services
from sanxin.meetings.models import (
    ATTENDED,
    Attendance,
    AttendanceStatus,
    Kind,
    MakeUp,
    Meeting,
    MeetingStatus,
)
from sanxin.members.models import Member, Mobility
from sanxin.orgs.models import Org
from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS, login, open_page

BRANCH = "蜂行快送城关站流动党员党支部"
TOPIC = "主题党日：学习新就业群体权益保障政策"
VENUE = "新河市党群服务中心"
LEAVE = "今天下午在外区跑单，无法到场"
REFLECTION = "认真阅读了会议记录和学习材料，今后在送单中亮身份、作表率，主动帮助身边的骑手。"
WAIT = 30000


def _second_member(branch: Org) -> Member:
    """A member of the branch at home and in good standing, given a login for the test (the demo's
    members other than dangyuan have none)."""
    member = (
        Member.objects.filter(person__org=branch, person__user__isnull=True, status="active")
        .exclude(pk__in=Mobility.objects.filter(end_on__isnull=True).values("member_id"))
        .select_related("person")
        .order_by("pk")
        .first()
    )
    user = User.objects.create_user(
        username="qishou2", password="sanxin2026", display_name=member.person.name
    )
    member.person.user = user
    member.person.save(update_fields=["user"])
    return member


def _committee_met_this_month(branch: Org) -> None:
    """The branch committee met earlier today (recorded from its sign-in sheet), so the month's other
    rule is met and the 主题党日 decides the month."""
    now = timezone.localtime()
    start = max(now - dt.timedelta(hours=2), now.replace(hour=0, minute=1, second=0, microsecond=0))
    m = services.meeting_schedule(
        actor=None,
        org=branch,
        kind=Kind.COMMITTEE,
        topic="支委会：研究本月工作",
        starts_at=start,
        mode="online",
        online_url="https://meet.xinhe.gov.cn/room/committee",
    )
    services.attendance_sheet(
        actor=None, meeting=m, present=list(m.attendances.values_list("member_id", flat=True))
    )
    services.meeting_close(actor=None, meeting=m, at=now)


def _scan(page) -> str:
    """Read the QR on the screen as a phone camera would: a screenshot of it, decoded by zbar."""
    from sanxin.transfers.credentials.codec import read_qr_png

    found = read_qr_png(page.locator('[data-testid="qr"]').screenshot())
    assert found, "zbar read no QR code off the screen"
    return found[0]


def test_secretary_holds_a_theme_day_member_checks_in_by_qr_another_makes_up(
    page, browser, live_server, demo
):
    branch = Org.objects.get(name=BRANCH)
    other = _second_member(branch)
    _committee_met_this_month(branch)
    start = timezone.localtime() - dt.timedelta(minutes=3)  # the meeting has begun: check-in is open

    # 1. The secretary schedules the 主题党日 at the city's centre.
    login(page, "shuji")
    page.goto("/meetings/")
    page.locator('[data-testid="new-meeting"]').click()
    form = page.locator('[data-testid="schedule-form"]')
    form.get_by_label("召开组织").select_option(label=BRANCH)
    form.get_by_label("会议类型").select_option(label="主题党日")
    form.get_by_label("主题").fill(TOPIC)
    form.get_by_label("日期").fill(f"{start:%Y-%m-%d}")
    form.get_by_label("开始时间").fill(f"{start:%H:%M}")
    form.get_by_label("形式").select_option(label="线下")
    form.get_by_label("场所").select_option(label=f"{VENUE}（{Org.objects.filter(depth=1).first().name}）")
    with page.expect_navigation():
        form.get_by_role("button", name="保存并通知").click()
    page.get_by_text("已安排主题党日").first.wait_for(timeout=WAIT)
    meeting = Meeting.objects.get(topic=TOPIC)
    assert meeting.org == branch and meeting.venue.name == VENUE and meeting.kind == Kind.THEME_DAY
    invited = set(
        Attendance.objects.filter(meeting=meeting).values_list("member__person__user__username", flat=True)
    )
    assert {"dangyuan", "qishou2"} <= invited

    # 2. The check-in screen with the rotating QR.
    page.locator('[data-testid="screen"]').click()
    page.locator('[data-testid="qr"] svg').wait_for()
    url = _scan(page)
    assert "/meetings/checkin/?t=" in url
    page.screenshot(path=str(SCREENSHOTS / "meeting-qr.png"))
    assert page.console_errors == [] and page.csp_violations == []

    # 3. The rider opens the scanned address on the phone and checks in.
    me = open_page(browser, live_server.url, PHONE)
    try:
        login(me, "dangyuan")
        me.goto(url[url.index("/meetings/checkin/") :])
        assert TOPIC in me.inner_text("body")
        with me.expect_navigation():
            me.locator('[data-testid="confirm-checkin"]').click()
        me.get_by_text(f"签到成功：{TOPIC}").first.wait_for(timeout=WAIT)
        me.screenshot(path=str(SCREENSHOTS / "meeting-phone.png"))
        assert me.console_errors == [] and me.csp_violations == []
    finally:
        me.context.close()
    mine = Attendance.objects.get(meeting=meeting, member__person__user__username="dangyuan")
    assert mine.status in ATTENDED and mine.method == "qr"  # 迟到 after ten minutes on a slow machine
    page.reload()
    assert "已签到 1 / " in page.locator('[data-testid="qr-counts"]').inner_text()

    # 4. Another member asks for leave on the phone.
    two = open_page(browser, live_server.url, PHONE)
    try:
        login(two, "qishou2")
        two.goto("/meetings/mine/")
        leave = two.locator(f'[data-testid="leave-form-{meeting.pk}"]')
        leave.get_by_placeholder("请假事由").fill(LEAVE)
        with two.expect_navigation():
            leave.get_by_role("button", name="请假").click()
        two.get_by_text("请假申请已提交").first.wait_for(timeout=WAIT)
        assert two.console_errors == [] and two.csp_violations == []

        # 5. The secretary grants the leave, closes the meeting, writes and signs the minutes.
        page.goto(f"/meetings/{meeting.pk}/")
        row = page.locator(f'[data-testid="leave-{other.person.name}"]')
        row.get_by_placeholder("意见").fill("同意，请会后补学")
        with page.expect_navigation():
            row.get_by_role("button", name="准假", exact=True).click()
        page.get_by_text("已处理请假申请").first.wait_for(timeout=WAIT)
        with page.expect_navigation():
            page.locator('[data-testid="close"]').click()
        page.get_by_text("会议已办结").first.wait_for(timeout=WAIT)
        assert "已召开" in page.locator('[data-testid="status"]').inner_text()
        minutes = page.locator('[data-testid="minutes-form"]')
        minutes.get_by_label("会议记录").fill("学习了新就业群体权益保障政策，骑手党员交流了送单中的体会。")
        with page.expect_navigation():
            minutes.get_by_role("button", name="保存记录").click()
        page.get_by_text("会议记录已保存").first.wait_for(timeout=WAIT)
        with page.expect_navigation():
            page.locator('[data-testid="sign"]').click()
        page.get_by_text("会议记录已签发").first.wait_for(timeout=WAIT)
        assert "已于" in page.locator('[data-testid="minutes"]').inner_text()
        assert page.console_errors == [] and page.csp_violations == []
        meeting.refresh_from_db()
        assert meeting.status == MeetingStatus.HELD and meeting.present_count >= 1

        # 6. The member on leave does the make-up on the phone.
        two.goto("/meetings/mine/")
        makeup = MakeUp.objects.get(attendance__meeting=meeting, attendance__member=other)
        task = two.locator(f'[data-testid="makeup-{makeup.pk}"]')
        task.get_by_label("学习体会（不少于20字）").fill(REFLECTION)
        with two.expect_navigation():
            task.get_by_role("button", name="提交补学").click()
        two.get_by_text("补学已完成").first.wait_for(timeout=WAIT)
        assert two.console_errors == [] and two.csp_violations == []
    finally:
        two.context.close()
    assert Attendance.objects.get(meeting=meeting, member=other).status == AttendanceStatus.MADE_UP

    # 7. The industry committee's compliance table for the month: the branch's 主题党日 held, compliant.
    office = open_page(browser, live_server.url, DESKTOP)
    try:
        login(office, "kuaidi")
        office.goto(f"/meetings/compliance/?period=month&on={meeting.held_on:%Y-%m-%d}")
        summary = office.locator('[data-testid="compliance-summary"]')
        summary.wait_for()
        # one level down the tree: the branch's row is still there, under its committee
        above = {o.name for o in Org.objects.get_ancestors(branch)}
        links = summary.get_by_role("link")
        name = next(t for t in (links.nth(i).inner_text() for i in range(links.count())) if t in above)
        with office.expect_navigation():
            summary.get_by_role("link", name=name, exact=True).click()
        assert "›" in office.locator(".crumbs").inner_text()
        row = office.locator(f'[data-testid="branch-{BRANCH}"]')
        assert row.locator('[data-testid="compliant"]').inner_text() == "达标"
        cells = row.locator("td")
        headers = office.locator('[data-testid="compliance-branches"] thead th')
        texts = [headers.nth(i).inner_text() for i in range(headers.count())]
        theme = next(i for i, t in enumerate(texts) if t.startswith("主题党日"))
        assert cells.nth(theme).inner_text().strip().startswith("1")
        office.screenshot(path=str(SCREENSHOTS / "meeting-compliance.png"), full_page=True)
        assert office.console_errors == [] and office.csp_violations == []
    finally:
        office.context.close()
