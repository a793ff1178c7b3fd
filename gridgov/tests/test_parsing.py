"""The shared parsers of numbers and JSON from outside (R22.1, R28.1): bad input is refused
with a reason, never a server error, never read as something else."""

from __future__ import annotations

import io
import json

import pytest
from django.http import QueryDict
from rest_framework import serializers
from rest_framework.exceptions import ParseError

from gridgov.jsoninput import JSONInputError, JSONParser, loads_bounded, nesting_depth
from gridgov.parsing import (
    INT32_MAX,
    INT64_MAX,
    BadParameter,
    CountField,
    FormIntegerField,
    IdField,
    IntegerField,
    is_digits,
    parse_id,
    parse_ids,
    parse_int,
    query_int,
)

BAD_DIGITS = ["¹", "²", "٣", "３", "1e20", "9" * 20, "-1", "", " ", "1.5", "0x10", "+1", "1_0"]


@pytest.mark.parametrize("text", BAD_DIGITS)
def test_r28_1_parse_int_takes_ascii_digits_only(text):
    assert parse_int(text) is None


def test_r28_1_parse_int_reads_ascii_numbers_within_bounds():
    assert parse_int("42") == 42
    assert parse_int(" 7\n") == 7
    assert parse_int("0") == 0
    assert parse_int(str(INT64_MAX)) == INT64_MAX
    assert parse_int(str(INT64_MAX + 1)) is None
    assert parse_int("-5") is None
    assert parse_int("-5", negative=True) == -5
    assert parse_int("5", maximum=4) is None
    assert parse_int("5", minimum=6) is None
    assert parse_int(12) == 12
    assert parse_int(True) is None and parse_int(None) is None
    assert parse_int("9" * 5000) is None  # no int() of 5000 digits (a ValueError past 4300)


def test_r28_1_ids_are_positive_64_bit():
    assert parse_id("1") == 1
    assert parse_id("0") is None
    assert parse_id(str(INT64_MAX)) == INT64_MAX
    assert parse_id("¹") is None
    assert parse_ids(["3", "1", "3"]) == [3, 1]
    assert parse_ids([]) == []
    assert parse_ids(["1", "²"]) is None


def test_is_digits_is_ascii():
    assert is_digits("4407")
    assert not is_digits("４４")
    assert not is_digits("¹")
    assert not is_digits("")


@pytest.mark.parametrize("text", ["¹", "٣", "３", "9" * 20, "-1", "x"])
def test_r28_1_query_int_names_the_parameter(text):
    with pytest.raises(BadParameter) as raised:
        query_int(QueryDict(f"version={text}"), "version")
    assert raised.value.param == "version"
    assert list(raised.value.detail) == ["version"]


def test_query_int_absent_or_empty_is_none():
    assert query_int(QueryDict(""), "version") is None
    assert query_int(QueryDict("version="), "version") is None
    assert query_int(QueryDict("version=3"), "version") == 3


class _Counts(serializers.Serializer):
    n = IntegerField(required=False)
    households = CountField(required=False)
    person = IdField(required=False)


@pytest.mark.parametrize(
    "value", ["¹", "²", "٣", "３", 1e20, 1e400, "9" * 20, 1.5, True, "1e3", [1], {"a": 1}]
)
def test_r28_1_integer_field_refuses_what_is_not_an_integer(value):
    serializer = _Counts(data={"n": value})
    assert not serializer.is_valid()
    assert "n" in serializer.errors


def test_r28_1_integer_field_reads_integers():
    serializer = _Counts(data={"n": " -3 ", "households": 2.0, "person": "5"})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {"n": -3, "households": 2, "person": 5}
    assert _Counts(data={"n": "4.0"}).is_valid()


@pytest.mark.parametrize(
    ("field", "value"),
    [("households", INT32_MAX + 1), ("households", -1), ("person", 0), ("n", 2**63)],
)
def test_r28_1_bounds_of_the_columns(field, value):
    serializer = _Counts(data={field: value})
    assert not serializer.is_valid()
    assert field in serializer.errors


def test_count_field_declares_its_bounds_for_the_schema():
    field = CountField()
    assert (field.min_value, field.max_value) == (0, INT32_MAX)
    assert IntegerField().max_value is None  # the 64-bit guard is not a declared bound


@pytest.mark.parametrize("value", ["¹", "３", "1e3", "9" * 20, "99999999999"])
def test_r22_1_form_integer_field_refuses(value):
    field = FormIntegerField(min_value=1)
    with pytest.raises(Exception) as raised:
        field.clean(value)
    assert type(raised.value).__name__ == "ValidationError"


def test_form_integer_field_reads_ascii():
    assert FormIntegerField().clean("12") == 12
    assert FormIntegerField(required=False).clean("") is None


# --- JSON ---------------------------------------------------------------------------------


def test_nesting_depth_counts_outside_strings_without_recursion():
    assert nesting_depth("1") == 0
    assert nesting_depth('{"a": [1, {"b": []}]}') == 4
    assert nesting_depth('["[[[[", "}}}"]') == 1
    assert nesting_depth('["a\\"[[["]') == 1
    assert nesting_depth("[" * 100_000 + "]" * 100_000) == 100_000


@pytest.mark.parametrize(
    "text",
    [
        "[" * 10_000 + "]" * 10_000,
        '{"a":' * 33 + "1" + "}" * 33,
        "[1e400]",
        "[NaN]",
        "[Infinity]",
        '["\\u0000"]',
        '{"\\u0000": 1}',
        '["\\ud800"]',
        '["\\udfff x"]',
        "{not json",
        "",
    ],
)
def test_r28_1_loads_bounded_refuses(text):
    with pytest.raises(JSONInputError):
        loads_bounded(text)


def test_loads_bounded_reads_json():
    assert loads_bounded('{"a": [1, 2.5, "\\ud83d\\ude00"]}') == {"a": [1, 2.5, "😀"]}
    assert loads_bounded("[" * 32 + "]" * 32) is not None
    assert loads_bounded(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}


def test_r28_1_parser_refuses_deep_large_and_unstorable_bodies():
    parser = JSONParser()
    with pytest.raises(ParseError, match="32"):
        parser.parse(io.BytesIO(b"[" * 10_000 + b"]" * 10_000))
    with pytest.raises(ParseError):
        parser.parse(io.BytesIO(json.dumps(["x" * (parser.max_bytes + 1)]).encode()))
    with pytest.raises(ParseError):
        parser.parse(io.BytesIO(b'"\\ud800"'))
    with pytest.raises(ParseError):
        parser.parse(io.BytesIO(b"\xff\xfe"))
    assert parser.parse(io.BytesIO('{"名": 1}'.encode())) == {"名": 1}
