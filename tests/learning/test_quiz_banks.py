"""Banks, questions and lesson quizzes: the four kinds checked on entry, a duplicate stem refused,
writes audited and scoped; a lesson's quiz taken once the lesson is credited, marked on the server
against its pass mark; the marking rules themselves."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from sanxin.core.errors import InvalidInput, PermissionDenied, RuleViolation
from sanxin.core.models import AuditLog
from sanxin.learning.models import Credit
from sanxin.learning.quiz import scoring, services
from sanxin.learning.quiz.models import Attempt, Question
from tests.helpers import ApiClient, assert_error
from tests.learning.quizkit import build, right_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def qw(lw):
    return build(lw)


def test_a_duplicate_question_is_refused_whatever_its_spacing_and_punctuation(qw):
    with pytest.raises(RuleViolation) as exc:
        services.question_add(
            actor=qw.lw.publisher, bank=qw.bank, kind="judge", stem=" 预备党员有表决权 ", answer="对"
        )
    assert exc.value.code == "duplicate_question"
    resp = ApiClient(qw.lw.publisher).post(
        f"/api/v1/learning/quiz/manage/banks/{qw.bank.pk}/questions",
        {"kind": "single", "stem": "预备党员的预备期为?", "options": ["一年", "两年"], "answer": ["A"]},
    )
    assert_error(resp, 409, "duplicate_question")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"kind": "single", "stem": "题", "options": ["甲", "乙"], "answer": "C"},
            "answer",
            "不在给出的选项",
        ),
        ({"kind": "single", "stem": "题", "options": ["甲"], "answer": "A"}, "options", "至少需要 2 个选项"),
        (
            {"kind": "multiple", "stem": "题", "options": ["甲", "乙", "丙"], "answer": "A"},
            "answer",
            "至少有两个",
        ),
        (
            {"kind": "single", "stem": "题", "options": ["甲", "", "丙"], "answer": "A"},
            "options",
            "选项B为空",
        ),
        ({"kind": "judge", "stem": "题", "answer": "也许"}, "answer", "应为“对”或“错”"),
        ({"kind": "fill", "stem": "题", "answer": "｜"}, "answer", "缺少答案"),
        ({"kind": "essay", "stem": "题", "answer": "A"}, "kind", "题型"),
    ],
)
def test_questions_are_checked_on_entry(qw, data, field, message):
    with pytest.raises(InvalidInput) as exc:
        services.question_add(actor=qw.lw.publisher, bank=qw.bank, **data)
    assert exc.value.field == field and message in exc.value.message


def test_bank_writes_are_audited_and_scoped(qw):
    q = services.question_add(actor=qw.lw.publisher, bank=qw.bank, kind="single", stem="新题？",
                              options=["是", "否"], answer=["B"], tags="党章，安全")  # fmt: skip
    assert q.tags == ["党章", "安全"] and q.answer == ["B"]
    assert AuditLog.objects.filter(action="quiz_question_create", object_id=str(q.pk)).exists()
    services.question_update(actor=qw.lw.publisher, question=q, active=False)
    assert not Question.objects.get(pk=q.pk).active
    outsider = qw.lw.outsider_user
    with pytest.raises(PermissionDenied):
        services.question_add(actor=outsider, bank=qw.bank, kind="judge", stem="越权的题", answer="对")
    api = ApiClient(qw.lw.outsider_user)
    assert api.get(f"/api/v1/learning/quiz/manage/banks/{qw.bank.pk}").status_code in (403, 404)
    page = Client()
    page.force_login(qw.lw.publisher)
    html = page.get(f"/learning/quiz/manage/banks/{qw.bank.pk}/").content.decode()
    assert "预备党员有表决权。" in html and "从 Excel 导入试题" in html


def test_a_lesson_quiz_after_the_lesson_marked_against_its_pass_mark(qw):
    lw = qw.lw
    quiz = services.quiz_set(actor=lw.publisher, lesson=lw.article, bank=qw.bank, count=4, pass_percent=75)
    api = ApiClient(lw.users[1])
    assert api.get(f"/api/v1/learning/quiz/lessons/{lw.article.pk}/quiz").json()["completed_lesson"] is False
    assert_error(
        api.post(f"/api/v1/learning/quiz/lessons/{lw.article.pk}/quiz/start"), 409, "lesson_not_done"
    )
    Credit.objects.create(
        member=lw.members[1], lesson=lw.article, on="2026-03-01", year=2026, hours=1, credits=1
    )
    paper = api.post(f"/api/v1/learning/quiz/lessons/{lw.article.pk}/quiz/start")
    assert paper.status_code == 201 and len(paper.json()["questions"]) == 4
    assert "answer" not in paper.content.decode()
    attempt = Attempt.objects.get(pk=paper.json()["id"])
    answers = right_answers(attempt)
    answers[attempt.questions[0]["id"]] = []  # 3 of 4: 75%, just the pass mark
    result = api.post(f"/api/v1/learning/quiz/attempts/{attempt.pk}/submit", {"answers": answers}).json()
    assert result["score"] == 3 and result["max_score"] == 4 and result["passed"] is True
    answers[attempt.questions[1]["id"]] = []
    second = Attempt.objects.get(
        pk=api.post(f"/api/v1/learning/quiz/lessons/{lw.article.pk}/quiz/start").json()["id"]
    )
    result = api.post(f"/api/v1/learning/quiz/attempts/{second.pk}/submit", {"answers": {}}).json()
    assert result["score"] == 0 and result["passed"] is False
    info = api.get(f"/api/v1/learning/quiz/lessons/{lw.article.pk}/quiz").json()
    assert info["passed"] is True and info["best_score"] == 3
    # another lesson's learner outside the publisher's subtree never sees it
    assert (
        ApiClient(lw.outsider_user).get(f"/api/v1/learning/quiz/lessons/{lw.article.pk}/quiz").status_code
        == 404
    )
    # a quiz with papers is not removed
    with pytest.raises(RuleViolation):
        services.quiz_remove(actor=lw.publisher, quiz=quiz)


def test_a_quiz_cannot_draw_more_than_the_bank_holds(qw):
    with pytest.raises(RuleViolation) as exc:
        services.quiz_set(actor=qw.lw.publisher, lesson=qw.lw.audio, bank=qw.bank, count=10, tag="基础")
    assert exc.value.code == "bank_too_small"


@pytest.mark.parametrize(
    ("kind", "key", "given", "right"),
    [
        ("single", ["B"], "b", True),
        ("single", ["B"], ["A", "B"], False),
        ("multiple", ["A", "C"], ["C", "A"], True),
        ("multiple", ["A", "C"], "A", False),
        ("multiple", ["A", "C"], "A、C", True),
        ("judge", ["对"], "√", True),
        ("judge", ["错"], True, False),
        ("fill", ["三十", "30"], " ３０ ", True),
        ("fill", ["民主集中制"], "民主 集中制。", True),
        ("fill", ["民主集中制"], "集中制", False),
        ("single", ["A"], None, False),
    ],
)
def test_marking(kind, key, given, right):
    assert scoring.correct(kind, key, scoring.given(kind, given)) is right


@given(st.lists(st.sampled_from("ABCDEF"), min_size=2, max_size=6, unique=True), st.text(max_size=8))
def test_a_multiple_choice_answer_scores_only_when_it_is_exactly_the_key(key, noise):
    assert scoring.correct("multiple", key, scoring.given("multiple", key))
    other = scoring.given("multiple", noise)
    assert scoring.correct("multiple", key, other) == (sorted(other) == sorted(key))


def test_the_lesson_page_links_its_quiz_and_the_course_editor_its_setting(qw):
    lw = qw.lw
    client = Client()
    client.force_login(lw.users[1])
    assert "参加课后测验" not in client.get(f"/learning/lessons/{lw.audio.pk}/").content.decode()
    services.quiz_set(actor=lw.publisher, lesson=lw.audio, bank=qw.bank, count=3)
    assert "参加课后测验" in client.get(f"/learning/lessons/{lw.audio.pk}/").content.decode()
    editor = Client()
    editor.force_login(lw.publisher)
    html = editor.get(f"/learning/manage/{lw.course.pk}/").content.decode()
    assert f"/learning/quiz/manage/lessons/{lw.audio.pk}/" in html
    resp = editor.post(f"/learning/quiz/manage/lessons/{lw.audio.pk}/", {"action": "set", "bank": qw.bank.pk,
                                                                        "count": "4", "pass_percent": "80"})  # fmt: skip
    assert resp.status_code == 302
    lw.audio.quiz.refresh_from_db()
    assert (lw.audio.quiz.count, lw.audio.quiz.pass_percent) == (4, 80)
