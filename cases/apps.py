from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("事件办理")

    def ready(self) -> None:
        from cases import (
            grid_moves,  # noqa: F401  (open cases follow grid changes)
            scoping_rules,  # noqa: F401  (registers scope rules)
            views_public,
            worklists,
        )
        from gridgov import menu
        from people import roles as R

        menu.register(
            menu.MenuItem(
                "cases.console",
                _("调度台"),
                "cases:console",
                order=10,
                visible=worklists.may_use_console,
                landing_for=frozenset({R.Role.DISPATCHER, R.Role.SUPERVISOR, R.Role.AGENCY_ADMIN}),
            ),
            menu.MenuItem(
                "cases.inbox",
                _("部门办件"),
                "cases:inbox",
                order=11,
                visible=worklists.may_use_inbox,
                landing_for=frozenset(R.DEPARTMENT_ROLES),
            ),
        )
        views_public.register_menu()  # the resident portal (/public/)
