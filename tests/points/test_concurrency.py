"""Races on the points ledger (PostgreSQL, real threads and commits): two reviewers confirming the
same claim, two confirmations competing for the last room under a cap, and the end of a 公示
delivered twice at once. The member's balance row lock makes the second writer wait for the first and
see what it wrote. On SQLite the write transaction is IMMEDIATE — the second writer waits at BEGIN —
which is what the lock relies on there."""

import datetime as dt
import time

import pytest
from django.db import connection
from django.utils import timezone

from sanxin.core import notices
from sanxin.core.errors import RuleViolation
from sanxin.core.models import Event, PublicNotice
from sanxin.points import ledger, services
from sanxin.points.models import Claim, ClaimStatus, Entry
from tests.helpers import race

from .conftest import make_points_world, photo


def _codes(fn, n=2):
    """Each call's result, or the code of the rule it broke."""
    return [r.code if isinstance(r, RuleViolation) else r for r in race(fn, n, catch=RuleViolation)]


def _slow_room(monkeypatch):
    real = ledger.room

    def slow(*args, **kwargs):  # widen the window between the cap check and the write
        value = real(*args, **kwargs)
        time.sleep(0.3)
        return value

    monkeypatch.setattr(ledger, "room", slow)


def _approved(pw, n: int) -> list[Claim]:
    user = pw.users[1]
    claims = []
    for _ in range(n):
        c = services.claim_declare(
            actor=user,
            item=pw.item("V01"),
            deed_on=timezone.localdate() - dt.timedelta(days=1),
            description="参加社区助老志愿服务",
            evidence=[photo(user)],
        )
        services.claim_review(actor=pw.secretary, claim=c, decision="approve")
        claims.append(c)
    return claims


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_confirming_the_last_capped_claim_credit_it_once(monkeypatch, db_vendor, settings):
    if db_vendor == "sqlite":
        assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    pw = make_points_world()
    claims = _approved(pw, 2)  # 5 points each; the month cap of V01 is 10
    services.claim_confirm(actor=pw.committee_user, claim=claims[0])
    last = claims[1]
    _slow_room(monkeypatch)
    reviewers = [pw.committee_user, pw.committee_user2]
    results = _codes(lambda i: services.claim_confirm(actor=reviewers[i], claim=last).status)
    assert sorted(results) == ["notice", "wrong_status"]
    connection.close()
    assert PublicNotice.objects.filter(subject_id=str(last.pk)).count() == 1
    # the 公示 ends and its closing event is delivered twice at the same moment: one credit
    last.refresh_from_db()
    notice = notices.notice_close(
        actor=None, notice=last.notice, on=last.notice.ends_on + dt.timedelta(days=1)
    )
    event = Event.objects.get(key=f"notice_closed:{notice.pk}")
    monkeypatch.undo()
    _codes(lambda i: services.notice_closed(event))
    connection.close()
    assert Entry.objects.filter(claim=last).count() == 1
    assert Claim.objects.get(pk=last.pk).status == ClaimStatus.CREDITED


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_cannot_both_take_the_last_room_under_a_cap(monkeypatch, db_vendor, settings):
    if db_vendor == "sqlite":
        assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    pw = make_points_world()
    claims = _approved(pw, 3)
    services.claim_confirm(actor=pw.committee_user, claim=claims[0])  # 5 of the month's 10 held
    _slow_room(monkeypatch)
    reviewers = [pw.committee_user, pw.committee_user2]
    results = _codes(lambda i: services.claim_confirm(actor=reviewers[i], claim=claims[i + 1]).status)
    assert sorted(results) == ["cap_reached", "notice"]
    connection.close()
    held = Claim.objects.filter(member=pw.members[1], status=ClaimStatus.NOTICE)
    assert sum(c.points for c in held) == pw.item("V01").month_cap
