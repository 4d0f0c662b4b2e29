"""党费: income declarations over time, payments for whole months, arrears, the branch's monthly ledger."""

import datetime as dt
from decimal import Decimal

import pytest

from sanxin.core.errors import InvalidInput, NotFound, RuleViolation
from sanxin.members import selectors, services
from sanxin.members.dues import Basis
from tests.helpers import assert_max_queries
from tests.world import build_world

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def w():
    return build_world()


def test_declarations_change_the_dues_from_their_month(w):
    m = w.member_a
    services.income_declare(
        actor=w.secretary_a, member=m, basis=Basis.SALARY, amount="4500", month=D(2024, 1, 15)
    )
    services.income_declare(
        actor=w.secretary_a, member=m, basis=Basis.SALARY, amount="8000", month=D(2024, 7, 1)
    )
    assert selectors.due_for(m, D(2023, 12, 1)) is None
    assert selectors.due_for(m, D(2024, 6, 1)) == Decimal("45.00")
    assert selectors.due_for(m, D(2024, 7, 1)) == Decimal("120.00")
    with pytest.raises(RuleViolation) as e:
        services.income_declare(
            actor=w.secretary_a, member=m, basis=Basis.SALARY, amount="9000", month=D(2024, 3, 1)
        )
    assert e.value.code == "date_order" and "2024年07月" in e.value.message
    with pytest.raises(InvalidInput) as e:
        services.income_declare(
            actor=w.secretary_a, member=m, basis=Basis.SALARY, amount="-1", month=D(2025, 1, 1)
        )
    assert e.value.message == "金额不能为负数" and e.value.field == "amount"
    with pytest.raises(InvalidInput):
        services.income_declare(
            actor=w.secretary_a, member=m, basis=Basis.RURAL, amount="2", month=D(2025, 1, 1)
        )
    with pytest.raises(NotFound):
        services.income_declare(actor=w.secretary_b, member=m, basis=Basis.FLAT, month=D(2025, 1, 1))


def test_payments_cover_whole_months_once_and_never_less_than_due(w):
    m = w.member_a
    services.income_declare(
        actor=w.secretary_a, member=m, basis=Basis.SALARY, amount="4500", month=D(2024, 1, 1)
    )
    p = services.dues_pay(
        actor=w.secretary_a,
        member=m,
        month_from=D(2024, 1, 1),
        month_to=D(2024, 3, 1),
        channel="wechat",
        paid_on=D(2024, 1, 10),
    )
    assert p.due == p.amount == Decimal("135.00") and p.org == w.branch_a
    with pytest.raises(RuleViolation) as e:
        services.dues_pay(
            actor=w.secretary_a, member=m, month_from=D(2024, 3, 1), channel="cash", paid_on=D(2024, 3, 5)
        )
    assert e.value.code == "already_paid" and "2024年03月" in e.value.message
    with pytest.raises(RuleViolation) as e:
        services.dues_pay(
            actor=w.secretary_a,
            member=m,
            month_from=D(2024, 4, 1),
            amount="40",
            channel="cash",
            paid_on=D(2024, 4, 5),
        )
    assert e.value.code == "underpaid" and "45.00" in e.value.message
    more = services.dues_pay(
        actor=w.secretary_a,
        member=m,
        month_from=D(2024, 4, 1),
        amount="100",
        channel="cash",
        paid_on=D(2024, 4, 5),
    )
    assert more.amount == Decimal("100.00") and more.due == Decimal("45.00")  # 自愿多交
    with pytest.raises(InvalidInput):
        services.dues_pay(
            actor=w.secretary_a, member=m, month_from=D(2024, 5, 1), channel="gold", paid_on=D(2024, 5, 5)
        )


def test_arrears_and_the_branch_ledger(w):
    m = w.member_a  # registered in branch_a from 2021-03
    services.income_declare(actor=w.secretary_a, member=m, basis=Basis.FLAT, month=D(2021, 3, 1))
    services.dues_pay(
        actor=w.secretary_a,
        member=m,
        month_from=D(2021, 3, 1),
        month_to=D(2022, 2, 1),
        channel="cash",
        paid_on=D(2021, 3, 1),
    )
    today = D(2022, 6, 15)
    assert selectors.arrears(m, today) == [D(2022, 3, 1), D(2022, 4, 1), D(2022, 5, 1)]
    with assert_max_queries(4):
        rows = selectors.dues_ledger(w.branch_a, D(2022, 1, 1), today)
    (row,) = rows
    assert row.member == m and row.due == Decimal("0.20") and row.payment.month_to == D(2022, 2, 1)
    assert row.arrears == 3
    assert selectors.dues_ledger(w.branch_a, D(2022, 4, 1), today)[0].payment is None
    assert selectors.dues_ledger(w.branch_b, D(2022, 1, 1), today)[0].member == w.member_b


def test_no_payment_for_months_without_a_declaration(w):
    m = w.member_a
    services.income_declare(actor=w.secretary_a, member=m, basis=Basis.FLAT, month=D(2024, 1, 1))
    with pytest.raises(RuleViolation) as e:
        services.dues_pay(
            actor=w.secretary_a, member=m, month_from=D(2023, 12, 1), channel="cash", paid_on=D(2024, 5, 5)
        )
    assert e.value.code == "undeclared" and "2023年12月" in e.value.message
    assert not m.payments.exists()
