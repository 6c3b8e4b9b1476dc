import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import uscc

from govhall.identifiers import (
    clean_resident_id,
    clean_uscc,
    mask_id,
    mask_mobile,
    mask_name,
    resident_id_with_check,
    uscc_with_check,
)


def test_valid_resident_id_is_normalised() -> None:
    assert clean_resident_id(" 11010519491231002x ") == "11010519491231002X"


@pytest.mark.parametrize(
    "number",
    ["110105194912310021", "1101051949123100", "11010519491331002X", "ABCDEFGHIJKLMNOPQR", ""],
)
def test_malformed_resident_ids_are_refused(number: str) -> None:
    with pytest.raises(ValidationError):
        clean_resident_id(number)


def test_future_birth_date_is_refused() -> None:
    with pytest.raises(ValidationError, match="出生日期晚于今天"):
        clean_resident_id(resident_id_with_check("11010520990101001"))


def test_hong_kong_residence_permit_is_accepted() -> None:
    number = resident_id_with_check("81000019900101001")
    assert clean_resident_id(number) == number


def test_uscc_check_matches_stdnum_for_numeric_codes() -> None:
    assert clean_uscc("91110000600037341L") == "91110000600037341L"
    assert uscc.is_valid(uscc_with_check("11510100MB0123456"))


def test_uscc_beginning_with_a_letter_is_accepted() -> None:
    code = uscc_with_check("N2510100MB1234567")
    assert clean_uscc(code) == code


@pytest.mark.parametrize("code", ["91110000600037341A", "9111000060003734", "91110000600037341I"])
def test_bad_uscc_is_refused(code: str) -> None:
    with pytest.raises(ValidationError):
        clean_uscc(code)


def test_masks_keep_only_the_ends() -> None:
    assert mask_name("张三") == "张*"
    assert mask_name("张小三") == "张*三"
    assert mask_id("620102199001011234") == "6201**********1234"
    assert mask_mobile("13812345678") == "138****5678"
