"""What the departments did, as the reporter sees it (R18.1, R24.3, R25.1).

A department's feedback has two parts: the result for the agency (``note`` and ``photos``,
internal: they may name people, show faces or house numbers) and the result for the reporter
(``public_note`` and ``public_photos``), which the public tracking page shows before it asks
for a rating. The public part is written for the public: a public note naming a mobile phone
or an ID number is refused, and the tracking page never shows a name, phone or internal note.
Only photos marked public are served to the public, and only through the case's tracking code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from cases.models import Attachment, Case, CaseEvent, State
from gridgov.errors import DomainError

PUBLIC_NOTE_MAX = 1000
# A mobile number or an ID number (18 characters) standing alone in the text.
_PERSONAL_NUMBER = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|\d{17}[\dXx])(?!\d)")
# States in which the departments have something to show: fed back, checked, rated.
RESULT_STATES = frozenset({State.HANDLED, State.CLOSED, State.EVALUATED})


def clean_public_note(value: Any) -> str:
    """The public result note, stripped; 400 when too long or when it names a mobile phone
    or an ID number (personal data has no place on a public page)."""
    text = "" if value is None else str(value).strip()
    if len(text) > PUBLIC_NOTE_MAX:
        raise DomainError(
            _("%(field)s 不能超过 %(n)s 字") % {"field": "public_note", "n": PUBLIC_NOTE_MAX},
            field="public_note",
        )
    if _PERSONAL_NUMBER.search(text.replace(" ", "").replace("-", "")):
        raise DomainError(
            _("公开的办理结果会显示在查询页面,不能含手机号码或身份证号码"),
            field="public_note",
            code="personal_data",
        )
    return text


@dataclass
class PublicResult:
    """One department's latest result as the public sees it."""

    department: str
    lead: bool
    at: Any
    note: str
    photos: list[Attachment] = field(default_factory=list)


def public_results(case: Case, departments: dict[int, str]) -> list[PublicResult]:
    """Each department's latest feedback (lead first): its public note and public photos.
    Built from the archive (R26.2), so a rework's new result replaces the earlier one."""
    if case.state not in RESULT_STATES:
        return []
    latest: dict[Any, CaseEvent] = {}
    for event in case.events.filter(action="feedback").order_by("seq"):
        latest[(event.data or {}).get("department")] = event
    photos: dict[int, list[Attachment]] = {}
    events = [e.pk for e in latest.values()]
    for photo in Attachment.objects.filter(event_id__in=events, public=True).order_by("pk"):
        photos.setdefault(photo.event_id, []).append(photo)
    found = []
    for department, event in latest.items():
        data = event.data or {}
        note, shown = data.get("public_note") or "", photos.get(event.pk, [])
        if not note and not shown:
            continue
        found.append(
            PublicResult(
                department=departments.get(department, _("相关部门")),
                lead=data.get("role") == "lead",
                at=event.at,
                note=note,
                photos=shown,
            )
        )
    found.sort(key=lambda r: (not r.lead, r.at))
    return found


def public_photo(code: str, pk: Any) -> Attachment | None:
    """A photo the public may see: marked public and of the case with this tracking code."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        Attachment.objects.filter(
            pk=number, public=True, case__tracking_code=code, case__state__in=RESULT_STATES
        )
        .exclude(file="")
        .first()
    )
