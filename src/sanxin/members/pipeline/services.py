"""Writes of the development pipeline. Each takes the acting user (None for system jobs), checks the
people scope on the case's branch, applies the statutory rules, audits through the core services.

The rules, each refused with a ``RuleViolation`` naming it (stable codes in brackets):

- steps follow 入党申请人 → 入党积极分子 → 发展对象 → 预备党员 → 正式党员, one at a time
  (``step_order``), dated on or after the previous step (``date_order``), never in the future
  (``future_date``);
- the applicant is at least 18 on the day of the application (``too_young``);
- at least one year as 积极分子 before 发展对象 (``activist_period``);
- the 发展对象 公示 has closed without an upheld objection before the admission (``notice_required``,
  ``notice_open``, ``notice_objected``), which is dated after the 公示 ended (``date_order``);
- the admission counts against the yearly quota of the nearest committee above the branch
  (``no_quota``, ``quota_full``), and an admission of someone who is not a new-employment worker may
  not eat into the share reserved for them (``quota_reserved``);
- one year of probation — or the extended end — before conversion (``probation``); the probation is
  extended once (``already_extended``) by six months to one year (``extension_length``).

Admission goes through ``members.services.member_register`` and conversion through
``member_convert``; cancelling a probationary membership through ``membership_end``.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from sanxin.core import events, notices
from sanxin.core.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from sanxin.core.models import PublicNotice
from sanxin.core.scope import scope_for
from sanxin.core.services import model_create, model_update
from sanxin.core.validators import resident_id_birth_date
from sanxin.orgs.models import BRANCH_TYPES, COMMITTEE_TYPES, Org, OrgStatus, Person

from .. import services as member_services
from ..models import Employment, EndKind, Member, Standing
from .models import CaseStatus, DevelopmentCase, DevelopmentQuota, DevelopmentStep, Stage

MIN_AGE = 18
ACTIVIST_YEARS = 1
PROBATION_YEARS = 1
EXTENSION_MIN_MONTHS = 6
EXTENSION_MAX_MONTHS = 12
NOTICE_DAYS = 5  # working days

ORDER = list(Stage.values)

# What each step produces (recorded by name, number and date; the page offers these names).
DOCUMENTS = {
    Stage.APPLICANT: ["入党申请书"],
    Stage.ACTIVIST: ["确定积极分子的支委会记录"],
    Stage.CANDIDATE: ["培养考察记录", "政审材料"],
    Stage.PROBATIONARY: ["公示情况", "入党志愿书", "支部大会决议", "上级党委审批", "入党宣誓"],
    Stage.FULL: ["转正申请", "转正决议", "上级党委审批"],
}
DECIDED_BY = {
    Stage.APPLICANT: "本人递交",
    Stage.ACTIVIST: "支部委员会",
    Stage.CANDIDATE: "支部委员会",
    Stage.PROBATIONARY: "支部大会，上级党委审批",
    Stage.FULL: "支部大会，上级党委审批",
}


def add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return d.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


add_years = member_services.add_years


def birth_date(person: Person) -> dt.date | None:
    if person.birth_date:
        return person.birth_date
    if person.resident_id:
        try:
            return resident_id_birth_date(person.resident_id)
        except ValueError:
            return None
    return None


def probation_end(case: DevelopmentCase) -> dt.date | None:
    if case.admitted_on is None:
        return None
    return case.probation_until or add_years(case.admitted_on, PROBATION_YEARS)


def step_on(case: DevelopmentCase, stage: str) -> dt.date | None:
    return DevelopmentStep.objects.filter(case=case, stage=stage).values_list("on", flat=True).first()


def is_new_employment(person: Person, on: dt.date) -> bool:
    return Employment.objects.filter(Employment.active_q(on), person=person).exists()


def committee_of(org: Org) -> Org | None:
    """The nearest org of committee type above ``org``: the one whose quota its admissions use."""
    above = [org.path[:i] for i in range(Org.steplen, len(org.path), Org.steplen)]
    return Org.objects.filter(path__in=above, org_type__in=COMMITTEE_TYPES).order_by("-depth").first()


# --- checks -----------------------------------------------------------------------------------------


def _check(actor, org: Org, action: str = "change") -> None:
    if actor is not None and not scope_for(actor, "people", action).contains(org):
        raise NotFound()


def _approve(actor, org: Org, what: str) -> None:
    """Admission and conversion are approved by the committee above the branch (上级党委审批)."""
    if actor is not None and not scope_for(actor, "people", "approve").contains(org):
        raise PermissionDenied(f"{what}须经上级党委审批，请由上级党委办理")


def _dated(on, field: str = "on") -> dt.date:
    if not isinstance(on, dt.date):
        raise InvalidInput("请填写日期", field=field)
    if on > timezone.localdate():
        raise RuleViolation("日期不能晚于今天：各步骤按实际发生日期记录", code="future_date", field=field)
    return on


def _branch(org: Org, field: str = "org") -> None:
    if org.status != OrgStatus.ACTIVE:
        raise RuleViolation(f"“{org.name}”已撤销或合并，不能承办发展党员", code="org_inactive", field=field)
    if org.org_type not in BRANCH_TYPES:
        raise RuleViolation("发展党员由党支部承办，请选择党支部", code="not_a_branch", field=field)


def _documents(documents, on: dt.date) -> list[dict]:
    out = []
    for i, doc in enumerate(documents or []):
        if not isinstance(doc, dict):
            raise InvalidInput("材料格式有误", field="documents")
        name = str(doc.get("name") or "").strip()
        number = str(doc.get("number") or "").strip()
        dated = doc.get("date") or None
        if not name:
            continue
        if len(name) > 100 or len(number) > 60:
            raise InvalidInput(f"第{i + 1}份材料的名称或编号过长", field="documents")
        if isinstance(dated, str):
            try:
                dated = dt.date.fromisoformat(dated)
            except ValueError:
                raise InvalidInput(f"第{i + 1}份材料的日期格式有误", field="documents") from None
        if dated is not None and dated > timezone.localdate():
            raise RuleViolation(f"材料“{name}”的日期不能晚于今天", code="future_date", field="documents")
        out.append({"name": name, "number": number, "date": dated.isoformat() if dated else ""})
    return out


def _lock(case: DevelopmentCase) -> DevelopmentCase:
    return (
        DevelopmentCase.objects.select_for_update(of=("self",))
        .select_related("org", "person")
        .get(pk=case.pk)
    )


def _open_case(case: DevelopmentCase) -> None:
    if case.status != CaseStatus.OPEN:
        raise RuleViolation(
            f"该发展党员档案已办结（{case.get_status_display()}），不能继续办理", code="case_closed"
        )


# --- the case ---------------------------------------------------------------------------------------


@transaction.atomic
def case_create(
    *,
    actor,
    person: Person,
    org: Org,
    applied_on: dt.date,
    documents=(),
    note: str = "",
) -> DevelopmentCase:
    """入党申请人: ``person`` applied to ``org`` (a branch, which handles the case) on ``applied_on``."""
    _check(actor, org)
    if (
        actor is not None
        and person.org_id is not None
        and not scope_for(actor, "people", "change").contains(person)
    ):
        raise NotFound()
    _branch(org)
    applied_on = _dated(applied_on, "applied_on")
    if Member.objects.filter(person=person).exists():
        raise RuleViolation("此人已是党员，不需要发展", code="already_member", field="person")
    if DevelopmentCase.objects.filter(person=person, status=CaseStatus.OPEN).exists():
        raise RuleViolation("此人已有一个进行中的发展党员档案", code="duplicate_case", field="person")
    born = birth_date(person)
    if born is None:
        raise RuleViolation(
            "没有出生日期（公民身份号码或出生日期），无法核对是否年满18周岁",
            code="no_birth_date",
            field="person",
        )
    if applied_on < add_years(born, MIN_AGE):
        raise RuleViolation(
            f"递交入党申请时须年满18周岁（{add_years(born, MIN_AGE):%Y-%m-%d}起）",
            code="too_young",
            field="applied_on",
        )
    docs = _documents(documents, applied_on)
    case = model_create(
        DevelopmentCase,
        actor=actor,
        person=person,
        org=org,
        stage=Stage.APPLICANT,
        applied_on=applied_on,
    )
    model_create(
        DevelopmentStep,
        actor=actor,
        case=case,
        stage=Stage.APPLICANT,
        on=applied_on,
        decided_by=DECIDED_BY[Stage.APPLICANT],
        documents=docs,
        note=(note or "").strip(),
    )
    events.publish("members.pipeline_opened", {"case_id": case.pk, "org_id": org.pk})
    return case


@transaction.atomic
def case_advance(
    *,
    actor,
    case: DevelopmentCase,
    stage: str,
    on: dt.date,
    decided_by: str = "",
    documents=(),
    note: str = "",
) -> DevelopmentCase:
    """Record the next step of ``case``: ``stage`` reached on ``on``."""
    case = _lock(case)
    _check(actor, case.org)
    if stage not in ORDER:
        raise InvalidInput("请选择阶段", field="stage")
    _open_case(case)
    on = _dated(on)
    current = ORDER.index(case.stage)
    if ORDER.index(stage) != current + 1:
        expected = Stage(ORDER[current + 1]).label if current + 1 < len(ORDER) else ""
        raise RuleViolation(
            f"发展党员须按步骤进行：当前为{case.get_stage_display()}，下一步是{expected}",
            code="step_order",
            field="stage",
        )
    last = DevelopmentStep.objects.filter(case=case).order_by("-on").values_list("on", flat=True).first()
    if last is not None and on < last:
        raise RuleViolation(f"日期不能早于上一步骤（{last:%Y-%m-%d}）", code="date_order", field="on")
    docs = _documents(documents, on)
    data: dict = {"stage": stage}
    if stage == Stage.ACTIVIST:
        data["next_due_on"] = add_years(on, ACTIVIST_YEARS)
    elif stage == Stage.CANDIDATE:
        activist_on = step_on(case, Stage.ACTIVIST)
        due = add_years(activist_on, ACTIVIST_YEARS)
        if on < due:
            raise RuleViolation(
                f"确定为入党积极分子满一年后方可列为发展对象（{due:%Y-%m-%d}起）",
                code="activist_period",
                field="on",
            )
        data["next_due_on"] = None
    elif stage == Stage.PROBATIONARY:
        data |= _admit(actor, case, on)
    elif stage == Stage.FULL:
        _approve(actor, case.org, "预备党员转正")
        end = probation_end(case)
        if on < end:
            raise RuleViolation(
                f"预备期{'（已延长）' if case.probation_until else '为一年'}，{end:%Y-%m-%d}起方可转正",
                code="probation",
                field="on",
            )
        member_services.member_convert(actor=actor, member=case.member, on=on)
        data |= {"status": CaseStatus.DONE, "next_due_on": None}
    case, _ = model_update(case, actor=actor, data=data, action="advance")
    model_create(
        DevelopmentStep,
        actor=actor,
        case=case,
        stage=stage,
        on=on,
        decided_by=(decided_by or "").strip() or DECIDED_BY[Stage(stage)],
        documents=docs,
        note=(note or "").strip(),
    )
    events.publish("members.pipeline_advanced", {"case_id": case.pk, "stage": stage, "on": on.isoformat()})
    return case


def _admit(actor, case: DevelopmentCase, on: dt.date) -> dict:
    """发展对象 → 预备党员: approved above, after a passed 公示, within the committee's quota."""
    _approve(actor, case.org, "接收预备党员")
    if case.notice_id is None:
        raise RuleViolation("发展对象须经公示，公示期满无异议后方可接收为预备党员", code="notice_required")
    if case.notice_result == "" or case.notice.status == PublicNotice.Status.OPEN:
        raise RuleViolation(
            f"发展对象公示尚未结束（至{case.notice.ends_on:%Y-%m-%d}），公示期满无异议后方可接收",
            code="notice_open",
        )
    if case.notice_result != PublicNotice.Status.PASSED:
        raise RuleViolation("发展对象公示期间有异议经核实成立，不能接收为预备党员", code="notice_objected")
    if on <= case.notice.ends_on:
        raise RuleViolation(
            f"接收日期须晚于公示截止日期（{case.notice.ends_on:%Y-%m-%d}）", code="date_order", field="on"
        )
    committee = committee_of(case.org)
    new_employment = is_new_employment(case.person, on)
    quota = (
        DevelopmentQuota.objects.select_for_update().filter(committee=committee, year=on.year).first()
        if committee is not None
        else None
    )
    if quota is None:
        name = committee.name if committee is not None else "上级党委"
        raise RuleViolation(f"{name}{on.year}年度尚未下达发展党员名额", code="no_quota", field="on")
    used = quota_usage(committee, on.year)
    if used["used"] >= quota.total:
        raise RuleViolation(
            f"{committee.name}{on.year}年度发展党员名额（{quota.total}名）已用完",
            code="quota_full",
            field="on",
        )
    if not new_employment and used["other"] >= quota.total - quota.reserved:
        raise RuleViolation(
            f"{committee.name}{on.year}年度剩余名额为新就业群体预留（{quota.reserved}名），"
            "此人不是新就业群体从业者，不能占用",
            code="quota_reserved",
            field="on",
        )
    member = member_services.member_register(
        actor=actor,
        person=case.person,
        org=case.org,
        joined_on=on,
        standing=Standing.PROBATIONARY,
        note="发展党员：接收为预备党员",
    )
    return {
        "member": member,
        "admitted_on": on,
        "quota_committee": committee,
        "new_employment": new_employment,
        "next_due_on": add_years(on, PROBATION_YEARS),
    }


