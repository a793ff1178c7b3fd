"""The parsed input of each change to a case (R24–R27): one frozen value object per shape of
input, built by the action's serializer (:mod:`cases.api.serializers`, which the API, the
console and the phone app all parse with: :mod:`cases.actions_io`) and handed to the service.

A value holds what the serializer guarantees (types, trimmed text within its length, ids as
ints); the services check only the domain's rules on it (states, deadlines, jurisdictions,
a reason where the requirement asks for one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile

if TYPE_CHECKING:
    from cases import involved, links

Photos = Sequence[UploadedFile]


@dataclass(frozen=True, kw_only=True)
class ActionInput:
    """What every action takes: a phone's resend key (R24.1: a resend changes nothing)."""

    client_id: str = ""

    def as_kwargs(self) -> dict[str, Any]:
        """The fields as the service's keyword arguments (no copy of the uploads)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, kw_only=True)
class NoteInput(ActionInput):
    """accept, sign, resume (optional note), settle (required note): a note and photos."""

    note: str = ""
    photos: Photos = ()


@dataclass(frozen=True, kw_only=True)
class VerifyInput(NoteInput):
    valid: bool = True


@dataclass(frozen=True, kw_only=True)
class CheckInput(NoteInput):
    passed: bool


@dataclass(frozen=True, kw_only=True)
class FeedbackInput(NoteInput):
    public_note: str = ""
    public_photos: Photos = ()


@dataclass(frozen=True, kw_only=True)
class ReasonInput(ActionInput):
    """decline, escalate, return, suspend: a reason."""

    reason: str


@dataclass(frozen=True, kw_only=True)
class DispatchInput(ActionInput):
    """None: the admission entry's suggestion; an empty list: no co-department at all."""

    lead_department: int | None = None
    co_departments: Sequence[int] | None = None
    note: str = ""
    ruling: str = ""


@dataclass(frozen=True, kw_only=True)
class EvaluateInput(ActionInput):
    rating: str
    comment: str = ""


@dataclass(frozen=True, kw_only=True)
class ExtendInput(ActionInput):
    amount: int
    unit: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class DecideExtensionInput(ActionInput):
    extension: int
    approve: bool
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class DecideSuspensionInput(ActionInput):
    suspension: int
    approve: bool
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class SuperviseInput(ActionInput):
    note: str
    department: int | None = None


@dataclass(frozen=True, kw_only=True)
class EndAssignmentInput(ActionInput):
    assignment: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class ReviewInput(ActionInput):
    reopen: bool
    reason: str


@dataclass(frozen=True, kw_only=True)
class AnswerInput(ActionInput):
    supervision: int
    answer: str


@dataclass(frozen=True, kw_only=True)
class LinkStepInput(ActionInput):
    """link / unlink one registry record on an open case (ADR 0010): a resident (as an
    involved person, with its ``role``), an organisation, a place or a thing."""

    kind: str
    record: int
    role: str = "party"
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class ReportInput:
    """A report (R24.1, R18.1) as :class:`cases.api.serializers.IntakeSerializer` parses it,
    and the public report page and the phone's report form build it.

    ``lng``/``lat`` may still be text from a web form (:func:`regions.geometry.parse_lng_lat`
    reads both); ``involved`` and ``links`` are parsed (:func:`cases.involved.parse`,
    :func:`cases.links.parse`) or the raw lists."""

    lng: float | str
    lat: float | str
    matter: str
    description: str
    client_id: str = ""
    coord: str = "wgs84"
    photos: Photos = ()
    urgent: bool = False
    channel: str | None = None
    address: str = ""
    involved: involved.Parsed | Sequence[dict[str, Any]] | None = None
    links: links.Parsed | Sequence[dict[str, Any]] | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    settle_note: str = ""
    progress_sms: bool = False
