"""发展党员 service rules: each refusal names its rule (by code), admission and conversion go through
the member registry's services, the 公示 outcome arrives by the core's closing event, quotas hold."""

import datetime as dt

import pytest

from sanxin.core import notices
from sanxin.core.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from sanxin.core.models import AuditLog, PublicNotice
from sanxin.members import services as member_services
from sanxin.members.models import Member, OrgRelation, Standing
from sanxin.members.pipeline import services
from sanxin.members.pipeline.models import CaseStatus, DevelopmentCase, DevelopmentQuota, Stage
from sanxin.orgs import services as org_services
from tests.world import build_world

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def w():
    return build_world()


BORN = D(1998, 5, 1)


def applicant(w, name="王申请", born=BORN, org=None, worker=False):
    person, _ = org_services.person_create(actor=None, name=name, org=org or w.branch_a, birth_date=born)
    if worker:
        member_services.employment_record(
            actor=None, person=person, kind="rider", since=D(2019, 1, 1), employer_name="蜂行快送"
        )
    return person


def refused(code, fn, **kw):
    with pytest.raises(RuleViolation) as exc:
        fn(**kw)
    assert exc.value.code == code, exc.value.message
    return exc.value


def to_candidate(w, person, actor=None):
    actor = actor or w.secretary_a
    case = services.case_create(actor=actor, person=person, org=w.branch_a, applied_on=D(2020, 1, 10))
    services.case_advance(actor=actor, case=case, stage=Stage.ACTIVIST, on=D(2020, 4, 1))
    services.case_advance(actor=actor, case=case, stage=Stage.CANDIDATE, on=D(2021, 4, 1))
    return DevelopmentCase.objects.get(pk=case.pk)


def pass_notice(case, capture, objection=False):
    notice = services.case_notice_open(actor=None, case=case, starts_on=D(2021, 4, 6))
    if objection:
        from tests.factories import UserFactory

        o = notices.objection_raise(
            actor=UserFactory(is_superuser=True),
            notice=notice,
            reason="该同志近期未参加组织生活",
            on=D(2021, 4, 7),
        )
        notices.objection_resolve(actor=None, objection=o, upheld=True, resolution="经核实情况属实")
    with capture(execute=True):
        notices.notice_close(actor=None, notice=notice, on=notice.ends_on + dt.timedelta(days=1))
    case.refresh_from_db()
    return notice


def test_the_whole_path_through_the_member_services(w, django_capture_on_commit_callbacks):
    person = applicant(w, worker=True)
    case = to_candidate(w, person)
    assert [s.stage for s in case.steps.all()] == ["applicant", "activist", "candidate"]
    services.quota_set(actor=w.office, committee=w.committee_x, year=2021, total=2, reserved=1)
    notice = pass_notice(case, django_capture_on_commit_callbacks)
    assert case.notice_result == PublicNotice.Status.PASSED
    assert case.next_due_on == notice.ends_on + dt.timedelta(days=1)
    case = services.case_advance(
        actor=w.industry_x,
        case=case,
        stage=Stage.PROBATIONARY,
        on=D(2021, 5, 10),
        documents=[{"name": "支部大会决议", "number": "骑支〔2021〕3号", "date": "2021-05-08"}],
    )
    member = Member.objects.get(person=person)
    assert member.standing == Standing.PROBATIONARY and member.joined_on == D(2021, 5, 10)
    assert OrgRelation.objects.filter(member=member, org=w.branch_a, end_on__isnull=True).count() == 2
    assert case.quota_committee == w.committee_x and case.new_employment is True
    assert services.quota_usage(w.committee_x, 2021) == {"used": 1, "new": 1, "other": 0}
    assert case.steps.get(stage="probationary").documents[0]["number"] == "骑支〔2021〕3号"
    refused(
        "probation", services.case_advance, actor=w.industry_x, case=case, stage=Stage.FULL, on=D(2022, 5, 9)
    )
    case = services.case_advance(actor=w.industry_x, case=case, stage=Stage.FULL, on=D(2022, 5, 10))
    member.refresh_from_db()
    assert member.standing == Standing.FULL and member.converted_on == D(2022, 5, 10)
    assert case.status == CaseStatus.DONE
    assert AuditLog.objects.filter(action="advance", object_id=str(case.pk)).count() == 4


