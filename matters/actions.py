"""The audit actions of the admission lists and the matter catalogue (R28.1)."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from audit.actions import AuditAction


class MatterAction(AuditAction):
    # the classification catalogue
    CATEGORY_CREATE = "matters.category.create", pgettext_lazy("audit action", "创建事项分类")
    CATEGORY_UPDATE = "matters.category.update", pgettext_lazy("audit action", "修改事项分类")
    ITEM_CREATE = "matters.item.create", pgettext_lazy("audit action", "创建事项")
    ITEM_UPDATE = "matters.item.update", pgettext_lazy("audit action", "修改事项")
    # admission lists and their versions
    LIST_CREATE = "matters.list.create", pgettext_lazy("audit action", "创建准入清单")
    VERSION_OPEN_DRAFT = "matters.version.open_draft", pgettext_lazy("audit action", "打开清单草稿")
    VERSION_IMPORT = "matters.version.import", pgettext_lazy("audit action", "导入清单")
    ENTRY_ADD = "matters.entry.add", pgettext_lazy("audit action", "增加清单事项")
    ENTRY_UPDATE = "matters.entry.update", pgettext_lazy("audit action", "修改清单事项")
    ENTRY_REMOVE = "matters.entry.remove", pgettext_lazy("audit action", "删除清单事项")
    VERSION_PUBLISH = "matters.version.publish", pgettext_lazy("audit action", "发布清单")
    VERSION_FILE = "matters.version.file", pgettext_lazy("audit action", "清单报备")
    VERSION_ACKNOWLEDGE = (
        "matters.version.acknowledge",
        pgettext_lazy("audit action", "确认清单报备"),
    )
    # change requests
    CHANGE_REQUEST_SUBMIT = (
        "matters.change_request.submit",
        pgettext_lazy("audit action", "提交清单变更申请"),
    )
    CHANGE_REQUEST_WITHDRAW = (
        "matters.change_request.withdraw",
        pgettext_lazy("audit action", "撤回清单变更申请"),
    )
    CHANGE_REQUEST_APPROVE = (
        "matters.change_request.approve",
        pgettext_lazy("audit action", "批准清单变更申请"),
    )
    CHANGE_REQUEST_REJECT = (
        "matters.change_request.reject",
        pgettext_lazy("audit action", "驳回清单变更申请"),
    )
