from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "fieldwork"
    verbose_name = _("网格员外勤")

    def ready(self) -> None:
        from gridgov import menu
        from gridgov.access import roles as R
        from gridgov.access import scoping

        def grid_worker(user: object) -> bool:
            return bool(getattr(user, "is_authenticated", False)) and bool(
                scoping.grants_for(user, R.GRID_ROLES)
            )

        # Notifications for a grid's workers open in the phone app (R24.1, R26.1).
        from cases.notify import inbox

        inbox.register_case_link(inbox.GRID, "fieldwork:case", R.GRID_ROLES)
        inbox.register_list_page("fieldwork", "fieldwork:notifications")

        menu.register(
            menu.MenuItem(
                "fieldwork",
                _("网格员工作台"),
                "fieldwork:home",
                order=15,
                visible=grid_worker,
                landing_for=frozenset(R.GRID_ROLES),
            )
        )