def test_age_birth_date_duplicates_and_branch(w):
    young = applicant(w, "李年少", born=D(2003, 3, 2))
    e = refused(
        "too_young",
        services.case_create,
        actor=w.secretary_a,
        person=young,
        org=w.branch_a,
        applied_on=D(2021, 3, 1),
    )
    assert "18周岁" in e.message
    services.case_create(actor=w.secretary_a, person=young, org=w.branch_a, applied_on=D(2021, 3, 2))
    refused(
        "duplicate_case",
        services.case_create,
        actor=w.secretary_a,
        person=young,
        org=w.branch_a,
        applied_on=D(2021, 3, 2),
    )
    nobody, _ = org_services.person_create(actor=None, name="无生日", org=w.branch_a)
    refused(
        "no_birth_date",
        services.case_create,
        actor=w.secretary_a,
        person=nobody,
        org=w.branch_a,
        applied_on=D(2021, 3, 2),
    )
    refused(
        "already_member",
        services.case_create,
        actor=None,
        person=w.member_a.person,
        org=w.branch_a,
        applied_on=D(2021, 3, 2),
    )
    refused(
        "not_a_branch",
        services.case_create,
        actor=None,
        person=applicant(w, "赵某"),
        org=w.committee_x,
        applied_on=D(2021, 3, 2),
    )
    # resident ID gives the birth date when the birth field is empty
    rid_person, _ = org_services.person_create(
        actor=None, name="钱某", org=w.branch_a, resident_id="390102200901010014"
    )
    refused(
        "too_young",
        services.case_create,
        actor=None,
        person=rid_person,
        org=w.branch_a,
        applied_on=D(2026, 1, 1),
    )


def test_order_dates_and_the_activist_year(w):
    case = services.case_create(
        actor=w.secretary_a, person=applicant(w), org=w.branch_a, applied_on=D(2020, 1, 10)
    )
    refused(
        "step_order",
        services.case_advance,
        actor=w.secretary_a,
        case=case,
        stage=Stage.CANDIDATE,
        on=D(2021, 1, 1),
    )
    refused(
        "date_order",
        services.case_advance,
        actor=w.secretary_a,
        case=case,
        stage=Stage.ACTIVIST,
        on=D(2020, 1, 9),
    )
    future = dt.date.today() + dt.timedelta(days=3)
    refused(
        "future_date", services.case_advance, actor=w.secretary_a, case=case, stage=Stage.ACTIVIST, on=future
    )
    services.case_advance(actor=w.secretary_a, case=case, stage=Stage.ACTIVIST, on=D(2020, 4, 1))
    e = refused(
        "activist_period",
        services.case_advance,
        actor=w.secretary_a,
        case=case,
        stage=Stage.CANDIDATE,
        on=D(2021, 3, 31),
    )
    assert "2021-04-01" in e.message
    case = services.case_advance(actor=w.secretary_a, case=case, stage=Stage.CANDIDATE, on=D(2021, 4, 1))
    assert case.stage == Stage.CANDIDATE
    with pytest.raises(InvalidInput):
        services.case_advance(actor=w.secretary_a, case=case, stage="member", on=D(2021, 4, 2))


