from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("审计")

    def ready(self) -> None:
        from audit import actions
        from gridgov import menu
        from gridgov.access import roles as R

        actions.register(actions.AuditTrailAction)

        menu.register(
            menu.MenuItem(
                "audit-records",
                _("审计记录"),
                "audit:records",
                order=80,
                visible=menu.readers_of("audit.AuditRecord"),
                landing_for=frozenset({R.Role.AUDITOR}),
            ),
            menu.MenuItem(
                "audit-access",
                _("个人信息查看记录"),
                "audit:access-log",
                order=81,
                visible=menu.readers_of("audit.AuditRecord"),
            ),
        )
