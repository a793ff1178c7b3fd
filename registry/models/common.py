"""What the registry's models share (R11.1, R22.1): where a record lies (its village and grid,
the scope of every registry model) and the three stored forms of a protected number."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.access.scoping import ScopeRule
from registry.visibility import REGISTRY_EDITORS, REGISTRY_READERS


# Every registry record lies in a village (its 12-digit code) and, where the grids cover it, a
# grid (15 digits): grid workers reach it by the grid, everyone else by the region prefix.
def located_scope(prefix: str = "") -> ScopeRule:
    """The rule of a located row, or of one that lies where another does (a house at its
    address: ``prefix`` is the relation)."""
    fields = (f"{prefix}grid_code", f"{prefix}region_code")
    return ScopeRule(view=REGISTRY_READERS, change=REGISTRY_EDITORS, fields=fields)


LOCATED_SCOPE = located_scope()


class Located(models.Model):
    """A record in a village and, where covered, a grid (the grid index placed it)."""

    region_code = models.CharField(_("所属村(社区)代码"), max_length=12, db_index=True)
    grid_code = models.CharField(_("网格编码"), max_length=15, blank=True, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_rule = LOCATED_SCOPE

    class Meta:
        abstract = True


def located_constraints(prefix: str) -> list[models.BaseConstraint]:
    """The database's checks of a :class:`Located` row's codes (named after the table)."""
    return [
        models.CheckConstraint(
            condition=Q(region_code__regex=r"^[0-9]{12}$"), name=f"{prefix}_region_code_12"
        ),
        models.CheckConstraint(
            condition=Q(grid_code="") | Q(grid_code__regex=r"^[0-9]{15}$"),
            name=f"{prefix}_grid_code_15",
        ),
    ]


def unique_when_given(
    field: str, name: str, *, within: tuple[str, ...] = ()
) -> models.UniqueConstraint:
    """``field`` unique (within ``within``) among the rows that give it: a blank value is
    "not given" and may repeat (client ids, registry numbers, codes)."""
    return models.UniqueConstraint(fields=[*within, field], condition=~Q(**{field: ""}), name=name)


class Point(models.Model):
    """A WGS 84 point (longitude, latitude), optional."""

    lng = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)

    class Meta:
        abstract = True


def point_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=(Q(lng__isnull=True) & Q(lat__isnull=True))
            | (Q(lng__gte=-180) & Q(lng__lte=180) & Q(lat__gte=-90) & Q(lat__lte=90)),
            name=f"{prefix}_point_valid",
        )
    ]


def encrypted_field(label: str) -> models.TextField:
    """The AES-GCM ciphertext of a protected value (audit.personal_data.encrypt)."""
    return models.TextField(label, blank=True, editable=False)


def digest_field(label: str) -> models.CharField:
    """The keyed digest (blind index) of a protected value, for exact search."""
    return models.CharField(label, max_length=64, blank=True, db_index=True, editable=False)


def masked_field(label: str, length: int) -> models.CharField:
    """The masked form everyone sees."""
    return models.CharField(label, max_length=length, blank=True, editable=False)
