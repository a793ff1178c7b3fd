"""Proposals (采集待审): a grid worker's change to the registry, collected on the phone with
its GPS fix and the phone's time, waiting for the township agency (or confirmed at once by
the rule table ``registry.proposal_rules``) (R11.1 (二), R22.1).

The payload is the value object the direct service takes (``registry.inputs``), serialised by
``registry.proposal_codec``: references as ids, personal numbers (ID number, phone) as the
ciphertext and the masked form only, never in clear. Confirming applies the payload through
the same service a direct change uses, in one transaction with the confirmation's audit record.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.access import roles as R
from gridgov.access.scoping import ScopeRule
from gridgov.modelfields import actor_field
from registry.models.common import (
    Located,
    Point,
    located_constraints,
    point_constraints,
    unique_when_given,
)

# Who sees the proposals of their jurisdiction: the grid's workers (theirs and their
# colleagues'), the agency that reviews them, the system administrator.
PROPOSAL_ROLES = frozenset({R.Role.SYSADMIN, *R.AGENCY_ROLES, *R.GRID_ROLES})
# Who confirms or rejects: the township agency of the proposal's place (and above).
REVIEWER_ROLES = frozenset({R.Role.SYSADMIN, *R.AGENCY_ROLES})


class ProposalKind(models.TextChoices):
    RESIDENT_ADD = "resident_add", _("新增人口")
    RESIDENT_UPDATE = "resident_update", _("更正人口信息")
    MOVE_IN = "move_in", _("人口迁入")
    MOVE_OUT = "move_out", _("人口迁出")
    TAG = "tag", _("标记特殊人群")
    PLACE_ADD = "place_add", _("新增重点场所")
    PLACE_UPDATE = "place_update", _("更新重点场所")
    THING_STATE = "thing_state", _("更新部件状态")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    CONFIRMED = "confirmed", _("已生效")
    REJECTED = "rejected", _("已退回")
    SUPERSEDED = "superseded", _("已被替代")


def proposal_photo_path(instance: Proposal, filename: str) -> str:
    return f"registry/proposals/{instance.photo_sha256[:2]}/{instance.photo_sha256}.jpg"


class Proposal(Located, Point):
    """One change a grid worker proposed; ``lng``/``lat`` are the phone's GPS fix."""

    kind = models.CharField(_("类别"), max_length=20, choices=ProposalKind.choices)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PENDING,
        db_index=True,
    )
    subject_id = models.PositiveBigIntegerField(
        _("对象编号"), null=True, blank=True, help_text=_("被修改的记录(类别决定是哪种记录)")
    )
    payload = models.JSONField(_("内容"), default=dict, help_text=_("个人号码仅存密文和掩码"))
    digest = models.CharField(_("内容摘要"), max_length=64, editable=False)
    summary = models.CharField(_("摘要"), max_length=200, blank=True)
    note = models.TextField(_("说明"), blank=True)
    accuracy_m = models.FloatField(_("定位精度(米)"), null=True, blank=True)
    device_time = models.DateTimeField(_("采集时间(手机)"), null=True, blank=True)
    client_id = models.CharField(_("客户端编号"), max_length=64, blank=True)
    proposer = actor_field(_("采集人"))
    reviewer = actor_field(_("审核人"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    auto = models.BooleanField(_("自动确认"), default=False)
    reason = models.TextField(_("审核意见"), blank=True)
    result_id = models.PositiveBigIntegerField(_("结果记录编号"), null=True, blank=True)
    photo = models.FileField(_("照片"), upload_to=proposal_photo_path, blank=True)
    photo_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    scope_rule = ScopeRule(
        view=PROPOSAL_ROLES, change=PROPOSAL_ROLES, fields=("grid_code", "region_code")
    )

    class Meta:
        verbose_name = _("采集待审")
        verbose_name_plural = _("采集待审")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "region_code"], name="registry_proposal_queue"),
        ]
        constraints = [
            *located_constraints("registry_proposal"),
            *point_constraints("registry_proposal"),
            unique_when_given(
                "client_id", "registry_proposal_client_id_unique", within=("proposer",)
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(reviewed_at__isnull=False),
                name="registry_proposal_reviewed_when_decided",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""),
                name="registry_proposal_rejected_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.summary}".strip()
