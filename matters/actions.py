"""The audit actions of the admission lists and the matter catalogue (R28.1)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from audit.actions import AuditAction


class MatterAction(AuditAction):
    # the classification catalogue
    CATEGORY_CREATE = "matters.category.create", _("创建事项分类")
    CATEGORY_UPDATE = "matters.category.update", _("修改事项分类")
    ITEM_CREATE = "matters.item.create", _("创建事项")
    ITEM_UPDATE = "matters.item.update", _("修改事项")
    # admission lists and their versions
    LIST_CREATE = "matters.list.create", _("创建准入清单")
    VERSION_OPEN_DRAFT = "matters.version.open_draft", _("打开清单草稿")
    VERSION_IMPORT = "matters.version.import", _("导入清单")
    ENTRY_ADD = "matters.entry.add", _("增加清单事项")
    ENTRY_UPDATE = "matters.entry.update", _("修改清单事项")
    ENTRY_REMOVE = "matters.entry.remove", _("删除清单事项")
    VERSION_PUBLISH = "matters.version.publish", _("发布清单")
    VERSION_FILE = "matters.version.file", _("清单报备")
    VERSION_ACKNOWLEDGE = "matters.version.acknowledge", _("确认清单报备")
    # change requests
    CHANGE_REQUEST_SUBMIT = "matters.change_request.submit", _("提交清单变更申请")
    CHANGE_REQUEST_WITHDRAW = "matters.change_request.withdraw", _("撤回清单变更申请")
    CHANGE_REQUEST_APPROVE = "matters.change_request.approve", _("批准清单变更申请")
    CHANGE_REQUEST_REJECT = "matters.change_request.reject", _("驳回清单变更申请")
