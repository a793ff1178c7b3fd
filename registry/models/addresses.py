"""Standard addresses and houses (标准地址、实有房屋; R11.1): the spine of the registry.

"一标多实": one standard address, many facts attached to it. An address is a node of a tree
below a village or community: a road or street with its number (门牌), then building, unit,
floor and room. Its code is the village's 12-digit code and an 8-digit sequence; its point
places it in a grid through the grid index. An address is never deleted: it is retired, with
its successor when a renumbering replaces it, so what was recorded at it keeps its place.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.modelfields import optional_fk
from registry.models.common import (
    Located,
    Point,
    located_constraints,
    located_scope,
    point_constraints,
)


class AddressLevel(models.TextChoices):
    STREET_NUMBER = "street_number", _("街路巷门牌")
    BUILDING = "building", _("楼栋")
    UNIT = "unit", _("单元")
    FLOOR = "floor", _("楼层")
    ROOM = "room", _("户室")


# The depth of each level: a child lies deeper than its parent (a unit inside a building …).
LEVEL_DEPTH = {level: depth for depth, level in enumerate(AddressLevel.values)}
# Levels a house may stand at: a whole building (a detached house) or one room.
HOUSE_LEVELS = frozenset({AddressLevel.STREET_NUMBER, AddressLevel.BUILDING, AddressLevel.ROOM})


class StandardAddress(Located, Point):
    """标准地址: one node of a village's address tree (GB/T 31000-2015 地址信息)."""

    code = models.CharField(_("地址编码"), max_length=20, unique=True, editable=False)
    level = models.CharField(_("层级"), max_length=16, choices=AddressLevel.choices)
    parent = optional_fk("self", _("上级地址"), "children")
    road = models.CharField(_("街路巷"), max_length=100, blank=True)
    number = models.CharField(_("门牌号"), max_length=30, blank=True)
    name = models.CharField(_("本级名称"), max_length=60, blank=True, help_text=_("如 3栋、502室"))
    full_text = models.CharField(_("完整地址"), max_length=300, db_index=True)
    retired_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    successor = optional_fk("self", _("继任地址"), "predecessors")
    retire_reason = models.CharField(_("注销原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("标准地址")
        verbose_name_plural = _("标准地址")
        ordering = ["code"]
        constraints = [
            *located_constraints("registry_address"),
            *point_constraints("registry_address"),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{20}$")
                & Q(code__startswith=models.F("region_code")),
                name="registry_address_code_in_village",
            ),
            models.CheckConstraint(
                condition=(Q(level="street_number") & Q(parent__isnull=True))
                | (~Q(level="street_number") & Q(parent__isnull=False)),
                name="registry_address_parent_below_street",
            ),
            models.CheckConstraint(
                condition=Q(successor__isnull=True) | Q(retired_at__isnull=False),
                name="registry_address_successor_when_retired",
            ),
        ]

    def __str__(self) -> str:
        return self.full_text

    @property
    def is_current(self) -> bool:
        return self.retired_at is None


class HouseUse(models.TextChoices):
    RESIDENTIAL = "residential", _("自住")
    RENTAL = "rental", _("出租")
    COMMERCIAL = "commercial", _("商用")
    MIXED = "mixed", _("商住混用")
    VACANT = "vacant", _("空置")
    OTHER = "other", _("其他")


class RentalStatus(models.TextChoices):
    NOT_RENTED = "not_rented", _("未出租")
    WHOLE = "whole", _("整租")
    SHARED = "shared", _("合租/分租")


class House(models.Model):
    """实有房屋: the house at one address (a building or a room); its residents live there,
    tenants among them with the house relation "tenant"."""

    address = models.OneToOneField(
        StandardAddress, verbose_name=_("地址"), on_delete=models.PROTECT, related_name="house"
    )
    use = models.CharField(_("用途"), max_length=16, choices=HouseUse.choices)
    owner = optional_fk(
        "registry.Resident", _("产权人(登记人口)"), "owned_houses", on_delete=models.SET_NULL
    )
    owner_name = models.CharField(
        _("产权人名称"), max_length=100, blank=True, help_text=_("产权人不是登记人口时填写")
    )
    rental_status = models.CharField(
        _("出租状态"), max_length=16, choices=RentalStatus.choices, default=RentalStatus.NOT_RENTED
    )
    area_m2 = models.DecimalField(
        _("建筑面积(平方米)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_rule = located_scope("address__")

    class Meta:
        verbose_name = _("实有房屋")
        verbose_name_plural = _("实有房屋")
        ordering = ["address__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rental_status="not_rented") | Q(use__in=["rental", "mixed"]),
                name="registry_house_rented_is_rental",
            ),
            models.CheckConstraint(
                condition=Q(area_m2__isnull=True) | Q(area_m2__gt=0),
                name="registry_house_area_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.address.full_text

    @property
    def region_code(self) -> str:
        """Where the house lies: its address's village (and grid, below)."""
        return self.address.region_code

    @property
    def grid_code(self) -> str:
        return self.address.grid_code
