from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "regions"
    verbose_name = _("区域与网格")

    def ready(self) -> None:
        from audit import actions
        from regions.actions import RegionAction

        actions.register(RegionAction)  # its audit codes: writable, labelled on the screens
        _register_menu()


def _register_menu() -> None:
    from gridgov import menu
    from gridgov.access import roles as R
    from gridgov.access import scoping

    grid_staff = frozenset({R.Role.SYSADMIN, *R.AGENCY_ROLES})

    def holds(roles: frozenset[str]):  # type: ignore[no-untyped-def]
        def visible(user: object) -> bool:
            if not getattr(user, "is_authenticated", False):
                return False
            return scoping.is_unrestricted(user) or bool(scoping.grants_for(user, roles))

        return visible

    menu.register(
        # The agencies' grid management (R8.1): browse, edit, coverage reports.
        menu.MenuItem("regions-grids", _("网格管理"), "regions:browser", 55, holds(grid_staff)),
        # Filings with the city (R8.2): the administrators who file and acknowledge them.
        menu.MenuItem(
            "regions-filings", _("网格报备"), "regions:filings", 56, holds(R.ADMIN_ROLES)
        ),
    )
