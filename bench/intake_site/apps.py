from django.apps import AppConfig


class IntakeSiteConfig(AppConfig):
    name = "bench.intake_site"
    label = "intake_bench"
    default_auto_field = "django.db.models.BigAutoField"