def test_admission_needs_a_passed_notice_approval_and_quota(w, django_capture_on_commit_callbacks):
    case = to_candidate(w, applicant(w))
    refused(
        "notice_required",
        services.case_advance,
        actor=w.industry_x,
        case=case,
        stage=Stage.PROBATIONARY,
        on=D(2021, 5, 10),
    )
    notice = services.case_notice_open(actor=w.secretary_a, case=case, starts_on=D(2021, 4, 6))
    assert notice.subject == case and notice.audience == w.branch_a
    case.refresh_from_db()
    refused(
        "notice_open",
        services.case_advance,
        actor=w.industry_x,
        case=case,
        stage=Stage.PROBATIONARY,
        on=D(2021, 5, 10),
    )
    refused(
        "notice_exists", services.case_notice_open, actor=w.secretary_a, case=case, starts_on=D(2021, 4, 6)
    )
    with django_capture_on_commit_callbacks(execute=True):
        notices.notice_close(actor=None, notice=notice, on=notice.ends_on + dt.timedelta(days=1))
    case.refresh_from_db()
    assert case.notice_result == "passed"
    # the committee above approves; the branch secretary may not
    with pytest.raises(PermissionDenied):
        services.case_advance(actor=w.secretary_a, case=case, stage=Stage.PROBATIONARY, on=D(2021, 5, 10))
    refused(
        "date_order",
        services.case_advance,
        actor=w.industry_x,
        case=case,
        stage=Stage.PROBATIONARY,
        on=notice.ends_on,
    )
    refused(
        "no_quota",
        services.case_advance,
        actor=w.industry_x,
        case=case,
        stage=Stage.PROBATIONARY,
        on=D(2021, 5, 10),
    )
    services.quota_set(actor=w.office, committee=w.committee_x, year=2021, total=1, reserved=1)
    e = refused(
        "quota_reserved",
        services.case_advance,
        actor=w.industry_x,
        case=case,
        stage=Stage.PROBATIONARY,
        on=D(2021, 5, 10),
    )
    assert "新就业群体" in e.message
    services.quota_set(actor=w.office, committee=w.committee_x, year=2021, total=2, reserved=1)
    services.case_advance(actor=w.industry_x, case=case, stage=Stage.PROBATIONARY, on=D(2021, 5, 10))
    assert not Member.objects.get(person=case.person).development_case.new_employment
    refused(
        "quota_below_used",
        services.quota_set,
        actor=w.office,
        committee=w.committee_x,
        year=2021,
        total=0,
        reserved=0,
    )
    # the reserved place is still there for a new-employment worker, then the quota is full
    rider = to_candidate(w, applicant(w, "孙骑手", worker=True))
    pass_notice(rider, django_capture_on_commit_callbacks)
    other = to_candidate(w, applicant(w, "周某"))
    pass_notice(other, django_capture_on_commit_callbacks)
    refused(
        "quota_reserved",
        services.case_advance,
        actor=w.industry_x,
        case=other,
        stage=Stage.PROBATIONARY,
        on=D(2021, 6, 1),
    )
    services.case_advance(actor=w.industry_x, case=rider, stage=Stage.PROBATIONARY, on=D(2021, 6, 1))
    refused(
        "quota_full",
        services.case_advance,
        actor=w.industry_x,
        case=other,
        stage=Stage.PROBATIONARY,
        on=D(2021, 6, 2),
    )


def test_an_upheld_objection_blocks_admission_and_allows_a_new_notice(w, django_capture_on_commit_callbacks):
    case = to_candidate(w, applicant(w))
    services.quota_set(actor=w.office, committee=w.committee_x, year=2021, total=5, reserved=0)
    pass_notice(case, django_capture_on_commit_callbacks, objection=True)
    assert case.notice_result == "objected" and case.next_due_on is None
    e = refused(
        "notice_objected",
        services.case_advance,
        actor=w.industry_x,
        case=case,
        stage=Stage.PROBATIONARY,
        on=D(2021, 5, 10),
    )
    assert "异议" in e.message
    second = services.case_notice_open(actor=w.secretary_a, case=case, starts_on=D(2021, 6, 1))
    assert second.pk != case.notice_id


def test_extension_once_within_half_a_year_to_a_year(w, django_capture_on_commit_callbacks):
    case = to_candidate(w, applicant(w))
    services.quota_set(actor=w.office, committee=w.committee_x, year=2021, total=5, reserved=0)
    refused(
        "not_probationary",
        services.case_extend,
        actor=w.industry_x,
        case=case,
        on=D(2021, 4, 2),
        until=D(2022, 12, 1),
        reason="考察",
    )
    pass_notice(case, django_capture_on_commit_callbacks)
    case = services.case_advance(actor=w.industry_x, case=case, stage=Stage.PROBATIONARY, on=D(2021, 5, 10))
    with pytest.raises(PermissionDenied):
        services.case_extend(
            actor=w.secretary_a, case=case, on=D(2022, 5, 1), until=D(2023, 1, 10), reason="需要继续考察"
        )
    refused(
        "extension_length",
        services.case_extend,
        actor=w.industry_x,
        case=case,
        on=D(2022, 5, 1),
        until=D(2022, 11, 9),
        reason="需要继续考察",
    )
    refused(
        "extension_length",
        services.case_extend,
        actor=w.industry_x,
        case=case,
        on=D(2022, 5, 1),
        until=D(2023, 5, 11),
        reason="需要继续考察",
    )
    case = services.case_extend(
        actor=w.industry_x, case=case, on=D(2022, 5, 1), until=D(2023, 1, 10), reason="需要继续考察"
    )
    assert case.next_due_on == D(2023, 1, 10)
    refused(
        "already_extended",
        services.case_extend,
        actor=w.industry_x,
        case=case,
        on=D(2022, 5, 2),
        until=D(2023, 1, 10),
        reason="再次延长",
    )
    e = refused(
        "probation", services.case_advance, actor=w.industry_x, case=case, stage=Stage.FULL, on=D(2022, 5, 10)
    )
    assert "延长" in e.message
    services.case_advance(actor=w.industry_x, case=case, stage=Stage.FULL, on=D(2023, 1, 10))


