"""Reads of learning: the courses a learner may open (their audience), the publishers' courses (the
scope), a member's progress, hours and requirement, and who in an org is behind on the year's hours —
all as SQL filters and aggregates."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from sanxin.core.query import prefix_q
from sanxin.core.scope import Scope
from sanxin.members.models import Member, MemberStatus, OrgRelation, RelationKind
from sanxin.members.selectors import member_of  # noqa: F401  (callers use it from here too)
from sanxin.orgs.models import Org, Post

from .models import Course, CourseStatus, Credit, Lesson, Progress

ZERO = Decimal("0")
HOURS = DecimalField(max_digits=8, decimal_places=2)


def _ancestor_paths(path: str) -> list[str]:
    step = Org.steplen
    return [path[:i] for i in range(step, len(path) + 1, step)]


def audience_paths(user) -> list[str]:
    """The paths of the orgs whose courses ``user`` learns: every org on the ancestor chain of their
    formal org (``Person.org``) and of their activity org today (a 流入 member's host)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    person = getattr(user, "person", None)
    if person is None:
        return []
    paths: set[str] = set()
    if person.org_id:
        paths.update(_ancestor_paths(Org.objects.values_list("path", flat=True).get(pk=person.org_id)))
    hosted = OrgRelation.objects.filter(
        OrgRelation.active_q(timezone.localdate()), member_id=person.pk, kind=RelationKind.ACTIVITY
    ).values_list("org__path", flat=True)
    for path in hosted:
        paths.update(_ancestor_paths(path))
    return sorted(paths)


def courses_for_learner(user) -> QuerySet[Course]:
    """Published courses whose publisher is on the learner's ancestor chain (an indexed IN on paths)."""
    paths = audience_paths(user)
    if not paths:
        return Course.objects.none()
    return Course.objects.filter(status=CourseStatus.PUBLISHED, publisher__path__in=paths).select_related(
        "publisher"
    )


def lessons_for_learner(user) -> QuerySet[Lesson]:
    return Lesson.objects.filter(course__in=courses_for_learner(user).values("pk")).select_related(
        "course", "media", "replay"
    )


def learner_course(user, course_id: int) -> Course:
    from sanxin.core.errors import NotFound

    course = courses_for_learner(user).filter(pk=course_id).first()
    if course is None:
        raise NotFound()
    return course


def learner_lesson(user, lesson_id: int) -> Lesson:
    from sanxin.core.errors import NotFound

    lesson = lessons_for_learner(user).filter(pk=lesson_id).first()
    if lesson is None:
        raise NotFound()
    return lesson


def catalogue(user, *, column: str = "", sub_column: str = "", short: str = "", q: str = "") -> QuerySet:
    qs = courses_for_learner(user)
    if column:
        qs = qs.filter(column=column)
    if sub_column:
        qs = qs.filter(sub_column=sub_column)
    if short:
        qs = qs.filter(Exists(Lesson.objects.filter(course=OuterRef("pk"), short=short)))
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(summary__icontains=q))
    return qs


def managed_courses(scope: Scope, *, status: str = "", q: str = "") -> QuerySet[Course]:
    """The courses published (or drafted) by orgs in ``scope``."""
    qs = scope.filter(Course.objects.select_related("publisher", "submitted_by", "reviewed_by"))
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(title__icontains=q)
    return qs.order_by("-updated_at", "-pk")


def review_queue(scope: Scope) -> QuerySet[Course]:
    return managed_courses(scope, status=CourseStatus.REVIEW).order_by("submitted_at", "pk")


# --- a member's learning ---------------------------------------------------------------------------


def progress_of(member: Member, lessons) -> dict[int, Progress]:
    ids = [lesson.pk for lesson in lessons]
    return {p.lesson_id: p for p in Progress.objects.filter(member=member, lesson_id__in=ids)}


def continuing(member: Member, user, limit: int = 5) -> QuerySet[Progress]:
    """Lessons started and not finished, the most recent first, among those the member may still open."""
    return (
        Progress.objects.filter(
            member=member, completed_at__isnull=True, lesson__in=lessons_for_learner(user)
        )
        .select_related("lesson__course")
        .order_by("-updated_at")[:limit]
    )