def quota_usage(committee: Org, year: int) -> dict:
    """Admissions counted against ``committee``'s quota of ``year``: all, and those of others than
    new-employment workers."""
    row = DevelopmentCase.objects.filter(quota_committee=committee, admitted_on__year=year).aggregate(
        used=Count("pk"), new=Count("pk", filter=Q(new_employment=True))
    )
    return {"used": row["used"], "new": row["new"], "other": row["used"] - row["new"]}


@transaction.atomic
def case_notice_open(
    *, actor, case: DevelopmentCase, starts_on: dt.date, window_days: int = NOTICE_DAYS
) -> PublicNotice:
    """The 发展对象 公示 to the branch: objections through the core 公示 service; its closing event
    (``core.notice_closed``) records the outcome on the case."""
    case = _lock(case)
    _check(actor, case.org)
    _open_case(case)
    if case.stage != Stage.CANDIDATE:
        raise RuleViolation("只有发展对象需要公示", code="not_candidate")
    starts_on = _dated(starts_on, "starts_on")
    candidate_on = step_on(case, Stage.CANDIDATE)
    if starts_on < candidate_on:
        raise RuleViolation(
            f"公示不能早于列为发展对象的日期（{candidate_on:%Y-%m-%d}）", code="date_order", field="starts_on"
        )
    if case.notice_id is not None and case.notice_result != PublicNotice.Status.OBJECTED:
        raise RuleViolation("该发展对象已公示", code="notice_exists")
    if not 1 <= int(window_days) <= 30:
        raise InvalidInput("公示期为1至30个工作日", field="window_days")
    notice = notices.notice_open(
        actor=actor,
        title=f"发展对象公示：{case.person.name}",
        body=f"{case.org.name}拟将{case.person.name}同志列为发展对象，现予公示。",
        subject=case,
        audience=case.org,
        starts_on=starts_on,
        window_days=int(window_days),
    )
    model_update(case, actor=actor, data={"notice": notice, "notice_result": ""}, action="notice")
    return notice


