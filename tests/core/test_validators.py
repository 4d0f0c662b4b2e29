"""Chinese identifiers: resident ID (GB 11643), unified social credit code (GB 32100) and mobile
numbers, with python-stdnum's check digits and our own rules on top, in Chinese."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from sanxin.core.validators import (
    check_credit_code,
    check_mobile,
    check_resident_id,
    resident_id_birth_date,
    resident_id_gender,
    validate_credit_code,
    validate_mobile,
    validate_resident_id,
)

TODAY = dt.date(2026, 11, 24)
KNOWN_AREAS = ["110101", "110102", "110105", "110108", "310101", "310104"]  # in stdnum's table, 1900 on
ID_CHARS = "0123456789X"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_id(area: str, birth: dt.date, seq: int) -> str:
    """A resident ID whose check digit python-stdnum computes (never our own arithmetic)."""
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "?")  # stdnum wants the check position present


def make_credit_code(first17: str) -> str:
    return first17 + uscc.calc_check_digit(first17)


def codes(exc: pytest.ExceptionInfo) -> set[str]:
    return {e.code for e in exc.value.error_list}


# --- resident ID ----------------------------------------------------------------------------------

resident_ids = st.builds(
    make_id,
    st.sampled_from(KNOWN_AREAS),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    st.integers(0, 999),
)


@given(resident_ids)
def test_ids_with_a_correct_check_digit_validate(number):
    checked = check_resident_id(number, today=TODAY)
    assert checked.value == number and checked.warnings == ()
    assert resident_id_birth_date(number) == dt.date(
        int(number[6:10]), int(number[10:12]), int(number[12:14])
    )


@given(resident_ids, st.integers(0, 17), st.data())
def test_changing_any_single_character_is_refused(number, pos, data):
    choices = [c for c in (ID_CHARS if pos == 17 else ID_CHARS[:10]) if c != number[pos]]
    changed = number[:pos] + data.draw(st.sampled_from(choices)) + number[pos + 1 :]
    with pytest.raises(ValidationError):
        check_resident_id(changed, today=TODAY)


def test_known_example_and_spelling_variants():
    assert check_resident_id("11010519491231002X").value == "11010519491231002X"
    assert check_resident_id("11010519491231002x").value == "11010519491231002X"
    assert check_resident_id(" 110105 19491231 002X ").value == "11010519491231002X"
    # a Chinese input method in full-width mode
    assert check_resident_id("１１０１０５１９４９１２３１００２ｘ").value == "11010519491231002X"
    validate_resident_id("11010519491231002X")
    assert resident_id_birth_date("11010519491231002X") == dt.date(1949, 12, 31)
    assert resident_id_gender("11010519491231002X") == "F"
    assert resident_id_gender(make_id("110105", dt.date(1990, 1, 1), 1)) == "M"


def test_bad_check_digit_is_refused_in_chinese():
    with pytest.raises(ValidationError, match="身份证号码校验位不正确") as exc:
        check_resident_id("110105194912310021")
    assert codes(exc) == {"checksum"}
    with pytest.raises(ValidationError):
        validate_resident_id("110105194912310021")


@pytest.mark.parametrize(
    "number", ["", "1101051949123100", "11010519491231002", "11010519491231002X1", "110105491231002"]
)
def test_wrong_length_is_refused(number):
    with pytest.raises(ValidationError, match="身份证号码应为18位") as exc:
        check_resident_id(number)
    assert codes(exc) == {"length"}


@pytest.mark.parametrize(
    "number", ["11010519491231002A", "X10105194912310021", "1101051949123100-X", "1101051949123100١X"]
)
def test_other_characters_are_refused(number):
    with pytest.raises(ValidationError, match="格式不正确") as exc:
        check_resident_id(number)
    assert codes(exc) == {"format"}


@given(st.text(min_size=17, max_size=19))
@example("1101051949123100²X")
@example("1101051949123100²2")
@example("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X")
def test_any_text_gives_a_validation_error_or_an_ascii_number(text):
    try:
        checked = check_resident_id(text, today=TODAY)
    except ValidationError as exc:
        assert all(m for m in exc.messages)
    else:
        assert checked.value.isascii() and len(checked.value) == 18


def test_birth_date_must_be_a_date():
    body = "11010519490231123"
    with pytest.raises(ValidationError, match="出生日期无效") as exc:
        check_resident_id(body + ric.calc_check_digit(body + "?"))
    assert codes(exc) == {"birth_date"}
    with pytest.raises(ValidationError, match="早于1900年"):
        check_resident_id(make_id("110105", dt.date(1899, 12, 31), 1))


def test_future_birth_date_is_an_error():
    future = make_id("110105", dt.date(2030, 1, 1), 1)
    assert ric.is_valid(future)  # python-stdnum alone lets it through
    with pytest.raises(ValidationError, match="身份证号码中的出生日期晚于今天") as exc:
        check_resident_id(future, today=TODAY)
    assert codes(exc) == {"future_birth_date"}
    assert check_resident_id(make_id("110105", TODAY, 1), today=TODAY).value
    with pytest.raises(ValidationError, match="晚于今天"):
        check_resident_id(make_id("110105", TODAY + dt.timedelta(days=1), 1), today=TODAY)


def test_future_birth_date_against_the_real_calendar():
    from django.utils import timezone

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="晚于今天"):
        check_resident_id(make_id("110105", tomorrow, 7))


def test_unknown_area_code_is_only_a_warning():
    number = make_id("390102", dt.date(1990, 5, 1), 12)  # the fictional 新河市 新城区
    with pytest.raises(Exception):
        ric.validate(number)  # stdnum refuses a county it does not know
    checked = check_resident_id(number)
    assert checked.value == number
    assert len(checked.warnings) == 1 and "地区码未在已知行政区划表中" in checked.warnings[0]
    validate_resident_id(number)  # a warning is not an error


# --- unified social credit code -------------------------------------------------------------------

credit_codes = st.builds(
    lambda first, second, area, org: make_credit_code(first + second + area + org),
    st.sampled_from("123456789ANY"),
    st.sampled_from("123459"),
    st.from_regex(r"[0-9]{6}", fullmatch=True),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
)


def test_credit_code_known_example():
    assert check_credit_code("91110000600037341L").value == "91110000600037341L"
    assert check_credit_code(" 91110000600037341l ").value == "91110000600037341L"
    assert check_credit_code("９１１１００００６０００３７３４１Ｌ").value == "91110000600037341L"
    validate_credit_code("91110000600037341L")


@pytest.mark.parametrize("first8", ["N2110000", "Y1110000", "A1110000", "N3320102"])
def test_letter_authority_codes_accepted_where_stdnum_refuses(first8):
    number = make_credit_code(first8 + "MA0123456")
    with pytest.raises(Exception):
        uscc.validate(number)
    assert check_credit_code(number).value == number


@given(credit_codes)
def test_codes_with_a_correct_check_digit_validate(number):
    assert check_credit_code(number).value == number


@given(credit_codes, st.integers(0, 17), st.data())
def test_changing_any_single_character_of_a_credit_code_is_refused(number, pos, data):
    replacement = data.draw(st.sampled_from([c for c in USCC_ALPHABET if c != number[pos]]))
    with pytest.raises(ValidationError):
        check_credit_code(number[:pos] + replacement + number[pos + 1 :])


def test_credit_code_errors_in_chinese():
    with pytest.raises(ValidationError, match="统一社会信用代码校验位不正确") as exc:
        check_credit_code("91110000600037341M")
    assert codes(exc) == {"checksum"}
    for bad in ("91110000600037341I", "91110000600037341O", "9111000060003734SL"):
        with pytest.raises(ValidationError, match="无效字符"):
            check_credit_code(bad)
    with pytest.raises(ValidationError, match="应为18位"):
        check_credit_code("9111000060003734")
    with pytest.raises(ValidationError, match="登记管理部门代码无效"):
        check_credit_code(make_credit_code("B1110000600037341"))
    with pytest.raises(ValidationError, match="行政区划码"):
        check_credit_code(make_credit_code("911A0000600037341"))
    with pytest.raises(ValidationError):
        validate_credit_code("91110000600037341M")


# --- mobile numbers -------------------------------------------------------------------------------

mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "+86 138 0013 8000",
        "+86-138-0013-8000",
        "+8613800138000",
        "008613800138000",
        "0086 138 0013 8000",
        "１３８００１３８０００",  # full-width digits from a Chinese input method
        "138\u30000013\u30008000",  # ideographic spaces
    ],
)
def test_mobile_spellings_are_compacted(raw):
    assert check_mobile(raw).value == "13800138000"
    validate_mobile(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "138001380001",  # 12 digits
        "+86 138001380001",
        "1380013800",  # 10 digits
        "12800138000",  # no such network
        "23800138000",
        "1380013800٠",  # an Arabic-Indic zero
        "+85213800138000",
        "电话13800138000",
        "",
        None,
    ],
)
def test_bad_mobiles_are_refused_in_chinese(raw):
    with pytest.raises(ValidationError, match="手机号码应为以1开头的11位数字") as exc:
        check_mobile(raw)
    assert codes(exc) == {"mobile"}


@given(mobiles, st.sampled_from(["", "+86", "+86 ", "0086"]), st.integers(0, 9))
def test_mobile_property(number, prefix, extra):
    assert check_mobile(prefix + number).value == number
    with pytest.raises(ValidationError):
        check_mobile(prefix + number + str(extra))
    with pytest.raises(ValidationError):
        check_mobile(prefix + number[:-1])
