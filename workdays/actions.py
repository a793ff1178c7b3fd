"""The audit actions of the working-day calendar (R28.1)."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from audit.actions import AuditAction


class WorkdayAction(AuditAction):
    OPEN_YEAR = "workdays.open_year", pgettext_lazy("audit action", "暂定开放日历年度")
    SEED_YEAR = "workdays.seed_year", pgettext_lazy("audit action", "按日历数据包载入年度")
    SET_DAY = "workdays.set_day", pgettext_lazy("audit action", "设置日历日")
    ENTER_NOTICE = "workdays.enter_notice", pgettext_lazy("audit action", "录入国务院放假通知")
