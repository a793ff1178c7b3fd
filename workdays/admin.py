"""Administrators correct the calendar here; every edit goes through ``services.set_day`` and is
audited (R24.2, R24.3, R28.1). Days are never added or deleted by hand: seeding and opening a
year create them, so a covered year always has all its dates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from gridgov.errors import DomainError
from workdays import services
from workdays.models import CalendarDay, CalendarYear, DayKind


class CalendarDayForm(forms.ModelForm):
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=[("", _("按是否工作日和星期自动判断")), *DayKind.choices],
        required=False,
    )

    class Meta:
        model = CalendarDay
        fields = ["is_workday", "kind", "name"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            services.check_day_edit(
                self.instance.date,
                bool(data.get("is_workday")),
                data.get("name") or "",
                data.get("kind") or None,
            )
        except DomainError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    form = CalendarDayForm
    # Every field of a day (services.DAY_FIELDS) with its weekday after the date.
    fields = (services.DAY_FIELDS[0], "weekday", *services.DAY_FIELDS[1:])
    list_display = fields[:-1]  # all but the edit time
    list_filter = ("is_workday", "kind", "source", "provisional")
    search_fields = ("name",)
    date_hierarchy = "date"
    readonly_fields = ("date", "weekday", "source", "provisional", "edited_by", "edited_at")
    list_per_page = 62

    @admin.display(description=_("星期"))
    def weekday(self, obj: CalendarDay) -> str:
        return date_format(obj.date, "l")  # 星期一 … 星期日, or Monday … in English

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = services.set_day(
            request.user,
            obj.date,
            data["is_workday"],
            data.get("name") or "",
            data.get("kind") or None,
        )
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = (
        "year",
        "provisional",
        "sources",
        "notice_reference",
        "discrepancy_count",
        "seeded_at",
    )
    list_filter = ("provisional",)
    readonly_fields = (
        "year",
        "provisional",
        "sources",
        "notice_reference",
        "notice_entered_by",
        "notice_entered_at",
        "discrepancies",
        "seeded_at",
    )
    actions = ["reseed"]

    @admin.display(description=_("来源分歧"))
    def discrepancy_count(self, obj: CalendarYear) -> int:
        return len(obj.discrepancies or [])

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("从软件包重新导入所选年度（保留人工修改）"))
    def reseed(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        reports = services.seed_years([y.year for y in queryset], request.user)
        for report in reports:
            if not report.seeded:
                self.message_user(
                    request,
                    _("%(year)s 年：软件包中没有该年数据，未导入") % {"year": report.year},
                    level=messages.WARNING,
                )
                continue
            self.message_user(
                request,
                _(
                    "%(year)s 年：新增 %(created)s 天，更新 %(updated)s 天，"
                    "保留人工修改 %(kept)s 天，重新计算未办结时限 %(moved)s 个"
                )
                % {
                    "year": report.year,
                    "created": report.created,
                    "updated": report.updated,
                    "kept": report.kept_manual,
                    "moved": report.deadlines_moved,
                },
            )
