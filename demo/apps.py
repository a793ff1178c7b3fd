from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = _("演示数据")

    def ready(self) -> None:
        from audit import actions
        from demo.actions import DemoAction

        actions.register(DemoAction)  # its audit codes: writable, labelled on the screens
