"""Personal data (R22.1): revealing a protected field with a reason, and the access log of
every reveal, exact search and refusal."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from audit import personal_data as pd
from audit.models import PersonalDataAccess
from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.actors import Actor
from gridgov.context import current as current_context
from gridgov.errors import DomainError, Forbidden, NotFound
from people.services.common import (
    actor_user,
)

REVEAL_REASON_MIN = 4


class DataKeyMismatch(DomainError):
    """The configured data key is not the one the value was encrypted with (operations)."""

    http_status = 503

    def __init__(self, message: str) -> None:
        super().__init__(message, code="data_key_mismatch")


def revealers(model: type) -> frozenset[str]:
    """The roles that may reveal the protected fields of ``model`` (its ``REVEALERS``, else
    the administrators: ``gridgov.access.roles.PERSONAL_DATA_REVEALERS``)."""
    return getattr(model, "REVEALERS", R.PERSONAL_DATA_REVEALERS)


def reveal(actor: Actor, obj: Model, field: str, *, reason: str) -> str:
    """The clear value of one protected field, for a role that needs it, with a reason.

    Every reveal is logged in the personal-data access log; so is every refused attempt on an
    object the actor can see. An object the actor cannot see is "not found".
    """
    protected = getattr(type(obj), "PROTECTED_FIELDS", {})
    if field not in protected:
        raise DomainError(
            _("%(field)s 不是受保护的个人信息字段") % {"field": field},
            field="field",
            code="not_protected",
        )
    if not scoping.in_scope(actor, obj):
        raise NotFound(_("对象不存在或不在管辖范围内"))
    region_code = getattr(obj, "region_code", "") or ""
    reason = str(reason or "").strip()
    try:
        if len(reason) < REVEAL_REASON_MIN:
            raise DomainError(
                _("请说明查看理由(至少 %(n)d 个字)") % {"n": REVEAL_REASON_MIN},
                field="reason",
                code="reason_required",
            )
        grant = scoping.require(
            actor,
            revealers(type(obj)),
            region_code=region_code,
            what=_("查看完整个人信息"),
        )
    except Forbidden:
        _log_access(actor, obj, field, reason, region_code, granted=False, role="")
        raise
    _kind, purpose = protected[field]
    try:
        value = pd.decrypt(getattr(obj, f"{field}_encrypted"), purpose=purpose)
    except pd.UndecryptableError as exc:
        raise DataKeyMismatch(
            _("无法解密该字段:数据密钥与加密时不一致,请检查 GRIDGOV_DATA_KEY(%(detail)s)")
            % {"detail": exc}
        ) from exc
    _log_access(
        actor, obj, field, reason, region_code, granted=True, role=scoping.acting_role(actor, grant)
    )
    return value


def _log_access(
    actor: Actor, obj: Model, field: str, reason: str, region_code: str, *, granted: bool, role: str
) -> None:
    log_personal_data_access(
        actor,
        # A proxy (e.g. cases.LinkedResident, a resident revealed over a case) is logged as
        # the row it stands for, so the log of one person is one subject (R22.1).
        subject_type=obj._meta.concrete_model._meta.label_lower,
        subject_id=str(obj.pk),
        subject_repr=str(obj),
        field=field,
        reason=reason,
        region_code=region_code,
        granted=granted,
        role=role,
    )


def log_personal_data_access(
    actor: Actor,
    *,
    subject_type: str,
    subject_id: str,
    subject_repr: str,
    field: str,
    reason: str,
    region_code: str,
    granted: bool,
    role: str,
) -> None:
    """One row of the personal-data access log (a reveal, an exact search, or a refusal)."""
    ctx = current_context()
    user = actor_user(actor)
    with transaction.atomic():
        PersonalDataAccess.objects.create(
            actor=user,
            actor_name=user.get_username() if user else str(actor or ctx.channel),
            role=role,
            subject_type=subject_type,
            subject_id=subject_id,
            subject_repr=subject_repr[:200],
            field=field,
            reason=reason[:2000] or "-",
            granted=granted,
            region_code=region_code,
            request_id=ctx.request_id,
            client_ip=ctx.client_ip,
            channel=ctx.channel,
        )
