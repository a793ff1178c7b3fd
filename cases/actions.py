"""The audit actions of case handling (R28.1): the steps of a case, named as in
:mod:`cases.machine` with ``cases.`` in front, and what else the app records."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from audit.actions import AuditAction


class CaseAction(AuditAction):
    # the steps (cases.steps.record): the machine's action names
    REPORT = "cases.report", pgettext_lazy("audit action", "上报事件")
    VERIFY = "cases.verify", pgettext_lazy("audit action", "核实")
    SETTLE = "cases.settle", pgettext_lazy("audit action", "现场处置")
    ACCEPT = "cases.accept", pgettext_lazy("audit action", "立案")
    DECLINE = "cases.decline", pgettext_lazy("audit action", "不予立案")
    ESCALATE = "cases.escalate", pgettext_lazy("audit action", "上报上级")
    DISPATCH = "cases.dispatch", pgettext_lazy("audit action", "派遣")
    SIGN = "cases.sign", pgettext_lazy("audit action", "签收")
    RETURN = "cases.return", pgettext_lazy("audit action", "退回")
    FEEDBACK = "cases.feedback", pgettext_lazy("audit action", "反馈结果")
    END_ASSIGNMENT = "cases.end_assignment", pgettext_lazy("audit action", "终止协办")
    CHECK = "cases.check", pgettext_lazy("audit action", "核查结案")
    EVALUATE = "cases.evaluate", pgettext_lazy("audit action", "评价")
    REVIEW = "cases.review", pgettext_lazy("audit action", "复核评价")
    EXTEND = "cases.extend", pgettext_lazy("audit action", "申请延期")
    DECIDE_EXTENSION = "cases.decide_extension", pgettext_lazy("audit action", "审批延期")
    SUSPEND = "cases.suspend", pgettext_lazy("audit action", "申请挂起")
    DECIDE_SUSPENSION = "cases.decide_suspension", pgettext_lazy("audit action", "审批挂起")
    RESUME = "cases.resume", pgettext_lazy("audit action", "恢复办理")
    SUPERVISE = "cases.supervise", pgettext_lazy("audit action", "督办")
    ANSWER = "cases.answer", pgettext_lazy("audit action", "答复督办")
    # the registry records a case involves (ADR 0010): no change of state
    LINK = "cases.link", pgettext_lazy("audit action", "关联登记信息")
    UNLINK = "cases.unlink", pgettext_lazy("audit action", "取消关联登记信息")
    # steps the system takes
    REGRID = "cases.regrid", pgettext_lazy("audit action", "随网格调整移交")
    DEADLINE_CHANGE = "cases.deadline_change", pgettext_lazy("audit action", "随日历调整期限")
    # not steps
    WARNING = "cases.warning", pgettext_lazy("audit action", "发出警示")
    NOTIFICATION_READ = "notifications.read", pgettext_lazy("audit action", "阅读通知")
    NOTIFICATIONS_READ_ALL = (
        "notifications.read_all",
        pgettext_lazy("audit action", "全部通知标为已读"),
    )

    @classmethod
    def of_step(cls, step: str) -> CaseAction:
        """The audit action of the case step ``step`` (a :data:`cases.machine.ACTIONS` name,
        ``report``, ``regrid`` or ``deadline_change``): the archive keeps the step's name, the
        trail this code. A step without an action is a ``ValueError``."""
        return cls(f"cases.{step}")
