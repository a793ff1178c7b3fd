"""R11.1, R22.1: the registry's identifiers are validated: the unified social credit code
(GB 32100-2015 check character) and residents' ID documents (GB 11643 check digit, birth date
and region code, consistent with the birth date and gender given)."""

from __future__ import annotations

import datetime as dt

import pytest

from audit import personal_data as pd
from gridgov.errors import DomainError
from gridgov.testing import people as testing
from registry.validation import (
    IdType,
    check_consistent,
    normalize_document,
    normalize_uscc,
    uscc_check_char,
)

# Published codes (business licences shown on the registrants' own sites).
REAL_USCC = ["91350100M000100Y43", "91110000802100433B", "91440300708461136T"]


@pytest.mark.parametrize("code", REAL_USCC)
def test_real_credit_codes_pass_their_check_character(code):
    assert uscc_check_char(code[:17]) == code[17]
    assert normalize_uscc(code.lower()) == code
    assert normalize_uscc(f" {code[:9]}-{code[9:]} ") == code


def test_a_blank_credit_code_stays_blank():
    assert normalize_uscc("") == ""


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("9135010M000100Y43", "uscc_length"),
        ("91350100M000100Y433", "uscc_length"),
        ("91350100M000100I43", "uscc_format"),  # I is not in the character set
        ("B1350100M000100Y43", "uscc_format"),  # no such registration authority
        ("913501A0M000100Y43", "uscc_format"),  # the region code is digits
        ("91350100M000100Y44", "uscc_check_char"),
    ],
)
def test_bad_credit_codes_are_refused_with_the_reason(value, code):
    with pytest.raises(DomainError) as refused:
        normalize_uscc(value)
    assert (refused.value.code, refused.value.field) == (code, "credit_code")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("440703198501010018", "id_check_digit"),
        ("99070319850101001" + pd.id_check_char("99070319850101001"), "id_region"),
        ("44070319850230001" + pd.id_check_char("44070319850230001"), "id_birth_date"),
        ("4407031985010100", "id_length"),
    ],
)
def test_resident_id_numbers_are_checked(value, code):
    with pytest.raises(DomainError) as refused:
        normalize_document(IdType.RESIDENT_ID, value)
    assert refused.value.code == code


def test_birth_date_and_gender_must_agree_with_the_id_number():
    number = testing.id_number(1, birth="19850101")  # sequence 001: odd, male
    assert check_consistent(number, birth_date=None, gender="") == (dt.date(1985, 1, 1), "male")
    with pytest.raises(DomainError) as refused:
        check_consistent(number, birth_date=dt.date(1985, 1, 2), gender="")
    assert refused.value.code == "id_birth_date_mismatch"
    with pytest.raises(DomainError) as refused:
        check_consistent(number, birth_date=None, gender="female")
    assert refused.value.code == "id_gender_mismatch"


@pytest.mark.parametrize(
    ("id_type", "good", "bad"),
    [
        (IdType.PASSPORT, "e12345678", "E1"),
        (IdType.HK_MACAO_PERMIT, "H12345678", "X12345678"),
        (IdType.TAIWAN_PERMIT, "12345678", "1234567A"),
        (IdType.FOREIGN_PERMANENT_ID, "USA123456789012", "USA12"),
    ],
)
def test_other_documents_have_their_shapes(id_type, good, bad):
    assert normalize_document(id_type, good) == good.upper()
    with pytest.raises(DomainError) as refused:
        normalize_document(id_type, bad)
    assert refused.value.code == "document_format"
