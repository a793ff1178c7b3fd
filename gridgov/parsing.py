"""Numbers typed by people: one place that turns query-string, form and path text into ints.

Why not ``str.isdigit()`` + ``int()``: ``isdigit()`` is true for superscripts (``¹``, ``²``) that
``int()`` refuses (a 500), and ``int()`` reads Arabic-Indic (``٣``) and full-width (``３``)
digits that nobody means as a record number; a 20-digit number passes both and then overflows
the database's 64-bit integers (OverflowError on SQLite, DataError on PostgreSQL). Every value
here is ASCII decimal digits, bounded, or None — the caller answers 400 naming the parameter
(R22.1: bad input is refused with a reason, never a server error; R28.1 for the API).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any, TypeAlias

from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
# households, population, sort orders, limits … are IntegerField / PositiveIntegerField
# columns: 32-bit on PostgreSQL.
INT32_MAX = 2**31 - 1
ID_MAX = INT64_MAX  # BigAutoField primary keys

# A value as a form field, a JSON body or a spreadsheet cell gives it, before it is parsed
# (text, a number, or empty): what the parsers here and the services' cleaners take.
Scalar: TypeAlias = str | int | float | None

_UNSIGNED = re.compile(r"[0-9]{1,19}", re.ASCII)
_SIGNED = re.compile(r"-?[0-9]{1,19}", re.ASCII)
# DRF and Django forms accept "3.0" for 3; so does the API here, for the same clients.
_TRAILING_ZEROS = re.compile(r"\.0*$", re.ASCII)


def parse_int(
    text: Any,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    negative: bool = False,
) -> int | None:
    """``text`` as an int if it is ASCII decimal digits (a leading ``-`` only with
    ``negative=True``) within [minimum, maximum] (default: non-negative 64-bit), else None.

    Surrounding ASCII whitespace is ignored, so is nothing else."""
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, int):
        value = text
    else:
        text = str(text).strip(" \t\r\n")
        pattern = _SIGNED if negative else _UNSIGNED
        if pattern.fullmatch(text) is None:
            return None
        value = int(text)
    low = minimum if minimum is not None else (INT64_MIN if negative else 0)
    high = maximum if maximum is not None else INT64_MAX
    if not (max(low, INT64_MIN) <= value <= min(high, INT64_MAX)):
        return None
    return value


def is_digits(text: str) -> bool:
    """True for ASCII decimal digits only (a code prefix such as ``4407``), unlike
    ``str.isdigit()``, which is also true for ``¹`` and ``٣``."""
    return text.isascii() and text.isdigit()


def parse_id(text: Any) -> int | None:
    """A primary key (1 … 2**63-1) from text, or None."""
    return parse_int(text, minimum=1, maximum=ID_MAX)


def parse_ids(values: Iterable[Any]) -> list[int] | None:
    """Primary keys from a list (checkboxes, ``?id=1&id=2``), de-duplicated in order; None
    when any one of them is not an id (a tampered form is refused, not half done)."""
    found: dict[int, None] = {}
    for value in values:
        pk = parse_id(value)
        if pk is None:
            return None
        found[pk] = None
    return list(found)


# --- the API ------------------------------------------------------------------------------


class BadParameter(serializers.ValidationError):
    """A query-string or form parameter that is not what the endpoint takes: 400
    ``{param: [message]}`` from an API view (DRF's exception handler), a 400 page from a web
    view (:class:`gridgov.badinput.BadInputMiddleware`)."""

    def __init__(self, param: str, message: Any) -> None:
        self.param = param
        self.message = str(message)
        super().__init__({param: [self.message]})


def query_int(
    params: Any,
    name: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    negative: bool = False,
) -> int | None:
    """The int ``?name=`` of a request's query (or form) data; None when absent or empty.

    A value that is there but not a number in range answers 400 ``{name: [message]}`` — a
    filter the user asked for is never silently dropped or replaced (R28.1)."""
    text = params.get(name)
    if text is None or text == "":
        return None
    value = parse_int(text, minimum=minimum, maximum=maximum, negative=negative)
    if value is None:
        raise BadParameter(name, _bad_number_message(minimum, maximum))
    return value


def query_id(params: Any, name: str) -> int | None:
    """``?name=`` as a primary key (see :func:`query_int`)."""
    return query_int(params, name, minimum=1, maximum=ID_MAX)


def _bad_number_message(minimum: int | None, maximum: int | None) -> str:
    if maximum is not None and maximum < INT64_MAX:
        return str(
            _("请填写 %(low)s 到 %(high)s 之间的整数")
            % {"low": minimum if minimum is not None else 0, "high": maximum}
        )
    return str(_("请填写整数"))


class IntegerField(serializers.IntegerField):
    """DRF's IntegerField, strict: ASCII digits only, no fractional or non-finite floats
    (``1.5`` was silently 1, ``1e400`` an OverflowError), never past the database's 64-bit
    range even without ``max_value`` (R28.1).

    The 64-bit guard is not a validator, so the OpenAPI schema shows only the bounds a
    serializer declares."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, float):
            if not math.isfinite(data) or not data.is_integer():
                self.fail("invalid")
            value = int(data)
        elif isinstance(data, int):
            value = data
        elif isinstance(data, str):
            if len(data) > self.MAX_STRING_LENGTH:
                self.fail("max_string_length")
            text = _TRAILING_ZEROS.sub("", data.strip(" \t\r\n"))
            if _SIGNED.fullmatch(text) is None:
                # a 20-digit number is a number, just too large: say so
                digits = text.removeprefix("-")
                if digits.isascii() and digits.isdigit():
                    self._fail_range(text.startswith("-"))
                self.fail("invalid")
            value = int(text)
        else:
            self.fail("invalid")
        if not INT64_MIN <= value <= INT64_MAX:
            self._fail_range(value < 0)
        return value

    def _fail_range(self, below: bool) -> None:
        if below:
            self.fail("min_value", min_value=self.min_value if self.min_value else INT64_MIN)
        self.fail("max_value", max_value=self.max_value if self.max_value else INT64_MAX)


class IdField(IntegerField):
    """A primary key sent by a client (1 … 2**63-1)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


class CountField(IntegerField):
    """A count or amount stored in an IntegerField column (households, population, limits):
    0 … 2**31-1 unless narrower bounds are given."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", INT32_MAX)
        super().__init__(**kwargs)


class FormIntegerField(forms.IntegerField):
    """Django's form IntegerField, strict like :class:`IntegerField`: ASCII digits only
    (``３`` is refused, not read as 3), bounded to a 32-bit column unless told otherwise
    (a 20-digit number was a DataError on PostgreSQL)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_value", INT32_MAX)
        kwargs.setdefault("min_value", -INT32_MAX - 1)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        text = _TRAILING_ZEROS.sub("", str(value).strip())
        if _SIGNED.fullmatch(text) is None:
            digits = text.removeprefix("-")
            if digits.isascii() and digits.isdigit():  # a number, too large for any column
                return INT64_MAX if not text.startswith("-") else INT64_MIN
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)


# DRF's ModelSerializer whose integer columns get the strict IntegerField; the model's own
# range validators (the database column's) still apply. No docstring: drf-spectacular would
# show it as the description of every serializer that has none of its own.
class ModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        model_field: IntegerField if field is serializers.IntegerField else field
        for model_field, field in serializers.ModelSerializer.serializer_field_mapping.items()
    }
