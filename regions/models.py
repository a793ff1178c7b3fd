"""The administrative tree and the grids (R8.1–R8.4).

Region codes are the official statistical division codes: province 2 digits, city 4, county 6,
township 9, village/community 12. A grid's code is its village code plus a 3-digit sequence (15
digits). "Inside a jurisdiction" is therefore a code-prefix test, one indexed query on both
SQLite and PostgreSQL.

Grids are versioned: a redraw, split or merge retires the old row (``valid_to`` set) and creates
new rows, so anything that pointed at the old grid keeps pointing at the grid as it was (R8.1
动态调整 with history kept). At most one row per code is current (``valid_to`` is null).
"""

from __future__ import annotations

import itertools
from functools import cached_property
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from shapely.geometry.base import BaseGeometry

from gridgov.access import roles as R
from gridgov.access.scoping import ScopeRule
from gridgov.modelfields import actor_field, optional_fk
from regions import geometry as geo

CODE_LENGTHS = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}
GRID_CODE_LENGTH = 15


class Level(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县(市、区)")
    TOWNSHIP = "township", _("乡镇(街道)")
    VILLAGE = "village", _("村(社区)")


LEVEL_BY_LENGTH = {length: level for level, length in CODE_LENGTHS.items()}
LEVEL_ORDER = list(CODE_LENGTHS)


class VillageKind(models.TextChoices):
    URBAN = "urban", _("城市社区")
    RURAL = "rural", _("农村")


def parent_code(code: str) -> str | None:
    """The code of the unit one level up (None for a province)."""
    lengths = sorted(CODE_LENGTHS.values())
    for shorter, longer in itertools.pairwise(lengths):
        if len(code) == longer:
            return code[:shorter]
    if len(code) == GRID_CODE_LENGTH:
        return code[:12]
    return None


def village_kind_for(name: str) -> str:
    """村委会 / 村民委员会 are rural; 居委会, 社区 and 生活区 count as urban (R8.1 规模适度)."""
    return VillageKind.RURAL if "村委会" in name or "村民委员会" in name else VillageKind.URBAN


class GeometryMixin(models.Model):
    """A polygon stored as WKB, with its bounding box and geodesic area kept beside it."""

    geometry_wkb = models.BinaryField(_("边界"), null=True, blank=True, editable=False)
    min_lng = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lng = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    area_m2 = models.FloatField(_("面积(平方米)"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @cached_property
    def geometry(self) -> BaseGeometry | None:
        return geo.from_wkb(self.geometry_wkb)

    def set_geometry(self, geom: BaseGeometry | None) -> None:
        self.__dict__.pop("geometry", None)
        if geom is None:
            self.geometry_wkb = None
            self.min_lng = self.min_lat = self.max_lng = self.max_lat = self.area_m2 = None
            return
        self.geometry_wkb = geo.to_wkb(geom)
        self.min_lng, self.min_lat, self.max_lng, self.max_lat = geom.bounds
        self.area_m2 = geo.geodesic_area_m2(geom)
        self.__dict__["geometry"] = geom

    @property
    def area_km2(self) -> float | None:
        return None if self.area_m2 is None else self.area_m2 / 1_000_000


class RegionQuerySet(models.QuerySet):
    def within(self, code: str) -> RegionQuerySet:
        return self.filter(code__startswith=code)

    def at_level(self, level: str) -> RegionQuerySet:
        return self.filter(level=level)


class Region(GeometryMixin):
    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices, db_index=True)
    parent = optional_fk("self", _("上级"), "children")
    kind = models.CharField(
        _("村(社区)类型"), max_length=8, choices=VillageKind.choices, blank=True
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RegionQuerySet.as_manager()
    # Regions and grids are public data (R8.4), served by public endpoints without scoping; the
    # rules are for staff pages that list them inside a jurisdiction (the vacant-grid report,
    # choice lists in forms and the admin).
    scope_rule = ScopeRule(view=R.STAFF_ROLES, fields=("code",), place=True)

    class Meta:
        verbose_name = _("行政区域")
        verbose_name_plural = _("行政区域")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    (Q(level="province") & Q(code__regex=r"^[0-9]{2}$"))
                    | (Q(level="city") & Q(code__regex=r"^[0-9]{4}$"))
                    | (Q(level="county") & Q(code__regex=r"^[0-9]{6}$"))
                    | (Q(level="township") & Q(code__regex=r"^[0-9]{9}$"))
                    | (Q(level="village") & Q(code__regex=r"^[0-9]{12}$"))
                ),
                name="region_code_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def ancestors(self) -> list[Region]:
        """From the top of the tree down to this region's parent (one query)."""
        codes = []
        code = parent_code(self.code)
        while code:
            codes.append(code)
            code = parent_code(code)
        by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
        return [by_code[c] for c in reversed(codes) if c in by_code]

    def path(self) -> list[Region]:
        return [*self.ancestors(), self]

    def path_name(self) -> str:
        return " / ".join(r.name for r in self.path())


class GridQuerySet(models.QuerySet):
    def current(self) -> GridQuerySet:
        return self.filter(valid_to__isnull=True)

    def within(self, code: str) -> GridQuerySet:
        return self.filter(code__startswith=code)


class GridChange(models.Model):
    """One division or adjustment of grids, filed with the city (R8.1, R8.2)."""

    class Kind(models.TextChoices):
        DIVISION = "division", _("网格划分")
        CREATE = "create", _("新增")
        REDRAW = "redraw", _("调整边界")
        SPLIT = "split", _("拆分")
        MERGE = "merge", _("合并")
        UPDATE = "update", _("修改属性")

    class Filing(models.TextChoices):
        SUBMITTED = "submitted", _("已报备")
        ACKNOWLEDGED = "acknowledged", _("已确认")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="grid_changes"
    )
    reason = models.TextField(_("理由"), blank=True)
    made_by = actor_field(_("提交人"))
    made_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    summary = models.JSONField(_("变更摘要"), default=dict, blank=True)
    filed_with = models.ForeignKey(
        Region,
        verbose_name=_("报备至"),
        on_delete=models.PROTECT,
        related_name="grid_filings",
        help_text=_("市级网格化机构所在的市"),
    )
    filing_status = models.CharField(
        _("报备状态"), max_length=12, choices=Filing.choices, default=Filing.SUBMITTED
    )
    acknowledged_by = actor_field(_("确认人"))
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledgement_note = models.TextField(_("确认意见"), blank=True)

    scope_rule = ScopeRule(view=R.STAFF_ROLES, change=R.ADMIN_ROLES, fields=("region__code",))

    class Meta:
        verbose_name = _("网格变更报备")
        verbose_name_plural = _("网格变更报备")
        ordering = ["-made_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.region.name} #{self.pk}"


class Grid(GeometryMixin):
    """A comprehensive grid (综合网格): the basic unit everything else is routed to (R8.1)."""

    code = models.CharField(_("网格编码"), max_length=15, db_index=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("网格名称"), max_length=100)
    village = models.ForeignKey(
        Region,
        verbose_name=_("所属村(社区)"),
        on_delete=models.PROTECT,
        related_name="grids",
        limit_choices_to={"level": Level.VILLAGE},
    )
    households = models.PositiveIntegerField(_("户数"), default=0)
    population = models.PositiveIntegerField(_("人口"), default=0)
    valid_from = models.DateTimeField(_("生效时间"), default=timezone.now)
    valid_to = models.DateTimeField(_("失效时间"), null=True, blank=True, db_index=True)
    created_by_change = optional_fk(GridChange, _("产生于"), "new_grids")
    retired_by_change = optional_fk(GridChange, _("撤销于"), "old_grids")

    objects = GridQuerySet.as_manager()
    scope_rule = ScopeRule(view=R.STAFF_ROLES, fields=("code",))

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="grid_code_version_unique"),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(valid_to__isnull=True),
                name="grid_one_current_version",
            ),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{15}$"), name="grid_code_15_digits"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="grid_valid_span",
            ),
        ]
        indexes = [
            models.Index(fields=["min_lng", "max_lng", "min_lat", "max_lat"], name="grid_bbox"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    @property
    def village_code(self) -> str:
        return self.code[:12]

    def region_codes(self) -> dict[str, str]:
        c = self.code
        return {"village": c[:12], "township": c[:9], "county": c[:6], "city": c[:4]}

    def public_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "version": self.version}
