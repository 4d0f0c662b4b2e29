"""Votes at once (PostgreSQL, real threads and commits): the user's row lock counts every request, so
twenty requests of one account never exceed the per-minute limit and count one vote; the selection's
row lock serialises the duplicate-device count, so six accounts on one phone at once cast three votes,
are refused the rest and the three are flagged. On SQLite the IMMEDIATE write transaction serialises
them the same way."""

from __future__ import annotations

import pytest

from sanxin.community.awards import services
from sanxin.community.awards.models import AwardCandidate, AwardVote, AwardVoteRequest
from sanxin.core.errors import ServiceError
from tests.helpers import race

from .conftest import make_world
from .test_awards import _approved, _selection


def _errors(fn, n):
    return [r for r in race(fn, n, catch=ServiceError) if isinstance(r, ServiceError)]


@pytest.mark.django_db(transaction=True)
def test_twenty_requests_at_once_count_one_vote_and_respect_the_limit(db_vendor, settings):
    if db_vendor == "sqlite":
        assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    cw = make_world()
    s = _selection(cw)
    a = _approved(s, cw.rider.person)
    errors = _errors(lambda i: services.vote_cast(actor=cw.rider2, selection=s, candidate_id=a.pk), n=20)
    assert AwardVote.objects.filter(selection=s, voter=cw.rider2).count() == 1
    assert AwardVoteRequest.objects.filter(user=cw.rider2).count() == services.VOTE_REQUESTS_PER_MINUTE
    codes = sorted(e.code for e in errors)
    assert codes.count("rate_limited") == 20 - services.VOTE_REQUESTS_PER_MINUTE
    assert codes.count("already_voted") == services.VOTE_REQUESTS_PER_MINUTE - 1


@pytest.mark.django_db(transaction=True)
def test_six_accounts_on_one_phone_at_once(db_vendor):
    if db_vendor == "sqlite":
        return
    from tests.meetings.conftest import member

    cw = make_world()
    s = _selection(cw)
    a = _approved(s, cw.rider.person)
    users = [cw.rider, cw.rider2, cw.secretary_a] + [member(cw.branch_a, f"骑手{i}")[1] for i in range(3)]
    errors = _errors(
        lambda i: services.vote_cast(actor=users[i], selection=s, candidate_id=a.pk, device_id="one-phone"),
        n=6,
    )
    assert AwardVote.objects.filter(selection=s).count() == services.DEVICE_ACCOUNTS
    assert AwardVote.objects.filter(selection=s, flagged=True).count() == services.DEVICE_ACCOUNTS
    assert [e.code for e in errors] == ["device_limit"] * (6 - services.DEVICE_ACCOUNTS)
    assert AwardCandidate.objects.get(pk=a.pk).status == "approved"
