"""The audit actions of people, organisations and accounts (R28.1)."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from audit.actions import AuditAction


class PeopleAction(AuditAction):
    # signing in and API tokens
    LOGIN = "people.login", pgettext_lazy("audit action", "登录")
    LOGIN_FAILED = "people.login_failed", pgettext_lazy("audit action", "登录失败")
    LOGIN_LOCKED = "people.login_locked", pgettext_lazy("audit action", "登录失败,账号已锁定")
    LOGIN_REFUSED_LOCKED = (
        "people.login_refused_locked",
        pgettext_lazy("audit action", "账号锁定期间拒绝登录"),
    )
    TOKEN_ISSUED = "people.token_issued", pgettext_lazy("audit action", "签发接口令牌")
    TOKEN_REVOKED = "people.token_revoked", pgettext_lazy("audit action", "吊销接口令牌")
    # accounts and roles
    ACCOUNT_CREATE = "people.account.create", pgettext_lazy("audit action", "创建账号")
    ACCOUNT_UPDATE = "people.account.update", pgettext_lazy("audit action", "修改账号")
    ACCOUNT_SET_PASSWORD = (
        "people.account.set_password",
        pgettext_lazy("audit action", "设置账号密码"),
    )
    ACCOUNT_ACTIVATE = "people.account.activate", pgettext_lazy("audit action", "启用账号")
    ACCOUNT_DEACTIVATE = "people.account.deactivate", pgettext_lazy("audit action", "停用账号")
    ROLE_GRANT = "people.role.grant", pgettext_lazy("audit action", "授予角色")
    ROLE_REVOKE = "people.role.revoke", pgettext_lazy("audit action", "撤销角色")
    # organisations
    AGENCY_CREATE = "people.agency.create", pgettext_lazy("audit action", "创建网格化机构")
    AGENCY_UPDATE = "people.agency.update", pgettext_lazy("audit action", "修改网格化机构")
    DEPARTMENT_KIND_CREATE = (
        "people.department_kind.create",
        pgettext_lazy("audit action", "创建联动部门类别"),
    )
    DEPARTMENT_KIND_UPDATE = (
        "people.department_kind.update",
        pgettext_lazy("audit action", "修改联动部门类别"),
    )
    DEPARTMENT_CREATE = "people.department.create", pgettext_lazy("audit action", "创建联动部门")
    DEPARTMENT_UPDATE = "people.department.update", pgettext_lazy("audit action", "修改联动部门")
    COMMITTEE_CREATE = "people.committee.create", pgettext_lazy("audit action", "创建村(居)委会")
    COMMITTEE_UPDATE = "people.committee.update", pgettext_lazy("audit action", "修改村(居)委会")
    COMMITTEE_MEMBER_ADD = (
        "people.committee_member.add",
        pgettext_lazy("audit action", "增加村(居)委会成员"),
    )
    COMMITTEE_MEMBER_END = (
        "people.committee_member.end",
        pgettext_lazy("audit action", "村(居)委会成员离任"),
    )
    # grid workers
    WORKER_CREATE = "people.worker.create", pgettext_lazy("audit action", "登记网格员")
    WORKER_UPDATE = "people.worker.update", pgettext_lazy("audit action", "修改网格员信息")
    WORKER_CHANGE_KIND = (
        "people.worker.change_kind",
        pgettext_lazy("audit action", "变更网格员类别"),
    )
    WORKER_EXIT = "people.worker.exit", pgettext_lazy("audit action", "网格员离职")
    WORKER_REHIRE = "people.worker.rehire", pgettext_lazy("audit action", "网格员重新入职")
    WORKER_EXPORT = "people.worker.export", pgettext_lazy("audit action", "导出网格员")
    ASSIGNMENT_CREATE = (
        "people.assignment.create",
        pgettext_lazy("audit action", "安排网格员到网格"),
    )
    ASSIGNMENT_END = "people.assignment.end", pgettext_lazy("audit action", "结束网格员的网格安排")
    ASSIGNMENT_CARRY = (
        "people.assignment.carry",
        pgettext_lazy("audit action", "网格员随网格调整转移"),
    )
    TRAINING_RECORD = "people.training.record", pgettext_lazy("audit action", "记录培训")
    EQUIPMENT_ISSUE = "people.equipment.issue", pgettext_lazy("audit action", "发放装备")
    EQUIPMENT_RETURN = "people.equipment.return", pgettext_lazy("audit action", "归还装备")
