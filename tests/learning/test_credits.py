"""The credit rules: only time the server saw pass counts, a lesson credits once, a check question must
be answered right, an article needs its reading time; each credit is audited and announced."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanxin.core.errors import InvalidInput, RuleViolation
from sanxin.core.models import AuditLog, Event
from sanxin.learning import rules, selectors, services
from sanxin.learning.models import Credit, Progress
from sanxin.members import timeline
from sanxin.points.sources import SOURCES

from .conftest import Clock, watch

pytestmark = pytest.mark.django_db


def progress(member, lesson) -> Progress:
    return Progress.objects.get(member=member, lesson=lesson)


def test_an_honest_listen_credits_the_lesson_once_with_its_hours_audited_and_announced(lw):
    user, member = lw.users[1], lw.members[1]
    watch(user, lw.audio, seconds=20)
    credit = Credit.objects.get(member=member, lesson=lw.audio)
    assert credit.hours == Decimal("1") and credit.credits == Decimal("1.00")
    assert progress(member, lw.audio).completed_at is not None
    event = Event.objects.get(name="learning.credited")
    assert event.payload["member_id"] == member.pk
    assert event.payload["lesson_id"] == lw.audio.pk
    assert event.payload["hours"] == "1" and event.payload["on"] == credit.on.isoformat()
    assert AuditLog.objects.filter(action="learning_credit", object_id=str(credit.pk)).count() == 1
    assert selectors.year_of(member, credit.year).hours == Decimal("1")


def test_jumping_to_the_end_gains_only_the_time_that_passed(lw):
    user, member = lw.users[1], lw.members[1]
    clock = Clock()
    services.heartbeat(actor=user, lesson=lw.audio, position=0, playing=False, now=clock.after(0))
    services.heartbeat(actor=user, lesson=lw.audio, position=20, now=clock.after(3))  # dragged to the end
    for _ in range(5):  # and kept reporting the end
        services.heartbeat(actor=user, lesson=lw.audio, position=20, now=clock.after(10))
    p = progress(member, lw.audio)
    assert p.watched_s == pytest.approx(3)
    assert p.position_s == 20
    assert not Credit.objects.filter(member=member).exists()
    assert not Event.objects.filter(name="learning.credited").exists()


def test_a_report_after_a_long_silence_counts_nothing_for_the_silence(lw, settings):
    user, member = lw.users[1], lw.members[1]
    clock = Clock()
    services.heartbeat(actor=user, lesson=lw.audio, position=0, playing=False, now=clock.after(0))
    services.heartbeat(
        actor=user, lesson=lw.audio, position=20, now=clock.after(settings.LEARNING_HEARTBEAT_MAX_GAP_S + 1)
    )
    assert progress(member, lw.audio).watched_s == 0
    assert not Credit.objects.exists()


def test_paused_intervals_and_going_backwards_count_nothing(lw):
    user, member = lw.users[1], lw.members[1]
    clock = Clock()
    services.heartbeat(actor=user, lesson=lw.audio, position=0, playing=False, now=clock.after(0))
    services.heartbeat(actor=user, lesson=lw.audio, position=10, now=clock.after(10))
    services.heartbeat(actor=user, lesson=lw.audio, position=15, playing=False, now=clock.after(60))
    services.heartbeat(actor=user, lesson=lw.audio, position=2, now=clock.after(10))
    assert progress(member, lw.audio).watched_s == pytest.approx(10)


def test_replaying_a_completed_lesson_credits_nothing_more(lw):
    user, member = lw.users[1], lw.members[1]
    clock = watch(user, lw.audio, seconds=20)
    watch(user, lw.audio, seconds=20, clock=clock)
    watch(user, lw.audio, seconds=20, clock=clock)
    assert Credit.objects.filter(member=member, lesson=lw.audio).count() == 1
    assert Event.objects.filter(name="learning.credited").count() == 1
    assert selectors.year_of(member).hours == Decimal("1")
    assert progress(member, lw.audio).watched_s == pytest.approx(60)


def test_a_wrong_check_answer_gives_no_credit_and_the_right_one_completes_the_lesson(lw):
    user, member = lw.users[1], lw.members[1]
    watch(user, lw.video, seconds=7, step=7)
    assert not Credit.objects.exists()  # watched, but the question is open
    p, correct, restarted = services.answer_submit(actor=user, lesson=lw.video, choice=0)
    assert (correct, restarted) == (False, False)
    assert not Credit.objects.exists()
    p, correct, _ = services.answer_submit(actor=user, lesson=lw.video, choice=1)
    assert correct and p.completed_at is not None
    assert Credit.objects.get(member=member).lesson == lw.video
    # answering again changes nothing
    services.answer_submit(actor=user, lesson=lw.video, choice=0)
    assert Credit.objects.count() == 1


def test_a_right_answer_before_watching_waits_for_the_watching(lw):
    user, member = lw.users[1], lw.members[1]
    services.answer_submit(actor=user, lesson=lw.video, choice=1)
    assert not Credit.objects.exists()
    watch(user, lw.video, seconds=7, step=7)
    assert Credit.objects.filter(member=member, lesson=lw.video).exists()


def test_guessing_past_the_attempts_starts_the_watching_again(lw, settings):
    settings.LEARNING_CHECK_ATTEMPTS = 2
    user, member = lw.users[1], lw.members[1]
    watch(user, lw.video, seconds=7, step=7)
    services.answer_submit(actor=user, lesson=lw.video, choice=0)
    _p, correct, restarted = services.answer_submit(actor=user, lesson=lw.video, choice=0)
    assert not correct and restarted
    p = progress(member, lw.video)
    assert p.watched_s == 0 and p.wrong_answers == 0
    services.answer_submit(actor=user, lesson=lw.video, choice=1)
    assert not Credit.objects.exists()  # right now, but the watching starts again
    watch(user, lw.video, seconds=7, step=7)
    assert Credit.objects.filter(member=member, lesson=lw.video).exists()


def test_an_article_needs_its_minimum_reading_time(lw):
    user, member = lw.users[1], lw.members[1]
    assert lw.article.duration_s == 96  # 640 characters at 400 a minute
    clock = watch(user, lw.article, seconds=60)
    assert not Credit.objects.exists()
    watch(user, lw.article, seconds=40, clock=clock)
    assert Credit.objects.filter(member=member, lesson=lw.article).exists()


def test_answers_are_checked(lw):
    with pytest.raises(InvalidInput) as exc:
        services.answer_submit(actor=lw.users[1], lesson=lw.video, choice=5)
    assert exc.value.field == "choice"
    with pytest.raises(RuleViolation) as exc:
        services.answer_submit(actor=lw.users[1], lesson=lw.audio, choice=0)
    assert exc.value.code == "no_question"


def test_only_members_keep_progress(lw):
    with pytest.raises(RuleViolation) as exc:
        services.heartbeat(actor=lw.publisher, lesson=lw.audio, position=0)
    assert exc.value.code == "not_member"


def test_the_credit_is_a_points_source_and_in_the_growth_archive(lw):
    assert "learning.credited" in SOURCES
    user, member = lw.users[1], lw.members[1]
    watch(user, lw.audio, seconds=20)
    events = timeline.page(member, viewer=lw.secretary).events
    mine = [e for e in events if e.source == "learning.credits"]
    assert len(mine) == 1 and "劳动合同要点" in mine[0].title and "1 学时" in mine[0].detail


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0.01, 300), st.floats(-50, 5000, allow_nan=False), st.booleans()),
        min_size=1,
        max_size=40,
    )
)
def test_the_counted_time_never_exceeds_the_time_that_passed(beats):
    """Whatever the player reports, the watched time is at most the wall time of the intervals."""
    last_at, last_pos, now, total, wall_total = None, 0.0, 0.0, 0.0, 0.0
    for wall, position, reading in beats:
        now += wall
        step = rules.advance(
            last_at=last_at, last_position=last_pos, now=now, position=position, duration=600,
            reading=reading, max_gap=120,
        )  # fmt: skip
        if last_at is not None and wall <= 120:
            wall_total += wall
        assert 0 <= step.counted <= wall + 1e-6
        assert 0 <= step.position <= 600
        total += step.counted
        last_at, last_pos = now, step.position
    assert total <= wall_total + 1e-6 * len(beats)


def test_required_time_and_credits_arithmetic():
    assert rules.required_seconds(duration=7, reading=False, share=Decimal("0.9")) == 7
    assert rules.required_seconds(duration=100, reading=False, share=Decimal("0.9")) == 90
    assert rules.required_seconds(duration=96, reading=True, share=Decimal("0.9")) == 96
    assert rules.required_seconds(duration=None, reading=False, share=Decimal("0.9")) is None
    assert rules.reading_seconds("字" * 10, chars_per_minute=400, minimum=30) == 30
    assert rules.to_credits(Decimal("0.25"), Decimal("0.5")) == Decimal("0.13")
