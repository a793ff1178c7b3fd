"""The audit actions of case handling (R28.1): the steps of a case, named as in
:mod:`cases.machine` with ``cases.`` in front, and what else the app records."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from audit.actions import AuditAction


class CaseAction(AuditAction):
    # the steps (cases.steps.record): the machine's action names
    REPORT = "cases.report", _("上报事件")
    VERIFY = "cases.verify", _("核实")
    SETTLE = "cases.settle", _("现场处置")
    ACCEPT = "cases.accept", _("立案")
    DECLINE = "cases.decline", _("不予立案")
    ESCALATE = "cases.escalate", _("上报上级")
    DISPATCH = "cases.dispatch", _("派遣")
    SIGN = "cases.sign", _("签收")
    RETURN = "cases.return", _("退回")
    FEEDBACK = "cases.feedback", _("反馈结果")
    END_ASSIGNMENT = "cases.end_assignment", _("终止协办")
    CHECK = "cases.check", _("核查结案")
    EVALUATE = "cases.evaluate", _("评价")
    REVIEW = "cases.review", _("复核评价")
    EXTEND = "cases.extend", _("申请延期")
    DECIDE_EXTENSION = "cases.decide_extension", _("审批延期")
    SUSPEND = "cases.suspend", _("申请挂起")
    DECIDE_SUSPENSION = "cases.decide_suspension", _("审批挂起")
    RESUME = "cases.resume", _("恢复办理")
    SUPERVISE = "cases.supervise", _("督办")
    ANSWER = "cases.answer", _("答复督办")
    # steps the system takes
    REGRID = "cases.regrid", _("随网格调整移交")
    DEADLINE_CHANGE = "cases.deadline_change", _("随日历调整期限")
    # not steps
    WARNING = "cases.warning", _("发出警示")
    NOTIFICATION_READ = "notifications.read", _("阅读通知")
    NOTIFICATIONS_READ_ALL = "notifications.read_all", _("全部通知标为已读")

    @classmethod
    def of_step(cls, step: str) -> CaseAction:
        """The audit action of the case step ``step`` (a :data:`cases.machine.ACTIONS` name,
        ``report``, ``regrid`` or ``deadline_change``): the archive keeps the step's name, the
        trail this code. A step without an action is a ``ValueError``."""
        return cls(f"cases.{step}")
