from django.conf import settings
from django.db import models
from django.utils import timezone


class Ping(models.Model):
    """One row per request of the minimal endpoint (the baseline for intake)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client_id = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "intake_bench"

    def __str__(self) -> str:
        return self.client_id
