"""The case closed loop (R24–R27): cases, their assignments to departments, the archive.

Over 600 lines: one Django app's models, with the scope rules each declares (R22.1), in one place.

The state machine itself is in :mod:`cases.machine`; every change goes through
:mod:`cases.services`. Models hold data and the invariants the database can keep.

A case stores the grid row (version) it was located in and the admission-list entry (of the
version in force) it was admitted under: later grid changes and list versions never rewrite an
open case's terms (R9.1 dynamic exit, R8.1 history).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.access.scoping import ScopeRule
from gridgov.modelfields import actor_field, optional_fk
from registry.models import Resident

# --- how cases map to jurisdictions (R22.1): each model's scope_rule ----------------------------
# - agency staff, village committees and grid workers: cases in their region or grid (the case's
#   grid code starts with their code);
# - department staff: cases assigned to their department (at any time: returns included);
# - residents: the cases they reported themselves.

PLACE_ROLES = frozenset({R.Role.SYSADMIN, *R.AGENCY_ROLES, *R.GRID_ROLES, R.Role.VILLAGE_COMMITTEE})
CASE_READERS = frozenset({*PLACE_ROLES, *R.DEPARTMENT_ROLES, R.Role.RESIDENT})


def _case_q(access: scoping.Access, prefix: str = "") -> Q:
    place = scoping.minimal_prefixes(g.code for g in access.grants if g.role in PLACE_ROLES)
    condition = scoping.prefix_q([f"{prefix}grid_code"], place) if place else Q(pk__in=[])
    departments = {g.department_id for g in access.grants if g.role in R.DEPARTMENT_ROLES}
    if departments:
        assigned = Assignment.objects.filter(department_id__in=departments).values("case_id")
        condition |= Q(**{f"{prefix}pk__in" if prefix else "pk__in": assigned})
    if any(g.role == R.Role.RESIDENT for g in access.grants):
        condition |= Q(**{f"{prefix}reporter": access.user})
    return condition


def _case_rule(prefix: str = "") -> ScopeRule:
    """The rule of the case, or of a model reached from it through ``prefix`` ("case__")."""

    def rule(access: scoping.Access) -> Q:
        return _case_q(access, prefix)

    return ScopeRule(view=CASE_READERS, change=CASE_READERS, q=rule if prefix else _case_q)


def _warning_q(access: scoping.Access) -> Q:
    # The agency sees the warnings of departments in its jurisdiction; a department sees its
    # own through its head, who answers for the unit (R27.1).
    place = scoping.minimal_prefixes(g.code for g in access.grants if g.role in PLACE_ROLES)
    condition = scoping.prefix_q(["department__region__code"], place) if place else Q(pk__in=[])
    departments = {g.department_id for g in access.grants if g.role == R.Role.DEPT_HEAD}
    if departments:
        condition |= Q(department_id__in=departments)
    return condition


def _notification_q(access: scoping.Access) -> Q:
    agency = scoping.minimal_prefixes(
        g.code for g in access.grants if g.role in R.AGENCY_ROLES or g.role == R.Role.SYSADMIN
    )
    condition = Q(pk__in=[])
    for code in agency:
        condition |= Q(agency_code__startswith=code) & ~Q(agency_code="")
    departments = {g.department_id for g in access.grants if g.department_id}
    if departments:
        condition |= Q(department_id__in=departments)
    return condition


class State(models.TextChoices):
    REPORTED = "reported", _("待核实")
    VERIFIED = "verified", _("已核实")
    ACCEPTED = "accepted", _("已立案")
    DECLINED = "declined", _("不予立案")
    DISPATCHED = "dispatched", _("已派遣")
    IN_PROGRESS = "in_progress", _("处置中")
    RETURNED = "returned", _("已退回")
    HANDLED = "handled", _("已反馈")
    SUSPENDED = "suspended", _("已挂起")
    CLOSED = "closed", _("已结案")
    EVALUATED = "evaluated", _("已评价")


OPEN_STATES = frozenset(
    {
        State.REPORTED,
        State.VERIFIED,
        State.ACCEPTED,
        State.DISPATCHED,
        State.IN_PROGRESS,
        State.RETURNED,
        State.HANDLED,
        State.SUSPENDED,
    }
)
FINAL_STATES = frozenset({State.DECLINED, State.CLOSED, State.EVALUATED})


class Channel(models.TextChoices):
    WORKER = "worker", _("网格员上报")
    PORTAL = "portal", _("群众网上反映")
    HOTLINE = "hotline", _("12345热线")
    AGENCY = "agency", _("机构发现")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")


class Level(models.TextChoices):
    """Which grid agency holds the case (escalation moves it up, R24.2)."""

    TOWNSHIP = "township", _("乡镇(街道)")
    COUNTY = "county", _("县(市、区)")
    CITY = "city", _("市")


LEVEL_CODE_LENGTH = {Level.TOWNSHIP: 9, Level.COUNTY: 6, Level.CITY: 4}
NEXT_LEVEL = {Level.TOWNSHIP: Level.COUNTY, Level.COUNTY: Level.CITY}


class DeadlineStatus(models.TextChoices):
    NONE = "none", _("无时限")
    NORMAL = "normal", _("正常")
    AMBER = "amber", _("临期")
    RED = "red", _("超期")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


_STATE_LABELS = dict(State.choices)


class Case(models.Model):
    tracking_code = models.CharField(_("查询码"), max_length=12, unique=True)
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.REPORTED, db_index=True
    )
    channel = models.CharField(_("来源"), max_length=10, choices=Channel.choices)
    urgency = models.CharField(
        _("紧急程度"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    description = models.TextField(_("描述"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lng = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    coord_given = models.CharField(_("上报坐标系"), max_length=8, default="wgs84")
    # The people involved are InvolvedPerson rows (their numbers encrypted, R22.1); places
    # are the case's point, grid and address (docs/adr/0010).

    # Where: the grid row (version) the point fell in, and its code for prefix scoping.
    grid = models.ForeignKey(
        "regions.Grid", verbose_name=_("网格"), on_delete=models.PROTECT, related_name="cases"
    )
    grid_code = models.CharField(_("网格编码"), max_length=15, db_index=True)
    level = models.CharField(
        _("承办层级"), max_length=10, choices=Level.choices, default=Level.TOWNSHIP
    )
    agency_code = models.CharField(_("承办机构区划"), max_length=12, db_index=True)

    # What: the admission entry of the list version in force at intake (R9.1, R23.3).
    entry = models.ForeignKey(
        "matters.AdmissionEntry",
        verbose_name=_("网格事项"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    matter_code = models.CharField(_("事项编码"), max_length=32, db_index=True)

    # Who reported, and the phone's resend key (idempotent intake).
    reporter = optional_fk(settings.AUTH_USER_MODEL, _("上报人"), "reported_cases")
    reporter_name = models.CharField(_("反映人"), max_length=64, blank=True)
    reporter_phone_encrypted = models.TextField(blank=True, editable=False)
    reporter_phone_digest = models.CharField(max_length=64, blank=True, editable=False)
    reporter_phone_masked = models.CharField(_("联系电话"), max_length=16, blank=True)
    # The reporter agreed to SMS progress messages on that phone (R18.1, cases.notify).
    progress_sms = models.BooleanField(_("接收进度短信"), default=False)
    idempotency_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    # HMAC of the report's parsed content: a resend under the same key with other content is
    # a conflict, not the stored case (cases.idempotency).
    content_digest = models.CharField(max_length=64, blank=True, editable=False)

    # Who handles it.
    lead_department = optional_fk("people.Department", _("牵头部门"), "led_cases")

    # Deadlines (R24.2 dispatch limit, R24.3 handling limit), kept current by the services
    # and the deadline sweep.
    dispatch_due_at = models.DateTimeField(_("派遣时限"), null=True, blank=True)
    due_at = models.DateTimeField(_("办理时限"), null=True, blank=True, db_index=True)
    deadline_status = models.CharField(
        _("时限状态"),
        max_length=8,
        choices=DeadlineStatus.choices,
        default=DeadlineStatus.NONE,
        db_index=True,
    )
    # The deadline counted days of a provisional calendar year (statutory holidays only, the
    # State Council's notice not entered yet, R24.2): it moves when the notice is entered.
    dispatch_due_provisional = models.BooleanField(_("派遣时限按暂定日历计算"), default=False)
    due_provisional = models.BooleanField(_("办理时限按暂定日历计算"), default=False)
    # The next moment the colour of the case or of one of its assignments may change (an
    # amber moment or a deadline): the minute's background check picks up every case due
    # by then (cases.tasks). None when nothing is to come.
    next_check_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)

    settled_on_spot = models.BooleanField(_("现场处置"), default=False)
    decline_reason = models.TextField(_("不予立案理由"), blank=True)
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("评价意见"), blank=True)
    return_count = models.PositiveIntegerField(_("退回次数"), default=0)
    rework_count = models.PositiveIntegerField(_("返工次数"), default=0)
    suspended_from = models.CharField(max_length=12, blank=True, editable=False)
    # An unsatisfied rating waits for the agency's review (cases.reviews): the console's
    # "to review" queue counts this flag (R27.1).
    review_pending = models.BooleanField(_("待复核"), default=False, editable=False)
    # The archive's head: the last event's number and hash (see cases.archive).
    archive_seq = models.PositiveIntegerField(default=0, editable=False)
    archive_head = models.CharField(max_length=64, blank=True, editable=False)

    created_at = models.DateTimeField(_("上报时间"), default=timezone.now, db_index=True)
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("立案时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派遣时间"), null=True, blank=True)
    handled_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True, db_index=True)
    evaluated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_rule = _case_rule()

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "agency_code"], name="case_state_agency"),
            models.Index(fields=["deadline_status", "state"], name="case_deadline_state"),
            # few rows: the "to review" queue of each agency (R27.1)
            models.Index(
                fields=["agency_code", "evaluated_at"],
                condition=Q(review_pending=True),
                name="case_review_pending",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(lng__gte=-180, lng__lte=180, lat__gte=-90, lat__lte=90),
                name="case_coordinates_in_range",
            ),
        ]

    # field name → (kind of value, encryption purpose), as people.GridWorker's: what
    # people.services.reveal may decrypt, for a revealer over the case's region (R22.1).
    PROTECTED_FIELDS = {"reporter_phone": ("mobile", "cases.reporter_phone")}
    REVEALERS = R.CASE_CONTACT_REVEALERS  # who may reveal them (people.services.reveal)

    def __str__(self) -> str:
        # Not get_state_display(), which rebuilds the choices dict on each call: every step's
        # audit record names the case. The labels stay lazy: translated when formatted.
        return f"{self.tracking_code} {_STATE_LABELS.get(self.state, self.state)}".strip()

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def region_code(self) -> str:
        """Where the case's personal data belongs (people.services.reveal checks the
        revealer's jurisdiction over it)."""
        return self.grid_code

    @property
    def township_code(self) -> str:
        return self.grid_code[:9]

    @property
    def county_code(self) -> str:
        return self.grid_code[:6]

    @property
    def is_overdue(self) -> bool:
        return self.deadline_status == DeadlineStatus.RED


