"""A list of items in a report's input, read one way (R22.1, ADR 0010): the involved persons
(:mod:`cases.involved`) and the registry records linked (:mod:`cases.links`).

A list comes as JSON already decoded or as a JSON-encoded string (a multipart form); it has
at most so many items, each parsed by the kind's own item parser, the same item (by its key)
at most once. A refusal is a :class:`DomainError` (HTTP 400) on the list's field whose
``errors[field]`` holds each item's field messages (``{}`` for a good item), its message the
first bad item's, numbered.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from gridgov.errors import DomainError
from gridgov.jsoninput import JSONInputError, loads_bounded

MAX_JSON_TEXT = 16_000  # a JSON-encoded list in a form field: 20 persons fit many times over

T = TypeVar("T")
Problems = dict[str, list[str]]


@dataclass(frozen=True)
class ItemList:
    """The words and limits of one kind of list (lazy texts, translated when refused)."""

    field: str
    most: int
    too_long: Any  # the JSON text over MAX_JSON_TEXT
    invalid_json: Any  # text that is no JSON
    not_a_list: Any
    too_many: Any  # with %(n)s: the most
    numbered: Any  # with %(n)s and %(message)s: the first bad item
    duplicate: tuple[str, Any]  # the field and the message of an item listed again

    def refuse(self, errors: list[Problems], message: str) -> DomainError:
        return DomainError(message, field=self.field, extra={"errors": {self.field: errors}})

    def decode(self, value: Any) -> list[Any]:
        """The list as sent, or a refusal (no list, too long, too many items)."""
        if isinstance(value, str):
            text = value.strip()
            if len(text) > MAX_JSON_TEXT:
                raise DomainError(str(self.too_long), field=self.field, code="too_long")
            try:
                value = loads_bounded(text) if text else []
            except JSONInputError:
                raise DomainError(
                    str(self.invalid_json), field=self.field, code="invalid_json"
                ) from None
        if not isinstance(value, list):
            raise DomainError(str(self.not_a_list), field=self.field, code="not_a_list")
        if len(value) > self.most:
            raise DomainError(self.too_many % {"n": self.most}, field=self.field, code="too_many")
        return value

    def parse(
        self,
        value: Any,
        kind: type[T],
        item: Callable[[Any], tuple[T | None, Problems]],
        key: Callable[[T], Hashable | None],
    ) -> tuple[T, ...]:
        """Each item parsed by ``item`` into a ``kind``; ``key`` names what may not be listed
        twice (None: an item that may repeat). None is no items; a tuple of ``kind`` is
        parsed already (the API's serializer field)."""
        if value is None:
            return ()
        if isinstance(value, tuple) and all(isinstance(one, kind) for one in value):
            return value
        parsed: list[T] = []
        errors: list[Problems] = []
        seen: set[Hashable] = set()
        first = ""
        for n, raw in enumerate(self.decode(value), start=1):
            one, problems = item(raw)
            if one is not None and (name := key(one)) is not None:
                if name in seen:
                    one, problems = None, {self.duplicate[0]: [str(self.duplicate[1])]}
                else:
                    seen.add(name)
            errors.append(problems)
            if one is not None:
                parsed.append(one)
            elif not first:
                first = self.numbered % {"n": n, "message": next(iter(problems.values()))[0]}
        if first:
            raise self.refuse(errors, first)
        return tuple(parsed)
