"""Grid matters (网格事项): the city catalogue, county admission lists and their versions, and
change requests (R9.1–R9.3), plus what the gate reads (R23.2, R23.3).

- The city agency keeps a classification catalogue (准入分类目录, R9.2): :class:`MatterCategory`
  and :class:`MatterItem`, per city, with stable codes.
- Each county compiles an admission list (准入清单) from it: :class:`AdmissionList` with numbered
  :class:`AdmissionListVersion` rows (draft → published → filed with the city → acknowledged by
  the city) and one :class:`AdmissionEntry` per admitted item and version. A version is frozen
  once published: services refuse to edit it, and every version stays readable.
- The version *in force* is the county's latest published one. Removing an item in a new
  version stops new intake under it at once (动态退出, R9.1); a case keeps the entry row of the
  version it was admitted under, so cases already open continue under the old terms.
- :class:`ChangeRequest` (R9.3): a county department or a township agency asks to add, change
  or remove an entry; the county agency approves (the change goes into the next draft) or
  rejects, with reasons.

State changes go through :mod:`matters.services`; the gate is :mod:`matters.gate`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gridgov.access import roles as R
from gridgov.access.scoping import Access, ScopeRule, prefix_q
from gridgov.modelfields import actor_field, optional_fk

ITEM_CODE_PATTERN = r"^[0-9A-Z][0-9A-Z-]{0,15}$"


class LimitUnit(models.TextChoices):
    """Time limits count Chinese working time (see :func:`workdays.services.deadline`)."""

    WORKHOURS = "workhours", _("工作小时")
    WORKDAYS = "workdays", _("工作日")


# --- scoping (R22.1) -----------------------------------------------------------------------
#
# A catalogue belongs to a city and a list to a county, but the people below them need to read
# them: a township agency requests changes, a grid worker's intake form offers the entries in
# force. So these objects are visible both to users whose jurisdiction contains them (prefix) and
# to users inside them (the object's code is a prefix of theirs). Changes are authorised by the
# services, which name the exact level each step needs.

# Who compiles lists and catalogues: agency administrators (and the system administrator).
LIST_MANAGERS = R.ADMIN_ROLES
# Who reads the catalogue, lists, versions and entries through the staff API and pages:
# agencies, departments and village committees. Grid workers work in one grid, not on the
# county's list: they get the list in force from its public disclosure (it is public, R9.2:
# /public/matters/<county>/, also as JSON for intake forms) and intake passes the gate.
LIST_READERS = R.STAFF_ROLES - R.GRID_ROLES
# Who reads change requests: agencies and departments (not grid workers or committees).
CHANGE_REQUEST_READERS = frozenset({R.Role.SYSADMIN, *R.AGENCY_ROLES, *R.DEPARTMENT_ROLES})
# Who may write change requests at all (the services decide which step each may take).
CHANGE_REQUEST_WRITERS = frozenset({*R.ADMIN_ROLES, R.Role.DEPT_HEAD})


def inside_or_above(lookup: str, length: int):
    """Scope ``Q`` for an object bound to a region code of ``length`` digits (``lookup``)."""

    def condition(access: Access) -> Q:
        above = sorted({p[:length] for p in access.prefixes if len(p) > length})
        q = prefix_q([lookup], access.prefixes)
        if above:
            q |= Q(**{f"{lookup}__in": above})
        return q

    return condition


# --- catalogue (R9.2) ----------------------------------------------------------------------


class MatterCategory(models.Model):
    """A category of the city's classification catalogue (准入分类目录), e.g. 治安隐患."""

    city = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所属市"),
        on_delete=models.PROTECT,
        related_name="matter_categories",
    )
    code = models.CharField(_("分类编码"), max_length=16)
    name = models.CharField(_("分类名称"), max_length=60)
    description = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_rule = ScopeRule(
        view=LIST_READERS, change=LIST_MANAGERS, q=inside_or_above("city__code", 4)
    )

    class Meta:
        verbose_name = _("事项分类")
        verbose_name_plural = _("事项分类(准入分类目录)")
        ordering = ["city__code", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="matter_category_code_per_city"),
            models.UniqueConstraint(fields=["city", "name"], name="matter_category_name_per_city"),
            models.CheckConstraint(
                condition=Q(code__regex=ITEM_CODE_PATTERN), name="matter_category_code_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MatterItem(models.Model):
    """A matter of the catalogue (网格事项), e.g. 0101 治安隐患排查. Its code never changes."""

    city = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所属市"),
        on_delete=models.PROTECT,
        related_name="matter_items",
    )
    category = models.ForeignKey(
        MatterCategory,
        verbose_name=_("分类"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    code = models.CharField(_("事项编码"), max_length=16)
    name = models.CharField(_("事项名称"), max_length=100)
    description = models.TextField(_("事项说明"), blank=True)
    keywords = models.CharField(
        _("关键词"), max_length=300, blank=True, help_text=_("以空格或逗号分隔,供受理时检索")
    )
    settle_on_spot_allowed = models.BooleanField(
        _("可现场处置"),
        default=False,
        help_text=_("网格员核实后可当场协调解决并上传处理情况(R24.1)"),
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(
        _("在用"), default=True, help_text=_("停用的事项不能再编入清单;已发布清单须移除后才能发布")
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_rule = ScopeRule(
        view=LIST_READERS, change=LIST_MANAGERS, q=inside_or_above("city__code", 4)
    )

    class Meta:
        verbose_name = _("事项")
        verbose_name_plural = _("事项(准入分类目录)")
        ordering = ["city__code", "category__sort_order", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="matter_item_code_per_city"),
            models.CheckConstraint(
                condition=Q(code__regex=ITEM_CODE_PATTERN), name="matter_item_code_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def keyword_list(self) -> list[str]:
        return [k for k in self.keywords.replace(",", " ").replace(",", " ").split() if k]


# --- admission lists (R9.1–R9.3) -----------------------------------------------------------


class AdmissionList(models.Model):
    """A county's admission list (网格事项准入清单); its content lives in versions."""

    county = models.OneToOneField(
        "regions.Region",
        verbose_name=_("县(市、区)"),
        on_delete=models.PROTECT,
        related_name="admission_list",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    scope_rule = ScopeRule(
        view=LIST_READERS, change=LIST_MANAGERS, q=inside_or_above("county__code", 6)
    )

    class Meta:
        verbose_name = _("准入清单")
        verbose_name_plural = _("准入清单")
        ordering = ["county__code"]

    def __str__(self) -> str:
        return gettext("%(name)s网格事项准入清单") % {"name": self.county.name}

    @property
    def county_code(self) -> str:
        return self.county.code

    def version_in_force(self) -> AdmissionListVersion | None:
        return self.versions.in_force().first()

    def draft(self) -> AdmissionListVersion | None:
        return self.versions.filter(status=VersionStatus.DRAFT).first()


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    FILED = "filed", _("已报市备案")
    ACKNOWLEDGED = "acknowledged", _("市级已确认备案")


PUBLISHED_STATUSES = (VersionStatus.PUBLISHED, VersionStatus.FILED, VersionStatus.ACKNOWLEDGED)


class VersionQuerySet(models.QuerySet):
    def published(self) -> VersionQuerySet:
        return self.filter(status__in=PUBLISHED_STATUSES)

    def in_force(self) -> VersionQuerySet:
        """The latest published version first (``.first()`` is the one in force)."""
        return self.published().order_by("-number")


class AdmissionListVersion(models.Model):
    """One version of a county's list. Frozen once published; never deleted (R9.3)."""

    admission_list = models.ForeignKey(
        AdmissionList,
        verbose_name=_("准入清单"),
        on_delete=models.PROTECT,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(
        _("状态"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    based_on = optional_fk("self", _("基于版本"), "+")
    note = models.TextField(_("版本说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = actor_field(_("创建人"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = actor_field(_("发布人"))
    filed_at = models.DateTimeField(_("报备时间"), null=True, blank=True)
    filed_by = actor_field(_("报备人"))
    acknowledged_at = models.DateTimeField(_("备案确认时间"), null=True, blank=True)
    acknowledged_by = actor_field(_("备案确认人"))
    acknowledgement_note = models.TextField(_("备案意见"), blank=True)

    objects = VersionQuerySet.as_manager()

    scope_rule = ScopeRule(
        view=LIST_READERS,
        change=LIST_MANAGERS,
        q=inside_or_above("admission_list__county__code", 6),
    )

    class Meta:
        verbose_name = _("清单版本")
        verbose_name_plural = _("清单版本")
        ordering = ["admission_list__county__code", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["admission_list", "number"], name="admission_version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["admission_list"],
                condition=Q(status="draft"),
                name="admission_version_one_draft",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="admission_version_number_1"),
            models.CheckConstraint(
                condition=Q(status="draft", published_at__isnull=True)
                | (~Q(status="draft") & Q(published_at__isnull=False)),
                name="admission_version_published_iff_not_draft",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]) | Q(filed_at__isnull=False),
                name="admission_version_filed_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="acknowledged") | Q(acknowledged_at__isnull=False),
                name="admission_version_acknowledged_has_date",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(county)s 第%(number)s版(%(status)s)") % {
            "county": self.admission_list.county.name,
            "number": self.number,
            "status": self.get_status_display(),
        }

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status in PUBLISHED_STATUSES

    @property
    def county_code(self) -> str:
        return self.admission_list.county.code


class AdmissionEntry(models.Model):
    """One admitted matter in one version: item + departments + time limits (R9.2, R24.2–3).

    Cases store a foreign key to this row, so the terms a case was admitted under never change.
    """

    version = models.ForeignKey(
        AdmissionListVersion,
        verbose_name=_("清单版本"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    item = models.ForeignKey(
        MatterItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="entries"
    )
    lead_department = models.ForeignKey(
        "people.Department",
        verbose_name=_("牵头(责任)部门"),
        on_delete=models.PROTECT,
        related_name="lead_entries",
    )
    co_departments = models.ManyToManyField(
        "people.Department",
        verbose_name=_("协办部门"),
        blank=True,
        related_name="co_entries",
    )
    dispatch_limit_amount = models.PositiveIntegerField(_("派遣时限"))
    dispatch_limit_unit = models.CharField(
        _("派遣时限单位"), max_length=10, choices=LimitUnit.choices
    )
    handling_limit_amount = models.PositiveIntegerField(_("办理时限"))
    handling_limit_unit = models.CharField(
        _("办理时限单位"), max_length=10, choices=LimitUnit.choices
    )
    amber_threshold_percent = models.PositiveSmallIntegerField(
        _("黄灯预警比例(%)"),
        default=80,
        help_text=_("已用时限达到此比例时亮黄灯(R27.1)"),
    )
    notes = models.TextField(_("备注"), blank=True)

    scope_rule = ScopeRule(
        view=LIST_READERS,
        change=LIST_MANAGERS,
        q=inside_or_above("version__admission_list__county__code", 6),
    )

    class Meta:
        verbose_name = _("清单事项")
        verbose_name_plural = _("清单事项")
        ordering = ["version", "item__category__sort_order", "item__sort_order", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "item"], name="admission_entry_item_once"),
            models.CheckConstraint(
                condition=Q(dispatch_limit_amount__gte=1), name="admission_entry_dispatch_positive"
            ),
            models.CheckConstraint(
                condition=Q(handling_limit_amount__gte=1), name="admission_entry_handling_positive"
            ),
            models.CheckConstraint(
                condition=Q(dispatch_limit_unit__in=LimitUnit.values)
                & Q(handling_limit_unit__in=LimitUnit.values),
                name="admission_entry_limit_units",
            ),
            models.CheckConstraint(
                condition=Q(amber_threshold_percent__gte=1, amber_threshold_percent__lte=99),
                name="admission_entry_amber_1_99",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} {self.item.name}"

    @property
    def code(self) -> str:
        """The public code of the entry: its catalogue item's code."""
        return self.item.code

    @property
    def name(self) -> str:
        return self.item.name

    def dispatch_limit_display(self) -> str:
        return f"{self.dispatch_limit_amount} {self.get_dispatch_limit_unit_display()}"

    def handling_limit_display(self) -> str:
        return f"{self.handling_limit_amount} {self.get_handling_limit_unit_display()}"


# --- change requests (R9.3) ----------------------------------------------------------------


class ChangeKind(models.TextChoices):
    ADD = "add", _("新增事项")
    CHANGE = "change", _("调整事项")
    REMOVE = "remove", _("移出事项")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    WITHDRAWN = "withdrawn", _("已撤回")


class ChangeRequest(models.Model):
    """A request to add, change or remove an entry of a county's list (R9.3).

    The proposed terms (department, limits) are filled for ``add`` and ``change``; for
    ``change`` an empty field means "keep as is". An approved request is applied to the list's
    draft (``applied_to``); it takes effect when that draft is published.
    """

    admission_list = models.ForeignKey(
        AdmissionList,
        verbose_name=_("准入清单"),
        on_delete=models.PROTECT,
        related_name="change_requests",
    )
    kind = models.CharField(_("申请类型"), max_length=8, choices=ChangeKind.choices)
    item = models.ForeignKey(
        MatterItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("申请理由"))
    lead_department = optional_fk("people.Department", _("拟定牵头部门"), "+")
    co_departments = models.ManyToManyField(
        "people.Department", verbose_name=_("拟定协办部门"), blank=True, related_name="+"
    )
    replace_co_departments = models.BooleanField(
        _("调整协办部门"),
        default=False,
        help_text=_("调整事项时:是否以所列协办部门替换原协办部门"),
    )
    dispatch_limit_amount = models.PositiveIntegerField(_("拟定派遣时限"), null=True, blank=True)
    dispatch_limit_unit = models.CharField(
        _("派遣时限单位"), max_length=10, choices=LimitUnit.choices, blank=True
    )
    handling_limit_amount = models.PositiveIntegerField(_("拟定办理时限"), null=True, blank=True)
    handling_limit_unit = models.CharField(
        _("办理时限单位"), max_length=10, choices=LimitUnit.choices, blank=True
    )
    amber_threshold_percent = models.PositiveSmallIntegerField(
        _("拟定黄灯预警比例(%)"), null=True, blank=True
    )
    notes = models.TextField(_("拟定备注"), blank=True)
    requesting_department = optional_fk("people.Department", _("申请部门"), "+")
    requesting_agency = optional_fk("people.GridAgency", _("申请机构"), "+")
    requested_by = actor_field(_("申请人"))
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    status = models.CharField(
        _("状态"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    reviewed_by = actor_field(_("审核人"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_reason = models.TextField(_("审核意见"), blank=True)
    applied_to = optional_fk(AdmissionListVersion, _("编入版本"), "applied_requests")

    scope_rule = ScopeRule(
        view=CHANGE_REQUEST_READERS,
        change=CHANGE_REQUEST_WRITERS,
        q=inside_or_above("admission_list__county__code", 6),
    )

    class Meta:
        verbose_name = _("清单调整申请")
        verbose_name_plural = _("清单调整申请")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(requesting_department__isnull=False)
                | Q(requesting_agency__isnull=False),
                name="change_request_has_requester",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", reviewed_at__isnull=True)
                | Q(status="withdrawn")
                | (Q(status__in=["approved", "rejected"]) & Q(reviewed_at__isnull=False)),
                name="change_request_reviewed_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(applied_to__isnull=False),
                name="change_request_approved_is_applied",
            ),
            models.CheckConstraint(
                condition=Q(amber_threshold_percent__isnull=True)
                | Q(amber_threshold_percent__gte=1, amber_threshold_percent__lte=99),
                name="change_request_amber_1_99",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.item.code} {self.item.name}"

    @property
    def requester_name(self) -> str:
        if self.requesting_department_id:
            return self.requesting_department.name
        if self.requesting_agency_id:
            return self.requesting_agency.name
        return ""
