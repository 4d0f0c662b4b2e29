"""The publishing flow: draft → review → published → archived with who and when, four eyes, audited;
what a course and its lessons must be to pass."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sanxin.core.errors import InvalidInput, PermissionDenied, RuleViolation
from sanxin.core.models import AuditLog
from sanxin.learning import selectors, services
from sanxin.learning.media import silent_wav
from sanxin.learning.models import CourseStatus
from tests.factories import user_with_grant

from .conftest import VIDEO, media, watch

pytestmark = pytest.mark.django_db


def draft(lw, **kw):
    return services.course_create(
        actor=lw.publisher, publisher=lw.committee_x, title="新课程", column=kw.pop("column", "policy"), **kw
    )


def test_a_course_goes_from_draft_through_review_to_published_and_archived(lw):
    course = draft(lw)
    services.lesson_add(actor=lw.publisher, course=course, title="读一读", kind="article", body="内容" * 50,
                        credit_hours="0.5")  # fmt: skip
    assert course.status == CourseStatus.DRAFT
    assert not selectors.catalogue(lw.users[1]).filter(pk=course.pk).exists()
    course = services.course_submit(actor=lw.publisher, course=course)
    assert course.status == CourseStatus.REVIEW
    assert course.submitted_by == lw.publisher and course.submitted_at
    assert selectors.review_queue(selectors.Scope.all()).filter(pk=course.pk).exists()
    course = services.course_review(actor=lw.reviewer, course=course, approve=True, note="内容准确")
    assert course.status == CourseStatus.PUBLISHED
    assert course.reviewed_by == lw.reviewer and course.published_at
    assert selectors.catalogue(lw.users[1]).filter(pk=course.pk).exists()
    course = services.course_archive(actor=lw.reviewer, course=course, reason="内容已更新")
    assert course.status == CourseStatus.ARCHIVED and course.archived_by == lw.reviewer
    assert not selectors.catalogue(lw.users[1]).filter(pk=course.pk).exists()
    actions = list(
        AuditLog.objects.filter(object_id=str(course.pk), action__startswith="course_").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == sorted(["course_create", "course_submit", "course_publish", "course_archive"])


def test_the_submitter_cannot_review_their_own_course(lw):
    course = draft(lw)
    services.lesson_add(
        actor=lw.publisher, course=course, title="读", kind="article", body="内容", credit_hours=1
    )
    services.course_submit(actor=lw.publisher, course=course)
    with pytest.raises(RuleViolation) as exc:
        services.course_review(actor=lw.publisher, course=course, approve=True)
    assert exc.value.code == "same_person"


def test_a_returned_course_is_a_draft_again_with_the_note_and_only_drafts_change(lw):
    with pytest.raises(RuleViolation) as exc:
        services.course_update(actor=lw.publisher, course=lw.course, title="改标题")
    assert exc.value.code == "not_draft"
    with pytest.raises(RuleViolation):
        services.lesson_update(actor=lw.publisher, lesson=lw.audio, credit_hours=Decimal("5"))
    course = draft(lw)
    services.lesson_add(
        actor=lw.publisher, course=course, title="读", kind="article", body="内容", credit_hours=1
    )
    services.course_submit(actor=lw.publisher, course=course)
    with pytest.raises(InvalidInput) as exc:
        services.course_review(actor=lw.reviewer, course=course, approve=False)
    assert exc.value.field == "note"
    course = services.course_review(actor=lw.reviewer, course=course, approve=False, note="请补充案例")
    assert course.status == CourseStatus.DRAFT and course.review_note == "请补充案例"
    services.course_update(actor=lw.publisher, course=course, title="补充了案例")


def test_a_course_needs_lessons_and_each_media_lesson_its_file(lw):
    course = draft(lw)
    with pytest.raises(RuleViolation) as exc:
        services.course_submit(actor=lw.publisher, course=course)
    assert exc.value.code == "no_lessons"
    services.lesson_add(actor=lw.publisher, course=course, title="视频", kind="video", credit_hours=1)
    with pytest.raises(RuleViolation) as exc:
        services.course_submit(actor=lw.publisher, course=course)
    assert exc.value.code == "incomplete_lesson"


def test_only_the_publishers_of_the_org_write(lw):
    outsider = user_with_grant("industry_committee", lw.committee_y)
    with pytest.raises(PermissionDenied):
        services.course_create(actor=outsider, publisher=lw.committee_x, title="越权", column="theory")
    course = draft(lw)
    with pytest.raises(PermissionDenied):
        services.course_update(actor=outsider, course=course, title="越权")
    with pytest.raises(PermissionDenied):
        services.course_review(actor=lw.secretary, course=lw.course, approve=False, note="x")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "article", "body": ""}, "body"),
        ({"kind": "article", "body": "x", "credit_hours": "-1"}, "credit_hours"),
        ({"kind": "article", "body": "x", "credit_hours": "0.125"}, "credit_hours"),
        ({"kind": "article", "body": "x", "question": "对吗？", "choices": ["对", "错"]}, "answer"),
        ({"kind": "article", "body": "x", "question": "对吗？", "choices": ["对"], "answer": 0}, "choices"),
        ({"kind": "article", "body": "x", "occupations": ["pilot"]}, "occupations"),
        ({"kind": "live"}, "starts_at"),
        ({"kind": "article", "body": "字" * 3000, "short": "shift"}, "short"),  # 7.5 minutes > 5
    ],
)
def test_lessons_are_checked_with_the_field_named(lw, data, field):
    course = draft(lw)
    data = {"title": "课时", "credit_hours": "1"} | data
    with pytest.raises(InvalidInput) as exc:
        services.lesson_add(actor=lw.publisher, course=course, **data)
    assert exc.value.field == field
    assert exc.value.message  # Chinese, for people


def test_media_lengths_come_from_the_files_and_the_kind_must_match(lw):
    assert lw.audio.duration_s == 20 and lw.video.duration_s == 7
    course = draft(lw)
    with pytest.raises(InvalidInput) as exc:
        services.lesson_add(actor=lw.publisher, course=course, title="视频", kind="video", credit_hours=1,
                            media=media(lw.publisher, "a.wav", silent_wav(3)))  # fmt: skip
    assert exc.value.code == "bad_type"
    lesson = services.lesson_add(actor=lw.publisher, course=course, title="视频", kind="video", credit_hours=1,
                                 media=media(lw.publisher, "v.mp4", VIDEO), duration_s=999)  # fmt: skip
    assert lesson.duration_s == 7  # the file's own length wins over a typed one


def test_sub_columns_belong_to_the_skills_column(lw):
    with pytest.raises(InvalidInput) as exc:
        services.course_create(actor=lw.publisher, publisher=lw.committee_x, title="x", column="theory",
                               sub_column="legal")  # fmt: skip
    assert exc.value.field == "sub_column"


def test_archiving_keeps_the_credits_earned(lw):
    watch(lw.users[1], lw.audio, seconds=20)
    services.course_archive(actor=lw.reviewer, course=lw.course)
    assert selectors.year_of(lw.members[1]).hours == Decimal("1")
