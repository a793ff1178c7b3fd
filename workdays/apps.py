from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "workdays"
    verbose_name = _("工作日历")

    def ready(self) -> None:
        from audit import actions
        from workdays.actions import WorkdayAction

        actions.register(WorkdayAction)  # its audit codes: writable, labelled on the screens
