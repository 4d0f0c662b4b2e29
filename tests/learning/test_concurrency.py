"""Two completions of the same lesson at once (PostgreSQL, real threads and commits): the progress row
lock makes the second wait and find the lesson done; the unique constraint holds if anything gets past
it. On SQLite the IMMEDIATE write transaction serialises the two the same way."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from sanxin.core.models import Event
from sanxin.learning import services
from sanxin.learning.models import Credit
from tests.helpers import race

from .conftest import make_world, watch


def _errors(fn, n=2):
    return [r for r in race(fn, n) if isinstance(r, Exception)]


@pytest.mark.django_db(transaction=True)
def test_two_completions_at_once_credit_once(db_vendor, settings):
    if db_vendor == "sqlite":
        assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    lw = make_world()
    user, member = lw.users[1], lw.members[1]
    watch(user, lw.video, seconds=7, step=7)  # watched; the check question is what is left
    errors = _errors(lambda i: services.answer_submit(actor=user, lesson=lw.video, choice=1), n=4)
    assert errors == []
    assert Credit.objects.filter(member=member, lesson=lw.video).count() == 1
    assert Event.objects.filter(name="learning.credited").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_last_heartbeats_at_once_credit_once(db_vendor):
    if db_vendor == "sqlite":
        return
    lw = make_world()
    user, member = lw.users[1], lw.members[1]
    clock = watch(user, lw.audio, seconds=15)
    last = clock.after(10)
    errors = _errors(lambda i: services.heartbeat(actor=user, lesson=lw.audio, position=20, now=last), n=4)
    assert errors == []
    assert Credit.objects.filter(member=member, lesson=lw.audio).count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_credit_of_a_lesson(lw):
    watch(lw.users[1], lw.audio, seconds=20)
    credit = Credit.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Credit.objects.create(
            member=credit.member, lesson=credit.lesson, on=credit.on, year=credit.year, hours=1, credits=1
        )
