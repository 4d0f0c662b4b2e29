"""The appeal's way: intake and routing, the three levels, reply, rating, reopening."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sanxin.appeals import services
from sanxin.appeals.models import Action, Appeal, Label, Level, Status
from sanxin.core.errors import NotFound, PermissionDenied, RuleViolation
from tests.appeals.conftest import WAGES, submit


def test_a_wages_complaint_is_classified_recognises_the_platform_and_goes_to_its_group(aw):
    a = submit(aw)
    assert a.category_id == "wages" and a.category_source == "model" and a.confidence >= 0.35
    assert a.about == aw.company and a.about_hq == aw.company  # "平台" = the rider's own platform
    assert (a.level, a.platform, a.branch) == (Level.PLATFORM, aw.platform, aw.branch)
    assert a.status == Status.RECEIVED and a.number.startswith("SQ")
    assert a.submitter == aw.rider and a.region_id == aw.branch.region_id and a.industry_id == "express"
    assert list(a.steps.values_list("action", flat=True)) == [Action.SUBMIT]


def test_a_named_platform_is_recognised_in_the_text_of_someone_who_does_not_work_there(aw):
    a = submit(aw, aw.other_rider, text="蜂行快送的站点拖欠我两个月工资一直不发", region="390103001000")
    assert a.about == aw.company and a.platform == aw.platform and a.level == Level.PLATFORM


def test_a_non_platform_matter_of_a_member_goes_to_the_branch_liaison(aw):
    a = submit(aw, text="孩子明年要上小学，外地户口需要准备什么材料，积分入学怎么申请", kind="consult")
    assert a.category_id == "schooling"
    assert (a.level, a.branch) == (Level.LIAISON, aw.branch)


def test_a_worker_without_a_branch_goes_to_the_department_of_the_category(aw):
    a = submit(aw, aw.worker, text="孩子明年要上小学，外地户口需要准备什么材料，积分入学怎么申请", kind="consult",
               region="390102001000")  # fmt: skip
    assert a.branch is None and a.level == Level.DEPARTMENT and a.department == aw.centre  # no 教育局 here


def test_skipping_the_platform_goes_straight_to_the_department_and_the_platform_never_sees_it(aw):
    a = submit(aw, skip_platform=True)
    assert (a.level, a.department, a.platform, a.branch) == (Level.DEPARTMENT, aw.hrss, None, None)
    from sanxin.core.scope import scope_for

    assert not scope_for(aw.platform_user, "appeals", "view").contains(a)
    assert not scope_for(aw.liaison, "appeals", "view").contains(a)
    assert scope_for(aw.hrss_user, "appeals", "view").contains(a)
    with pytest.raises(RuleViolation) as exc:
        services.appeal_transfer(actor=aw.hrss_user, appeal=a, level=Level.PLATFORM, unit_id=aw.platform.pk,
                                 reason="请平台先行处理")  # fmt: skip
    assert exc.value.code == "platform_skipped"


def test_an_ordered_service_goes_to_the_department_that_delivers_it(aw):
    a = submit(aw, text="想报名参加电动车维修技能培训，有补贴吗", kind="consult", category="traffic")
    assert a.is_order and a.category_source == "order"
    assert a.level == Level.DEPARTMENT


def test_the_full_chain_transfer_resolve_unsatisfied_reopen_resolve_satisfied(aw):
    a = submit(aw)
    with pytest.raises(RuleViolation) as exc:  # the liaison sees it (their branch) but does not hold it
        services.appeal_accept(actor=aw.liaison, appeal=a)
    assert exc.value.code == "not_holder"
    services.appeal_accept(actor=aw.platform_user, appeal=a)
    a.refresh_from_db()
    assert a.status == Status.HANDLING and a.responded_at is not None and a.stage_due is None
    services.appeal_transfer(actor=aw.platform_user, appeal=a, level=Level.DEPARTMENT, unit_id=aw.hrss.pk,
                             reason="涉及劳动报酬，平台协调未果，转人社部门")  # fmt: skip
    a.refresh_from_db()
    assert (a.level, a.department, a.status) == (Level.DEPARTMENT, aw.hrss, Status.RECEIVED)
    with pytest.raises(NotFound):  # transport's staff do not see it at all
        services.appeal_accept(actor=aw.transport_user, appeal=a)
    services.appeal_accept(actor=aw.hrss_user, appeal=a)
    services.appeal_resolve(
        actor=aw.hrss_user, appeal=a, reply="经劳动保障监察核实，站点已补发三个月配送费差额共计1260元。"
    )
    a.refresh_from_db()
    assert a.status == Status.RESOLVED and a.resolved_level == Level.DEPARTMENT
    with pytest.raises(NotFound):  # only the submitter rates
        services.appeal_rate(actor=aw.other_rider, appeal=a, rating="satisfied")
    services.appeal_rate(actor=aw.rider, appeal=a, rating="unsatisfied", comment="只补了两个月")
    a.refresh_from_db()
    assert (a.status, a.reopened, a.department) == (Status.HANDLING, 1, aw.hrss)
    services.appeal_resolve(
        actor=aw.hrss_user, appeal=a, reply="再次核查后，第三个月差额420元已于今日补发到账。"
    )
    services.appeal_rate(actor=aw.rider, appeal=a, rating="satisfied", comment="谢谢")
    a.refresh_from_db()
    assert a.status == Status.CLOSED and a.rating == "satisfied" and a.closed_at is not None
    actions = list(a.steps.values_list("action", flat=True))
    assert actions == [
        "submit", "accept", "transfer", "accept", "resolve", "rate", "reopen", "resolve", "rate", "close",
    ]  # fmt: skip


def test_unsatisfied_twice_goes_up_a_level(aw):
    a = submit(aw)
    services.appeal_accept(actor=aw.platform_user, appeal=a)
    for _ in range(2):
        services.appeal_resolve(
            actor=aw.platform_user, appeal=a, reply="已与站点沟通，配送费按规则重新核算。"
        )
        services.appeal_rate(actor=aw.rider, appeal=a, rating="unsatisfied", comment="没解决")
        a.refresh_from_db()
    assert (a.level, a.department, a.status, a.reopened) == (Level.DEPARTMENT, aw.hrss, Status.RECEIVED, 2)


def test_waiting_for_the_worker_stops_the_clock(aw):
    now = timezone.now()
    a = submit(aw, now=now)
    due = a.resolve_due
    services.appeal_ask(
        actor=aw.platform_user, appeal=a, question="请提供三个月的收入截图", now=now + dt.timedelta(hours=1)
    )
    later = now + dt.timedelta(days=8)
    services.appeal_answer(actor=aw.rider, appeal=a, text="截图已上传，请查看后台记录", now=later)
    a.refresh_from_db()
    assert a.status == Status.HANDLING and a.resolve_due > due and a.responded_at is not None


def test_an_unsure_guess_waits_for_a_person_whose_choice_becomes_training_data(aw, settings):
    settings.APPEALS_CLASSIFY_THRESHOLD = 1.01
    a = submit(aw, text="想问一下那个事情怎么弄")
    assert a.category is None and a.suggested is not None
    services.appeal_accept(actor=aw.platform_user, appeal=a)
    with pytest.raises(RuleViolation) as exc:
        services.appeal_resolve(actor=aw.platform_user, appeal=a, reply="已经帮你问清楚了，按流程办理即可。")
    assert exc.value.code == "unclassified"
    services.appeal_classify(actor=aw.platform_user, appeal=a, category="other")
    a.refresh_from_db()
    assert a.category_id == "other" and a.category_source == "human"
    assert Label.objects.get(appeal=a).category_id == "other"


def test_anonymous_appeals_hide_the_author_and_only_the_security_administrator_reveals_them(aw):
    a = submit(aw, anonymous=True)
    assert a.submitter is None and a.person is None and a.contact_name == "" and a.sealed
    assert services.is_owner(aw.rider, a) and not services.is_owner(aw.other_rider, a)
    with pytest.raises(NotFound):
        services.appeal_reveal(actor=aw.zzb, appeal=a, reason="核实重复举报情况")
    who = services.appeal_reveal(actor=aw.security, appeal=a, reason="核实重复举报情况")
    assert who["name"] == "李晨阳" and who["user_id"] == aw.rider.pk
    assert a.steps.filter(action=Action.REVEAL, actor=aw.security).exists()


def test_a_liaison_registers_for_someone_and_a_plain_user_cannot(aw):
    with pytest.raises(PermissionDenied):
        submit(aw, aw.rider, contact_name="王师傅", contact_phone="13912345678", channel="liaison")
    a = submit(aw, aw.liaison, text="王师傅反映小区不让电动车进，送餐只能走很远", kind="help",
               contact_name="王师傅", contact_phone="13912345678", channel="liaison")  # fmt: skip
    assert a.level == Level.LIAISON and a.branch == aw.branch and a.entered_by == aw.liaison
    assert a.submitter is None and a.contact_name == "王师傅"


def test_a_similar_appeal_within_days_is_flagged_and_can_be_merged(aw):
    first = submit(aw)
    second = submit(aw, text="平台连续三个月克扣我的配送费，站长也不给说法")
    assert second.duplicate_of == first
    services.appeal_merge(actor=aw.platform_user, appeal=second, into=first)
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.merged_into == first
    other = submit(
        aw, aw.other_rider, text="蜂行快送连续三个月克扣配送费，站长不给说法", region="390103001000"
    )
    assert other.platform == aw.platform and other.duplicate_of is None  # another person's
    with pytest.raises(RuleViolation) as exc:
        services.appeal_merge(actor=aw.platform_user, appeal=other, into=first)
    assert exc.value.code == "not_duplicate"


def test_withdraw_only_your_own_open_appeal(aw):
    a = submit(aw)
    with pytest.raises(NotFound):
        services.appeal_withdraw(actor=aw.other_rider, appeal=a)
    services.appeal_withdraw(actor=aw.rider, appeal=a, reason="已经和站长谈好了")
    assert Appeal.objects.get(pk=a.pk).status == Status.WITHDRAWN


def test_extension_before_the_deadline_decided_by_an_office(aw):
    a = submit(aw)
    services.appeal_accept(actor=aw.platform_user, appeal=a)
    ext = services.extension_request(
        actor=aw.platform_user, appeal=a, days=5, reason="需要调取三个月结算记录"
    )
    with pytest.raises(RuleViolation):
        services.extension_request(actor=aw.platform_user, appeal=a, days=2, reason="再延两天")
    due = Appeal.objects.get(pk=a.pk).resolve_due
    services.extension_decide(actor=aw.industry_user, extension=ext, approve=True, note="同意")
    assert Appeal.objects.get(pk=a.pk).resolve_due > due
    late = submit(aw, aw.other_rider, text="蜂行快送站点扣了我押金不退", region="390103001000")
    with pytest.raises(RuleViolation) as exc:
        services.extension_request(actor=aw.platform_user, appeal=late, days=2, reason="需要核实押金",
                                   now=late.resolve_due + dt.timedelta(minutes=1))  # fmt: skip
    assert exc.value.code == "too_late"
    assert WAGES  # the reserved sentence is the one the browser test submits