class InvolvedRole(models.TextChoices):
    """What a person has to do with the case."""

    PARTY = "party", _("当事人")
    RESPONDENT = "respondent", _("被反映人")
    VICTIM = "victim", _("受害人")
    WITNESS = "witness", _("证人")
    GUARDIAN = "guardian", _("监护人/代理人")
    OTHER = "other", _("其他")


class InvolvedPerson(models.Model):
    """A person involved in a case (R22.1): the phone and ID-card number are protected as a
    grid worker's are (encrypted, keyed digest, masked; shown in full only through a logged
    reveal). ``note`` holds what an older free-form record said that fitted no field, with
    every number in it masked (migration 0008); nothing writes it otherwise."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="involved_persons")
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    name = models.CharField(_("姓名"), max_length=64, blank=True)
    role = models.CharField(
        _("身份"), max_length=12, choices=InvolvedRole.choices, default=InvolvedRole.PARTY
    )
    phone_encrypted = models.TextField(blank=True, editable=False)
    phone_digest = models.CharField(max_length=64, blank=True, editable=False)
    phone_masked = models.CharField(_("联系电话"), max_length=16, blank=True, editable=False)
    id_number_encrypted = models.TextField(blank=True, editable=False)
    id_number_digest = models.CharField(max_length=64, blank=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)
    note = models.TextField(_("备注(已遮盖)"), blank=True, editable=False)
    # A resident of the registry (ADR 0010, links): the row then holds no name or number of
    # its own and shows the resident's (masked). PROTECT: registry residents are never
    # deleted (a duplicate is merged and kept), and a case's record must not lose its party.
    resident = optional_fk("registry.Resident", _("实有人口"), "case_involvements")

    PROTECTED_FIELDS = {
        "phone": ("mobile", "cases.involvedperson.phone"),
        "id_number": ("id_number", "cases.involvedperson.id_number"),
    }
    REVEALERS = R.CASE_CONTACT_REVEALERS

    scope_rule = _case_rule("case__")

    class Meta:
        verbose_name = _("涉及人员")
        verbose_name_plural = _("涉及人员")
        ordering = ["case", "position", "id"]

    def __str__(self) -> str:
        return f"{self.name or '-'}({_INVOLVED_ROLE_LABELS.get(self.role, self.role)})"

    @property
    def region_code(self) -> str:
        return self.case.grid_code

    # What every reader sees: the row's own values, or the linked resident's (masked).
    @property
    def name_shown(self) -> str:
        return self.resident.name if self.resident_id else self.name

    @property
    def phone_shown(self) -> str:
        return self.resident.phone_masked if self.resident_id else self.phone_masked

    @property
    def id_number_shown(self) -> str:
        return self.resident.id_number_masked if self.resident_id else self.id_number_masked


_INVOLVED_ROLE_LABELS = dict(InvolvedRole.choices)


class LinkedResident(Resident):
    """A registry resident as a party to the cases that link it (R22.1, ADR 0010): the same
    row, whose phone and ID number the roles that may reveal a case's contact data reveal
    over a case they see (``people.services.reveal`` reads ``REVEALERS`` and the scope rule
    from here; :mod:`cases.reveal` sets the region to the case's)."""

    REVEALERS = R.CASE_CONTACT_REVEALERS
    scope_rule = _case_rule("case_involvements__case__")

    class Meta:
        proxy = True
        verbose_name = _("涉案实有人口")
        verbose_name_plural = _("涉案实有人口")


class LinkKind(models.TextChoices):
    """What else of the registry a case may involve besides residents (ADR 0010, links)."""

    ORGANISATION = "organisation", _("组织")
    PLACE = "place", _("重点场所")
    THING = "thing", _("部件")


MAX_LINKS = 20


class CaseLink(models.Model):
    """An organisation, place or thing of the registry that a case involves (R11.1, R22.1):
    one row per record, the foreign key of its kind set. PROTECT: registry records are never
    deleted (retired, closed), and the case keeps what it involved."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    kind = models.CharField(_("类别"), max_length=12, choices=LinkKind.choices)
    organisation = optional_fk("registry.Organisation", _("组织"), "case_links")
    place = optional_fk("registry.Place", _("重点场所"), "case_links")
    thing = optional_fk("registry.Thing", _("部件"), "case_links")
    note = models.CharField(_("说明"), max_length=100, blank=True)

    scope_rule = _case_rule("case__")

    class Meta:
        verbose_name = _("关联登记信息")
        verbose_name_plural = _("关联登记信息")
        ordering = ["case", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="organisation", organisation__isnull=False, place=None, thing=None)
                    | Q(kind="place", place__isnull=False, organisation=None, thing=None)
                    | Q(kind="thing", thing__isnull=False, organisation=None, place=None)
                ),
                name="case_link_one_record_of_its_kind",
            ),
            models.UniqueConstraint(
                fields=["case", "organisation"], name="case_link_organisation_once"
            ),
            models.UniqueConstraint(fields=["case", "place"], name="case_link_place_once"),
            models.UniqueConstraint(fields=["case", "thing"], name="case_link_thing_once"),
        ]

    def __str__(self) -> str:
        return f"{_LINK_KIND_LABELS.get(self.kind, self.kind)} {self.record}"

    @property
    def record(self) -> Any:
        """The registry record linked (of the row's kind)."""
        return getattr(self, self.kind)

    @property
    def record_id(self) -> int | None:
        return getattr(self, f"{self.kind}_id")


_LINK_KIND_LABELS = dict(LinkKind.choices)


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("牵头")
    CO = "co", _("协办")


class AssignmentState(models.TextChoices):
    DISPATCHED = "dispatched", _("待签收")
    SIGNED = "signed", _("办理中")
    RETURNED = "returned", _("已退回")
    FED_BACK = "fed_back", _("已反馈")
    WITHDRAWN = "withdrawn", _("已撤回")
    # A co-department's part ended by the agency with a reason, so the case may close
    # without it (R25.1); an ended assignment is never late (R27.1).
    ENDED = "ended", _("已终止")


ACTIVE_ASSIGNMENT_STATES = frozenset({AssignmentState.DISPATCHED, AssignmentState.SIGNED})


class Assignment(models.Model):
    """A case dispatched to one department, with its own deadline (R24.2, R24.3, R25.1)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(
        "people.Department",
        verbose_name=_("部门"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    role = models.CharField(_("分工"), max_length=4, choices=AssignmentRole.choices)
    state = models.CharField(
        _("状态"),
        max_length=10,
        choices=AssignmentState.choices,
        default=AssignmentState.DISPATCHED,
        db_index=True,
    )
    dispatched_at = models.DateTimeField(_("派遣时间"), default=timezone.now)
    dispatched_by = actor_field()
    due_at = models.DateTimeField(_("办理时限"), null=True, blank=True, db_index=True)
    # When the handling clock (re)started: dispatch, rework, moved on by a suspension. The
    # share of time used (amber) counts from here, not from the first dispatch.
    clock_started_at = models.DateTimeField(_("计时起点"), null=True, blank=True)
    original_due_at = models.DateTimeField(_("原办理时限"), null=True, blank=True)
    deadline_status = models.CharField(
        _("时限状态"),
        max_length=8,
        choices=DeadlineStatus.choices,
        default=DeadlineStatus.NORMAL,
        db_index=True,
    )
    # As on the case (R24.2), and how the deadline was computed, so that a change of the
    # calendar can compute it again (cases.deadline_basis).
    due_provisional = models.BooleanField(_("按暂定日历计算"), default=False)
    deadline_basis = models.JSONField(default=dict, blank=True, editable=False)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    signed_by = actor_field()
    feedback = models.TextField(_("办理结果"), blank=True)
    # What the department tells the reporter: shown on the public tracking page (R18.1);
    # ``feedback`` stays internal (it may name people).
    public_result = models.TextField(_("公开答复"), blank=True)
    fed_back_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    fed_back_by = actor_field()
    return_reason = models.TextField(_("退回理由"), blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    was_late = models.BooleanField(_("超期办结"), default=False)
    end_reason = models.TextField(_("终止理由"), blank=True)
    ended_at = models.DateTimeField(_("终止时间"), null=True, blank=True)
    ended_by = actor_field()

    scope_rule = _case_rule("case__")

    class Meta:
        verbose_name = _("派遣")
        verbose_name_plural = _("派遣")
        ordering = ["case", "dispatched_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(role="lead", state__in=["dispatched", "signed", "fed_back"]),
                name="assignment_one_live_lead",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.tracking_code} → {self.department.name} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_ASSIGNMENT_STATES

    @property
    def clock_start(self) -> Any:
        return self.clock_started_at or self.dispatched_at


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"cases/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class Attachment(models.Model):
    """A photo: content-checked, stored by hash; its SHA-256 is part of the archive (R26.2)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        "CaseEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=40)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    # a department's result photo it chose to show the reporter (R18.1); every other photo is
    # served only to those who may see the case
    public = models.BooleanField(_("公开"), default=False)
    uploaded_by = actor_field()
    uploaded_at = models.DateTimeField(default=timezone.now)

    scope_rule = _case_rule("case__")

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name or self.sha256[:12]

    @property
    def url(self) -> str:
        """The scoped address of the file (photos are personal data, never public media)."""
        from django.urls import reverse

        return reverse("cases:attachment", kwargs={"pk": self.pk})


class CaseEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise RuntimeError("archive events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise RuntimeError("archive events are append-only")


class CaseEvent(models.Model):
    """One step of a case's electronic archive (R26.1, R26.2), hash-chained.

    ``hash`` = SHA-256 over the previous event's hash and this event's canonical content
    (:func:`cases.archive.canonical`), so altering or removing a row breaks the chain that
    ``verify_archive`` recomputes.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    actor = actor_field()
    actor_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=32)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = CaseEventQuerySet.as_manager()
    scope_rule = _case_rule("case__")

    class Meta:
        verbose_name = _("档案记录")
        verbose_name_plural = _("档案记录")
        ordering = ["case", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise RuntimeError("archive events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("archive events are append-only")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不批准")


class AgencyDecidedRequest(models.Model):
    """What a request the agency decides has (R24.3): a reason, who asked when, the status,
    who decided when and why. Extension and Suspension add what is asked for."""

    reason = models.TextField(_("理由"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    decided_by = actor_field()
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["-requested_at"]


class Extension(AgencyDecidedRequest):
    """A department asks for more time; the agency decides (R24.3). The deadline moves only
    when approved."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extensions")
    amount = models.PositiveIntegerField(_("延长量"))
    unit = models.CharField(_("单位"), max_length=10)  # workdays | workhours
    new_due_at = models.DateTimeField(null=True, blank=True)

    scope_rule = _case_rule("assignment__case__")

    class Meta(AgencyDecidedRequest.Meta):
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status="pending"),
                name="extension_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} +{self.amount} {self.unit} ({self.get_status_display()})"


class Suspension(AgencyDecidedRequest):
    """The clock stops while a case waits on outside conditions, once approved (R24.3)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspensions")
    resumed_at = models.DateTimeField(null=True, blank=True)

    scope_rule = _case_rule("case__")

    class Meta(AgencyDecidedRequest.Meta):
        verbose_name = _("挂起申请")
        verbose_name_plural = _("挂起申请")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="suspension_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(case)s 挂起 (%(status)s)") % {
            "case": self.case.tracking_code,
            "status": self.get_status_display(),
        }


class DutyRuling(models.Model):
    """How a dispute over duty was settled after a return (R24.4): who decided, why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="rulings")
    returned_assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="rulings"
    )
    responsible_department = models.ForeignKey(
        "people.Department", on_delete=models.PROTECT, related_name="+"
    )
    upheld_return = models.BooleanField(
        help_text=_("退回理由成立(另派他部门)还是不成立(原部门继续办理)")
    )
    reason = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    scope_rule = _case_rule("case__")

    class Meta:
        verbose_name = _("职责争议裁定")
        verbose_name_plural = _("职责争议裁定")
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"{self.case.tracking_code} → {self.responsible_department.name}"


