"""A proposal's payload (R11.1, R22.1): the value object of ``registry.inputs`` as JSON and
back, and what its fields look like to a reviewer.

References are stored as ids and read back through the model (the service that applies the
proposal checks the rights again). Personal numbers are stored as ``{"encrypted": …,
"masked": …}`` with a purpose of their own (``audit.personal_data``): the JSON column never
holds an ID or phone number in clear, and the review page shows the masked form. The keyed
digest of the clear content (:func:`content_digest`) tells a resend from another proposal under
the same ``client_id``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import fields as dataclass_fields
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from audit import personal_data as pd
from registry import inputs
from registry.models import House, Household, Organisation, Resident, StandardAddress

DIGEST_KIND = "registry-proposal-v1"
# field name → model of the id stored for it
REFERENCES: dict[str, type[models.Model]] = {
    "house": House,
    "household": Household,
    "owner": Resident,
    "address": StandardAddress,
    "parent": StandardAddress,
    "successor": StandardAddress,
    "organisation": Organisation,
    "merged": Resident,
}
DATES = frozenset(
    {"birth_date", "living_since", "on", "started_on", "ended_on", "last_inspected_on"}
)
DECIMALS = frozenset({"area_m2"})
# field name → (kind of value, encryption purpose, mask)
PROTECTED = {
    "id_number": ("id_number", "registry.proposal.id_number", pd.mask_id_number),
    "phone": ("mobile", "registry.proposal.phone", pd.mask_mobile),
    "contact_phone": ("mobile", "registry.proposal.contact_phone", pd.mask_mobile),
}


def _clean(value: Any) -> Any:
    """One field's value as plain JSON (the clear form, for the digest)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, inputs.Where):
        return {f.name: getattr(value, f.name) for f in dataclass_fields(value)}
    return value


def plain(value: Any) -> dict[str, Any]:
    """The value object's fields as plain JSON, personal numbers in clear (never stored)."""
    return {f.name: _clean(getattr(value, f.name)) for f in dataclass_fields(value)}


def content_digest(kind: str, subject_id: int | None, value: Any, extra: dict[str, Any]) -> str:
    """The keyed hash of what a proposal says (HMAC: it holds personal numbers)."""
    canonical = json.dumps(
        [kind, subject_id, plain(value), extra], sort_keys=True, ensure_ascii=False
    )
    return pd.digest(canonical, kind=DIGEST_KIND)


def _mask(name: str, text: str) -> str:
    _kind, _purpose, mask = PROTECTED[name]
    return mask("".join(text.split()).upper())


def encode(value: Any) -> dict[str, Any]:
    """The payload stored for ``value``: personal numbers encrypted and masked."""
    out = plain(value)
    for name, (_kind, purpose, _mask_fn) in PROTECTED.items():
        text = out.get(name)
        if text:
            out[name] = {"encrypted": pd.encrypt(str(text), purpose=purpose),
                         "masked": _mask(name, str(text))}  # fmt: skip
    return out


def decode(value_class: type, payload: dict[str, Any]) -> Any:
    """The value object a stored payload describes (references read, numbers decrypted)."""
    values: dict[str, Any] = {}
    for f in dataclass_fields(value_class):
        if f.name not in payload:
            continue
        raw = payload[f.name]
        if raw is None:
            values[f.name] = None
        elif f.name in PROTECTED and isinstance(raw, dict):
            values[f.name] = pd.decrypt(raw["encrypted"], purpose=PROTECTED[f.name][1])
        elif f.name in REFERENCES:
            values[f.name] = REFERENCES[f.name].objects.filter(pk=raw).first()
        elif f.name in DATES:
            values[f.name] = dt.date.fromisoformat(raw)
        elif f.name in DECIMALS:
            values[f.name] = Decimal(raw)
        elif f.name == "where":
            values[f.name] = inputs.Where(**raw)
        else:
            values[f.name] = raw
    return value_class(**values)


def shown(name: str, raw: Any) -> str:
    """A stored payload value as a reviewer sees it (personal numbers masked)."""
    if raw is None or raw == "":
        return ""
    if isinstance(raw, dict) and "masked" in raw:
        return str(raw["masked"])
    if isinstance(raw, dict):
        return " ".join(f"{k}={v}" for k, v in raw.items() if v not in (None, ""))
    if isinstance(raw, bool):
        return _("是") if raw else _("否")
    return str(raw)


def given_names(value: Any, defaults: Any = None) -> set[str]:
    """The fields ``value`` sets: not None and, for a new record, not left at the default."""
    names = set()
    for f in dataclass_fields(value):
        current = getattr(value, f.name)
        if current is None or current == "" or f.name == "client_id":
            continue
        if defaults is not None and current == getattr(defaults, f.name, object()):
            continue
        names.add(f.name)
    return names
