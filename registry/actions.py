"""The audit actions of the registry (R11.1, R28.1)."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from audit.actions import AuditAction


class RegistryAction(AuditAction):
    # addresses and houses
    ADDRESS_CREATE = "registry.address.create", pgettext_lazy("audit action", "登记标准地址")
    ADDRESS_RETIRE = "registry.address.retire", pgettext_lazy("audit action", "注销标准地址")
    HOUSE_CREATE = "registry.house.create", pgettext_lazy("audit action", "登记实有房屋")
    HOUSE_UPDATE = "registry.house.update", pgettext_lazy("audit action", "修改实有房屋")
    # households and residents
    HOUSEHOLD_CREATE = "registry.household.create", pgettext_lazy("audit action", "登记家庭户")
    HOUSEHOLD_HEAD = "registry.household.head", pgettext_lazy("audit action", "设定户主")
    RESIDENT_REGISTER = (
        "registry.resident.register",
        pgettext_lazy("audit action", "登记实有人口"),
    )
    RESIDENT_UPDATE = "registry.resident.update", pgettext_lazy("audit action", "修改实有人口")
    RESIDENT_MOVE_IN = "registry.resident.move_in", pgettext_lazy("audit action", "人口迁入")
    RESIDENT_MOVE_OUT = "registry.resident.move_out", pgettext_lazy("audit action", "人口迁出")
    RESIDENT_DECEASED = (
        "registry.resident.deceased",
        pgettext_lazy("audit action", "登记人口死亡"),
    )
    RESIDENT_MERGE = "registry.resident.merge", pgettext_lazy("audit action", "合并重复人口")
    # special and vulnerable groups
    TAG_CREATE = "registry.tag.create", pgettext_lazy("audit action", "标记特殊人群")
    TAG_END = "registry.tag.end", pgettext_lazy("audit action", "解除特殊人群标记")
    TAG_VISIT = "registry.tag.visit", pgettext_lazy("audit action", "记录走访")
    # organisations, places and things
    ORGANISATION_CREATE = (
        "registry.organisation.create",
        pgettext_lazy("audit action", "登记组织"),
    )
    ORGANISATION_UPDATE = (
        "registry.organisation.update",
        pgettext_lazy("audit action", "修改组织"),
    )
    PLACE_CREATE = "registry.place.create", pgettext_lazy("audit action", "登记重点场所")
    PLACE_UPDATE = "registry.place.update", pgettext_lazy("audit action", "修改重点场所")
    THING_CREATE = "registry.thing.create", pgettext_lazy("audit action", "登记部件")
    THING_UPDATE = "registry.thing.update", pgettext_lazy("audit action", "修改部件")
    # the console
    EXPORT = "registry.export", pgettext_lazy("audit action", "导出基础信息")
    # proposals from the phone (grid workers collect, the township agency confirms)
    PROPOSAL_SUBMIT = "registry.proposal.submit", pgettext_lazy("audit action", "提交采集信息")
    PROPOSAL_CONFIRM = (
        "registry.proposal.confirm",
        pgettext_lazy("audit action", "确认采集信息"),
    )
    PROPOSAL_REJECT = "registry.proposal.reject", pgettext_lazy("audit action", "退回采集信息")
    PROPOSAL_SUPERSEDE = (
        "registry.proposal.supersede",
        pgettext_lazy("audit action", "采集信息被替代"),
    )
    # imports (one record per import: who, file, kind, counts; never a personal number)
    IMPORT = "registry.import", pgettext_lazy("audit action", "导入基础信息")
    IMPORT_UPLOAD = (
        "registry.import.upload",
        pgettext_lazy("audit action", "上传基础信息导入文件"),
    )
