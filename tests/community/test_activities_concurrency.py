"""Sign-ups at once (real threads and commits): the activity's row lock counts the places taken, so six
riders signing up together for two places get exactly two places and four places on the waitlist —
never a third place."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sanxin.community.activities import services
from sanxin.community.activities.models import Participation, ParticipationStatus
from sanxin.core.errors import ServiceError
from tests.helpers import race
from tests.meetings.conftest import member

from .conftest import make_world


def _errors(fn, n):
    return [r for r in race(fn, n, catch=ServiceError) if isinstance(r, ServiceError)]


@pytest.mark.django_db(transaction=True)
def test_six_sign_ups_at_once_for_two_places(db_vendor, settings):
    if db_vendor == "sqlite":  # one writer at a time: the IMMEDIATE transaction serialises them anyway
        assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    cw = make_world()
    riders = [cw.rider, cw.rider2, *(member(cw.branch_a, f"并发骑手{i}")[1] for i in range(4))]
    start = timezone.now() + dt.timedelta(days=1)
    activity = services.activity_create(
        actor=cw.secretary_a, org=cw.branch_a, title="夏季送清凉进站点", kind="service", place="江汉路口",
        description="高温天在驿站为骑手送绿豆汤和防暑药品", starts_at=start, ends_at=start + dt.timedelta(hours=2),
        capacity=2, hours="2",
    )  # fmt: skip
    errors = _errors(lambda i: services.activity_signup(actor=riders[i], activity=activity), n=len(riders))
    assert errors == []
    rows = Participation.objects.filter(activity=activity)
    assert rows.filter(status=ParticipationStatus.SIGNED_UP).count() == 2
    assert rows.filter(status=ParticipationStatus.WAITLISTED).count() == 4