def short_lessons(member: Member | None, user, limit: int = 6) -> QuerySet[Lesson]:
    """Short lessons (班前班后五分钟 / 午间一刻钟) not completed yet, the newest courses first; those for
    the member's kind of work before the others."""
    qs = lessons_for_learner(user).exclude(short="")
    if member is not None:
        qs = qs.exclude(Exists(Credit.objects.filter(member=member, lesson=OuterRef("pk"))))
    return qs.order_by("-course__published_at", "position")[:limit]


def hours_in(member: Member, year: int) -> tuple[Decimal, Decimal]:
    row = Credit.objects.filter(member=member, year=year).aggregate(h=Sum("hours"), c=Sum("credits"))
    cent = Decimal("0.01")
    return Decimal(row["h"] or ZERO).quantize(cent), Decimal(row["c"] or ZERO).quantize(cent)


def is_cadre(member: Member, year: int) -> bool:
    return _cadre_posts(year).filter(person_id=member.pk).exists()


def _cadre_posts(year: int) -> QuerySet[Post]:
    """Posts of 书记, 副书记 or 委员 held on some day of ``year``."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return Post.objects.filter(
        Q(end_on__isnull=True) | Q(end_on__gte=first),
        title__in=settings.LEARNING_CADRE_TITLES,
        start_on__lte=last,
    )


def required_hours(member: Member, year: int) -> Decimal:
    key = "cadre" if is_cadre(member, year) else "member"
    return Decimal(settings.LEARNING_REQUIRED_HOURS[key])


@dataclasses.dataclass(frozen=True)
class Year:
    year: int
    hours: Decimal
    credits: Decimal
    required: Decimal

    @property
    def percent(self) -> int:
        if not self.required:
            return 100
        return min(100, int(self.hours * 100 / self.required))

    @property
    def missing(self) -> Decimal:
        return max(ZERO, self.required - self.hours)


def year_of(member: Member, year: int | None = None) -> Year:
    year = year or timezone.localdate().year
    hours, credits = hours_in(member, year)
    return Year(year, hours, credits, required_hours(member, year))


def credits_of(member: Member, year: int | None = None) -> QuerySet[Credit]:
    qs = Credit.objects.filter(member=member).select_related("lesson__course", "training")
    return qs.filter(year=year) if year else qs


def behind(scope: Scope, year: int, *, org: Org | None = None) -> QuerySet[Member]:
    """The current members in ``scope`` (of ``org`` and below, when given) whose 学时 of ``year`` are
    below their requirement, the largest shortfall first: one query, the sums and the requirement as
    subquery and CASE."""
    hours = (
        Credit.objects.filter(member=OuterRef("pk"), year=year)
        .values("member")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    req = settings.LEARNING_REQUIRED_HOURS
    qs = scope.filter(Member.objects.exclude(status=MemberStatus.ENDED)).select_related("person__org")
    if org is not None:
        qs = qs.filter(prefix_q("person__org__path", org.path))
    return (
        qs.annotate(
            hours=Coalesce(Subquery(hours, output_field=HOURS), Value(ZERO), output_field=HOURS),
            cadre=Exists(_cadre_posts(year).filter(person_id=OuterRef("pk"))),
        )
        .annotate(
            required=Case(
                When(cadre=True, then=Value(Decimal(req["cadre"]))),
                default=Value(Decimal(req["member"])),
                output_field=HOURS,
            )
        )
        .filter(hours__lt=F("required"))
        .annotate(missing=F("required") - F("hours"))
        .order_by("-missing", "person__name", "pk")
    )


def member_credits_timeline(member: Member, on_or_before, *, viewer, limit):
    """成长档案 source: each completed lesson and offline training, with its 学时 (a corrected attendance
    shows as its reversal)."""
    from sanxin.members import timeline

    qs = Credit.objects.filter(member=member).select_related("lesson__course", "training")
    qs = qs.order_by("-on", "-pk")
    if on_or_before is not None:
        qs = qs.filter(on__lte=on_or_before)
    if limit is not None:
        qs = qs[:limit]
    return [
        timeline.Event(
            c.on,
            "learning",
            _credit_title(c),
            f"{c.hours.normalize():f} 学时，{c.credits.normalize():f} 学分{f'（{c.note}）' if c.note else ''}",
        )
        for c in qs
    ]


def _credit_title(c: Credit) -> str:
    if c.lesson_id:
        return f"完成学习《{c.lesson.course.title}·{c.lesson.title}》"
    if c.hours > 0:
        return f"参加线下培训《{c.training.title}》"
    return f"线下培训《{c.training.title}》学时冲销"
