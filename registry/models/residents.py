"""Households, residents (实有人口), where they lived, and special-group tags (R11.1, R22.1).

A resident's ID number and phone are protected as a grid worker's are (ADR 0003): AES-GCM
ciphertext bound to its column, a keyed digest (the blind index that finds one person's
records without decrypting) and the masked form. One person, one record: the digest is unique
per ID type among the records not merged away; a duplicate found later is merged by
``registry.services.merge.merge_residents``, which keeps the merged record (``merged_into``).
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.access import roles as R
from gridgov.access.scoping import Access, ScopeRule, prefix_q
from gridgov.modelfields import optional_fk, span_check
from people.models import Gender
from registry.models.addresses import House, StandardAddress
from registry.models.common import (
    Located,
    digest_field,
    encrypted_field,
    located_constraints,
    located_scope,
    masked_field,
    unique_when_given,
)
from registry.validation import IdType
from registry.visibility import (
    REGISTRY_EDITORS,
    REGISTRY_READERS,
    SpecialGroupKind,
    kinds_visible_to,
)


class Household(Located):
    """家庭户: residents sharing a household register entry, one of them its head."""

    number = models.CharField(_("户号"), max_length=32, blank=True)
    address = optional_fk(StandardAddress, _("户籍地址"), "households")
    head = optional_fk(
        "registry.Resident", _("户主"), "headed_households", on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("家庭户")
        verbose_name_plural = _("家庭户")
        ordering = ["region_code", "number", "pk"]
        constraints = [
            *located_constraints("registry_household"),
            unique_when_given(
                "number", "registry_household_number_unique_in_village", within=("region_code",)
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class ResidentKind(models.TextChoices):
    REGISTERED = "registered", _("户籍人口")
    FLOATING = "floating", _("流动人口")
    FOREIGN = "foreign", _("境外人员")


class Relation(models.TextChoices):
    """与户主关系 (GB/T 4761, grouped)."""

    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDPARENT = "grandparent", _("祖父母/外祖父母")
    GRANDCHILD = "grandchild", _("孙子女/外孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER_RELATIVE = "other_relative", _("其他亲属")
    OTHER = "other", _("非亲属")


class HouseRelation(models.TextChoices):
    OWNER = "owner", _("产权人")
    FAMILY = "family", _("家庭成员")
    TENANT = "tenant", _("租客")
    BORROWER = "borrower", _("借住")
    OTHER = "other", _("其他")


class ResidentStatus(models.TextChoices):
    LIVING = "living", _("在住")
    MOVED_OUT = "moved_out", _("已迁出")
    DECEASED = "deceased", _("已死亡")


class Resident(Located):
    """实有人口: a registered, floating or foreign resident (GB/T 31000-2015 人口信息)."""

    kind = models.CharField(_("人口类别"), max_length=12, choices=ResidentKind.choices)
    name = models.CharField(_("姓名"), max_length=64, db_index=True)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_type = models.CharField(
        _("证件类型"), max_length=24, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_number_encrypted = encrypted_field(_("证件号码(密文)"))
    id_number_digest = digest_field(_("证件号码(摘要)"))
    id_number_masked = masked_field(_("证件号码"), 32)
    phone_encrypted = encrypted_field(_("联系电话(密文)"))
    phone_digest = digest_field(_("联系电话(摘要)"))
    phone_masked = masked_field(_("联系电话"), 16)
    household = optional_fk(Household, _("家庭户"), "members", on_delete=models.SET_NULL)
    relation = models.CharField(
        _("与户主关系"), max_length=16, choices=Relation.choices, blank=True
    )
    house = optional_fk(House, _("居住房屋"), "residents")
    house_relation = models.CharField(
        _("与房屋关系"), max_length=12, choices=HouseRelation.choices, blank=True
    )
    living_since = models.DateField(_("入住日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ResidentStatus.choices, default=ResidentStatus.LIVING
    )
    status_on = models.DateField(_("状态日期"), null=True, blank=True)
    merged_into = optional_fk("self", _("已合并至"), "merged_records")
    client_id = models.CharField(
        _("客户端编号"), max_length=64, blank=True, help_text=_("手机重发时不重复登记")
    )
    note = models.TextField(_("备注"), blank=True)

    # field name → (kind of value, encryption purpose); see audit.personal_data
    PROTECTED_FIELDS = {
        "id_number": ("id_number", "registry.resident.id_number"),
        "phone": ("mobile", "registry.resident.phone"),
    }
    REVEALERS = R.PERSONAL_DATA_REVEALERS

    class Meta:
        verbose_name = _("实有人口")
        verbose_name_plural = _("实有人口")
        ordering = ["region_code", "name", "pk"]
        indexes = [
            # Duplicates by name + birth date (+ address): registry.services.duplicates.
            models.Index(fields=["name", "birth_date"], name="registry_resident_name_born"),
        ]
        constraints = [
            *located_constraints("registry_resident"),
            models.UniqueConstraint(
                fields=["id_type", "id_number_digest"],
                condition=Q(merged_into__isnull=True) & ~Q(id_number_digest=""),
                name="registry_resident_one_record_per_document",
            ),
            unique_when_given("client_id", "registry_resident_client_id_unique"),
            models.CheckConstraint(
                condition=Q(status="living") | Q(status_on__isnull=False),
                name="registry_resident_status_dated",
            ),
            models.CheckConstraint(
                condition=Q(house__isnull=True) | ~Q(house_relation=""),
                name="registry_resident_house_relation",
            ),
            models.CheckConstraint(
                condition=Q(household__isnull=True) | ~Q(relation=""),
                name="registry_resident_household_relation",
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | ~Q(merged_into=models.F("pk")),
                name="registry_resident_not_merged_into_itself",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ResidenceSpell(models.Model):
    """Where a resident lived from one date to another: the history of moves (R11.1)."""

    resident = models.ForeignKey(
        Resident, verbose_name=_("人口"), on_delete=models.PROTECT, related_name="residences"
    )
    house = models.ForeignKey(
        House, verbose_name=_("房屋"), on_delete=models.PROTECT, related_name="residences"
    )
    house_relation = models.CharField(_("与房屋关系"), max_length=12, choices=HouseRelation.choices)
    started_on = models.DateField(_("入住日期"))
    ended_on = models.DateField(_("迁出日期"), null=True, blank=True)
    client_id = models.CharField(_("客户端编号"), max_length=64, blank=True)

    scope_rule = located_scope("house__address__")

    class Meta:
        verbose_name = _("居住经历")
        verbose_name_plural = _("居住经历")
        ordering = ["resident", "-started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=Q(ended_on__isnull=True),
                name="registry_residence_one_current",
            ),
            unique_when_given("client_id", "registry_residence_client_id_unique"),
            span_check("started_on", "ended_on", "registry_residence_valid_span"),
        ]

    def __str__(self) -> str:
        return f"{self.resident} @ {self.house}"


class CareLevel(models.TextChoices):
    """关注程度 (管控/帮扶等级)."""

    LOW = "low", _("一般关注")
    MEDIUM = "medium", _("重点关注")
    HIGH = "high", _("高度关注")


def _department_kinds(ids: frozenset[int]) -> dict[int, str]:
    from people.models import Department

    if not ids:
        return {}
    return dict(Department.objects.filter(pk__in=ids).values_list("pk", "kind__code"))


def _tag_scope(access: Access) -> Q:
    """The visibility table (registry.visibility) applied to each of the user's grants: a tag
    of a kind the grant's role (and department kind) may see, in the grant's jurisdiction."""
    department_kind = _department_kinds(access.department_ids)
    codes_by_kinds: dict[frozenset[str], list[str]] = {}
    for grant in access.grants:
        kinds = kinds_visible_to(grant.role, department_kind.get(grant.department_id or 0))
        if kinds and grant.code:
            codes_by_kinds.setdefault(kinds, []).append(grant.code)
    parts = [
        Q(kind__in=sorted(kinds)) & prefix_q(["grid_code", "region_code"], sorted(set(codes)))
        for kinds, codes in codes_by_kinds.items()
    ]
    return reduce(or_, parts) if parts else Q(pk__in=[])


class SpecialGroupTag(Located):
    """A resident's membership of a special or vulnerable group, from one date to another, with
    the department responsible, the care level and how often a grid worker visits.

    ``region_code``/``grid_code`` are the resident's (kept in step by the moving services) so
    the due-visit list is one indexed range per grid; ``next_visit_on`` is the day the next
    visit falls due (the last visit, else the start, plus the frequency), kept by the services.
    """

    resident = models.ForeignKey(
        Resident, verbose_name=_("人口"), on_delete=models.PROTECT, related_name="tags"
    )
    kind = models.CharField(_("类别"), max_length=32, choices=SpecialGroupKind.choices)
    started_on = models.DateField(_("起始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=200, blank=True)
    department_kind = models.CharField(
        _("责任部门类别"), max_length=40, help_text=_("联动部门类别代码,如 police、civil_affairs")
    )
    care_level = models.CharField(
        _("关注程度"), max_length=8, choices=CareLevel.choices, default=CareLevel.LOW
    )
    visit_days = models.PositiveIntegerField(_("走访周期(天)"))
    last_visited_on = models.DateField(_("最近走访日期"), null=True, blank=True)
    next_visit_on = models.DateField(_("下次走访日期"), editable=False)
    last_visited_by = optional_fk(
        settings.AUTH_USER_MODEL, _("最近走访人"), "+", on_delete=models.SET_NULL
    )
    client_id = models.CharField(_("客户端编号"), max_length=64, blank=True)
    note = models.TextField(_("备注"), blank=True)

    scope_rule = ScopeRule(view=REGISTRY_READERS, change=REGISTRY_EDITORS, q=_tag_scope)

    class Meta:
        verbose_name = _("特殊人群标记")
        verbose_name_plural = _("特殊人群标记")
        ordering = ["resident", "kind", "-started_on", "pk"]
        indexes = [
            # The due-visit list: open tags of a grid (or a region prefix) by due day.
            models.Index(
                fields=["grid_code", "next_visit_on"],
                condition=Q(ended_on__isnull=True),
                name="registry_tag_due_by_grid",
            ),
            models.Index(
                fields=["region_code", "next_visit_on"],
                condition=Q(ended_on__isnull=True),
                name="registry_tag_due_by_region",
            ),
        ]
        constraints = [
            *located_constraints("registry_tag"),
            models.UniqueConstraint(
                fields=["resident", "kind"],
                condition=Q(ended_on__isnull=True),
                name="registry_tag_one_open_per_kind",
            ),
            unique_when_given("client_id", "registry_tag_client_id_unique"),
            models.CheckConstraint(
                condition=Q(visit_days__gte=1) & Q(visit_days__lte=366),
                name="registry_tag_visit_days_range",
            ),
            span_check("started_on", "ended_on", "registry_tag_valid_span"),
        ]

    def __str__(self) -> str:
        return f"{self.resident}:{self.get_kind_display()}"
