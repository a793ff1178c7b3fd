"""The case page's personal data cells (R22.1): the reporter's phone and the involved
persons' numbers, masked, or revealed once by :class:`cases.views_reveal.CaseRevealView`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from cases import linking, machine, reveal
from cases.models import Case, CaseLink, InvolvedRole, LinkKind


def record_url(kind: str, pk: int | None) -> str:
    """The registry console's page of a linked record (``registry:<kind>``), or "" while the
    registry has no such page (the name is then shown as text)."""
    if pk is None:
        return ""
    try:
        return reverse(f"registry:{kind}", args=[pk])
    except NoReverseMatch:
        return ""


@dataclass(frozen=True)
class Cell:
    """One protected value on the page: masked, or revealed once."""

    dom_id: str
    field: str
    masked: str
    person: int | None = None
    value: str = ""
    error: str = ""


def dom_id(field: str, person: Any = None) -> str:
    return f"reveal-{person}-{field}" if person else f"reveal-{field}"


def personal_context(
    user: Any,
    case: Case,
    *,
    workbench: str,
    revealed: dict[str, str] | None = None,
    failed: str = "",
    error: str = "",
) -> dict[str, Any]:
    """What the page shows of the reporter's phone and the involved persons."""
    revealed = revealed or {}

    def cell(field: str, masked: str, person: int | None = None) -> Cell:
        key = dom_id(field, person)
        return Cell(
            key,
            field,
            masked,
            person,
            revealed.get(key, ""),
            error if key == failed else "",
        )

    name = "cases:dept-reveal" if workbench == "dept" else "cases:reveal"
    may_link = case.is_open and machine.authority(user, case, linking.ACTORS) is not None
    return {
        "may_link": may_link,
        "link_url": reverse(
            "cases:dept-links" if workbench == "dept" else "cases:links", args=[case.pk]
        ),
        "link_kinds": [("resident", gettext("实有人口")), *LinkKind.choices],
        "link_client_id": uuid.uuid4().hex,
        "involved_roles": InvolvedRole.choices,
        "may_reveal": reveal.may_reveal(user, case),
        "reveal_url": reverse(name, args=[case.pk]),
        "reporter_phone": cell("reporter_phone", case.reporter_phone_masked),
        "involved": [
            {
                "person": p,
                "phone": cell("phone", p.phone_shown, p.pk),
                "id_number": cell("id_number", p.id_number_shown, p.pk),
                "record_url": record_url("resident", p.resident_id),
            }
            for p in case.involved_persons.all()
        ],
        "links": [_link(link) for link in case.links.all()],
        "revealed_any": bool(revealed),
    }


def _link(link: CaseLink) -> dict[str, Any]:
    return {"link": link, "record_url": record_url(link.kind, link.record_id)}
