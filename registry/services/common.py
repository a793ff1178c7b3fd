"""What the registry's services share (R11.1, R22.1): who acts, the right to change a record
where it lies, placing a record in a village and a grid, protecting a personal number, and
recording a change.

The lowest module of :mod:`registry.services`: the others build on it, it imports none of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields as dataclass_fields
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from audit import personal_data as pd
from audit import services as audit
from gridgov.access import scoping
from gridgov.access.scoping import Grant
from gridgov.actors import Actor
from gridgov.errors import DomainError
from regions import index
from regions.models import Grid, Level, Region
from registry.inputs import Where
from registry.visibility import REGISTRY_EDITORS


def where_code(obj: Any) -> str:
    """The code a record's rights are checked against: its grid, else its village."""
    return getattr(obj, "grid_code", "") or getattr(obj, "region_code", "")


def require_editor(actor: Actor, code: str) -> Grant | None:
    """The grant allowing ``actor`` to change the registry at ``code``, or Forbidden."""
    return scoping.require(actor, REGISTRY_EDITORS, region_code=code, what=_("修改基础信息"))


def place(where: Where, *, field: str = "lng") -> tuple[str, str]:
    """(village code, grid code) of a record: a point is placed in its grid by the grid index
    (and must lie in the given village); without a point or a grid covering it, the grid given,
    else the village alone."""
    region_code = str(where.region_code or "").strip()
    grid_code = str(where.grid_code or "").strip()
    if (where.lng is None) != (where.lat is None):
        raise DomainError(_("经度和纬度须同时填写"), field=field, code="point_incomplete")
    if where.lng is not None and where.lat is not None:
        located = index.locate(where.lng, where.lat)
        if located is not None:
            grid_code = located.code
    grid = None
    if grid_code:
        grid = Grid.objects.current().filter(code=grid_code).select_related("village").first()
        if grid is None:
            raise DomainError(
                _("网格 %(code)s 不存在或已撤销") % {"code": grid_code},
                field="grid_code",
                code="unknown_grid",
            )
        if region_code and grid.village.code != region_code:
            raise DomainError(
                _("位置所在网格 %(grid)s 不属于村(社区)%(village)s")
                % {"grid": grid.code, "village": region_code},
                field=field if where.lng is not None else "grid_code",
                code="outside_village",
            )
        region_code = grid.village.code
    if not region_code:
        raise DomainError(
            _("请填写位置(坐标、网格或村(社区))"), field="region_code", code="required"
        )
    if not Region.objects.filter(code=region_code, level=Level.VILLAGE).exists():
        raise DomainError(
            _("村(社区)代码 %(code)s 不存在") % {"code": region_code},
            field="region_code",
            code="unknown_village",
        )
    return region_code, grid_code


def protect_into(obj: models.Model, name: str, clean: str) -> None:
    """Store a validated personal number in the three forms of ``obj``'s protected field."""
    kind, purpose = type(obj).PROTECTED_FIELDS[name]  # type: ignore[attr-defined]
    if clean:
        protected = pd.protect_clean(clean, kind=kind, purpose=purpose)
    else:
        protected = pd.Protected("", "", "")
    setattr(obj, f"{name}_encrypted", protected.encrypted)
    setattr(obj, f"{name}_digest", protected.digest)
    setattr(obj, f"{name}_masked", protected.masked)


def clean_mobile(value: str, field: str) -> str:
    """A mainland mobile number, or "" for none."""
    return pd.normalize_mobile(value, field=field) if str(value or "").strip() else ""


def given(changes: Any) -> dict[str, Any]:
    """The fields of an update value object that were given (not None)."""
    return {
        f.name: getattr(changes, f.name)
        for f in dataclass_fields(changes)
        if getattr(changes, f.name) is not None
    }


def choice(value: str, choices: type[models.TextChoices], field: str) -> str:
    if value not in choices.values:
        raise DomainError(
            _("%(value)s 不是有效的选项") % {"value": value}, field=field, code="invalid_choice"
        )
    return value


def record(
    actor: Actor,
    action: str,
    obj: models.Model,
    grant: Grant | None,
    *,
    code: str,
    **details: Any,
) -> None:
    """The audit record of a registry change, filed under where the record lies."""
    audit.record(
        actor, action, obj, region_code=code, role=scoping.acting_role(actor, grant), **details
    )


def update(
    actor: Actor,
    action: str,
    obj: models.Model,
    changes: Mapping[str, Any],
    grant: Grant | None,
    **details: Any,
) -> bool:
    """Set and save the changed fields of ``obj`` with their audit record (before/after)."""
    return audit.audited_update(
        actor,
        action,
        obj,
        changes,
        region_code=where_code(obj),
        role=scoping.acting_role(actor, grant),
        **details,
    )


def created(
    actor: Actor,
    action: str,
    obj: models.Model,
    grant: Grant | None,
    *,
    shown: Sequence[str],
    unique: tuple[str, str] | None = None,
) -> None:
    """Save a new record with its audit record (``after``: the fields ``shown``, never a
    protected value in clear). With ``unique`` = (field, message), a unique constraint the
    database refuses (a concurrent registration) becomes that field's error."""
    if unique is None:
        obj.save()
    else:
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError:
            raise DomainError(unique[1], field=unique[0], code="duplicate") from None
    record(actor, action, obj, grant, code=where_code(obj), after=audit.snapshot(obj, shown))