def notice_closed(event) -> None:
    """``core.notice_closed``: a 发展对象 公示 of a case ended; record the outcome. A passed 公示 makes
    the admission due the day after it ended."""
    payload = event.payload
    if payload.get("subject_type") != ContentType.objects.get_for_model(DevelopmentCase).pk:
        return
    case = DevelopmentCase.objects.select_for_update().filter(pk=payload.get("subject_id")).first()
    if case is None or case.notice_id != payload.get("notice_id"):
        return  # a superseded 公示
    notice = PublicNotice.objects.get(pk=case.notice_id)
    passed = notice.status == PublicNotice.Status.PASSED
    data = {
        "notice_result": notice.status,
        "next_due_on": notice.ends_on + dt.timedelta(days=1)
        if passed and case.status == CaseStatus.OPEN
        else None,
    }
    model_update(case, actor=None, data=data, action="notice_closed")


@transaction.atomic
def case_extend(*, actor, case: DevelopmentCase, on: dt.date, until: dt.date, reason: str) -> DevelopmentCase:
    """延长预备期: once, by six months to one year beyond the first year of probation."""
    case = _lock(case)
    _check(actor, case.org)
    _open_case(case)
    if case.stage != Stage.PROBATIONARY:
        raise RuleViolation("只有预备党员可以延长预备期", code="not_probationary")
    _approve(actor, case.org, "延长预备期")
    if case.probation_until is not None:
        raise RuleViolation("预备期只能延长一次", code="already_extended")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写延长预备期的原因", field="reason")
    on = _dated(on)
    if on < case.admitted_on:
        raise RuleViolation(
            f"决定日期不能早于接收为预备党员的日期（{case.admitted_on:%Y-%m-%d}）",
            code="date_order",
            field="on",
        )
    year_end = add_years(case.admitted_on, PROBATION_YEARS)
    shortest, longest = add_months(year_end, EXTENSION_MIN_MONTHS), add_months(year_end, EXTENSION_MAX_MONTHS)
    if not isinstance(until, dt.date) or not shortest <= until <= longest:
        raise RuleViolation(
            f"预备期可延长半年至一年：延长后的预备期应在{shortest:%Y-%m-%d}至{longest:%Y-%m-%d}之间结束",
            code="extension_length",
            field="until",
        )
    data = {"probation_until": until, "extended_on": on, "extension_reason": reason, "next_due_on": until}
    case, _ = model_update(case, actor=actor, data=data, action="extend")
    return case


