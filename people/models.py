"""People: accounts now; agencies, departments, roles and grid workers follow (R4–R6, R10–R13)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """One account per person, one login for web and API (R20.1)."""

    full_name = models.CharField(_("姓名"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username
