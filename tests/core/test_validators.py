import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from sanxin.core.validators import check_credit_code, check_mobile, check_resident_id


def make_id(area: str, birth: dt.date, seq: int) -> str:
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


@given(
    birth=st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2008, 12, 31)),
    seq=st.integers(0, 999),
    pos=st.integers(0, 16),
    delta=st.integers(1, 9),
)
def test_valid_ids_pass_and_any_single_digit_change_is_caught(birth, seq, pos, delta):
    number = make_id("110105", birth, seq)
    assert check_resident_id(number).value == number
    digits = list(number)
    digits[pos] = str((int(digits[pos]) + delta) % 10)
    with pytest.raises(ValidationError):
        check_resident_id("".join(digits))


def test_known_examples_and_messages():
    assert check_resident_id("11010519491231002x").value == "11010519491231002X"
    with pytest.raises(ValidationError, match="校验位"):
        check_resident_id("110105194912310021")
    with pytest.raises(ValidationError, match="18位"):
        check_resident_id("1101051949123100")
    with pytest.raises(ValidationError, match="格式"):
        check_resident_id("11010519491231002A")


def test_future_birth_date_is_an_error():
    future = make_id("110105", dt.date(2030, 1, 1), 1)
    with pytest.raises(ValidationError, match="晚于今天"):
        check_resident_id(future, today=dt.date(2026, 11, 24))


def test_unknown_area_code_is_only_a_warning():
    number = make_id("390102", dt.date(1990, 5, 1), 12)  # the fictional 新河市
    checked = check_resident_id(number)
    assert checked.value == number and checked.warnings and "地区码" in checked.warnings[0]
    with pytest.raises(Exception):
        ric.validate(number)


def test_credit_codes_with_letter_authorities_are_accepted():
    assert check_credit_code("91110000600037341L").value == "91110000600037341L"
    for prefix in ("N2110000", "Y1110000", "A1110000"):
        body = prefix + "MA0123456"
        number = body + uscc.calc_check_digit(body)
        assert check_credit_code(number).value == number
        with pytest.raises(Exception):
            uscc.validate(number)
    with pytest.raises(ValidationError, match="校验位"):
        check_credit_code("91110000600037341M")
    with pytest.raises(ValidationError, match="无效字符"):
        check_credit_code("91110000600037341I")


def test_mobile_numbers():
    assert check_mobile("+86 138-0013-8000").value == "13800138000"
    assert check_mobile("008613800138000").value == "13800138000"
    for bad in ("12800138000", "1380013800", "138001380001", "电话"):
        with pytest.raises(ValidationError, match="手机号码"):
            check_mobile(bad)
