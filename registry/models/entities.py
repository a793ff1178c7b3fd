"""Organisations, key places and public things (组织、重点场所、部件; R11.1)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.access import roles as R
from gridgov.modelfields import optional_fk
from registry.models.addresses import StandardAddress
from registry.models.common import (
    Located,
    Point,
    digest_field,
    encrypted_field,
    located_constraints,
    masked_field,
    point_constraints,
    unique_when_given,
)


class OrganisationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    INDIVIDUAL_BUSINESS = "individual_business", _("个体工商户")
    SOCIAL_ORGANISATION = "social_organisation", _("社会组织")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    GOVERNMENT = "government", _("机关")
    SCHOOL = "school", _("学校")
    HOSPITAL = "hospital", _("医疗机构")
    RELIGIOUS = "religious", _("宗教活动场所")
    OTHER = "other", _("其他")


class OrganisationStatus(models.TextChoices):
    ACTIVE = "active", _("存续")
    CLOSED = "closed", _("注销/停业")


class Organisation(Located):
    """组织 (GB/T 31000-2015 组织信息): an enterprise, a business, a school …"""

    kind = models.CharField(_("类别"), max_length=24, choices=OrganisationKind.choices)
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    address = optional_fk(StandardAddress, _("地址"), "organisations")
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone_encrypted = encrypted_field(_("联系人手机(密文)"))
    contact_phone_digest = digest_field(_("联系人手机(摘要)"))
    contact_phone_masked = masked_field(_("联系人手机"), 16)
    status = models.CharField(
        _("状态"),
        max_length=8,
        choices=OrganisationStatus.choices,
        default=OrganisationStatus.ACTIVE,
    )
    note = models.TextField(_("备注"), blank=True)

    PROTECTED_FIELDS = {
        "contact_phone": ("mobile", "registry.organisation.contact_phone"),
    }
    REVEALERS = R.PERSONAL_DATA_REVEALERS

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["region_code", "name", "pk"]
        constraints = [
            *located_constraints("registry_organisation"),
            unique_when_given("credit_code", "registry_organisation_credit_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class PlaceKind(models.TextChoices):
    # 九小场所
    SMALL_SHOP = "small_shop", _("小商店")
    SMALL_RESTAURANT = "small_restaurant", _("小餐饮")
    SMALL_HOTEL = "small_hotel", _("小旅馆")
    SMALL_ENTERTAINMENT = "small_entertainment", _("小歌舞娱乐场所")
    SMALL_INTERNET_CAFE = "small_internet_cafe", _("小网吧")
    SMALL_BEAUTY_BATH = "small_beauty_bath", _("小美容洗浴场所")
    SMALL_WORKSHOP = "small_workshop", _("小生产加工企业")
    SMALL_WAREHOUSE = "small_warehouse", _("小仓库")
    SMALL_CLINIC = "small_clinic", _("小医疗场所")
    # 人员密集场所
    MARKET = "market", _("集贸市场/商场")
    TRANSPORT_HUB = "transport_hub", _("车站码头")
    CAMPUS = "campus", _("学校/幼儿园")
    ELDERLY_CARE = "elderly_care", _("养老机构")
    VENUE = "venue", _("文体活动场馆")
    OTHER = "other", _("其他")


class RiskLevel(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")


class Place(Located, Point):
    """重点场所: a "九小场所" or a crowded place, inspected at a frequency."""

    kind = models.CharField(_("类别"), max_length=24, choices=PlaceKind.choices)
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    address = optional_fk(StandardAddress, _("地址"), "places")
    organisation = optional_fk(Organisation, _("经营主体"), "places", on_delete=models.SET_NULL)
    risk_level = models.CharField(
        _("风险等级"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.LOW
    )
    inspection_days = models.PositiveIntegerField(_("巡查周期(天)"), default=30)
    last_inspected_on = models.DateField(_("最近巡查日期"), null=True, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("重点场所")
        verbose_name_plural = _("重点场所")
        ordering = ["region_code", "name", "pk"]
        constraints = [
            *located_constraints("registry_place"),
            *point_constraints("registry_place"),
            models.CheckConstraint(
                condition=Q(inspection_days__gte=1) & Q(inspection_days__lte=366),
                name="registry_place_inspection_days_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ThingKind(models.TextChoices):
    FIRE_HYDRANT = "fire_hydrant", _("消防栓")
    CAMERA = "camera", _("监控摄像头")
    MANHOLE_COVER = "manhole_cover", _("井盖")
    STREET_LAMP = "street_lamp", _("路灯")
    TRASH_BIN = "trash_bin", _("垃圾箱")
    BUS_STOP = "bus_stop", _("公交站亭")
    SIGN = "sign", _("标识牌")
    OTHER = "other", _("其他")


class ThingState(models.TextChoices):
    NORMAL = "normal", _("完好")
    DAMAGED = "damaged", _("损坏")
    MISSING = "missing", _("丢失")
    REPAIRING = "repairing", _("维修中")
    RETIRED = "retired", _("已拆除")


class Thing(Located, Point):
    """部件: a piece of public equipment at a point (GB/T 30428 城市部件, grouped)."""

    kind = models.CharField(_("类别"), max_length=16, choices=ThingKind.choices)
    code = models.CharField(_("部件编号"), max_length=40, blank=True)
    name = models.CharField(_("名称"), max_length=100, blank=True)
    state = models.CharField(
        _("状态"), max_length=12, choices=ThingState.choices, default=ThingState.NORMAL
    )
    owner_department = models.CharField(_("主管单位"), max_length=100, blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("部件")
        verbose_name_plural = _("部件")
        ordering = ["region_code", "kind", "pk"]
        constraints = [
            *located_constraints("registry_thing"),
            *point_constraints("registry_thing"),
            unique_when_given(
                "code", "registry_thing_code_unique_in_village", within=("region_code",)
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} {self.code}".strip()
