"""组织活动 in a real browser (新河市 demo): the rider ``dangyuan`` proposes, on a phone, a 夏季送清凉
activity in 需求征集; the other riders of the branch vote for it (prepared through the services), so it
leads the secretary's queue; the secretary ``shuji`` adopts it and creates the activity from it at
城关暖蜂驿站; riders sign up (one through the browser, the others prepared; the last one waitlisted),
the rider checks in with the code the secretary's roster shows and rates the activity; the office of the
industry committee ``kuaidi`` sees it in the participation statistics."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from sanxin.community.activities import services
from sanxin.community.activities.models import Activity, Need, Participation
from sanxin.community.demo import _branch_members
from sanxin.members.models import Member
from tests.e2e.conftest import DESKTOP, login, open_page

WAIT = 30000
TITLE = "夏季送清凉·城关站骑手专场"


def _local(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def test_a_riders_need_wins_becomes_an_activity_and_shows_in_the_statistics(
    phone_page, browser, live_server, demo
):
    rider = Member.objects.select_related("person__org", "person__user").get(
        person__user__username="dangyuan"
    )
    branch = rider.person.org
    others = [u for u in _branch_members(branch) if u.pk != rider.person.user_id]
    assert len(others) >= 3

    # 1. the rider proposes the need on a phone
    me = phone_page
    login(me, "dangyuan")
    me.goto("/community/activities/")
    with me.expect_navigation():
        me.get_by_test_id("needs-link").click()
    form = me.get_by_test_id("need-form")
    form.get_by_label("向哪个党组织提", exact=True).select_option(str(branch.pk))
    form.get_by_label("类型", exact=True).select_option("service")
    form.get_by_label("需求名称", exact=True).fill(TITLE)
    form.get_by_label("说明", exact=True).fill(
        "中午最热的时候，希望在城关暖蜂驿站给骑手准备绿豆汤和藿香正气水，歇口气再跑。"
    )
    with me.expect_navigation():
        form.get_by_test_id("need-submit").click()
    expect(me.get_by_test_id("need-status")).to_have_text("征集中")
    need = Need.objects.get(title=TITLE)
    assert need.proposer_id == rider.person.user_id

    # 2. the other riders vote for it (prepared): it leads the secretary's queue, who adopts it
    for voter in others:
        services.need_vote(actor=voter, need=need)
    secretary = open_page(browser, live_server.url, DESKTOP)
    login(secretary, "shuji")
    secretary.goto("/community/activities/manage/")
    first = secretary.get_by_test_id("needs-queue").locator("tbody tr").first
    expect(first).to_contain_text(TITLE)
    expect(first).to_contain_text(str(len(others)))
    with secretary.expect_navigation():
        first.get_by_role("link", name=TITLE).click()
    secretary.get_by_label("采纳说明或不予采纳的理由", exact=True).fill(
        "票数最高，支部采纳，本周在城关暖蜂驿站开展。"
    )
    with secretary.expect_navigation():
        secretary.get_by_test_id("adopt").click()

    # 3. the secretary creates the activity from it (prefilled) at the station
    form = secretary.get_by_test_id("activity-form")
    expect(secretary.get_by_test_id("from-need")).to_contain_text(TITLE)
    expect(form.get_by_label("活动名称", exact=True)).to_have_value(TITLE)
    start = timezone.now() + dt.timedelta(minutes=20)
    form.get_by_label("开始时间", exact=True).fill(_local(start))
    form.get_by_label("结束时间", exact=True).fill(_local(start + dt.timedelta(hours=2)))
    form.get_by_label("驿站", exact=True).select_option(label="城关暖蜂驿站")
    form.get_by_label("名额", exact=True).fill("2")
    form.get_by_label("每人志愿时长（小时）", exact=True).fill("2")
    with secretary.expect_navigation():
        form.get_by_test_id("activity-submit").click()
    code = secretary.get_by_test_id("checkin-code").inner_text().strip()
    activity = Activity.objects.get(need=need)
    assert activity.station.name == "城关暖蜂驿站" and code == activity.checkin_code
    need.refresh_from_db()
    assert need.status == "adopted"

    # 4. riders sign up: one before, the rider on the phone, one after (waitlisted)
    services.activity_signup(actor=others[0], activity=activity)
    me.goto(f"/community/activities/{activity.pk}/")
    expect(me.get_by_test_id("where")).to_contain_text("城关暖蜂驿站")
    with me.expect_navigation():
        me.get_by_test_id("signup").click()
    expect(me.get_by_test_id("my-status")).to_contain_text("已报名")
    late = services.activity_signup(actor=others[1], activity=activity)
    assert late.status == "waitlisted"
    services.checkin_code(actor=others[0], activity=activity, code=code)
    services.participation_rate(actor=others[0], activity=activity, rating=4)

    # the rider checks in with the code shown by the secretary, then rates
    me.get_by_label("签到码（活动现场由组织人出示）", exact=True).fill(
        "000000" if code != "000000" else "111111"
    )
    with me.expect_navigation():
        me.get_by_test_id("checkin").click()
    expect(me.get_by_test_id("form-error")).to_have_text("签到码不正确")
    me.get_by_label("签到码（活动现场由组织人出示）", exact=True).fill(code)
    with me.expect_navigation():
        me.get_by_test_id("checkin").click()
    expect(me.get_by_test_id("my-status")).to_contain_text("已签到")
    me.get_by_test_id("star-5").check()
    me.get_by_label("评价（可不填）", exact=True).fill("绿豆汤很解暑，谢谢支部！")
    with me.expect_navigation():
        me.get_by_test_id("rate").click()
    expect(me.get_by_test_id("my-rating")).to_contain_text("5 星")
    mine = Participation.objects.get(activity=activity, user_id=rider.person.user_id)
    assert mine.checkin_method == "code" and mine.rating == 5 and mine.hours == 2

    # 5. the office sees it in the participation statistics of the month
    office = open_page(browser, live_server.url, DESKTOP)
    login(office, "kuaidi")
    office.goto("/community/activities/")
    with office.expect_navigation():
        office.get_by_test_id("stats-link").click()
    office.get_by_label("月份", exact=True).fill(timezone.localtime(activity.starts_at).strftime("%Y-%m"))
    with office.expect_navigation():
        office.get_by_role("button", name="筛选").click()
    row = office.get_by_test_id("activity-stat-row").filter(has_text=TITLE)
    expect(row).to_have_count(1)
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    # 报名 2, 候补 1, 签到 2, 签到率 100%, 平均评分 4.5, 志愿时长 4 小时
    assert cells[3:9] == ["2", "1", "2", "100.0%", "4.5", "4.0"], cells

    for p in (me, secretary, office):
        # the refused check-in code answers 400 (the form with its reason), which chromium logs
        errors = [e for e in p.console_errors if "status of 400" not in e]
        assert errors == [] and p.csp_violations == [], (p.console_errors, p.csp_violations)
    secretary.context.close()
    office.context.close()
