from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("基础信息")

    def ready(self) -> None:
        from audit import actions
        from registry.actions import RegistryAction

        actions.register(RegistryAction)  # its audit codes: writable, labelled on the screens
        _register_menu()


def _register_menu() -> None:
    from gridgov import menu
    from gridgov.access import scoping
    from registry.models import REVIEWER_ROLES

    menu.register(
        menu.MenuItem("registry-search", _("基础信息"), "registry:search", order=55,
                      visible=menu.readers_of("registry.Resident")),
        menu.MenuItem("registry-due", _("待走访"), "registry:due-visits", order=56,
                      visible=menu.readers_of("registry.SpecialGroupTag")),
        menu.MenuItem("registry-statistics", _("网格统计"), "registry:statistics", order=57,
                      visible=menu.readers_of("registry.Resident")),
        menu.MenuItem("registry-imports", _("基础信息导入"), "registry:imports", order=58,
                      visible=menu.readers_of("registry.RegistryImport")),
    )  # fmt: skip

    def reviewer(user: object) -> bool:
        return bool(getattr(user, "is_authenticated", False)) and bool(
            scoping.grants_for(user, REVIEWER_ROLES)
        )

    # The township agency's queue of what grid workers collected (R11.1 (二)).
    menu.register(
        menu.MenuItem("registry-proposals", _("采集审核"), "registry:proposals", order=45,
                      visible=reviewer)
    )  # fmt: skip
