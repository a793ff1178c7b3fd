"""What a reviewer (and the proposer) sees of a proposal (R11.1, R22.1): each field it sets,
with the record's value now and the proposed one, labelled as on the record's own pages,
personal numbers masked on both sides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry import proposal_codec
from registry.models import Proposal
from registry.services.proposals import KINDS, subject_of

HIDDEN = frozenset({"client_id", "where"})
WHERE_LABELS = {
    "lng": _("经度"),
    "lat": _("纬度"),
    "grid_code": _("网格编码"),
    "region_code": _("村(社区)代码"),
}
OTHER_LABELS = {
    "on": _("日期"),
    "house": _("房屋"),
    "house_relation": _("与房屋关系"),
    "note": _("备注"),
}


@dataclass(frozen=True)
class Row:
    name: str
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _field(model: type[models.Model], name: str) -> models.Field | None:
    for candidate in (name, f"{name}_masked"):
        try:
            return model._meta.get_field(candidate)  # type: ignore[return-value]
        except FieldDoesNotExist:
            continue
    return None


def _text(field: models.Field | None, raw: Any, name: str) -> str:
    if field is not None and getattr(field, "choices", None) and not isinstance(raw, dict):
        return str(dict(field.choices).get(raw, raw if raw is not None else ""))
    if name in proposal_codec.REFERENCES and raw not in (None, ""):
        found = proposal_codec.REFERENCES[name]._default_manager.filter(pk=raw).first()
        return str(found) if found is not None else f"#{raw}"
    return proposal_codec.shown(name, raw)


def _now(subject: models.Model | None, field: models.Field | None, name: str) -> str:
    if subject is None or field is None:
        return ""
    value = getattr(subject, field.name, None)
    if isinstance(value, models.Model):
        return str(value)
    return _text(field, value.isoformat() if hasattr(value, "isoformat") else value, name)


def rows(proposal: Proposal) -> list[Row]:
    """The proposal's fields, before (the record now, for a change) and after."""
    spec = KINDS[proposal.kind]
    subject = subject_of(proposal) if spec.subject is spec.result else None
    out: list[Row] = []
    for name, raw in proposal.payload.items():
        if name in HIDDEN or raw is None or raw == "":
            if name == "where" and isinstance(raw, dict):
                for key, part in raw.items():
                    if part not in (None, ""):
                        out.append(Row(key, str(WHERE_LABELS.get(key, key)), "", str(part)))
            continue
        field = _field(spec.result, name)
        label = str(OTHER_LABELS.get(name) or (field.verbose_name if field is not None else name))
        out.append(Row(name, label, _now(subject, field, name), _text(field, raw, name)))
    return out
