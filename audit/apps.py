from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("审计")

    def ready(self) -> None:
        from audit import actions
        from gridgov import menu
        from gridgov.access import roles as R
        from gridgov.access import scoping

        actions.register(actions.AuditTrailAction)

        def auditors(user: object) -> bool:
            from audit.models import AuditRecord

            return bool(getattr(user, "is_authenticated", False)) and scoping.can_view_any(
                user, AuditRecord
            )

        menu.register(
            menu.MenuItem(
                "audit-records",
                _("审计记录"),
                "audit:records",
                order=80,
                visible=auditors,
                landing_for=frozenset({R.Role.AUDITOR}),
            ),
            menu.MenuItem(
                "audit-access",
                _("个人信息查看记录"),
                "audit:access-log",
                order=81,
                visible=auditors,
            ),
        )
