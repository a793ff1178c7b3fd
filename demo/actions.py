"""The audit actions of the demo data (R28.1): each loading step is on the trail."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from audit.actions import AuditAction


class DemoAction(AuditAction):
    PEOPLE_LOAD = "demo.people.load", pgettext_lazy("audit action", "载入演示人员数据")
    MATTERS_LOAD = "demo.matters.load", pgettext_lazy("audit action", "载入演示事项数据")
    CASES_LOAD = "demo.cases.load", pgettext_lazy("audit action", "载入演示事件数据")
