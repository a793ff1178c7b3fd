"""JSON from outside, bounded: depth, size, and strings a database can store (R28.1).

Python's ``json`` module recurses once per nesting level, so a 10,000-deep ``[[[…]]]`` body
raises RecursionError (a 500) — on the anonymous token endpoint too. ``1e400`` decodes to
``inf`` and then crashes ``int()``; ``"\\u0000"`` and a lone surrogate ``"\\ud800"`` decode fine
and then fail in PostgreSQL or the UTF-8 encoder. :func:`loads_bounded` refuses all of these
with :class:`JSONInputError` before anything is stored; :class:`JSONParser` is DRF's parser
doing the same (the default for every API view, answering 400).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32
MAX_BYTES = 10 * 1024 * 1024

# A JSON string, escapes included (the "unrolled loop" form: linear, no backtracking).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DELTA = {"[": 1, "{": 1, "]": -1, "}": -1}
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class JSONInputError(ValueError):
    """The text is not JSON this application accepts; the message says why (for a user).
    ``decode_error`` is the decoder's own error (line, column) when the text is not JSON."""

    def __init__(self, message: str, decode_error: json.JSONDecodeError | None = None) -> None:
        super().__init__(message)
        self.decode_error = decode_error


def nesting_depth(text: str) -> int:
    """The deepest ``[``/``{`` nesting of ``text`` outside strings, found without recursion."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(0, max(itertools.accumulate(_DELTA[c] for c in brackets), default=0))


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JSONInputError(_("数值超出范围: %(value)s") % {"value": text[:40]})
    return value


def _no_constant(name: str) -> Any:
    raise JSONInputError(_("JSON 不允许 %(name)s") % {"name": name})


def _check_strings(data: Any) -> None:
    """Walk the decoded value (iteratively) for NUL and lone surrogates."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _UNSTORABLE.search(item):
                raise JSONInputError(_("文本含有不允许的字符 (空字符或单独的代理项)"))
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def loads_bounded(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` that refuses, with :class:`JSONInputError`: nesting deeper than
    ``max_depth``, NaN/Infinity and numbers out of float range, NUL characters and lone
    surrogates in strings, and anything that is not JSON."""
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise JSONInputError(_("JSON 须为 UTF-8 编码")) from None
    if nesting_depth(text) > max_depth:
        raise JSONInputError(_("JSON 嵌套超过 %(n)s 层") % {"n": max_depth})
    try:
        data = json.loads(text, parse_float=_finite, parse_constant=_no_constant)
    except JSONInputError:
        raise
    except json.JSONDecodeError as exc:
        raise JSONInputError(_("不是有效的 JSON: %(error)s") % {"error": exc}, exc) from None
    except (ValueError, RecursionError) as exc:
        raise JSONInputError(_("不是有效的 JSON: %(error)s") % {"error": exc}) from None
    _check_strings(data)
    return data


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with :func:`loads_bounded`'s limits and at most ``MAX_BYTES``."""

    max_depth = MAX_DEPTH
    max_bytes = MAX_BYTES

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: dict[str, Any] | None = None,
    ) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read(self.max_bytes + 1)
        if len(raw) > self.max_bytes:
            raise ParseError(_("请求内容超过 %(mb)s MB") % {"mb": self.max_bytes // (1024 * 1024)})
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise ParseError(_("JSON 须为 UTF-8 编码")) from None
        try:
            return loads_bounded(text, max_depth=self.max_depth)
        except JSONInputError as exc:
            raise ParseError(str(exc)) from None
