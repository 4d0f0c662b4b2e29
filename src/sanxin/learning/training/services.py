"""Writes of training: programmes and their cohorts, enrolments, offline trainings with attendance and
the credit it gives, the lesson views learners leave, and reminders to members behind on their hours.

Who: an org's ``learning.create`` users organise programmes and offline trainings for it (its subtree);
``learning.change`` over a programme or training edits it and marks attendance; enrolling needs
``learning.change`` over the member, and the programme's org must be the member's org or above it (a
programme is for its organiser's subtree). Every write is audited.

Offline credit: an attendee marked present gets a ``learning.Credit`` of the training's hours, on the
training's day, announced as ``learning.credited`` (``"source": "training"``, ``lesson_id`` null) like a
lesson's. Correcting attendance — removing someone who was not there — is possible for
``LEARNING_TRAINING_CORRECTION_DAYS`` (30) days after they were marked present; it keeps the attendance
row (not present, with who, when and why) and records a reversing credit (the opposite hours, same day
and year, ``reverses`` the original) announced as ``learning.credit_reversed``; nothing is deleted.
After the window the credit is part of reported figures and the correction is refused
(``correction_closed``). Marking the member present again reverses the reversal.

Refusals: ``InvalidInput`` with the field; ``RuleViolation`` ``not_audience`` (a member outside the
programme's or training's org subtree), ``not_cadre`` (a 书记示范培训 takes office holders),
``already_enrolled``, ``not_held`` (attendance before the training's day), ``not_present``,
``correction_closed``, ``has_attendance`` (hours or day of a training with credits), ``not_behind``,
``reminded_recently``, ``no_account``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from sanxin.core import audit, events, notify
from sanxin.core.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from sanxin.core.scope import Scope, scope_for
from sanxin.members.models import Member, MemberStatus
from sanxin.orgs.models import Org

from .. import rules
from .. import selectors as learning_selectors
from ..models import Course, CourseStatus, Credit, Lesson
from .models import (
    TRACKS,
    Attendance,
    Audience,
    Cohort,
    Enrolment,
    LessonView,
    Programme,
    ProgrammeMode,
    Reminder,
    Track,
    Training,
)

REMINDER_KIND = "learning.behind"
MAX_TRAINING_HOURS = Decimal("80")
MAX_PROGRAMME_HOURS = Decimal("500")


def correction_days() -> int:
    return int(getattr(settings, "LEARNING_TRAINING_CORRECTION_DAYS", 30))


def reminder_days() -> int:
    return int(getattr(settings, "LEARNING_REMINDER_INTERVAL_DAYS", 7))


def _who(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _require(actor, action: str, obj, message: str = "不在你的管理范围内") -> None:
    if actor is not None and not scope_for(actor, "learning", action).contains(obj):
        raise PermissionDenied(message)


def _text(value, field: str, label: str, *, most: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"请填写{label}", field=field)
    if len(value) > most:
        raise InvalidInput(f"{label}不能超过{most}个字", field=field)
    return value


def _hours(value, field: str, *, most: Decimal) -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput("学时应为数字，如 2.5", field=field) from None
    if not hours.is_finite() or hours <= 0 or hours > most:
        raise InvalidInput(f"学时应大于 0 且不超过 {most}", field=field)
    if hours != hours.quantize(Decimal("0.01")):
        raise InvalidInput("学时最多保留两位小数", field=field)
    return hours


def _date(value, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or ""))
    except ValueError:
        raise InvalidInput("日期格式应为“年-月-日”", field=field) from None


def _under(org: Org, member: Member) -> bool:
    path = member.person.org.path if member.person.org_id else ""
    return path.startswith(org.path)


# --- programmes -------------------------------------------------------------------------------------


def _courses(org: Org, course_ids) -> list[Course]:
    """Published courses the programme's members can all open: those of the organiser or of an org
    above it."""
    ids = list(dict.fromkeys(int(i) for i in course_ids or []))
    if not ids:
        return []
    ancestors = learning_selectors._ancestor_paths(org.path)
    found = list(
        Course.objects.filter(pk__in=ids, status=CourseStatus.PUBLISHED, publisher__path__in=ancestors)
    )
    if len(found) != len(ids):
        raise InvalidInput("只能选择主办党组织或其上级已发布的课程", field="course_ids", code="bad_course")
    order = {pk: i for i, pk in enumerate(ids)}
    return sorted(found, key=lambda c: order[c.pk])


def _programme_fields(data: dict) -> dict:
    out = {}
    if "title" in data:
        out["title"] = _text(data["title"], "title", "培训班名称", most=120)
    if "summary" in data:
        out["summary"] = _text(data["summary"], "summary", "简介", most=2000, required=False)
    if "mode" in data:
        if data["mode"] not in ProgrammeMode.values:
            raise InvalidInput("请选择培训形式", field="mode")
        out["mode"] = data["mode"]
    if "audience" in data:
        if data["audience"] not in Audience.values:
            raise InvalidInput("请选择培训班类别", field="audience")
        out["audience"] = data["audience"]
    for key in ("starts_on", "ends_on"):
        if key in data:
            out[key] = _date(data[key], key)
    if "required_hours" in data:
        out["required_hours"] = _hours(data["required_hours"], "required_hours", most=MAX_PROGRAMME_HOURS)
    return out


def _check_dates(starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on < starts_on:
        raise InvalidInput("结束日期不能早于开始日期", field="ends_on")
    if (ends_on - starts_on).days > 366:
        raise InvalidInput("一个培训班最长一年", field="ends_on")


def programme_create(
    *,
    actor,
    org: Org,
    title: str,
    mode: str,
    starts_on,
    ends_on,
    required_hours,
    audience: str = Audience.GENERAL,
    summary: str = "",
    course_ids=(),
) -> Programme:
    if actor is not None and not scope_for(actor, "learning", "create").contains(org):
        raise PermissionDenied("该党组织不在你的管理范围内")
    fields = _programme_fields(
        {"title": title, "summary": summary, "mode": mode, "audience": audience, "starts_on": starts_on,
         "ends_on": ends_on, "required_hours": required_hours}
    )  # fmt: skip
    _check_dates(fields["starts_on"], fields["ends_on"])
    courses = _courses(org, course_ids)
    if fields["mode"] != ProgrammeMode.OFFLINE and not courses:
        raise InvalidInput("线上培训班请选择课程", field="course_ids")
    programme = Programme(org=org, **fields)
    programme.created_by = programme.updated_by = _who(actor)
    with transaction.atomic():
        programme.save()
        programme.courses.set(courses)
        after = audit.snapshot(programme)
        after["courses"] = [c.pk for c in courses]
        audit.record(actor=actor, action="programme_create", obj=programme, after=after)
    return programme


def programme_update(*, actor, programme: Programme, **data) -> Programme:
    _require(actor, "change", programme)
    allowed = {"title", "summary", "mode", "starts_on", "ends_on", "required_hours", "course_ids"}
    unknown = set(data) - allowed
    if unknown:
        raise InvalidInput(f"不允许修改字段：{', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    with transaction.atomic():
        programme = (
            Programme.objects.select_for_update(of=("self",)).select_related("org").get(pk=programme.pk)
        )
        before = audit.snapshot(programme)
        before["courses"] = sorted(programme.courses.values_list("pk", flat=True))
        for k, v in _programme_fields(data).items():
            setattr(programme, k, v)
        _check_dates(programme.starts_on, programme.ends_on)
        outside = programme.cohorts.filter(
            Q(starts_on__lt=programme.starts_on) | Q(ends_on__gt=programme.ends_on)
        )
        if outside.exists():
            raise InvalidInput("已有班次的日期超出新的起止日期，请先调整班次", field="starts_on")
        programme.updated_by = _who(actor)
        programme.save()
        if "course_ids" in data:
            courses = _courses(programme.org, data["course_ids"])
            if programme.mode != ProgrammeMode.OFFLINE and not courses:
                raise InvalidInput("线上培训班请选择课程", field="course_ids")
            programme.courses.set(courses)
        after = audit.snapshot(programme)
        after["courses"] = sorted(programme.courses.values_list("pk", flat=True))
        b, a = audit.diff(before, after)
        audit.record(actor=actor, action="programme_update", obj=programme, before=b, after=a)
    return programme


def cohort_add(
    *, actor, programme: Programme, name: str, track: str = "", starts_on=None, ends_on=None
) -> Cohort:
    """A cohort (期/班次) of ``programme``: a 书记示范培训's by tier (省级/市级/县级), a 新生代企业家
    培训's by growth stage, another's by round only. Its dates lie within the programme's."""
    _require(actor, "change", programme)
    name = _text(name, "name", "班次名称", most=60)
    track = track or ""
    if track not in TRACKS[Audience(programme.audience)]:
        choices = "、".join(str(Track(t).label) for t in TRACKS[Audience(programme.audience)] if t)
        raise InvalidInput(f"请选择{choices}" if choices else "该培训班的班次不分层级或阶段", field="track")
    starts_on = _date(starts_on, "starts_on") if starts_on else programme.starts_on
    ends_on = _date(ends_on, "ends_on") if ends_on else programme.ends_on
    if ends_on < starts_on:
        raise InvalidInput("结束日期不能早于开始日期", field="ends_on")
    if starts_on < programme.starts_on or ends_on > programme.ends_on:
        raise InvalidInput("班次日期须在培训班起止日期之内", field="starts_on")
    cohort = Cohort(programme=programme, name=name, track=track, starts_on=starts_on, ends_on=ends_on)
    cohort.created_by = cohort.updated_by = _who(actor)
    try:
        with transaction.atomic():
            cohort.save()
            audit.record(actor=actor, action="cohort_create", obj=cohort, after=audit.snapshot(cohort))
    except IntegrityError:
        raise InvalidInput("该培训班已有同名班次", field="name", code="duplicate") from None
    return cohort


