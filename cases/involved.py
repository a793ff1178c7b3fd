"""The people involved in a report (R22.1, R24.1): one input shape for every channel, parsed
once, stored protected.

A report names its involved persons as a list of objects, the same on the API (JSON, or a
JSON-encoded string in a multipart form), the phone app, the web forms and the services::

    [{"name": "张三", "role": "party", "phone": "13800138000", "id_number": "4407…"}]

``name`` is required, ``role`` one of :class:`cases.models.InvolvedRole` (default ``party``),
``phone`` (a mainland mobile) and ``id_number`` (GB 11643, check digit and birth date) are
optional and validated as a grid worker's are. Anything else (another key, a value that is not
text, more than :data:`MAX_PERSONS`) is refused with a 400 naming the item and field. The
numbers are stored as ``people.GridWorker``'s are: AES-GCM ciphertext bound to the column, a
keyed digest and the masked form; the archive, the audit trail and every answer see only the
masked form (ADR 0003, ADR 0010).

Places are not listed here: a case's place is its point, grid and address.

A person may instead be a resident of the registry: ``{"resident": 12, "role": "party"}``
(no name or number typed: the row refers to the resident and shows its masked values). The
resident must exist and be visible to the reporting account (:func:`check_residents`, which
the intake calls with the actor); one outside its scope is refused as one that does not exist
(ADR 0010, links to the registry).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import personal_data as pd
from cases.item_lists import ItemList
from cases.models import Case, InvolvedPerson, InvolvedRole
from gridgov.access import scoping
from gridgov.errors import DomainError
from gridgov.parsing import parse_id
from registry.models import Resident

FIELD = "involved"
MAX_PERSONS = 20
MAX_NAME = 64
KEYS = ("name", "role", "phone", "id_number", "resident")
TYPED = ("name", "phone", "id_number")  # what a linked resident's row does not take
_ROLES = frozenset(InvolvedRole.values)
LIST = ItemList(
    field=FIELD,
    most=MAX_PERSONS,
    too_long=gettext_lazy("涉及人员内容过长"),
    invalid_json=gettext_lazy("涉及人员须为 JSON 列表,每项含 name、role、phone、id_number"),
    not_a_list=gettext_lazy("涉及人员须为列表,每项含 name、role、phone、id_number"),
    too_many=gettext_lazy("涉及人员最多 %(n)s 位"),
    numbered=gettext_lazy("涉及人员第 %(n)s 位:%(message)s"),
    duplicate=("resident", gettext_lazy("同一实有人口重复列出")),
)


@dataclass(frozen=True)
class InvolvedInput:
    """One involved person as parsed: the numbers normalised (or blank), not yet protected."""

    name: str
    role: str
    phone: str = ""
    id_number: str = ""
    resident: int | None = None

    def canonical(self) -> list[Any]:
        """What the report's content digest covers of this person (cases.idempotency); a
        person typed in is covered as before the registry existed (stored digests hold)."""
        typed = [self.name, self.role, self.phone, self.id_number]
        return typed if self.resident is None else [*typed, self.resident]


Parsed = tuple[InvolvedInput, ...]


def _text(item: dict[str, Any], key: str, errors: dict[str, list[str]]) -> str:
    value = item.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[key] = [_("须为文本")]
        return ""
    return value.strip()


def _person(item: Any) -> tuple[InvolvedInput | None, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    if not isinstance(item, dict):
        message = _("每位涉及人员须为一个对象(name、role、phone、id_number)")
        return None, {"non_field_errors": [message]}
    unknown = sorted(str(k) for k in item if k not in KEYS)
    for key in unknown:
        errors[key[:40]] = [_("不支持的字段(可用:name、role、phone、id_number、resident)")]
    if item.get("resident") not in (None, ""):
        return _linked(item, errors)
    name = _text(item, "name", errors)
    if not name and "name" not in errors:
        errors["name"] = [_("请填写姓名(不详可写“不详”)")]
    elif len(name) > MAX_NAME:
        errors["name"] = [_("姓名不能超过 %(n)s 字") % {"n": MAX_NAME}]
    role = _text(item, "role", errors) or InvolvedRole.PARTY
    if role not in _ROLES and "role" not in errors:
        errors["role"] = [_("身份须为以下之一:%(roles)s") % {"roles": "、".join(sorted(_ROLES))}]
    clean: dict[str, str] = {}
    for key, normalize in (("phone", pd.normalize_mobile), ("id_number", pd.normalize_id_number)):
        raw = _text(item, key, errors)
        if raw:
            try:
                clean[key] = normalize(raw, field=key)
            except DomainError as exc:
                errors[key] = [exc.message]
    if errors:
        return None, errors
    return InvolvedInput(name=name, role=role, **clean), {}


def _linked(
    item: dict[str, Any], errors: dict[str, list[str]]
) -> tuple[InvolvedInput | None, dict[str, list[str]]]:
    """A person who is a resident of the registry: its id and a role, nothing typed."""
    value = item["resident"]
    pk = None if isinstance(value, bool) else parse_id(value)
    if pk is None:
        errors["resident"] = [_("须为实有人口的编号")]
    for key in TYPED:
        if item.get(key) not in (None, ""):
            errors[key] = [_("关联实有人口时不再填写(显示登记信息)")]
    role = _text(item, "role", errors) or InvolvedRole.PARTY
    if role not in _ROLES and "role" not in errors:
        errors["role"] = [_("身份须为以下之一:%(roles)s") % {"roles": "、".join(sorted(_ROLES))}]
    if errors:
        return None, errors
    return InvolvedInput(name="", role=role, resident=pk), {}


def _resident(person: InvolvedInput) -> int | None:
    return person.resident


def parse(value: Any) -> Parsed:
    """The involved persons of a report, or :class:`DomainError` (HTTP 400) whose
    ``errors["involved"]`` lists each item's field messages (``{}`` for a good item)."""
    return LIST.parse(value, InvolvedInput, _person, _resident)


