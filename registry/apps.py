from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _may_import(user: Any) -> bool:
    from gridgov.access import scoping
    from registry.models import RegistryImport

    return bool(getattr(user, "is_authenticated", False)) and scoping.can_view_any(
        user, RegistryImport
    )


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("基础信息")

    def ready(self) -> None:
        from audit import actions
        from gridgov import menu
        from registry.actions import RegistryAction

        actions.register(RegistryAction)  # its audit codes: writable, labelled on the screens
        menu.register(
            menu.MenuItem(
                "registry-imports", _("基础信息导入"), "registry:imports", order=56,
                visible=_may_import,
            )
        )  # fmt: skip
