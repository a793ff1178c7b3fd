"""The registry's organisations, places and things a case involves (R11.1, R22.1, ADR 0010):
one input shape for every channel, parsed once, each record checked against the reporting
(or linking) account's scope.

A report, or a link step on an open case, names them as a list::

    [{"kind": "organisation", "id": 7}, {"kind": "place", "id": 3, "note": "门口"}]

``kind`` is one of :class:`cases.models.LinkKind`, ``id`` the registry record's id and
``note`` (optional, up to 100 characters) what the record has to do with the case. The same
record twice, another key, more than :data:`cases.models.MAX_LINKS`: a 400 naming the item and
field. A record that does not exist and one outside the account's scope get the same answer,
"不存在或无权查看" (:func:`check`): the answer never tells whether a record exists elsewhere.
Residents are linked through the involved persons (:mod:`cases.involved`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.involved import NOT_VISIBLE
from cases.item_lists import ItemList
from cases.models import MAX_LINKS, Case, CaseLink, LinkKind
from gridgov.access import scoping
from gridgov.parsing import parse_id
from registry.models import Organisation, Place, Thing

FIELD = "links"
KEYS = ("kind", "id", "note")
MAX_NOTE = 100
MODELS: dict[str, type[models.Model]] = {
    LinkKind.ORGANISATION: Organisation,
    LinkKind.PLACE: Place,
    LinkKind.THING: Thing,
}
_SHAPE = gettext_lazy("links 须为列表,每项含 kind(organisation、place、thing)和 id")
_NUMBERED = gettext_lazy("关联登记信息第 %(n)s 项:%(message)s")
LIST = ItemList(
    field=FIELD,
    most=MAX_LINKS,
    too_long=gettext_lazy("关联登记信息内容过长"),
    invalid_json=_SHAPE,
    not_a_list=_SHAPE,
    too_many=gettext_lazy("关联登记信息最多 %(n)s 项"),
    numbered=_NUMBERED,
    duplicate=("id", gettext_lazy("同一登记记录重复列出")),
)


@dataclass(frozen=True)
class LinkInput:
    """One registry record as named by the input (not yet checked against a scope)."""

    kind: str
    id: int
    note: str = ""

    def canonical(self) -> list[Any]:
        """What the report's content digest covers of this link (cases.idempotency)."""
        return [self.kind, self.id, self.note]


Parsed = tuple[LinkInput, ...]


def _item(item: Any) -> tuple[LinkInput | None, dict[str, list[str]]]:
    if not isinstance(item, dict):
        return None, {"non_field_errors": [_("每项须为一个对象(kind、id、note)")]}
    errors: dict[str, list[str]] = {}
    for key in sorted(str(k) for k in item if k not in KEYS):
        errors[key[:40]] = [_("不支持的字段(可用:kind、id、note)")]
    kind = item.get("kind")
    if kind not in MODELS:
        errors["kind"] = [_("类别须为以下之一:%(kinds)s") % {"kinds": "、".join(MODELS)}]
    raw = item.get("id")
    pk = None if isinstance(raw, bool) else parse_id(raw)
    if pk is None:
        errors["id"] = [_("须为登记记录的编号")]
    note = item.get("note", "")
    if note is None:
        note = ""
    if not isinstance(note, str):
        errors["note"] = [_("须为文本")]
    elif len(note.strip()) > MAX_NOTE:
        errors["note"] = [_("说明不能超过 %(n)s 字") % {"n": MAX_NOTE}]
    if errors or pk is None:
        return None, errors
    return LinkInput(kind=str(kind), id=pk, note=note.strip()), {}


def _record(link: LinkInput) -> tuple[str, int]:
    return (link.kind, link.id)


def parse(value: Any) -> Parsed:
    """The registry records named, or :class:`DomainError` (HTTP 400) whose
    ``errors["links"]`` lists each item's field messages (``{}`` for a good item)."""
    return LIST.parse(value, LinkInput, _item, _record)


Records = dict[tuple[str, int], models.Model]


def check(actor: Any, links: Sequence[LinkInput]) -> Records:
    """The records linked, each visible to ``actor`` through ``scope_queryset``; a record
    that does not exist or lies outside the scope is refused in the same words (one query
    per kind named, none without links)."""
    found: Records = {}
    for kind, model in MODELS.items():
        ids = {link.id for link in links if link.kind == kind}
        if not ids:
            continue
        qs = model._default_manager.filter(pk__in=ids)
        if not scoping.is_system(actor):
            qs = scoping.scope_queryset(actor, qs)
        found.update({(kind, obj.pk): obj for obj in qs})
    errors = [{} if (link.kind, link.id) in found else {"id": [str(NOT_VISIBLE)]} for link in links]
    for n, problems in enumerate(errors, start=1):
        if problems:
            raise LIST.refuse(errors, _NUMBERED % {"n": n, "message": NOT_VISIBLE})
    return found


def rows(
    case: Case, links: Sequence[LinkInput], records: Records, start: int = 0
) -> list[CaseLink]:
    """The links' rows for ``case`` (not yet saved), from position ``start``."""
    out = []
    for position, link in enumerate(links, start=start):
        row = CaseLink(case=case, position=position, kind=link.kind, note=link.note)
        setattr(row, link.kind, records[(link.kind, link.id)])
        out.append(row)
    return out


def prefetch() -> models.Prefetch:
    """The case's links with their records, in one query."""
    return models.Prefetch(
        "links", queryset=CaseLink.objects.select_related("organisation", "place", "thing")
    )


def shown(link: CaseLink) -> dict[str, Any]:
    """What every reader, the archive and the case file see of a link: the record's id, kind
    and name, an organisation's masked contact phone; nothing in clear."""
    record = link.record
    item: dict[str, Any] = {"kind": link.kind, "id": link.record_id, "name": str(record)}
    if link.kind == LinkKind.ORGANISATION:
        item["credit_code"] = record.credit_code
        item["contact_phone"] = record.contact_phone_masked
    if link.note:
        item["note"] = link.note
    return item


def masked(links: Sequence[CaseLink]) -> list[dict[str, Any]]:
    return [shown(link) for link in links]