class Supervision(models.Model):
    """督办: a supervisor urges a department on a case; the department must answer (R27.1)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervisions")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="supervisions"
    )
    note = models.TextField(_("督办意见"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(_("答复"), blank=True)
    answered_by = actor_field()
    answered_at = models.DateTimeField(null=True, blank=True)

    scope_rule = _case_rule("case__")

    class Meta:
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        ordering = ["-at"]

    def __str__(self) -> str:
        return gettext("%(case)s 督办 %(date)s") % {
            "case": self.case.tracking_code,
            "date": f"{self.at:%Y-%m-%d}",
        }


class Review(models.Model):
    """复核: the agency reviews an unsatisfied rating: it reopens the case (the lead
    department handles it again) or confirms the result, with a reason (R18.1, R27.1)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待复核")
        REOPENED = "reopened", _("重新办理")
        CONFIRMED = "confirmed", _("维持结案")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices)
    comment = models.TextField(_("评价意见"), blank=True)
    opened_at = models.DateTimeField(_("评价时间"), default=timezone.now)
    status = models.CharField(
        _("复核结果"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.TextField(_("复核理由"), blank=True)
    decided_by = actor_field()
    decided_at = models.DateTimeField(_("复核时间"), null=True, blank=True)

    scope_rule = _case_rule("case__")

    class Meta:
        verbose_name = _("评价复核")
        verbose_name_plural = _("评价复核")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="review_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.tracking_code} {self.get_status_display()}"


class Warning(models.Model):
    """警示: a unit repeatedly late is warned (R27.1)."""

    department = models.ForeignKey(
        "people.Department", on_delete=models.PROTECT, related_name="warnings"
    )
    region_code = models.CharField(max_length=12, db_index=True)
    period_start = models.DateField()
    period_end = models.DateField()
    late_count = models.PositiveIntegerField()
    reason = models.TextField()
    issued_by = actor_field()
    issued_at = models.DateTimeField(default=timezone.now)

    scope_rule = ScopeRule(
        view=frozenset({*PLACE_ROLES, R.Role.DEPT_HEAD}), change=R.AGENCY_ROLES, q=_warning_q
    )

    class Meta:
        verbose_name = _("警示")
        verbose_name_plural = _("警示")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "period_start", "period_end"],
                name="warning_once_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department.name} {self.period_start}–{self.period_end}"


class Notification(models.Model):
    """A message to people who must act (urgent cases, amber/red deadlines, supervision).

    ``key`` makes every notification idempotent: the same event never notifies twice,
    whether a task ran twice or the sweep found it again. It is addressed to an agency
    (``agency_code``), a department or a grid's workers (``grid_code``); each person of that
    audience gets a :class:`cases.notify.models.NotificationReceipt`, which holds whether they
    have read it (R26.1, R27.1; see :mod:`cases.notify`).
    """

    class Kind(models.TextChoices):
        URGENT = "urgent", _("紧急事件")
        AMBER = "amber", _("临期提醒")
        RED = "red", _("超期提醒")
        SUPERVISION = "supervision", _("督办")
        DISPATCHED = "dispatched", _("新派遣")
        RETURNED = "returned", _("退回")
        WARNING = "warning", _("警示")
        ENDED = "ended", _("协办终止")
        REVIEW = "review", _("不满意复核")
        VERIFY = "verify", _("待核实")
        CHECK = "check", _("待核查")

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    agency_code = models.CharField(max_length=12, blank=True, db_index=True)
    department = models.ForeignKey(
        "people.Department",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    grid_code = models.CharField(max_length=15, blank=True)
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    scope_rule = ScopeRule(
        view=frozenset({R.Role.SYSADMIN, *R.AGENCY_ROLES, *R.DEPARTMENT_ROLES}),
        change=frozenset({R.Role.SYSADMIN, *R.AGENCY_ROLES, *R.DEPARTMENT_ROLES}),
        q=_notification_q,
    )

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.message


# Receipts and deliveries of notifications live in their own module (a concern of their own).
from cases.notify.models import Delivery, NotificationReceipt  # noqa: E402, F401