def _members_in(scope: Scope, member_ids) -> list[Member]:
    ids = list(dict.fromkeys(int(i) for i in member_ids or []))
    if not ids:
        raise InvalidInput("请选择党员", field="member_ids")
    if len(ids) > 500:
        raise InvalidInput("一次最多 500 名党员", field="member_ids")
    found = {
        m.pk: m
        for m in scope.filter(Member.objects.filter(pk__in=ids)).select_related("person__org", "person__user")
    }
    if len(found) != len(ids):
        raise NotFound("有党员不存在或不在你的管理范围内")
    return [found[i] for i in ids]


def _check_inside(scope: Scope, actor, ids: list[int]) -> None:
    """Every member of ``ids`` inside ``scope`` (one query), else 404."""
    if actor is None or scope.everything:
        return
    inside = set(scope.filter(Member.objects.filter(pk__in=ids)).values_list("pk", flat=True))
    if len(inside) != len(set(ids)):
        raise NotFound("有党员不存在或不在你的管理范围内")


def members_for(actor, member_ids, action: str = "change") -> list[Member]:
    """The members with ``member_ids``, all inside the actor's ``learning.<action>`` scope (else 404)."""
    return _members_in(scope_for(actor, "learning", action), member_ids)


def enrol(*, actor, cohort: Cohort, members: list[Member]) -> list[Enrolment]:
    """Enrol ``members`` into ``cohort``, all or none: each current, inside the actor's scope and the
    programme's org subtree, not yet in the programme; a 书记示范培训 takes members holding a post of
    书记, 副书记 or 委员 this year."""
    programme = cohort.programme
    scope = scope_for(actor, "learning", "change")
    year = timezone.localdate().year
    rows = []
    with transaction.atomic():
        ids = [m.pk for m in members]
        taken = set(
            Enrolment.objects.filter(programme=programme, member__in=ids).values_list("member_id", flat=True)
        )
        _check_inside(scope, actor, ids)
        cadres = set()
        if programme.audience == Audience.SECRETARY:
            cadres = set(
                learning_selectors._cadre_posts(year)
                .filter(person_id__in=ids)
                .values_list("person_id", flat=True)
            )
        for m in members:
            name = m.person.name
            if m.status != MemberStatus.ACTIVE:
                raise RuleViolation(f"{name}不是正常党籍的党员", code="not_active")
            if not _under(programme.org, m):
                raise RuleViolation(f"{name}不在{programme.org.name}的范围内", code="not_audience")
            if programme.audience == Audience.SECRETARY and m.pk not in cadres:
                raise RuleViolation(f"{name}未担任党组织书记、副书记或委员", code="not_cadre")
            if m.pk in taken:
                raise RuleViolation(f"{name}已报名本培训班", code="already_enrolled")
            rows.append(Enrolment(programme=programme, cohort=cohort, member=m, enrolled_by=_who(actor)))
        try:
            with transaction.atomic():
                Enrolment.objects.bulk_create(rows)
        except IntegrityError:
            raise RuleViolation("有党员已报名本培训班", code="already_enrolled") from None
        rows = list(Enrolment.objects.filter(cohort=cohort, member__in=[m.pk for m in members]))
        audit.record_many(
            actor=actor,
            action="enrol",
            object_type=Enrolment._meta.label_lower,
            entries=[
                (e.pk, str(e), None, {"cohort": cohort.pk, "programme": programme.pk, "member": e.member_id})
                for e in rows
            ],
        )
    return rows


