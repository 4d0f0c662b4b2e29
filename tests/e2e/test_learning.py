"""学习教育 in a real browser (新河市 demo): the rider ``dangyuan`` opens, on a phone, a short lesson
recommended to riders, listens to its audio to the end, answers the check question and sees the credit
in "my hours"; the branch secretary ``shuji`` sees the rider leave the list of those behind.

The hours the rider still needs are made exactly the new lesson's (the office's configurable
requirement), so that one lesson is what moves the rider off the list."""

from __future__ import annotations

from decimal import Decimal

from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from sanxin.core import uploads
from sanxin.learning import selectors, services
from sanxin.learning.media import silent_wav
from sanxin.learning.models import Credit
from sanxin.members.models import Member
from sanxin.orgs.models import Org
from tests.e2e.conftest import DESKTOP, SCREENSHOTS, login, open_page

WAIT = 30000
HOURS = Decimal("0.5")
SECONDS = 10  # the audio's length: a report as it starts and as it ends (and one every ten seconds)
NEED = 9  # seconds of it to listen to: 90 %


def _publish_short_lesson(committee: Org):
    course = services.course_create(
        actor=None, publisher=committee, title="送餐路上的安全课", column="skills", sub_column="business",
        summary="骑手每天用得上的五分钟安全常识", occupations=["rider"], tags=["安全"],
    )  # fmt: skip
    audio = uploads.store(
        actor=None, purpose_name="learning.media", name="rain.wav", chunks=silent_wav(SECONDS, tone_hz=440)
    )
    lesson = services.lesson_add(
        actor=None, course=course, title="雨天骑行五要点", kind="audio", credit_hours=HOURS, media=audio,
        short="shift", occupations=["rider"], question="雨天路滑，转弯前应当怎么做？",
        choices=["保持车速", "提前减速", "急刹转向"], answer=1,
    )  # fmt: skip
    services.course_submit(actor=None, course=course)
    services.course_review(actor=None, course=course, approve=True)
    return lesson


def _behind_row(page, branch: Org, member: Member):
    page.goto(f"/learning/behind/?org={branch.pk}")
    page.get_by_test_id("behind").wait_for(timeout=WAIT)
    return page.get_by_test_id(f"behind-{member.pk}")


def test_rider_earns_the_missing_hours_with_a_recommended_short_lesson(
    phone_page, browser, live_server, demo
):
    rider = Member.objects.select_related("person__org").get(person__user__username="dangyuan")
    branch = rider.person.org
    lesson = _publish_short_lesson(Org.objects.get(name="中共新河市快递外卖行业委员会"))
    year = timezone.localdate().year
    had = selectors.year_of(rider, year)
    assert not selectors.is_cadre(rider, year)
    required = {"member": had.hours + HOURS, "cadre": Decimal("56")}

    with override_settings(LEARNING_REQUIRED_HOURS=required):
        secretary = open_page(browser, live_server.url, DESKTOP)
        login(secretary, "shuji")
        row = _behind_row(secretary, branch, rider)
        assert row.count() == 1 and "0.5" in row.inner_text()

        me = phone_page
        login(me, "dangyuan")
        me.goto("/learning/")
        with me.expect_navigation():
            me.get_by_test_id("recommended").get_by_role("link", name="更多").click()
        card = me.get_by_test_id("recommended-list").get_by_test_id(f"rec-{lesson.pk}")
        card.wait_for(timeout=WAIT)
        assert card.get_by_test_id("reasons").inner_text().strip()  # why it is recommended
        me.screenshot(path=str(SCREENSHOTS / "learning-phone.png"))
        with me.expect_navigation():
            card.get_by_role("link", name=lesson.title).click()

        # The audio plays from the start to its end; the player reports as it starts and as it ends.
        audio = me.get_by_test_id("audio")
        me.get_by_role("heading", name=lesson.title).click()  # a user gesture lets the page play sound
        with me.expect_response(lambda r: r.url.endswith("/heartbeat")):
            audio.evaluate("a => a.play()")
        expect(audio).to_have_js_property("ended", True, timeout=WAIT)
        progress = me.get_by_test_id("progress-text")
        expect(progress).to_have_text(f"{NEED} / {NEED} 秒", timeout=WAIT)  # counted by the server
        assert not Credit.objects.filter(member=rider, lesson=lesson).exists()  # the question is not answered

        form = me.get_by_test_id("answer-form")
        form.get_by_label("提前减速").check()
        with me.expect_navigation():
            form.get_by_role("button", name="提交答案").click()
        me.get_by_text("回答正确").first.wait_for(timeout=WAIT)
        assert progress.inner_text() == "已完成，已记入学时"
        credit = Credit.objects.get(member=rider, lesson=lesson)
        assert credit.hours == HOURS

        me.goto("/learning/")
        mine = me.get_by_test_id("my-hours")
        assert Decimal(mine.get_by_test_id("hours").inner_text()) == had.hours + HOURS
        assert "已完成本年度学时要求" in mine.inner_text()
        assert not me.console_errors and not me.csp_violations

        assert _behind_row(secretary, branch, rider).count() == 0
        assert not secretary.console_errors and not secretary.csp_violations
