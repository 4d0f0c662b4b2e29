"""党费: a member's monthly dues by the rules of 2008 (中共中央组织部《关于中国共产党党费收缴、使用和
管理的规定》), in ``Decimal``, rounded to the fen.

- In work (``SALARY``), on the declared after-tax monthly income: up to 3,000 yuan inclusive 0.5%;
  above 3,000 up to 5,000 inclusive 1%; above 5,000 up to 10,000 inclusive 1.5%; above 10,000 2%.
- Retired, on the pension (``PENSION``): up to 5,000 inclusive 0.5%; above 5,000 1%.
- Students, the unemployed, and members living on relief or the minimum living allowance (``FLAT``):
  0.20 yuan a month.
- Rural members (``RURAL``): 0.20 to 1.00 yuan a month, the amount the member declares.

The rate applies to the whole income (it is a band, not a progressive tax).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext_lazy as _

from sanxin.core.errors import InvalidInput

FEN = Decimal("0.01")
FLAT_AMOUNT = Decimal("0.20")
RURAL_MIN, RURAL_MAX = Decimal("0.20"), Decimal("1.00")

# (upper bound inclusive, or None for "above the last bound"; rate)
SALARY_BANDS = (
    (Decimal("3000"), Decimal("0.005")),
    (Decimal("5000"), Decimal("0.01")),
    (Decimal("10000"), Decimal("0.015")),
    (None, Decimal("0.02")),
)
PENSION_BANDS = (
    (Decimal("5000"), Decimal("0.005")),
    (None, Decimal("0.01")),
)


class Basis(models.TextChoices):
    SALARY = "salary", _("在职（按税后月工资收入）")
    PENSION = "pension", _("离退休（按月养老金）")
    FLAT = "flat", _("学生、失业及享受救济或低保（每月0.2元）")
    RURAL = "rural", _("农民党员（每月0.2元至1元）")


def money(value, field: str = "income") -> Decimal:
    """A non-negative amount in yuan with at most two decimals, from text or a number."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise InvalidInput("金额应为数字，如 4500 或 4500.50", field=field) from None
    if not amount.is_finite():
        raise InvalidInput("金额应为数字，如 4500 或 4500.50", field=field)
    if amount < 0:
        raise InvalidInput("金额不能为负数", field=field)
    if amount != amount.quantize(FEN):
        raise InvalidInput("金额最多保留两位小数（元、角、分）", field=field)
    return amount.quantize(FEN)


def rate(basis: str, income: Decimal) -> Decimal:
    bands = SALARY_BANDS if basis == Basis.SALARY else PENSION_BANDS
    for upper, r in bands:
        if upper is None or income <= upper:
            return r
    raise AssertionError("unreachable: the last band is open")


def monthly_dues(basis: str, income=None) -> Decimal:
    """The dues for one month. ``income`` is the after-tax income (``SALARY``), the pension
    (``PENSION``), or the declared amount (``RURAL``); ``FLAT`` needs none."""
    if basis == Basis.FLAT:
        return FLAT_AMOUNT
    if basis not in Basis.values:
        raise InvalidInput("请选择党费计算方式", field="basis")
    if income is None or income == "":
        raise InvalidInput("请填写月收入" if basis != Basis.RURAL else "请填写每月交纳金额", field="income")
    amount = money(income)
    if basis == Basis.RURAL:
        if not RURAL_MIN <= amount <= RURAL_MAX:
            raise InvalidInput("农民党员每月交纳0.2元至1元", field="income")
        return amount
    return (amount * rate(basis, amount)).quantize(FEN, rounding=ROUND_HALF_UP)


# --- months ------------------------------------------------------------------------------------------


def month_start(d):
    return d.replace(day=1)


def add_months(d, n: int):
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return d.replace(year=y, month=m + 1, day=1)


def months(first, last):
    """The first days of the months from ``first`` to ``last`` (both included)."""
    out, m = [], month_start(first)
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out
