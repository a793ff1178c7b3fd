"""Who may change grids (R8.1) and acknowledge their filings (R8.2)."""

from __future__ import annotations

from django.utils.translation import gettext

from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.actors import Actor
from gridgov.errors import Forbidden
from regions.models import GridChange

# R8.1: grids are drawn per county by the county agency together with the townships. So the
# administrator of a county agency may change the grids of every village in the county, and the
# administrator of a township agency those of the villages of its own township. The city agency
# receives the filings (R8.2) and acknowledges them; it does not draw. The system administrator
# may do everything inside their jurisdiction, and so may system actors (commands, the demo).

DRAWER_ROLES = frozenset({R.Role.AGENCY_ADMIN, R.Role.SYSADMIN})
_DRAWING_AGENCY_CODE_LENGTHS = frozenset({6, 9})  # county and township agencies


def _may_draw(grant: scoping.Grant) -> bool:
    return grant.role == R.Role.SYSADMIN or len(grant.code) in _DRAWING_AGENCY_CODE_LENGTHS


def require_drawer(actor: Actor, region_code: str) -> scoping.Grant | None:
    """The grant that lets ``actor`` change the grids under ``region_code`` (R8.1), or
    Forbidden. None for system actors and the superuser."""
    what = gettext("划分或调整 %(code)s 的网格") % {"code": region_code}
    grant = scoping.require(actor, DRAWER_ROLES, region_code=region_code, what=what)
    if grant is None or _may_draw(grant):
        return grant
    for other in scoping.grants_for(actor, DRAWER_ROLES):
        if other.covers(region_code) and _may_draw(other):
            return other
    raise Forbidden(
        gettext(
            "网格由县级网格化机构会同乡镇(街道)划分和调整;市级网格化机构只接收和确认报备"
            "(R8.1、R8.2)"
        )
    )


def require_acknowledger(actor: Actor, change: GridChange) -> scoping.Grant | None:
    """Only the administrator of the city agency the change is filed with acknowledges it
    (R8.2). None for system actors and the superuser."""
    return scoping.require(
        actor,
        R.Role.AGENCY_ADMIN,
        region_code=change.filed_with.code,
        what=gettext("确认报备至 %(code)s 的网格变更") % {"code": change.filed_with.code},
    )
