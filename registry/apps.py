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

    def reads(model_label: str):  # type: ignore[no-untyped-def]
        def visible(user: object) -> bool:
            from django.apps import apps

            return bool(getattr(user, "is_authenticated", False)) and scoping.can_view_any(
                user, apps.get_model(model_label)
            )

        return visible

    menu.register(
        menu.MenuItem("registry-search", _("基础信息"), "registry:search", order=55,
                      visible=reads("registry.Resident")),
        menu.MenuItem("registry-due", _("待走访"), "registry:due-visits", order=56,
                      visible=reads("registry.SpecialGroupTag")),
        menu.MenuItem("registry-statistics", _("网格统计"), "registry:statistics", order=57,
                      visible=reads("registry.Resident")),
        menu.MenuItem("registry-imports", _("基础信息导入"), "registry:imports", order=58,
                      visible=reads("registry.RegistryImport")),
    )  # fmt: skip
