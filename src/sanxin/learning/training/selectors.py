"""Reads of training: the programmes an office or secretary may use (its own and those of the orgs
above it), a cohort's progress and a member's programmes (each one query: the hours as a correlated
subquery), the offline trainings and their attendance, a member's transcript (学时档案), the office
statistics (completion and views by column, views by month, hours per member by branch) and when each
member behind was last reminded — as SQL aggregates."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractMonth

from sanxin.core.errors import NotFound
from sanxin.core.scope import Scope
from sanxin.members.models import Member, MemberStatus
from sanxin.orgs.models import Org

from .. import selectors as learning_selectors
from ..models import Column, Credit, Lesson
from .models import Attendance, Cohort, Enrolment, LessonView, Programme, Reminder, Training

ZERO = Decimal("0")
HOURS = DecimalField(max_digits=10, decimal_places=2)
CENT = Decimal("0.01")


def _ancestors(scope: Scope) -> set[str]:
    out: set[str] = set()
    for path in scope.org_paths:
        out.update(learning_selectors._ancestor_paths(path))
    return out


def reachable(scope: Scope, qs: QuerySet | None = None) -> QuerySet[Programme]:
    """Programmes organised by orgs in ``scope`` or by an org above one of them (a city's 书记示范培训
    that a branch secretary enrols into)."""
    qs = qs if qs is not None else Programme.objects.all()
    if scope.everything:
        return qs
    return qs.filter(scope.q(Programme) | Q(org__path__in=sorted(_ancestors(scope))))


def programmes(scope: Scope, *, q: str = "", year: int | None = None) -> QuerySet[Programme]:
    qs = reachable(scope, Programme.objects.select_related("org")).annotate(
        cohort_count=Count("cohorts", distinct=True), enrolled=Count("enrolments", distinct=True)
    )
    if q:
        qs = qs.filter(title__icontains=q)
    if year:
        qs = qs.filter(starts_on__year__lte=year, ends_on__year__gte=year)
    return qs.order_by("-starts_on", "-pk")


def programme_get(scope: Scope, pk: int) -> Programme:
    p = reachable(scope, Programme.objects.select_related("org")).filter(pk=pk).first()
    if p is None:
        raise NotFound()
    return p


def cohort_get(scope: Scope, pk: int) -> Cohort:
    c = (
        Cohort.objects.select_related("programme__org")
        .filter(programme__in=reachable(scope).values("pk"), pk=pk)
        .first()
    )
    if c is None:
        raise NotFound()
    return c


def _hours_subquery(*, member_ref: str, programme_ref: str, cohort_ref: str, start_ref: str, end_ref: str):
    """Sum of a member's credits that count for a programme's cohort: its courses' lessons and the offline
    trainings of the cohort (or of the programme without a cohort), between the cohort's dates —
    reversals included, so a corrected attendance counts nothing."""
    courses = Programme.courses.through.objects.filter(programme_id=OuterRef(OuterRef(programme_ref))).values(
        "course_id"
    )
    return (
        Credit.objects.filter(
            member_id=OuterRef(member_ref), on__gte=OuterRef(start_ref), on__lte=OuterRef(end_ref)
        )
        .filter(
            Q(lesson__course_id__in=Subquery(courses))
            | Q(training__cohort_id=OuterRef(cohort_ref))
            | Q(training__programme_id=OuterRef(programme_ref), training__cohort__isnull=True)
        )
        .values("member_id")
        .annotate(total=Sum("hours"))
        .values("total")
    )


def with_progress(qs: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """Enrolments annotated with ``hours`` (in the programme within the cohort's dates) and
    ``finished`` (the programme's hours reached): one query."""
    sub = _hours_subquery(
        member_ref="member_id",
        programme_ref="programme_id",
        cohort_ref="cohort_id",
        start_ref="cohort__starts_on",
        end_ref="cohort__ends_on",
    )
    return qs.annotate(
        hours=Coalesce(Subquery(sub, output_field=HOURS), Value(ZERO), output_field=HOURS)
    ).annotate(
        finished=Case(
            When(hours__gte=F("programme__required_hours"), then=Value(True)),
            default=Value(False),
        )
    )


def cohort_progress(cohort: Cohort, scope: Scope) -> QuerySet[Enrolment]:
    """The cohort's members with their hours, those furthest along first. Whoever organises the
    programme (it is in their scope) sees every member; a secretary enrolling into a programme from
    above sees their own members only."""
    qs = Enrolment.objects.filter(cohort=cohort).select_related("member__person__org", "programme")
    if not scope.contains(cohort.programme):
        qs = qs.filter(member__in=scope.filter(Member.objects.all()).values("pk"))
    return with_progress(qs).order_by("-hours", "member__person__name", "pk")


@dataclasses.dataclass(frozen=True)
class CohortSummary:
    enrolled: int
    finished: int
    average: Decimal

    @property
    def percent(self) -> int:
        return int(self.finished * 100 / self.enrolled) if self.enrolled else 0


def summarize(rows: QuerySet[Enrolment]) -> CohortSummary:
    agg = rows.order_by().aggregate(
        n=Count("pk"),
        done=Count("pk", filter=Q(finished=True)),
        avg=Avg("hours"),
    )
    return CohortSummary(agg["n"] or 0, agg["done"] or 0, Decimal(agg["avg"] or 0).quantize(CENT))


def member_programmes(member: Member) -> QuerySet[Enrolment]:
    return with_progress(
        Enrolment.objects.filter(member=member).select_related("cohort", "programme__org")
    ).order_by("-cohort__starts_on", "-pk")


def visible_members(scope: Scope, org: Org) -> QuerySet[Member]:
    """Current members in ``scope`` under ``org`` (the people a form may offer to enrol or mark)."""
    from sanxin.core.query import prefix_q

    return (
        scope.filter(Member.objects.filter(status=MemberStatus.ACTIVE))
        .filter(prefix_q("person__org__path", org.path))
        .select_related("person__org")
        .order_by("person__org__path", "person__name", "pk")
    )


# --- offline trainings -------------------------------------------------------------------------------


def trainings(scope: Scope, *, year: int | None = None, q: str = "") -> QuerySet[Training]:
    qs = scope.filter(Training.objects.select_related("org", "programme", "cohort")).annotate(
        present=Count("attendances", filter=Q(attendances__present=True))
    )
    if year:
        qs = qs.filter(held_on__year=year)
    if q:
        qs = qs.filter(title__icontains=q)
    return qs.order_by("-held_on", "-pk")


def attendance_of(training: Training) -> QuerySet[Attendance]:
    return (
        Attendance.objects.filter(training=training)
        .select_related("member__person__org", "marked_by", "removed_by")
        .order_by("-present", "member__person__name", "pk")
    )


# --- a member's transcript ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TranscriptYear:
    year: int
    online: Decimal
    offline: Decimal
    credits: Decimal
    required: Decimal

    @property
    def hours(self) -> Decimal:
        return self.online + self.offline

    @property
    def met(self) -> bool:
        return self.hours >= self.required

    @property
    def missing(self) -> Decimal:
        return max(ZERO, self.required - self.hours)


def transcript_years(member: Member) -> list[TranscriptYear]:
    """Each year the member has credits in (and this year), online and offline hours apart: one
    aggregate query, and the year's requirement (member or office holder)."""
    from django.utils import timezone

    rows = {
        r["year"]: r
        for r in Credit.objects.filter(member=member)
        .values("year")
        .annotate(
            online=Sum("hours", filter=Q(lesson__isnull=False)),
            offline=Sum("hours", filter=Q(training__isnull=False)),
            credits=Sum("credits"),
        )
        .order_by()
    }
    this_year = timezone.localdate().year
    years = sorted(set(rows) | {this_year}, reverse=True)
    out = []
    for y in years:
        r = rows.get(y, {})
        out.append(
            TranscriptYear(
                y,
                Decimal(r.get("online") or 0).quantize(CENT),
                Decimal(r.get("offline") or 0).quantize(CENT),
                Decimal(r.get("credits") or 0).quantize(CENT),
                learning_selectors.required_hours(member, y),
            )
        )
    return out


def transcript_credits(member: Member, year: int | None = None) -> QuerySet[Credit]:
    qs = Credit.objects.filter(member=member).select_related("lesson__course", "training__org")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-on", "-pk")


def members_in_scope(scope: Scope) -> QuerySet[Member]:
    return scope.filter(Member.objects.all())


# --- office statistics -------------------------------------------------------------------------------


def _column_label(code: str) -> str:
    try:
        return str(Column(code).label)
    except ValueError:
        return code or "—"


def completion_by_column(scope: Scope, year: int) -> list[dict]:
    """Per column: lessons completed (credits), members completing at least one, and the hours, by the
    members in ``scope`` in ``year``; one GROUP BY."""
    qs = (
        scope.filter(Credit.objects.filter(year=year, lesson__isnull=False))
        .values("lesson__course__column")
        .annotate(
            lessons=Count("pk"),
            members=Count("member_id", distinct=True),
            hours=Sum("hours"),
        )
        .order_by("lesson__course__column")
    )
    found = {r["lesson__course__column"]: r for r in qs}
    return [
        {
            "column": code,
            "label": str(label),
            "lessons": found.get(code, {}).get("lessons", 0),
            "members": found.get(code, {}).get("members", 0),
            "hours": Decimal(found.get(code, {}).get("hours") or 0).quantize(CENT),
        }
        for code, label in Column.choices
    ]


def _views(scope: Scope, year: int) -> QuerySet[LessonView]:
    """Views by the members of the orgs in ``scope`` (the viewer's org when they looked)."""
    qs = LessonView.objects.filter(on__year=year)
    if scope.everything:
        return qs
    return qs.filter(member__in=scope.filter(Member.objects.all()).values("pk"))


def views_by_column(scope: Scope, year: int) -> list[dict]:
    found = {
        r["column"]: r
        for r in _views(scope, year)
        .values("column")
        .annotate(
            views=Count("pk"),
            viewers=Count("member_id", distinct=True),
            lessons=Count("lesson_id", distinct=True),
        )
        .order_by()
    }
    return [
        {
            "column": code,
            "label": str(label),
            "views": found.get(code, {}).get("views", 0),
            "viewers": found.get(code, {}).get("viewers", 0),
            "lessons": found.get(code, {}).get("lessons", 0),
        }
        for code, label in Column.choices
    ]


def views_by_month(scope: Scope, year: int) -> list[dict]:
    found = {
        r["month"]: r
        for r in _views(scope, year)
        .annotate(month=ExtractMonth("on"))
        .values("month")
        .annotate(views=Count("pk"), viewers=Count("member_id", distinct=True))
        .order_by()
    }
    return [
        {"month": m, "views": found.get(m, {}).get("views", 0), "viewers": found.get(m, {}).get("viewers", 0)}
        for m in range(1, 13)
    ]


def hours_by_branch(scope: Scope, year: int) -> list[dict]:
    """Per org with current members in ``scope``: members, average hours of ``year`` and how many meet
    their requirement (the member's or an office holder's) — one query grouping the members, each
    member's hours a correlated subquery."""
    hours = (
        Credit.objects.filter(member=OuterRef("pk"), year=year)
        .values("member")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    req = settings.LEARNING_REQUIRED_HOURS
    members = (
        scope.filter(Member.objects.exclude(status=MemberStatus.ENDED))
        .filter(person__org__isnull=False)
        .annotate(
            h=Coalesce(Subquery(hours, output_field=HOURS), Value(ZERO), output_field=HOURS),
            cadre=Exists(learning_selectors._cadre_posts(year).filter(person_id=OuterRef("pk"))),
        )
        .annotate(
            need=Case(
                When(cadre=True, then=Value(Decimal(req["cadre"]))),
                default=Value(Decimal(req["member"])),
                output_field=HOURS,
            )
        )
        .annotate(
            met=Case(When(h__gte=F("need"), then=Value(1)), default=Value(0), output_field=IntegerField())
        )
    )
    rows = (
        members.values("person__org_id", "person__org__name", "person__org__path")
        .annotate(members=Count("pk"), total=Sum("h"), meeting=Sum("met"))
        .order_by("person__org__path")
    )
    out = []
    for r in rows:
        n = r["members"] or 0
        total = Decimal(r["total"] or 0)
        out.append(
            {
                "org_id": r["person__org_id"],
                "org": r["person__org__name"],
                "members": n,
                "hours": total.quantize(CENT),
                "average": (total / n).quantize(CENT) if n else ZERO,
                "meeting": r["meeting"] or 0,
                "share": int((r["meeting"] or 0) * 100 / n) if n else 0,
            }
        )
    return out


# --- reminders ---------------------------------------------------------------------------------------


def with_last_reminded(qs: QuerySet[Member]) -> QuerySet[Member]:
    """Members annotated with ``last_reminded``: when a secretary last sent them a reminder."""
    last = (
        Reminder.objects.filter(member=OuterRef("pk")).values("member").annotate(m=Max("sent_at")).values("m")
    )
    return qs.annotate(last_reminded=Subquery(last))


def reminders_of(member: Member) -> QuerySet[Reminder]:
    return Reminder.objects.filter(member=member).select_related("sent_by")


def lesson_views(lesson: Lesson) -> int:
    return LessonView.objects.filter(lesson=lesson).count()
