from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("人员与机构")

    def ready(self) -> None:
        from audit import personal_data
        from people import scoping_registry
        from people.api import schema  # noqa: F401  (registers the token scheme)

        scoping_registry.register_external_models()
        # A missing or malformed data key stops start-up, not the first reveal (R22.1).
        personal_data.check_configuration()
