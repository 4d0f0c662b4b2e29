"""Validators for Chinese identifiers, with Chinese messages. Built on python-stdnum's check-digit
arithmetic and covering its gaps: a resident ID from a county created after stdnum's table is only a
warning, a future birth date is an error, and credit codes issued by authorities with a letter code
(N 农业, Y 工会, A 中央军委改革和编制办公室...) are accepted."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# GB 32100-2015 registration-authority code (1st char) and organization-type code (2nd char).
_USCC_AUTHORITIES = "123456789ANY"
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_DIGITS17 = re.compile(r"[0-9]{17}")
_USCC_CHARS = re.compile(r"[0-9A-HJ-NP-RTUW-Y]*")  # _USCC_ALPHABET: one match, not a loop per character


@dataclasses.dataclass(frozen=True)
class Checked:
    value: str
    warnings: tuple[str, ...] = ()


def _compact(value: str) -> str:
    """Whitespace removed, upper case, and full-width forms (a Chinese input method's ０-９, Ｘ, the
    ideographic space) folded to ASCII by NFKC. Digits NFKC leaves alone (Arabic-Indic and other
    scripts) stay as they are, and the checks below refuse them: only ASCII digits are stored."""
    return "".join(unicodedata.normalize("NFKC", str(value or "")).split()).upper()


def check_resident_id(value: str, *, today: dt.date | None = None) -> Checked:
    number = _compact(value)
    if len(number) != 18:
        raise ValidationError("身份证号码应为18位", code="length")
    if not _DIGITS17.fullmatch(number[:17]) or number[17] not in "0123456789X":
        raise ValidationError("身份证号码格式不正确（前17位为数字，最后一位为数字或X）", code="format")
    if ric.calc_check_digit(number) != number[17]:
        raise ValidationError("身份证号码校验位不正确，请核对", code="checksum")
    try:
        birth = ric.get_birth_date(number)
    except StdnumError as exc:
        raise ValidationError("身份证号码中的出生日期无效", code="birth_date") from exc
    today = today or timezone.localdate()
    if birth > today:
        raise ValidationError("身份证号码中的出生日期晚于今天", code="future_birth_date")
    if birth.year < 1900:
        raise ValidationError("身份证号码中的出生日期早于1900年", code="birth_date")
    warnings: list[str] = []
    try:
        ric.get_birth_place(number)
    except StdnumError:
        warnings.append("地区码未在已知行政区划表中，请核对（新设区县可能尚未收录）")
    return Checked(number, tuple(warnings))


def validate_resident_id(value: str) -> None:
    check_resident_id(value)


def resident_id_birth_date(value: str) -> dt.date:
    return ric.get_birth_date(_compact(value))


def resident_id_gender(value: str) -> str:
    """'M' or 'F' from the 17th digit."""
    return "M" if int(_compact(value)[16]) % 2 else "F"


def check_credit_code(value: str) -> Checked:
    number = _compact(value)
    if len(number) != 18:
        raise ValidationError("统一社会信用代码应为18位", code="length")
    if not _USCC_CHARS.fullmatch(number):
        raise ValidationError("统一社会信用代码含有无效字符（不使用I、O、Z、S、V）", code="format")
    if number[0] not in _USCC_AUTHORITIES:
        raise ValidationError("统一社会信用代码的登记管理部门代码无效", code="authority")
    if not number[2:8].isdigit():
        raise ValidationError("统一社会信用代码的行政区划码（第3-8位）应为数字", code="format")
    if uscc.calc_check_digit(number) != number[17]:
        raise ValidationError("统一社会信用代码校验位不正确，请核对", code="checksum")
    return Checked(number)


def validate_credit_code(value: str) -> None:
    check_credit_code(value)


def check_mobile(value: str) -> Checked:
    number = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", str(value or "")))
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("0086"):
        number = number[4:]
    if not _MOBILE.fullmatch(number):
        raise ValidationError("手机号码应为以1开头的11位数字", code="mobile")
    return Checked(number)


def validate_mobile(value: str) -> None:
    check_mobile(value)
