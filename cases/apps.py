from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("事件办理")

    def ready(self) -> None:
        from audit import actions
        from cases.actions import CaseAction

        actions.register(CaseAction)  # its audit codes: writable, labelled on the screens
        from cases import (
            calendar_notice,
            clock,
            grid_moves,  # noqa: F401  (open cases follow grid changes)
            recompute,
            tasks,
            views_public,
            worklists,
        )
        from gridgov import menu
        from gridgov.access import roles as R
        from workdays import signals as calendar_signals

        # The clock plans its deadline checks through the tasks, which run the clock's checks.
        clock.set_planner(tasks.plan_check)
        # A change of calendar days moves the open deadlines that counted them (R24.2).
        calendar_signals.days_changed.connect(
            recompute.on_days_changed, dispatch_uid="cases.recompute"
        )

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
                "cases.calendar",
                _("节假日日历"),
                "cases:calendar",
                order=12,
                visible=calendar_notice.is_reminded,
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
        _register_notifications()


def _register_notifications() -> None:
    """The notification badge in every page's header, and the warnings pages in the menu
    (R26.1, R27.1)."""
    from cases import worklists
    from cases.notify import inbox
    from cases.notify import views as notify
    from gridgov import menu

    menu.register_header(
        menu.HeaderItem(
            "cases.notifications",
            "cases/notify/_badge.html",
            context=notify.badge_context,
            visible=inbox.may_receive,
        )
    )
    menu.register(
        menu.MenuItem(
            "cases.warnings",
            _("警示"),
            "cases:warnings",
            order=12,
            visible=worklists.may_use_console,
        ),
        menu.MenuItem(
            "cases.dept-warnings",
            _("本部门警示"),
            "cases:dept-warnings",
            order=13,
            visible=notify.may_see_department_warnings,
        ),
    )