FORM_ROWS = 3  # rows of a web form (the phone's report form); more through the API


def form_rows(data: Any, count: int = FORM_ROWS) -> list[dict[str, str]]:
    """The rows of a web form whose fields are ``involved-<n>-<key>`` (to show it again)."""
    return [
        {key: str(data.get(f"{FIELD}-{n}-{key}", "") or "") for key in KEYS} for n in range(count)
    ]


def from_form(data: Any, count: int = FORM_ROWS) -> list[dict[str, str]]:
    """The list :func:`parse` takes, from a web form's rows; a row with nothing typed in
    (its role left at the default) is no person. The phone app's JavaScript does the same
    before it queues a report (fieldwork/static/fieldwork/app.js)."""
    persons = []
    for row in form_rows(data, count):
        typed = {key: value.strip() for key, value in row.items() if value.strip()}
        if set(typed) - {"role"}:
            persons.append(typed)
    return persons


NOT_VISIBLE = gettext_lazy("不存在或无权查看")


def check_residents(actor: Any, persons: Sequence[InvolvedInput]) -> dict[int, Resident]:
    """The registry residents the persons link, each one visible to ``actor`` through the one
    scoping mechanism; :class:`DomainError` (400, ``errors.involved`` per item) naming those
    that do not exist or lie outside the actor's scope, in the same words (R22.1: a record
    elsewhere is not confirmed to exist). One query, none without a linked resident."""
    wanted = {p.resident for p in persons if p.resident is not None}
    if not wanted:
        return {}
    found_qs = Resident.objects.filter(pk__in=wanted)
    if not scoping.is_system(actor):
        found_qs = scoping.scope_queryset(actor, found_qs)
    found = {r.pk: r for r in found_qs}
    errors = [
        {"resident": [str(NOT_VISIBLE)]}
        if p.resident is not None and p.resident not in found
        else {}
        for p in persons
    ]
    for n, problems in enumerate(errors, start=1):
        if problems:
            message = _("涉及人员第 %(n)s 位:实有人口%(message)s") % {
                "n": n,
                "message": NOT_VISIBLE,
            }
            raise LIST.refuse(errors, message)
    return found


def rows(
    case: Case, persons: Sequence[InvolvedInput], residents: dict[int, Resident] | None = None
) -> list[InvolvedPerson]:
    """The persons' rows for ``case`` (not yet saved), their numbers protected; a linked
    resident's row refers to it (``residents``: :func:`check_residents`) and copies nothing."""
    out = []
    for position, person in enumerate(persons):
        row = InvolvedPerson(case=case, position=position, name=person.name, role=person.role)
        if person.resident is not None:
            row.resident = (residents or {})[person.resident]
        for field, value in (("phone", person.phone), ("id_number", person.id_number)):
            if value:
                kind, purpose = InvolvedPerson.PROTECTED_FIELDS[field]
                protected = pd.protect_clean(value, kind=kind, purpose=purpose)
                setattr(row, f"{field}_encrypted", protected.encrypted)
                setattr(row, f"{field}_digest", protected.digest)
                setattr(row, f"{field}_masked", protected.masked)
        out.append(row)
    return out


def prefetch() -> Prefetch:
    """The case's persons with their linked residents, in one query."""
    return Prefetch("involved_persons", queryset=InvolvedPerson.objects.select_related("resident"))


def masked(persons: Sequence[InvolvedPerson]) -> list[dict[str, str]]:
    """What the archive and the case file record of the persons: names, roles, masked
    numbers (and a migrated note, itself masked) only; a linked resident by its id and the
    resident's name and masked numbers."""
    out: list[dict[str, Any]] = []
    for p in persons:
        item: dict[str, Any] = {"name": p.name_shown, "role": p.role, "phone": p.phone_shown}
        item["id_number"] = p.id_number_shown
        if p.resident_id:
            item["resident"] = p.resident_id
        if p.note:
            item["note"] = p.note
        out.append(item)
    return out
