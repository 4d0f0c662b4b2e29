"""Two spendings racing for the same balance: the org row lock makes the second wait for the first
and see its outflow, so exactly one passes (PostgreSQL, real threads and commits). On SQLite the
write transaction is IMMEDIATE — the second writer waits at BEGIN — which is what the lock relies on."""

import datetime as dt
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from sanxin.core.errors import RuleViolation
from sanxin.members.funds import selectors, services
from sanxin.members.funds.models import FundEntry, FundKind
from sanxin.orgs import services as org_services
from sanxin.orgs.models import OrgType

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 200


@pytest.mark.django_db(transaction=True)
def test_concurrent_spendings_cannot_both_pass(monkeypatch, db_vendor, settings):
    if db_vendor == "sqlite":
        assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    from sanxin.core.models import Region

    region, _ = Region.objects.get_or_create(code="390100000000", defaults={"name": "新河市", "level": 2})
    org = org_services.org_create(
        actor=None,
        parent=None,
        name="并发测试党支部",
        org_type=OrgType.BRANCH,
        region=region,
        founded_on=dt.date(2020, 1, 1),
    )
    services.entry_record(
        actor=None, org=org, kind=FundKind.OTHER_INCOME, amount="100", occurred_on=dt.date(2025, 1, 1)
    )
    real = selectors.available_on

    def slow(org, on):  # widen the window between the balance check and the insert
        value = real(org, on)
        time.sleep(0.3)
        return value

    monkeypatch.setattr(selectors, "available_on", slow)
    barrier = threading.Barrier(2)
    results: list = []

    def spend():
        barrier.wait()
        try:
            services.entry_record(
                actor=None,
                org=org,
                kind=FundKind.SPENDING,
                category="activity",
                amount="60",
                occurred_on=dt.date(2025, 2, 1),
                receipt_upload=SimpleUploadedFile("发票.png", PNG),
            )
            results.append("ok")
        except RuleViolation as exc:
            results.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=spend) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["insufficient_balance", "ok"]
    connection.close()
    assert FundEntry.objects.filter(org=org, kind=FundKind.SPENDING).count() == 1
    assert selectors.balance(org) == 40
