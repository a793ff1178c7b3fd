"""The audit actions of people, organisations and accounts (R28.1)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from audit.actions import AuditAction


class PeopleAction(AuditAction):
    # signing in and API tokens
    LOGIN = "people.login", _("登录")
    LOGIN_FAILED = "people.login_failed", _("登录失败")
    LOGIN_LOCKED = "people.login_locked", _("登录失败,账号已锁定")
    LOGIN_REFUSED_LOCKED = "people.login_refused_locked", _("账号锁定期间拒绝登录")
    TOKEN_ISSUED = "people.token_issued", _("签发接口令牌")
    TOKEN_REVOKED = "people.token_revoked", _("吊销接口令牌")
    # accounts and roles
    ACCOUNT_CREATE = "people.account.create", _("创建账号")
    ACCOUNT_UPDATE = "people.account.update", _("修改账号")
    ACCOUNT_SET_PASSWORD = "people.account.set_password", _("设置账号密码")
    ACCOUNT_ACTIVATE = "people.account.activate", _("启用账号")
    ACCOUNT_DEACTIVATE = "people.account.deactivate", _("停用账号")
    ROLE_GRANT = "people.role.grant", _("授予角色")
    ROLE_REVOKE = "people.role.revoke", _("撤销角色")
    # organisations
    AGENCY_CREATE = "people.agency.create", _("创建网格化机构")
    AGENCY_UPDATE = "people.agency.update", _("修改网格化机构")
    DEPARTMENT_KIND_CREATE = "people.department_kind.create", _("创建联动部门类别")
    DEPARTMENT_KIND_UPDATE = "people.department_kind.update", _("修改联动部门类别")
    DEPARTMENT_CREATE = "people.department.create", _("创建联动部门")
    DEPARTMENT_UPDATE = "people.department.update", _("修改联动部门")
    COMMITTEE_CREATE = "people.committee.create", _("创建村(居)委会")
    COMMITTEE_UPDATE = "people.committee.update", _("修改村(居)委会")
    COMMITTEE_MEMBER_ADD = "people.committee_member.add", _("增加村(居)委会成员")
    COMMITTEE_MEMBER_END = "people.committee_member.end", _("村(居)委会成员离任")
    # grid workers
    WORKER_CREATE = "people.worker.create", _("登记网格员")
    WORKER_UPDATE = "people.worker.update", _("修改网格员信息")
    WORKER_CHANGE_KIND = "people.worker.change_kind", _("变更网格员类别")
    WORKER_EXIT = "people.worker.exit", _("网格员离职")
    WORKER_REHIRE = "people.worker.rehire", _("网格员重新入职")
    WORKER_EXPORT = "people.worker.export", _("导出网格员")
    ASSIGNMENT_CREATE = "people.assignment.create", _("安排网格员到网格")
    ASSIGNMENT_END = "people.assignment.end", _("结束网格员的网格安排")
    ASSIGNMENT_CARRY = "people.assignment.carry", _("网格员随网格调整转移")
    TRAINING_RECORD = "people.training.record", _("记录培训")
    EQUIPMENT_ISSUE = "people.equipment.issue", _("发放装备")
    EQUIPMENT_RETURN = "people.equipment.return", _("归还装备")
