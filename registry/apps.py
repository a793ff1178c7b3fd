from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("基础信息")

    def ready(self) -> None:
        from audit import actions
        from registry.actions import RegistryAction

        actions.register(RegistryAction)  # its audit codes: writable, labelled on the screens

        from gridgov import menu
        from gridgov.access import scoping
        from registry.models import REVIEWER_ROLES

        def reviewer(user: object) -> bool:
            return bool(getattr(user, "is_authenticated", False)) and bool(
                scoping.grants_for(user, REVIEWER_ROLES)
            )

        # The township agency's queue of what grid workers collected (R11.1 (二)).
        menu.register(
            menu.MenuItem("registry-proposals", _("采集审核"), "registry:proposals", order=45,
                          visible=reviewer)
        )  # fmt: skip