@transaction.atomic
def case_end(*, actor, case: DevelopmentCase, on: dt.date, reason: str) -> DevelopmentCase:
    """终止发展 (before admission) or 取消预备党员资格 (a probationary member; approved above, and the
    membership ends through ``membership_end``)."""
    case = _lock(case)
    _check(actor, case.org)
    _open_case(case)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写原因", field="reason")
    on = _dated(on)
    last = DevelopmentStep.objects.filter(case=case).order_by("-on").values_list("on", flat=True).first()
    if last is not None and on < last:
        raise RuleViolation(f"日期不能早于上一步骤（{last:%Y-%m-%d}）", code="date_order", field="on")
    if case.stage == Stage.PROBATIONARY:
        _approve(actor, case.org, "取消预备党员资格")
        member_services.membership_end(
            actor=actor,
            member=case.member,
            on=on,
            how=EndKind.PROBATION_CANCELLED,
            reason=f"取消预备党员资格：{reason}",
        )
        status = CaseStatus.CANCELLED
    else:
        status = CaseStatus.TERMINATED
    data = {"status": status, "ended_on": on, "end_reason": reason, "next_due_on": None}
    case, _ = model_update(case, actor=actor, data=data, action="end")
    events.publish("members.pipeline_ended", {"case_id": case.pk, "status": status})
    return case


