from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MattersConfig(AppConfig):
    name = "matters"
    verbose_name = _("网格事项准入")

    def ready(self) -> None:
        from audit import actions
        from matters.actions import MatterAction

        actions.register(MatterAction)  # its audit codes: writable, labelled on the screens
        from gridgov import menu
        from matters import gate  # noqa: F401  (connects the gate cache's invalidation signals)

        menu.register(
            menu.MenuItem(
                "matters",
                _("准入清单"),
                "matters:lists",
                order=40,
                visible=menu.readers_of("matters.AdmissionList"),
            ),
            menu.MenuItem(
                "public-matters",
                _("事项清单公示"),
                "public-matters",
                order=90,
                visible=menu.everyone,
            ),
        )
