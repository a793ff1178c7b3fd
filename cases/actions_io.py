"""One input definition per case action (R24–R27): the action's serializer and its service.

The three entry points parse an action the same way and call the same service with the same
value object (:mod:`cases.inputs`): the API (:mod:`cases.api.views`, a request's data), the
console and department workbench (:mod:`cases.views_case`) and the phone app
(:mod:`fieldwork.views`), the last two with a form's POST fields and files (:func:`from_form`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from cases import co_departments, machine, reviews, services
from cases.api import serializers as s
from cases.inputs import ActionInput, ReportInput
from cases.models import Rating
from cases.primitives import Actor
from cases.uploads import MAX_PHOTOS
from gridgov.errors import DomainError


@dataclass(frozen=True)
class ActionIO:
    serializer: type[s.ToInput]
    service: Callable[..., object]

    def run(self, actor: Actor, case_id: int, value: ActionInput) -> object:
        return self.service(actor, case_id, **value.as_kwargs())


ACTIONS: dict[str, ActionIO] = {
    "verify": ActionIO(s.VerifySerializer, services.verify),
    "settle": ActionIO(s.RequiredNoteSerializer, services.settle),
    "accept": ActionIO(s.NoteSerializer, services.accept),
    "decline": ActionIO(s.ReasonSerializer, services.decline),
    "escalate": ActionIO(s.ReasonSerializer, services.escalate),
    "dispatch": ActionIO(s.DispatchSerializer, services.dispatch),
    "sign": ActionIO(s.NoteSerializer, services.sign),
    "return": ActionIO(s.ReasonSerializer, services.return_case),
    "feedback": ActionIO(s.FeedbackSerializer, services.feedback),
    "check": ActionIO(s.CheckSerializer, services.check),
    "evaluate": ActionIO(s.EvaluateSerializer, services.evaluate),
    "end_assignment": ActionIO(s.EndAssignmentSerializer, co_departments.end_assignment),
    "review": ActionIO(s.ReviewSerializer, reviews.review),
    "extend": ActionIO(s.ExtendSerializer, services.request_extension),
    "decide_extension": ActionIO(s.DecideExtensionSerializer, services.decide_extension),
    "suspend": ActionIO(s.ReasonSerializer, services.request_suspension),
    "decide_suspension": ActionIO(s.DecideSuspensionSerializer, services.decide_suspension),
    "resume": ActionIO(s.NoteSerializer, services.resume),
    "supervise": ActionIO(s.SuperviseSerializer, services.supervise),
    "answer": ActionIO(s.AnswerSerializer, services.answer_supervision),
}
assert set(ACTIONS) == set(machine.ACTIONS), "every machine action needs its input"


def from_data(name: str, data: Any) -> ActionInput:
    """The API's parse: 400 with every field's message otherwise."""
    serializer = ACTIONS[name].serializer(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.to_input()


# --- web forms (the console, the phone) ------------------------------------------------------

# A record the form offers to pick (a radio, a select): "请选择延期申请" when none is.
PICKED: dict[str, Promise] = {
    "extension": gettext_lazy("延期申请"),
    "suspension": gettext_lazy("挂起申请"),
    "supervision": gettext_lazy("督办"),
    "department": gettext_lazy("部门"),
}


def _amount_message(code: str) -> str:
    return _("延长量须为正整数") if code == "invalid" else _("延长量超出允许范围")


def _point_message(name: str) -> Callable[[str], str]:
    def message(code: str) -> str:
        if code == "required":
            return _("%(name)s is required") % {"name": name}
        return _("%(name)s must be a number") % {"name": name}

    return message


def _photos_message(code: str) -> str:
    return _("最多上传 %(n)s 张照片") % {"n": MAX_PHOTOS} if code == "max_length" else ""


# Fields whose refusal the pages word in their own terms ("" for the serializer's words).
WORDED: dict[str, Callable[[str], str]] = {
    "lng": _point_message("lng"),
    "lat": _point_message("lat"),
    "photos": _photos_message,
    "public_photos": _photos_message,
    "amount": _amount_message,
    "unit": lambda code: _("单位须为 workdays 或 workhours"),
    "rating": lambda code: _("评价须为 %(values)s 之一") % {"values": ", ".join(Rating.values)},
}


def _form_message(field: serializers.Field | None, name: str, detail: Any) -> str:
    """The first refusal of a form field as the pages word it (a text field by its name, as
    gridgov.text does: "请填写reason")."""
    code = getattr(detail, "code", "")
    if name in PICKED:
        return _("请选择%(what)s") % {"what": PICKED[name]}
    if name in WORDED and (worded := WORDED[name](code)):
        return worded
    if isinstance(field, serializers.CharField):
        if code in ("required", "blank", "null"):
            return _("请填写%(field)s") % {"field": name}
        if code == "max_length":
            return _("%(field)s 不能超过 %(n)s 字") % {"field": name, "n": field.max_length}
    return str(detail)


def _first(problems: Any) -> Any:
    """The first message of a field's errors (a list field's are keyed by item)."""
    while isinstance(problems, Mapping):
        problems = next(iter(problems.values()))
    return problems[0]


def _valid(serializer: serializers.Serializer) -> None:
    """The first field's refusal as a DomainError on that field (shown next to it)."""
    if not serializer.is_valid():
        field, problems = next(iter(serializer.errors.items()))
        message = _form_message(serializer.fields.get(field), field, _first(problems))
        raise DomainError(message, field=field)


def report_from_form(data: dict[str, Any], **known: Any) -> ReportInput:
    """A report form's fields (the public page's, the phone's) parsed as the API parses a
    report; ``known``: what the page sets itself (the portal's channel)."""
    fields = s.IntakeSerializer().fields
    # an empty box of a number (the point) is no number given, as it is for the API
    given = {
        k: v for k, v in data.items() if v != "" or isinstance(fields.get(k), serializers.CharField)
    }
    serializer = s.IntakeSerializer(data=given)
    _valid(serializer)
    return serializer.to_report(**known)


def link_step_from_form(post: QueryDict, *, client_id: str = "") -> tuple[str, ActionInput]:
    """The case page's link/unlink form (ADR 0010), parsed as the API's ``links`` action
    parses it: the operation and its value object (:mod:`cases.linking`)."""
    data = post.copy()
    data["client_id"] = client_id
    serializer = s.LinkStepSerializer(data=data)
    _valid(serializer)
    return serializer.validated_data["op"], serializer.to_input()


def from_form(
    name: str, post: QueryDict, files: MultiValueDict, *, client_id: str = ""
) -> ActionInput:
    """A form's fields and files parsed by the action's serializer, as the API parses them;
    the first field's refusal becomes a DomainError on that field (shown next to the form).

    An HTML form sends nothing for a list with no box checked: that list is empty (no
    co-department at all), not absent (the API's "the entry's suggestion")."""
    data = post.copy()
    data["client_id"] = client_id
    data.update(files)
    serializer = ACTIONS[name].serializer(data=data)
    _valid(serializer)
    value = serializer.to_input()
    empty = {
        f: [] for f, kind in serializer.fields.items() if isinstance(kind, serializers.ListField)
    }
    missing = {f: v for f, v in empty.items() if f not in data}
    return type(value)(**(value.as_kwargs() | missing)) if missing else value
