from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("事件办理")

    def ready(self) -> None:
        from cases import scoping_rules  # noqa: F401  (registers scope rules)