# --- quotas -----------------------------------------------------------------------------------------


@transaction.atomic
def quota_set(*, actor, committee: Org, year: int, total: int, reserved: int = 0) -> DevelopmentQuota:
    """A committee's admission quota for ``year`` and the share reserved for new-employment workers;
    never below what has been admitted already."""
    if actor is not None and not scope_for(actor, "people", "quota").contains(committee):
        raise NotFound()
    if committee.org_type not in COMMITTEE_TYPES:
        raise RuleViolation("发展党员名额下达到党委（含党工委、综合党委、行业党委）", code="not_a_committee")
    if not 2000 <= int(year) <= timezone.localdate().year + 1:
        raise InvalidInput("年度有误", field="year")
    if int(total) < 0 or int(reserved) < 0:
        raise InvalidInput("名额不能为负数", field="total")
    if int(reserved) > int(total):
        raise InvalidInput("新就业群体预留名额不能超过发展名额", field="reserved")
    used = quota_usage(committee, int(year))
    if int(total) < used["used"]:
        raise RuleViolation(f"本年度已接收{used['used']}名，名额不能少于已使用数", code="quota_below_used")
    quota = DevelopmentQuota.objects.select_for_update().filter(committee=committee, year=year).first()
    if quota is None:
        return model_create(
            DevelopmentQuota,
            actor=actor,
            committee=committee,
            year=int(year),
            total=int(total),
            reserved=int(reserved),
        )
    quota, _ = model_update(quota, actor=actor, data={"total": int(total), "reserved": int(reserved)})
    return quota
