"""An import of registry records from a CSV or Excel file (R11.1, R22.1): who uploaded what
into which jurisdiction, how far the background task got, and the row-by-row problems.

The uploaded file is kept only until its task has run (it holds personal numbers in clear);
the problems report names file, row, column and reason, never a personal number.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.access import roles as R
from gridgov.access.scoping import ScopeRule

# Who imports into the registry: the agency staff of the jurisdiction and the administrators.
IMPORTERS = frozenset({*R.ADMIN_ROLES, *R.AGENCY_ROLES})


class ImportKind(models.TextChoices):
    RESIDENTS = "residents", _("实有人口")
    HOUSES = "houses", _("实有房屋(含标准地址)")
    ORGANISATIONS = "organisations", _("组织")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    CHECKED = "checked", _("试导入通过")
    REFUSED = "refused", _("未导入(有错误)")
    FAILED = "failed", _("失败")


FINISHED = frozenset(
    {ImportStatus.DONE, ImportStatus.CHECKED, ImportStatus.REFUSED, ImportStatus.FAILED}
)


def upload_path(instance: RegistryImport, filename: str) -> str:
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return f"registry-imports/{stamp}{suffix}"


class RegistryImport(models.Model):
    """One import of a file: its kind, jurisdiction, progress, counts and problems."""

    kind = models.CharField(_("导入类别"), max_length=16, choices=ImportKind.choices)
    file_name = models.CharField(_("文件名"), max_length=200)
    upload = models.FileField(_("上传文件"), upload_to=upload_path, blank=True, max_length=200)
    dry_run = models.BooleanField(_("试导入(只检查不写入)"), default=False)
    # blank: the whole registry (the system or a superuser without a region given)
    region_code = models.CharField(
        _("导入范围(行政区划代码)"), max_length=12, blank=True, db_index=True
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    rows_checked = models.PositiveIntegerField(_("已检查行数"), default=0)
    rows_written = models.PositiveIntegerField(_("已写入记录数"), default=0)
    problem_count = models.PositiveIntegerField(_("问题数"), default=0)
    problems_csv = models.TextField(_("问题清单(CSV)"), blank=True, editable=False)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    scope_rule = ScopeRule(view=IMPORTERS, change=IMPORTERS, fields=("region_code",))

    class Meta:
        verbose_name = _("基础信息导入")
        verbose_name_plural = _("基础信息导入")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(region_code="") | Q(region_code__regex=r"^[0-9]{2,12}$"),
                name="registry_import_region_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED
