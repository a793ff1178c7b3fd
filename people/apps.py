from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("人员与机构")

    def ready(self) -> None:
        from audit import actions
        from people.actions import PeopleAction

        actions.register(PeopleAction)  # its audit codes: writable, labelled on the screens
        from audit import personal_data
        from people import (
            grants,
            grid_changes,  # noqa: F401  (workers follow grid changes)
            public,
            reports,
        )
        from people.api import schema  # noqa: F401  (registers the token scheme)
        from regions import staffing

        # The core's scoping asks people for the grants; regions' pages ask who staffs a grid.
        grants.connect()
        staffing.register(
            staffing.Staffing(
                vacant_grids=reports.vacant_grids,
                grid_workers=reports.grid_workers,
                disclosure=public.grid_disclosure,
            )
        )
        # A missing or malformed data key stops start-up, not the first reveal (R22.1).
        personal_data.check_configuration()
        _register_menu()


def _register_menu() -> None:
    from gridgov import menu
    from gridgov.access import roles as R

    menu.register(
        menu.MenuItem(
            "people-workers",
            _("网格员"),
            "people:workers",
            order=60,
            visible=menu.readers_of("people.GridWorker"),
            landing_for=frozenset({R.Role.AGENCY_ADMIN, R.Role.SYSADMIN}),
        ),
        menu.MenuItem(
            "people-vacant",
            _("空缺网格"),
            "people:vacant-grids",
            order=61,
            visible=menu.readers_of("people.GridWorker"),
        ),
        menu.MenuItem(
            "people-agencies",
            _("机构与部门"),
            "people:agencies",
            order=62,
            visible=menu.readers_of("people.GridAgency"),
        ),
    )
