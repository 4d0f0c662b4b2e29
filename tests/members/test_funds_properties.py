"""Property (hypothesis): under random sequences of incomes, spendings, allocations and reversals at
random (also backdated) dates, the ledger agrees with a plain model — an outflow passes exactly when
no day's closing balance from its date on would go below zero, the balance is the sum of the entries,
an entry is reversed at most once, and a refused operation leaves no trace."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sanxin.core.errors import RuleViolation
from sanxin.core.models import AuditLog
from sanxin.members.funds import selectors, services
from sanxin.members.funds.models import FundEntry, FundKind
from sanxin.orgs import services as org_services
from sanxin.orgs.models import OrgType
from tests.world import regions

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 200
START = dt.date(2025, 1, 1)

ops = st.lists(
    st.tuples(
        st.sampled_from(["income", "spend", "allocate", "reverse"]),
        st.integers(0, 60),  # day offset from START
        st.integers(1, 500),  # amount in yuan
        st.integers(0, 20),  # which entry to reverse
    ),
    min_size=1,
    max_size=14,
)


def allowed(model: list[tuple[dt.date, Decimal]], on: dt.date, amount: Decimal) -> bool:
    days = sorted({d for d, _ in model if d >= on} | {on})
    return all(sum((a for d, a in model if d <= day), Decimal(0)) >= amount for day in days)


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=ops)
@example(plan=[("income", 0, 100, 0), ("spend", 10, 80, 0), ("spend", 5, 50, 0)]).via("backdated overdraft")
@example(plan=[("income", 0, 100, 0), ("allocate", 3, 60, 0), ("reverse", 1, 0, 0)]).via("income taken back")
@example(plan=[("income", 0, 100, 0), ("allocate", 3, 60, 0), ("reverse", 9, 0, 1), ("reverse", 9, 0, 2)])
def test_the_ledger_agrees_with_a_model(plan):
    with transaction.atomic():
        region = regions()["390100000000"]
        committee = org_services.org_create(
            actor=None,
            parent=None,
            name="党委",
            org_type=OrgType.PARTY_COMMITTEE,
            region=region,
            founded_on=dt.date(2020, 1, 1),
        )
        branch = org_services.org_create(
            actor=None,
            parent=committee,
            name="支部",
            org_type=OrgType.BRANCH,
            region=region,
            founded_on=dt.date(2020, 1, 1),
        )
        model = {committee.pk: [], branch.pk: []}
        entries: list[FundEntry] = []
        for kind, offset, yuan, pick in plan:
            on, amount = START + dt.timedelta(days=offset), Decimal(yuan)
            before = (FundEntry.objects.count(), AuditLog.objects.count())
            if kind == "income":
                e = services.entry_record(
                    actor=None, org=committee, kind=FundKind.OTHER_INCOME, amount=amount, occurred_on=on
                )
                model[committee.pk].append((on, amount))
                entries.append(e)
            elif kind in ("spend", "allocate"):
                expect = allowed(model[committee.pk], on, amount)
                try:
                    with transaction.atomic():
                        if kind == "spend":
                            made = [
                                services.entry_record(
                                    actor=None,
                                    org=committee,
                                    kind=FundKind.SPENDING,
                                    category="activity",
                                    amount=amount,
                                    occurred_on=on,
                                    receipt_upload=SimpleUploadedFile("r.png", PNG),
                                )
                            ]
                        else:
                            made = list(
                                services.funds_allocate(
                                    actor=None, source=committee, target=branch, amount=amount, occurred_on=on
                                )
                            )
                except RuleViolation as exc:
                    assert not expect and exc.code == "insufficient_balance"
                    assert (FundEntry.objects.count(), AuditLog.objects.count()) == before
                else:
                    assert expect
                    for e in made:
                        model[e.org_id].append((on, e.amount))
                    entries.extend(made)
            elif entries:
                target = entries[pick % len(entries)]
                group = [e for e in entries if target.transfer and e.transfer == target.transfer] or [target]
                already = FundEntry.objects.filter(reverses__in=group).exists()
                expect = not already and all(
                    e.amount < 0 or allowed(model[e.org_id], max(on, e.occurred_on), e.amount) for e in group
                )
                try:
                    with transaction.atomic():
                        made = services.entry_reverse(
                            actor=None, entry=target, reason="更正", occurred_on=max(on, target.occurred_on)
                        )
                except RuleViolation as exc:
                    assert not expect, exc.code
                    assert (FundEntry.objects.count(), AuditLog.objects.count()) == before
                else:
                    assert expect
                    for e in made:
                        model[e.org_id].append((e.occurred_on, e.amount))
            for org in (committee, branch):
                assert selectors.balance(org) == sum((a for _, a in model[org.pk]), Decimal(0))
                if model[org.pk]:
                    assert selectors.available_on(org, min(d for d, _ in model[org.pk])) >= 0
        assert FundEntry.objects.filter(reverses__isnull=False).values("reverses").distinct().count() == (
            FundEntry.objects.filter(reverses__isnull=False).count()
        )
        transaction.set_rollback(True)
