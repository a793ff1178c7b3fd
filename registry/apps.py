from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("基础信息")

    def ready(self) -> None:
        from audit import actions
        from registry.actions import RegistryAction

        actions.register(RegistryAction)  # its audit codes: writable, labelled on the screens
