"""Who has read which notification, and what was sent outside the platform (R26.1, R27.1,
R18.1). Imported by :mod:`cases.models` (the models of the ``cases`` app)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.access import roles as R
from gridgov.access.scoping import ScopeRule
from gridgov.modelfields import optional_fk

# Everyone who gets notifications sees their own receipts, and only those (R22.1).
NOTIFICATION_RECEIVERS = frozenset(
    {R.Role.SYSADMIN, *R.AGENCY_ROLES, *R.DEPARTMENT_ROLES, *R.GRID_ROLES}
)


class NotificationReceipt(models.Model):
    """One person's copy of a notification: their badge counts it until they read it.

    Written for each person of the audience when the notification is created (fan-out on
    write), so the unread count is one indexed range of one person's rows, whatever the
    number of notifications: ``receipt_unread_newest_first`` holds exactly the rows the count
    and the badge read, and the count stops at a bound (the badge shows "99+").
    """

    notification = models.ForeignKey(
        "cases.Notification",
        verbose_name=_("通知"),
        on_delete=models.CASCADE,
        related_name="receipts",
    )
    # The composite indexes below start with the user: no index of its own.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    scope_rule = ScopeRule(
        view=NOTIFICATION_RECEIVERS,
        change=NOTIFICATION_RECEIVERS,
        q=lambda access: Q(user=access.user),
    )

    class Meta:
        verbose_name = _("通知接收")
        verbose_name_plural = _("通知接收")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "user"], name="receipt_once_per_person"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-id"], name="receipt_newest_first"),
            models.Index(
                fields=["user", "-id"],
                condition=Q(read_at__isnull=True),
                name="receipt_unread_newest_first",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.notification_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("未发送")


class Delivery(models.Model):
    """One message to one address over an outside channel (an SMS to a resident).

    ``key`` names the message (``sms:progress:<case>:<step>``): the same step never sends twice,
    whatever the number of tasks, resends or sweeps. The address itself is not stored: the
    channel looks it up when it sends (the reporter's phone stays encrypted on the case); the
    log keeps only the masked form.
    """

    key = models.CharField(_("消息键"), max_length=120, unique=True)
    channel = models.CharField(_("渠道"), max_length=16)
    case = optional_fk("cases.Case", _("事件"), "deliveries", on_delete=models.CASCADE)
    # The case's grid code: administrators of that jurisdiction read the log (R22.1).
    region_code = models.CharField(_("所属区域代码"), max_length=15, db_index=True)
    recipient_masked = models.CharField(_("接收号码"), max_length=32, blank=True)
    message = models.CharField(_("内容"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    backend = models.CharField(_("发送通道"), max_length=200, blank=True)
    provider_ref = models.CharField(_("网关回执"), max_length=100, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)

    # The log of messages sent outside (SMS): administrators of the case's jurisdiction.
    scope_rule = ScopeRule(view=R.ADMIN_ROLES, fields=("region_code",))

    class Meta:
        verbose_name = _("消息发送记录")
        verbose_name_plural = _("消息发送记录")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="delivery_pending_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.recipient_masked} {self.get_status_display()}"