def withdraw(*, actor, cohort: Cohort, member: Member) -> None:
    """Take ``member`` out of ``cohort`` (credits they earned stay theirs)."""
    if actor is not None and not scope_for(actor, "learning", "change").contains(member):
        raise NotFound()
    with transaction.atomic():
        e = Enrolment.objects.filter(cohort=cohort, member=member).first()
        if e is None:
            raise RuleViolation("该党员不在本班次", code="not_enrolled")
        audit.record(actor=actor, action="withdraw", obj=e, before=audit.snapshot(e))
        e.delete()


# --- offline trainings -------------------------------------------------------------------------------


def _training_fields(data: dict) -> dict:
    out = {}
    if "title" in data:
        out["title"] = _text(data["title"], "title", "培训名称", most=120)
    if "place" in data:
        out["place"] = _text(data["place"], "place", "地点", most=120)
    if "summary" in data:
        out["summary"] = _text(data["summary"], "summary", "内容摘要", most=2000, required=False)
    if "held_on" in data:
        out["held_on"] = _date(data["held_on"], "held_on")
    if "hours" in data:
        out["hours"] = _hours(data["hours"], "hours", most=MAX_TRAINING_HOURS)
    return out


def _link(training: Training, programme: Programme | None, cohort: Cohort | None) -> None:
    """A training belongs to a programme its org can reach (its own, one of its subtree or above it) and
    to one of that programme's cohorts, on a day inside it."""
    if cohort is not None:
        programme = programme or cohort.programme
        if cohort.programme_id != programme.pk:
            raise InvalidInput("班次不属于所选培训班", field="cohort_id")
    if programme is not None:
        p, o = programme.org.path, training.org.path
        if not (p.startswith(o) or o.startswith(p)):
            raise InvalidInput("所选培训班与组织单位无关", field="programme_id")
        start, end = (cohort or programme).starts_on, (cohort or programme).ends_on
        if not (start <= training.held_on <= end):
            raise InvalidInput("培训日期不在所选培训班（班次）的起止日期内", field="held_on")
    training.programme, training.cohort = programme, cohort


