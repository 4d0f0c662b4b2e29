"""Two secretaries of the receiving branch accept the same transfer at the same moment: the transfer
row lock makes the second wait for the first and then see it accepted, so the member moves once
(PostgreSQL, real threads and commits). On SQLite the write transaction is IMMEDIATE — the second
writer waits at BEGIN — and the sequential double acceptance (test_workflow.py) covers the re-check."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from sanxin.accounts.services import grant_create
from sanxin.core.errors import RuleViolation
from sanxin.core.models import Event, Region
from sanxin.members import services as member_services
from sanxin.members.models import OrgRelation
from sanxin.orgs import services as org_services
from sanxin.orgs.models import OrgType
from sanxin.transfers import services
from sanxin.transfers.models import State, Transfer
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_two_secretaries_accepting_at_once_move_the_member_once(monkeypatch, db_vendor, settings):
    if db_vendor == "sqlite":
        assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    region, _ = Region.objects.get_or_create(code="390100000000", defaults={"name": "新河市", "level": 2})
    committee = org_services.org_create(
        actor=None,
        parent=None,
        name="并发测试党委",
        org_type=OrgType.PARTY_COMMITTEE,
        region=region,
        founded_on=dt.date(2000, 1, 1),
    )
    here, there = (
        org_services.org_create(
            actor=None,
            parent=committee,
            name=name,
            org_type=OrgType.BRANCH,
            region=region,
            founded_on=dt.date(2020, 1, 1),
        )
        for name in ("并发转出支部", "并发接收支部")
    )
    person, _ = org_services.person_create(actor=None, name="并发党员", org=here)
    member = member_services.member_register(
        actor=None, person=person, org=here, joined_on=dt.date(2018, 7, 1)
    )
    today = timezone.localdate()
    t = services.transfer_apply(
        actor=None, member=member, kind="out", to_org=there, reason="并发", on=today - dt.timedelta(days=2)
    )
    t = services.transfer_approve(actor=None, transfer=t, on=today - dt.timedelta(days=1))
    secretaries = []
    for _ in range(2):
        u = UserFactory()
        grant_create(actor=None, user=u, role="branch_secretary", org=there)
        secretaries.append(u)

    real = services._switch

    def slow(transfer, on):  # widen the window between the state check and the commit
        time.sleep(0.3)
        return real(transfer, on)

    monkeypatch.setattr(services, "_switch", slow)
    barrier = threading.Barrier(2)
    results: list = []

    def accept(user):
        barrier.wait()
        try:
            services.transfer_accept(actor=user, transfer=Transfer(pk=t.pk))
            results.append("ok")
        except RuleViolation as exc:
            results.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(u,)) for u in secretaries]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert sorted(results) == ["ok", "wrong_state"]
    connection.close()
    assert Transfer.objects.get(pk=t.pk).state == State.ACCEPTED
    assert OrgRelation.objects.filter(member=member, kind="formal", source="transfer").count() == 1
    assert OrgRelation.objects.get(member=member, kind="formal", end_on__isnull=True).org == there
    assert Event.objects.filter(name="transfers.accepted", payload__transfer_id=t.pk).count() == 1