def test_ending_a_case_and_cancelling_probation(w, django_capture_on_commit_callbacks):
    case = services.case_create(
        actor=w.secretary_a, person=applicant(w), org=w.branch_a, applied_on=D(2020, 1, 10)
    )
    with pytest.raises(InvalidInput):
        services.case_end(actor=w.secretary_a, case=case, on=D(2020, 6, 1), reason=" ")
    case = services.case_end(actor=w.secretary_a, case=case, on=D(2020, 6, 1), reason="本人撤回申请")
    assert case.status == CaseStatus.TERMINATED
    refused(
        "case_closed",
        services.case_advance,
        actor=w.secretary_a,
        case=case,
        stage=Stage.ACTIVIST,
        on=D(2020, 7, 1),
    )
    # a new application after the ended one is a new case
    services.case_create(actor=w.secretary_a, person=case.person, org=w.branch_a, applied_on=D(2021, 1, 4))
    probationer = to_candidate(w, applicant(w, "吴预备"))
    services.quota_set(actor=w.office, committee=w.committee_x, year=2021, total=5, reserved=0)
    pass_notice(probationer, django_capture_on_commit_callbacks)
    probationer = services.case_advance(
        actor=w.industry_x, case=probationer, stage=Stage.PROBATIONARY, on=D(2021, 5, 10)
    )
    with pytest.raises(PermissionDenied):
        services.case_end(actor=w.secretary_a, case=probationer, on=D(2021, 9, 1), reason="违反纪律")
    probationer = services.case_end(actor=w.industry_x, case=probationer, on=D(2021, 9, 1), reason="违反纪律")
    assert probationer.status == CaseStatus.CANCELLED
    assert not OrgRelation.objects.filter(member=probationer.member, end_on__isnull=True).exists()
    probationer.member.refresh_from_db()
    assert (probationer.member.status, probationer.member.end_kind) == ("ended", "probation_cancelled")


def test_scope_of_the_writes(w):
    mine = services.case_create(
        actor=w.secretary_a, person=applicant(w), org=w.branch_a, applied_on=D(2020, 1, 10)
    )
    other = services.case_create(
        actor=None, person=applicant(w, "外支部", org=w.branch_b), org=w.branch_b, applied_on=D(2020, 1, 10)
    )
    with pytest.raises(NotFound):
        services.case_advance(actor=w.secretary_a, case=other, stage=Stage.ACTIVIST, on=D(2020, 4, 1))
    with pytest.raises(NotFound):
        services.case_create(
            actor=w.secretary_a,
            person=applicant(w, "某人", org=w.branch_b),
            org=w.branch_b,
            applied_on=D(2020, 1, 10),
        )
    with pytest.raises(NotFound):
        services.case_end(actor=w.industry_x, case=other, on=D(2020, 4, 1), reason="越界")
    with pytest.raises(NotFound):
        services.quota_set(actor=w.industry_x, committee=w.committee_x, year=2021, total=3)
    services.case_advance(actor=w.industry_x, case=mine, stage=Stage.ACTIVIST, on=D(2020, 4, 1))
    other.refresh_from_db()
    assert other.stage == Stage.APPLICANT
    refused("not_a_committee", services.quota_set, actor=w.office, committee=w.branch_a, year=2021, total=3)
    with pytest.raises(InvalidInput):
        services.quota_set(actor=w.office, committee=w.committee_x, year=2021, total=3, reserved=4)
    assert not DevelopmentQuota.objects.filter(year=2021).exists()
