"""The audit trail (R28.1): who did what, when, from where, with the values before and after.

Records are append-only. The model refuses updates and deletes, the admin is read-only, and
the database itself rejects UPDATE (and DELETE on PostgreSQL) through triggers created by the
migration, so that no interface, including a stray ``QuerySet.update()``, can rewrite history.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.access import roles as R
from gridgov.access.scoping import Access, ScopeRule, prefix_q
from gridgov.modelfields import actor_field


class AuditImmutableError(Exception):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AuditImmutableError("audit records cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("audit records cannot be deleted")


CITY_CODE_LENGTH = 4


def _audit_scope(access: Access) -> Q:
    # Records without a region (logins, system actions) belong to city-wide auditors only.
    condition = prefix_q(["region_code"], access.prefixes)
    if any(len(p) <= CITY_CODE_LENGTH for p in access.prefixes):
        condition |= Q(region_code="")
    return condition


def _acting_context() -> tuple[models.Field, models.Field, models.Field]:
    """The columns of who acts from where (gridgov.context) that every append-only log stamps."""
    return (
        models.CharField(_("请求编号"), max_length=64, blank=True, db_index=True),
        models.GenericIPAddressField(_("客户端地址"), null=True, blank=True),
        models.CharField(_("渠道"), max_length=16, blank=True),
    )


class _AppendOnly(models.Model):
    """Guards of an append-only log: no update, no delete, auditors' scope (R28.1)."""

    kind = ""  # what the refusals call the rows

    objects = AuditQuerySet.as_manager()

    scope_rule = ScopeRule(view=R.AUDIT_READERS, q=_audit_scope)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AuditImmutableError(f"{self.kind} cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError(f"{self.kind} cannot be deleted")


class AuditRecord(_AppendOnly):
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = actor_field(_("操作人"))
    actor_name = models.CharField(_("操作人名称"), max_length=150, blank=True)
    role = models.CharField(_("角色"), max_length=64, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("对象标识"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    region_code = models.CharField(_("所属区域代码"), max_length=15, blank=True, db_index=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    request_id, client_ip, channel = _acting_context()

    kind = "audit records"

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name or '-'} {self.action} {self.object_repr}"
        )


class PersonalDataAccess(_AppendOnly):
    """One reveal of a protected value (R22.1): who saw whose data, which field, why, when.

    Append-only like :class:`AuditRecord` (model guards and database triggers). Refused
    attempts are logged too (``granted`` false), so probing shows up in the log.
    """

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = actor_field(_("查看人"))
    actor_name = models.CharField(_("查看人名称"), max_length=150, blank=True)
    role = models.CharField(_("角色"), max_length=64, blank=True)
    subject_type = models.CharField(_("对象类型"), max_length=64, db_index=True)
    subject_id = models.CharField(_("对象标识"), max_length=64)
    subject_repr = models.CharField(_("数据主体"), max_length=200, blank=True)
    field = models.CharField(_("字段"), max_length=64)
    reason = models.TextField(_("查看理由"))
    granted = models.BooleanField(_("已显示"), default=True)
    region_code = models.CharField(_("所属区域代码"), max_length=15, blank=True, db_index=True)
    request_id, client_ip, channel = _acting_context()

    kind = "personal-data access records"

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.subject_repr} {self.field}"
