from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DemoStep(models.Model):
    """Which demo steps are loaded, so that ``make setup`` run twice changes nothing."""

    name = models.CharField(max_length=64, unique=True)
    version = models.PositiveIntegerField()
    loaded_at = models.DateTimeField(default=timezone.now)
    summary = models.TextField(blank=True)

    class Meta:
        verbose_name = _("演示数据步骤")
        verbose_name_plural = _("演示数据步骤")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
