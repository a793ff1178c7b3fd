"""People and organisations: accounts, roles, agencies, departments, village committees and
grid workers with their assignments, employment, training and equipment (R4–R6, R10–R13,
R20.1, R22.1).

Over 600 lines: one Django app's models, with the scope rule each declares (R22.1), in one place.

Every model declares its :class:`gridgov.access.scoping.ScopeRule`: how it maps to a region or grid
code and which roles may see or change it. State changes go through :mod:`people.services`.

Grid assignments point at a grid by its **code**, not by a grid row: a redraw gives the grid a
new row with the same code, and the assignment follows it; a split or merge retires the code,
and :mod:`people.grid_changes` carries the assignments on it to the successors the
administrator chose (R8.1, R10.2); a successor left without a leader shows in the vacant-grid
report until the agency assigns one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.access import roles as R
from gridgov.access.scoping import Access, ScopeRule, prefix_q
from gridgov.modelfields import actor_field, optional_fk, span_check

# --- accounts ------------------------------------------------------------------------------


def _user_scope(access: Access) -> Q:
    # An account is visible where one of its roles or worker records lies.
    roles = RoleAssignment.objects.filter(user=OuterRef("pk"), valid_to__isnull=True).filter(
        prefix_q(["region__code"], access.prefixes)
    )
    workers = GridWorker.objects.filter(user=OuterRef("pk")).filter(
        prefix_q(["region_code"], access.prefixes)
    )
    return Q(Exists(roles)) | Q(Exists(workers))


class User(AbstractUser):
    """One account per person, one login for web and API (R20.1)."""

    full_name = models.CharField(_("姓名"), max_length=64, blank=True)

    scope_rule = ScopeRule(view=R.ACCOUNT_MANAGERS, change=R.ACCOUNT_MANAGERS, q=_user_scope)

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token for the API (``Authorization: Token …``). Only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    key_digest = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("令牌前缀"), max_length=8, editable=False)
    label = models.CharField(_("设备说明"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("过期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    scope_rule = ScopeRule(
        view=R.ACCOUNT_MANAGERS,
        change=R.ACCOUNT_MANAGERS,
        q=lambda access: Q(user__in=User.objects.filter(_user_scope(access))),
    )

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


# --- organisations (R4–R6) -------------------------------------------------------------------


# Agencies, departments and committees are seen and changed where they stand (R4–R6).
ORGANISATION_SCOPE = ScopeRule(
    view=R.ORGANISATION_READERS, change=R.ORGANISATION_MANAGERS, fields=("region__code",)
)


class AgencyLevel(models.TextChoices):
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡镇(街道)级")


class GridAgency(models.Model):
    """网格化机构: the grid-management office of a city, county or township (R4.1)."""

    name = models.CharField(_("名称"), max_length=100)
    region = models.OneToOneField(
        "regions.Region",
        verbose_name=_("所在区域"),
        on_delete=models.PROTECT,
        related_name="grid_agency",
    )
    level = models.CharField(_("层级"), max_length=10, choices=AgencyLevel.choices)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    office_phone = models.CharField(_("办公电话"), max_length=32, blank=True)
    supervision_phone = models.CharField(
        _("监督电话"), max_length=32, blank=True, help_text=_("在网格公示中向公众公开(R8.4)")
    )
    is_active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_rule = ORGANISATION_SCOPE

    class Meta:
        verbose_name = _("网格化机构")
        verbose_name_plural = _("网格化机构")
        ordering = ["region__code"]

    def __str__(self) -> str:
        return self.name


class DepartmentKind(models.Model):
    """A kind of linkage department: the 14 of Art. 5 and any an administrator adds (R5.1)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    builtin = models.BooleanField(_("条例第五条所列"), default=False, editable=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("在用"), default=True)

    scope_rule = ScopeRule(
        view=R.ORGANISATION_READERS, change=frozenset({R.Role.SYSADMIN}), global_=True
    )

    class Meta:
        verbose_name = _("联动部门类别")
        verbose_name_plural = _("联动部门类别")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """智慧网格联动部门 at a city, county or township (R5.1)."""

    kind = models.ForeignKey(
        DepartmentKind,
        verbose_name=_("类别"),
        on_delete=models.PROTECT,
        related_name="departments",
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所在区域"),
        on_delete=models.PROTECT,
        related_name="departments",
    )
    level = models.CharField(_("层级"), max_length=10, choices=AgencyLevel.choices)
    name = models.CharField(_("名称"), max_length=100)
    office_phone = models.CharField(_("办公电话"), max_length=32, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_rule = ORGANISATION_SCOPE

    class Meta:
        verbose_name = _("联动部门")
        verbose_name_plural = _("联动部门")
        ordering = ["region__code", "kind__sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "kind", "name"], name="department_unique_name_in_region"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CommitteeKind(models.TextChoices):
    VILLAGERS = "villagers", _("村民委员会")
    RESIDENTS = "residents", _("居民委员会")


class VillageCommittee(models.Model):
    """村(居)民委员会: assists the township agency and mobilises residents (R6.1)."""

    region = models.OneToOneField(
        "regions.Region",
        verbose_name=_("村(社区)"),
        on_delete=models.PROTECT,
        related_name="committee",
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=CommitteeKind.choices)
    office_phone = models.CharField(_("办公电话"), max_length=32, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_rule = ORGANISATION_SCOPE

    class Meta:
        verbose_name = _("村(居)委会")
        verbose_name_plural = _("村(居)委会")
        ordering = ["region__code"]

    def __str__(self) -> str:
        return self.name


class CommitteePosition(models.TextChoices):
    DIRECTOR = "director", _("主任")
    DEPUTY = "deputy", _("副主任")
    MEMBER = "member", _("委员")
    GROUP_LEADER = "group_leader", _("村(居)民小组长")
    OTHER = "other", _("其他")


class CommitteeMember(models.Model):
    committee = models.ForeignKey(
        VillageCommittee,
        verbose_name=_("村(居)委会"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    name = models.CharField(_("姓名"), max_length=64)
    position = models.CharField(_("职务"), max_length=16, choices=CommitteePosition.choices)
    is_party_member = models.BooleanField(_("党员"), default=False)
    work_phone = models.CharField(_("工作电话"), max_length=32, blank=True)
    user = optional_fk(
        settings.AUTH_USER_MODEL, _("账号"), "committee_memberships", on_delete=models.SET_NULL
    )
    started_on = models.DateField(_("任职日期"), default=timezone.localdate)
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)

    scope_rule = ScopeRule(
        view=R.ORGANISATION_READERS,
        change=R.ORGANISATION_MANAGERS,
        fields=("committee__region__code",),
    )

    class Meta:
        verbose_name = _("村(居)委会成员")
        verbose_name_plural = _("村(居)委会成员")
        ordering = ["committee__region__code", "position", "name"]
        constraints = [
            span_check("started_on", "ended_on", "committee_member_valid_span"),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.get_position_display()})"


# --- roles (R20.1, R22.1) --------------------------------------------------------------------


class RoleAssignmentQuerySet(models.QuerySet):
    def active(self, at: Any = None) -> RoleAssignmentQuerySet:
        at = at or timezone.now()
        return self.filter(valid_from__lte=at).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=at))


_GRANTED_ROLES = [r for r, info in R.ROLE_INFO.items() if info.granted]
_DEPARTMENT_ROLES = sorted(R.DEPARTMENT_ROLES)


class RoleAssignment(models.Model):
    """A role held by a person over a jurisdiction (and a department for department staff).

    Grid-worker roles are not granted here: they follow the person's active grid assignments.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    role = models.CharField(
        _("角色"),
        max_length=32,
        choices=[(r.value, r.label) for r in R.Role if r in _GRANTED_ROLES],
    )
    region = optional_fk("regions.Region", _("管辖区域"), "role_assignments")
    department = optional_fk(Department, _("所属部门"), "role_assignments")
    valid_from = models.DateTimeField(_("生效时间"), default=timezone.now)
    valid_to = models.DateTimeField(_("失效时间"), null=True, blank=True)
    granted_by = actor_field(_("授权人"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    scope_rule = ScopeRule(
        view=R.ACCOUNT_MANAGERS, change=R.ACCOUNT_MANAGERS, fields=("region__code",)
    )

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        ordering = ["user__username", "role", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=_GRANTED_ROLES), name="role_assignment_granted_role"
            ),
            models.CheckConstraint(
                condition=(Q(role__in=_DEPARTMENT_ROLES) & Q(department__isnull=False))
                | (~Q(role__in=_DEPARTMENT_ROLES) & Q(department__isnull=True)),
                name="role_assignment_department_iff_department_role",
            ),
            models.CheckConstraint(
                condition=Q(region__isnull=False) | Q(role=R.Role.RESIDENT),
                name="role_assignment_region_required",
            ),
            span_check("valid_from", "valid_to", "role_assignment_valid_span"),
            # NULLs are distinct in unique indexes, so each combination gets its own index.
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=Q(valid_to__isnull=True, department__isnull=True),
                name="role_assignment_unique_open",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "department"],
                condition=Q(valid_to__isnull=True, department__isnull=False),
                name="role_assignment_unique_open_department",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(valid_to__isnull=True, region__isnull=True),
                name="role_assignment_unique_open_unbound",
            ),
        ]

    def __str__(self) -> str:
        where = self.department.name if self.department_id else self.region
        return f"{self.user} · {self.get_role_display()} · {where or '-'}"

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.valid_from <= now and (self.valid_to is None or self.valid_to > now)


# --- grid workers (R10–R13) ------------------------------------------------------------------


class WorkerKind(models.TextChoices):
    LEADER = "leader", _("网格长")
    FULLTIME = "fulltime", _("专职网格员")
    PARTTIME = "parttime", _("兼职网格员")
    PROFESSIONAL = "professional", _("专业网格员")


class WorkerStatus(models.TextChoices):
    ACTIVE = "active", _("在岗")
    EXITED = "exited", _("已退出")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


PROFESSIONAL_MAX_GRIDS = 2  # R10.3


def _worker_scope(access: Access) -> Q:
    # A worker is visible where they belong and in every grid they actively serve, so a
    # township sees the professional a county department sends to its grids (R10.3).
    serving = GridAssignment.objects.filter(worker=OuterRef("pk"), ended_on__isnull=True).filter(
        prefix_q(["grid_code"], access.prefixes)
    )
    return prefix_q(["region_code"], access.prefixes) | Q(Exists(serving))


class GridWorker(models.Model):
    """网格员: a grid leader, full-time, part-time or professional worker (R10.1).

    The ID-card number and the personal phone are protected (R22.1): encrypted, with a keyed
    digest for exact search and a masked form for display; the work phone is public (R8.4).
    """

    user = optional_fk(
        settings.AUTH_USER_MODEL, _("账号"), "grid_workers", on_delete=models.SET_NULL
    )
    name = models.CharField(_("姓名"), max_length=64, db_index=True)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices, blank=True)
    kind = models.CharField(_("类别"), max_length=16, choices=WorkerKind.choices)
    is_party_member = models.BooleanField(_("党员"), default=False)
    village = optional_fk(
        "regions.Region",
        _("所属村(社区)"),
        "grid_workers",
        help_text=_("网格长须为所在村(社区)人员(R10.2)"),
    )
    agency = optional_fk(GridAgency, _("管理机构"), "workers")
    department = optional_fk(
        Department,
        _("派出部门"),
        "professional_workers",
        help_text=_("专业网格员由联动部门安排(第十条)"),
    )
    region_code = models.CharField(_("所属区域代码"), max_length=12, db_index=True, editable=False)
    work_phone = models.CharField(_("工作电话"), max_length=32, blank=True)
    id_number_encrypted = models.TextField(_("身份证号(密文)"), blank=True, editable=False)
    id_number_digest = models.CharField(
        _("身份证号(摘要)"), max_length=64, blank=True, db_index=True, editable=False
    )
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)
    personal_phone_encrypted = models.TextField(_("个人手机(密文)"), blank=True, editable=False)
    personal_phone_digest = models.CharField(
        _("个人手机(摘要)"), max_length=64, blank=True, db_index=True, editable=False
    )
    personal_phone_masked = models.CharField(
        _("个人手机"), max_length=16, blank=True, editable=False
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=WorkerStatus.choices, default=WorkerStatus.ACTIVE
    )
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_rule = ScopeRule(view=R.WORKER_READERS, change=R.WORKER_MANAGERS, q=_worker_scope)

    # field name → (kind of value, encryption purpose); see audit.personal_data
    PROTECTED_FIELDS = {
        "id_number": ("id_number", "people.gridworker.id_number"),
        "personal_phone": ("mobile", "people.gridworker.personal_phone"),
    }

    class Meta:
        verbose_name = _("网格员")
        verbose_name_plural = _("网格员")
        ordering = ["region_code", "kind", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="professional") | Q(village__isnull=False),
                name="grid_worker_village_required",
            ),
            models.CheckConstraint(
                condition=~Q(kind="professional") | Q(department__isnull=False),
                name="grid_worker_professional_has_department",
            ),
            models.UniqueConstraint(
                fields=["id_number_digest", "kind"],
                condition=~Q(id_number_digest=""),
                name="grid_worker_one_record_per_person_and_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.get_kind_display()})"


def worker_field(related_name: str) -> models.ForeignKey:
    """The grid worker a record belongs to (kept while records name it)."""
    return models.ForeignKey(
        GridWorker, verbose_name=_("网格员"), on_delete=models.PROTECT, related_name=related_name
    )


class WorkerRecord(models.Model):
    """What a worker's employment, training and equipment records share: they are seen and
    changed where the worker belongs (R13.1). No fields here: each record declares its own,
    in the order its pages show them."""

    scope_rule = ScopeRule(
        view=R.WORKER_READERS, change=R.WORKER_MANAGERS, fields=("worker__region_code",)
    )

    class Meta:
        abstract = True


class GridAssignmentQuerySet(models.QuerySet):
    def active(self) -> GridAssignmentQuerySet:
        return self.filter(ended_on__isnull=True)


class GridAssignment(models.Model):
    """A worker serving a grid from one date to another (R10.1); history is kept."""

    worker = worker_field("assignments")
    grid_code = models.CharField(_("网格编码"), max_length=15, db_index=True)
    kind = models.CharField(
        _("类别"), max_length=16, choices=WorkerKind.choices, help_text=_("分配时网格员的类别")
    )
    started_on = models.DateField(_("起始日期"), default=timezone.localdate)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=200, blank=True)
    assigned_by = actor_field(_("分配人"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = GridAssignmentQuerySet.as_manager()

    scope_rule = ScopeRule(view=R.WORKER_READERS, change=R.WORKER_MANAGERS, fields=("grid_code",))

    class Meta:
        verbose_name = _("网格分配")
        verbose_name_plural = _("网格分配")
        ordering = ["grid_code", "-started_on", "pk"]
        constraints = [
            # Exactly one active leader per grid (R10.2); the vacant report finds grids with none.
            models.UniqueConstraint(
                fields=["grid_code"],
                condition=Q(kind="leader", ended_on__isnull=True),
                name="grid_assignment_one_active_leader",
            ),
            models.UniqueConstraint(
                fields=["worker", "grid_code"],
                condition=Q(ended_on__isnull=True),
                name="grid_assignment_once_per_grid",
            ),
            models.CheckConstraint(
                condition=Q(grid_code__regex=r"^[0-9]{15}$"), name="grid_assignment_code_15"
            ),
            span_check("started_on", "ended_on", "grid_assignment_valid_span"),
        ]

    def __str__(self) -> str:
        return f"{self.worker.name} → {self.grid_code}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class EmploymentMethod(models.TextChoices):
    RECRUITED = "recruited", _("招聘")
    APPOINTED = "appointed", _("聘任")
    SECONDED = "seconded", _("部门派驻")
    CONCURRENT = "concurrent", _("兼任")
    VOLUNTEER = "volunteer", _("志愿")


class ExitReason(models.TextChoices):
    RESIGNED = "resigned", _("辞职")
    DISMISSED = "dismissed", _("解聘")
    ASSESSMENT = "assessment", _("考核退出")
    CONTRACT_END = "contract_end", _("合同期满")
    RETIRED = "retired", _("退休")
    TRANSFERRED = "transferred", _("调离")
    OTHER = "other", _("其他")


class Employment(WorkerRecord):
    """Recruitment and exit records (R13.1, R14.1 合理退出)."""

    worker = worker_field("employments")
    method = models.CharField(_("聘用方式"), max_length=12, choices=EmploymentMethod.choices)
    started_on = models.DateField(_("聘用日期"))
    document = models.CharField(_("聘用文书编号"), max_length=100, blank=True)
    ended_on = models.DateField(_("退出日期"), null=True, blank=True)
    exit_reason = models.CharField(
        _("退出原因"), max_length=16, choices=ExitReason.choices, blank=True
    )
    exit_note = models.TextField(_("退出说明"), blank=True)
    recorded_by = actor_field(_("登记人"))

    class Meta:
        verbose_name = _("聘用与退出记录")
        verbose_name_plural = _("聘用与退出记录")
        ordering = ["worker", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"],
                condition=Q(ended_on__isnull=True),
                name="employment_one_open_per_worker",
            ),
            span_check("started_on", "ended_on", "employment_valid_span"),
        ]

    def __str__(self) -> str:
        return f"{self.worker.name} {self.get_method_display()} {self.started_on}"


class Training(WorkerRecord):
    """A training a worker attended: course, date, hours (R13.1)."""

    worker = worker_field("trainings")
    course = models.CharField(_("课程"), max_length=200)
    organiser = models.CharField(_("组织单位"), max_length=100, blank=True)
    held_on = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    certificate = models.CharField(_("证书编号"), max_length=100, blank=True)
    recorded_by = actor_field(_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["-held_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="training_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.worker.name} {self.course} {self.held_on}"


class EquipmentItem(models.TextChoices):
    ID_CARD = "id_card", _("工作证")
    UNIFORM = "uniform", _("工作服装")
    BADGE = "badge", _("专属标识")
    DEVICE = "device", _("移动终端")
    OTHER = "other", _("其他装备")


class EquipmentIssue(WorkerRecord):
    """Work ID, uniform, badge or device issued to a worker (R13.1 专属标识、服装、装备)."""

    worker = worker_field("equipment")
    item = models.CharField(_("物品"), max_length=10, choices=EquipmentItem.choices)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    serial = models.CharField(_("编号"), max_length=100, blank=True)
    issued_on = models.DateField(_("发放日期"))
    returned_on = models.DateField(_("归还日期"), null=True, blank=True)
    recorded_by = actor_field(_("登记人"))

    class Meta:
        verbose_name = _("装备发放")
        verbose_name_plural = _("装备发放")
        ordering = ["-issued_on", "pk"]
        constraints = [
            span_check("issued_on", "returned_on", "equipment_valid_span"),
            models.UniqueConstraint(
                fields=["item", "serial"],
                condition=~Q(serial="") & Q(returned_on__isnull=True),
                name="equipment_serial_issued_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker.name} {self.get_item_display()} {self.serial}".strip()