def training_create(
    *,
    actor,
    org: Org,
    title: str,
    held_on,
    place: str,
    hours,
    summary: str = "",
    programme: Programme | None = None,
    cohort: Cohort | None = None,
) -> Training:
    if actor is not None and not scope_for(actor, "learning", "create").contains(org):
        raise PermissionDenied("该党组织不在你的管理范围内")
    fields = _training_fields(
        {"title": title, "held_on": held_on, "place": place, "hours": hours, "summary": summary}
    )
    training = Training(org=org, **fields)
    _link(training, programme, cohort)
    training.created_by = training.updated_by = _who(actor)
    with transaction.atomic():
        training.save()
        audit.record(actor=actor, action="training_create", obj=training, after=audit.snapshot(training))
    return training


def training_update(*, actor, training: Training, **data) -> Training:
    """Title, place and summary any time; the day and the hours only while nobody is credited."""
    _require(actor, "change", training)
    unknown = set(data) - {"title", "place", "summary", "held_on", "hours"}
    if unknown:
        raise InvalidInput(f"不允许修改字段：{', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    with transaction.atomic():
        training = (
            Training.objects.select_for_update(of=("self",))
            .select_related("org", "programme", "cohort")
            .get(pk=training.pk)
        )
        before = audit.snapshot(training)
        fields = _training_fields(data)
        changes_credit = any(k in fields and fields[k] != getattr(training, k) for k in ("held_on", "hours"))
        if changes_credit and training.credits.exists():
            raise RuleViolation("已有出勤记入学时，不能修改培训日期和学时", code="has_attendance")
        for k, v in fields.items():
            setattr(training, k, v)
        _link(training, training.programme, training.cohort)
        training.updated_by = _who(actor)
        training.save()
        b, a = audit.diff(before, audit.snapshot(training))
        audit.record(actor=actor, action="training_update", obj=training, before=b, after=a)
    return training


def _credit_payload(credit: Credit, training: Training) -> dict:
    return {
        "member_id": credit.member_id,
        "lesson_id": None,
        "course_id": None,
        "training_id": training.pk,
        "source": "training",
        "column": "",
        "short": "",
        "hours": str(credit.hours),
        "credits": str(credit.credits),
        "on": credit.on.isoformat(),
    }


def _standing(member_id: int, training: Training) -> Credit | None:
    """The last row of the member's credit chain for ``training``: the original credit, its reversal,
    the reversal's reversal ... (None: never credited)."""
    row = Credit.objects.filter(member_id=member_id, training=training, reverses__isnull=True).first()
    while row is not None:
        nxt = Credit.objects.filter(reverses=row).first()
        if nxt is None:
            return row
        row = nxt
    return None


def _give(training: Training, member: Member, actor) -> Credit:
    last = _standing(member.pk, training)
    if last is not None and last.hours > 0:
        return last  # already credited
    hours = training.hours
    credits = rules.to_credits(hours, Decimal(settings.LEARNING_CREDITS_PER_HOUR))
    on = training.held_on
    credit = Credit.objects.create(
        member=member, training=training, on=on, year=on.year, hours=hours, credits=credits,
        reverses=last, note="重新登记出席" if last is not None else "",
    )  # fmt: skip
    audit.record(
        actor=actor,
        action="training_credit",
        obj=credit,
        after={"member": member.pk, "training": training.pk, "hours": str(hours), "credits": str(credits)},
    )
    # A re-credit after a reversal has the same key: consumers (points) credited it once already.
    events.publish(
        "learning.credited",
        _credit_payload(credit, training),
        key=f"learning.credited:{member.pk}:training:{training.pk}",
    )
    return credit


def attendance_add(*, actor, training: Training, members: list[Member], now=None) -> list[Attendance]:
    """Mark ``members`` present at ``training`` (all or none) and credit each its hours once."""
    _require(actor, "change", training)
    now = now or timezone.now()
    if training.held_on > timezone.localdate(now):
        raise RuleViolation("培训尚未举行，不能登记出勤", code="not_held")
    scope = scope_for(actor, "learning", "change")
    out = []
    with transaction.atomic():
        training = Training.objects.select_for_update(of=("self",)).select_related("org").get(pk=training.pk)
        _check_inside(scope, actor, [m.pk for m in members])
        for m in members:
            if m.status != MemberStatus.ACTIVE:
                raise RuleViolation(f"{m.person.name}不是正常党籍的党员", code="not_active")
            if not _under(training.org, m):
                raise RuleViolation(f"{m.person.name}不在{training.org.name}的范围内", code="not_audience")
        for m in members:
            row = Attendance.objects.filter(training=training, member=m).first()
            if row is not None and row.present:
                out.append(row)
                continue
            if row is None:
                row = Attendance.objects.create(
                    training=training, member=m, present=True, marked_at=now, marked_by=_who(actor)
                )
                audit.record(actor=actor, action="attendance_add", obj=row, after=audit.snapshot(row))
            else:
                before = audit.snapshot(row)
                row.present, row.marked_at, row.marked_by = True, now, _who(actor)
                row.removed_at, row.removed_by, row.removed_reason = None, None, ""
                row.save()
                b, a = audit.diff(before, audit.snapshot(row))
                audit.record(actor=actor, action="attendance_add", obj=row, before=b, after=a)
            _give(training, m, actor)
            out.append(row)
    return out


def attendance_remove(*, actor, training: Training, member: Member, reason: str, now=None) -> Attendance:
    """Correct the attendance: ``member`` was not there after all. Within the correction window the
    row stays (not present, who, when, why) and the credit is reversed by a row of its own."""
    _require(actor, "change", training)
    reason = _text(reason, "reason", "更正原因", most=200)
    now = now or timezone.now()
    with transaction.atomic():
        training = Training.objects.select_for_update().get(pk=training.pk)
        row = Attendance.objects.filter(training=training, member=member).first()
        if row is None or not row.present:
            raise RuleViolation("该党员未登记出席本次培训", code="not_present")
        if now - row.marked_at > dt.timedelta(days=correction_days()):
            raise RuleViolation(
                f"登记出席已超过{correction_days()}天，学时已计入统计，不能再更正",
                code="correction_closed",
            )
        before = audit.snapshot(row)
        row.present, row.removed_at, row.removed_by, row.removed_reason = False, now, _who(actor), reason
        row.save()
        b, a = audit.diff(before, audit.snapshot(row))
        audit.record(actor=actor, action="attendance_remove", obj=row, before=b, after=a, message=reason)
        last = _standing(member.pk, training)
        if last is not None and last.hours > 0:
            reversal = Credit.objects.create(
                member=member, training=training, on=last.on, year=last.year, hours=-last.hours,
                credits=-last.credits, reverses=last, note=f"更正出勤：{reason}"[:200],
            )  # fmt: skip
            audit.record(
                actor=actor,
                action="training_credit_reverse",
                obj=reversal,
                after={"member": member.pk, "training": training.pk, "hours": str(reversal.hours)},
                message=reason,
            )
            events.publish(
                "learning.credit_reversed",
                {**_credit_payload(reversal, training), "reverses_id": last.pk, "reason": reason},
                key=f"learning.credit_reversed:{reversal.pk}",
            )
    return row


# --- views and reminders ---------------------------------------------------------------------------


def lesson_viewed(*, member: Member | None, lesson: Lesson, now=None) -> None:
    """Count a learner's opening of ``lesson``: once per member, lesson and day — one INSERT that the
    unique key turns into nothing when the member opened it already today (a reload adds nothing)."""
    if member is None:
        return
    on = timezone.localdate(now or timezone.now())
    LessonView.objects.bulk_create(
        [
            LessonView(
                lesson=lesson, member=member, on=on, org_id=member.person.org_id, column=lesson.course.column
            )
        ],
        ignore_conflicts=True,
    )


def reminders_send(
    *, actor, members: list[Member], year: int | None = None, now=None, explain_one: bool = True
) -> dict:
    """Remind each of ``members`` who is behind on ``year``'s hours (in-app, kind ``learning.behind``),
    at most once every ``LEARNING_REMINDER_INTERVAL_DAYS`` (7) days per member. Returns ``{"sent":
    [member ids], "skipped": [(member id, reason)]}``; with ``explain_one``, a single member's refusal is
    raised instead (the secretary clicked that one)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    year = year or today.year
    scope = scope_for(actor, "learning", "change")
    since = now - dt.timedelta(days=reminder_days())
    sent, skipped = [], []
    _check_inside(scope, actor, [m.pk for m in members])
    for m in members:
        with transaction.atomic():
            Member.objects.select_for_update().filter(pk=m.pk).first()  # one reminder at a time per member
            y = learning_selectors.year_of(m, year)
            why = None
            if y.hours >= y.required:
                why = ("not_behind", f"{m.person.name}已达到{year}年学时要求")
            elif m.person.user_id is None:
                why = ("no_account", f"{m.person.name}没有平台账号，请当面或电话提醒")
            else:
                last = Reminder.objects.filter(member=m, sent_at__gt=since).order_by("-sent_at").first()
                if last is not None:
                    local = timezone.localtime(last.sent_at)
                    why = (
                        "reminded_recently",
                        f"{m.person.name}已于{local:%m月%d日}提醒过，{reminder_days()}天内不再重复提醒",
                    )
            if why is not None:
                if explain_one and len(members) == 1:
                    raise RuleViolation(why[1], code=why[0])
                skipped.append((m.pk, why[1]))
                continue
            try:
                with transaction.atomic():
                    r = Reminder.objects.create(
                        member=m, year=year, on=today, sent_at=now, sent_by=_who(actor), hours=y.hours,
                        required=y.required,
                    )  # fmt: skip
            except IntegrityError:
                skipped.append((m.pk, f"{m.person.name}今天已提醒过"))
                continue
            notify.notify(
                recipient=m.person.user_id,
                kind=REMINDER_KIND,
                title=f"{year}年学习学时还差 {y.missing.normalize():f} 学时",
                body=(
                    f"你{year}年已获 {y.hours.normalize():f} 学时，年度要求 {y.required.normalize():f} 学时。"
                    "请利用班前班后五分钟、午间一刻钟抓紧学习。"
                ),
                url="/learning/",
                key=f"{REMINDER_KIND}:{m.pk}:{today.isoformat()}",
            )
            audit.record(
                actor=actor,
                action="learning_remind",
                obj=r,
                after={"member": m.pk, "year": year, "hours": str(y.hours), "required": str(y.required)},
            )
            sent.append(m.pk)
    return {"sent": sent, "skipped": skipped}
