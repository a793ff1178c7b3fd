"""The working-day calendar: one row per date, one coverage record per year (R24.2, R24.3).

Dispatch limits (R24.2) and handling limits (R24.3) count Chinese working days: statutory
holidays are off, and some weekend days are make-up working days (调休上班). A year is *covered*
when it has a :class:`CalendarYear` record; its :class:`CalendarDay` rows then span every date of
the year. Deadline arithmetic never guesses outside the covered years (see ``services``).

A year for which no State Council notice is known yet (no package has it, nobody entered it)
is covered *provisionally* (R24.2): from the statutory holidays the law fixes, weekends as usual,
no make-up working days. Its year record and its days say ``provisional``; deadlines computed
into it say so too, and entering the notice (``workdays.notices``) recomputes them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.access import roles as R
from gridgov.access.scoping import ScopeRule
from gridgov.modelfields import optional_fk


class DayKind(models.TextChoices):
    WORKDAY = "workday", _("工作日")
    WEEKEND = "weekend", _("周末")
    HOLIDAY = "holiday", _("节假日")
    MAKEUP_WORKDAY = "makeup_workday", _("调休上班")


WORKING_KINDS = (DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY)
RESTING_KINDS = (DayKind.WEEKEND, DayKind.HOLIDAY)


class Source(models.TextChoices):
    HOLIDAYS = "holidays", _("holidays 软件包")
    CHINESECALENDAR = "chinesecalendar", _("chinesecalendar 软件包")
    # Monday–Friday only: how years were opened before the statutory rule (migration 0002
    # turned such rows into statutory ones); kept so that old audit records still read.
    WEEKDAY_RULE = "weekday_rule", _("周一至周五规则")
    # The law's holidays without the notice: a provisional year (R24.2).
    STATUTORY = "statutory", _("法定节假日（暂定）")
    # The State Council's notice as an administrator entered it (workdays.notices).
    NOTICE = "notice", _("国务院通知（录入）")
    MANUAL = "manual", _("管理员修改")


class CalendarDay(models.Model):
    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"))
    kind = models.CharField(_("类型"), max_length=20, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=100, blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    # From the law alone, not yet confirmed by the State Council's notice (R24.2).
    provisional = models.BooleanField(_("暂定"), default=False)
    edited_by = optional_fk(settings.AUTH_USER_MODEL, _("修改人"), "+", on_delete=models.SET_NULL)
    edited_at = models.DateTimeField(_("修改时间"), null=True, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("日历日")
        verbose_name_plural = _("日历日")
        constraints = [
            models.CheckConstraint(
                name="workdays_day_kind_matches_flag",
                condition=(Q(is_workday=True) & Q(kind__in=[k.value for k in WORKING_KINDS]))
                | (Q(is_workday=False) & Q(kind__in=[k.value for k in RESTING_KINDS])),
            ),
        ]

    def __str__(self) -> str:
        label = self.name or self.get_kind_display()
        return f"{self.date.isoformat()} {label}"


class CalendarYear(models.Model):
    """Coverage of one year: which sources seeded it and where they disagreed."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    sources = models.JSONField(_("数据来源"), default=list)
    # [{"date": "2005-12-31", "holidays": true, "chinesecalendar": false, "kept": "holidays"}]
    discrepancies = models.JSONField(_("来源分歧"), default=list, blank=True)
    # Statutory holidays only until the State Council's notice for the year is entered (R24.2).
    provisional = models.BooleanField(_("暂定"), default=False)
    notice_reference = models.CharField(_("通知文号"), max_length=100, blank=True)
    notice_entered_by = optional_fk(
        settings.AUTH_USER_MODEL, _("通知录入人"), "+", on_delete=models.SET_NULL
    )
    notice_entered_at = models.DateTimeField(_("通知录入时间"), null=True, blank=True)
    seeded_at = models.DateTimeField(_("导入时间"), auto_now=True)

    # National reference data (read publicly through the calendar API); its console page, where
    # the State Council's notice is entered, is for administrators (who among them may enter
    # it: cases.calendar_notice).
    scope_rule = ScopeRule(view=R.ADMIN_ROLES, change=R.ADMIN_ROLES, global_=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")

    def __str__(self) -> str:
        return str(self.year)
