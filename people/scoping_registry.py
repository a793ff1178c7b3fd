"""Scope rules for models of apps that do not (yet) declare ``scope_rule`` themselves.

Regions and grids are public data (R8.4), served by public endpoints without scoping; the rules
here are for staff pages that list them inside a jurisdiction (the vacant-grid report, choice
lists in forms and the admin).
"""

from __future__ import annotations

from people import roles as R
from people import scoping


def register_external_models() -> None:
    from regions.models import Grid, GridChange, Region

    staff = R.STAFF_ROLES
    if not scoping.has_rule(Region):
        scoping.register(Region, scoping.ScopeRule(view=staff, fields=("code",)))
    if not scoping.has_rule(Grid):
        scoping.register(Grid, scoping.ScopeRule(view=staff, fields=("code",)))
    if not scoping.has_rule(GridChange):
        scoping.register(
            GridChange,
            scoping.ScopeRule(view=staff, change=R.ADMIN_ROLES, fields=("region__code",)),
        )
