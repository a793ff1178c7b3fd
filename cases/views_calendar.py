"""The calendar page of the console: years, provisional ones, and entering the State Council's
holiday notice (R24.2).

- ``/console/calendar/``: every covered year (provisional or confirmed, where its days come
  from, the notice's document number), the reminder of the notices due, a link per year to
  enter its notice;
- ``/console/calendar/<year>/notice/``: the form — the breaks and make-up working days, one per
  line, pre-filled from the calendar as it stands (for a provisional year: the law's
  holidays). Submitting enters the notice (``cases.calendar_notice.enter``: administrators who
  cover every county) and says how many open deadlines moved.

Administrators only (``CalendarYear``'s scope rule in ``workdays.models``); the form is one
way into the same parser as the API and the command (``workdays.notices.parse``).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import calendar_notice
from gridgov.access.web import ScopedView
from gridgov.errors import DomainError
from workdays import notices
from workdays import services as calendar
from workdays.models import CalendarYear, Source

DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
SEPARATORS = " \t,，、;；:：~～至到—–-"
MAX_LINES = 40
FIELD_OF_ERROR = re.compile(r"^(holidays|workdays)\[(\d+)\]$")


class NoticeForm(forms.Form):
    """The notice as an administrator types it: one break or one make-up day per line."""

    reference = forms.CharField(
        label=gettext_lazy("通知文号"),
        max_length=notices.MAX_REFERENCE,
        required=False,
        help_text=gettext_lazy("如:国办发明电〔2026〕12号"),
    )
    holidays = forms.CharField(
        label=gettext_lazy("放假安排"),
        widget=forms.Textarea(attrs={"rows": 9}),
        help_text=gettext_lazy(
            "每行一段放假:名称 起始日期 结束日期,如“春节 2027-02-05 2027-02-11”"
        ),
    )
    workdays = forms.CharField(
        label=gettext_lazy("调休上班"),
        widget=forms.Textarea(attrs={"rows": 7}),
        required=False,
        help_text=gettext_lazy("每行一天:日期 名称(可省略),如“2027-02-14 春节调休上班”"),
    )

    def _lines(self, name: str) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data.get(name, "").splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > MAX_LINES:
            raise DomainError(_("最多 %(n)s 行") % {"n": MAX_LINES}, field=name)
        return lines

    def notice_data(self, year: int) -> dict[str, Any]:
        """The data form of the notice (``notices.parse`` checks it); DomainError naming the
        form field for a line that is not a break or a day."""
        breaks = []
        for number, line in enumerate(self._lines("holidays"), start=1):
            dates = DATE.findall(line)
            if not 1 <= len(dates) <= 2:
                raise DomainError(
                    _("第 %(n)s 行须有起始日期和结束日期(YYYY-MM-DD)") % {"n": number},
                    field="holidays",
                )
            name = DATE.sub(" ", line).strip(SEPARATORS).strip()
            breaks.append({"name": name, "start": dates[0], "end": dates[-1]})
        makeups = []
        for number, line in enumerate(self._lines("workdays"), start=1):
            dates = DATE.findall(line)
            if len(dates) != 1:
                raise DomainError(
                    _("第 %(n)s 行须有一个日期(YYYY-MM-DD)") % {"n": number}, field="workdays"
                )
            makeups.append({"date": dates[0], "name": DATE.sub(" ", line).strip(SEPARATORS)})
        return {
            "year": year,
            "reference": self.cleaned_data.get("reference", ""),
            "holidays": breaks,
            "workdays": makeups,
        }

    def add_domain_error(self, exc: DomainError) -> None:
        field = exc.field or ""
        line = FIELD_OF_ERROR.match(field)
        if line:
            name, index = line.group(1), int(line.group(2))
            self.add_error(name, _("第 %(n)s 行:%(error)s") % {"n": index + 1, "error": exc})
        elif field in self.fields:
            self.add_error(field, exc.message)
        else:
            self.add_error(None, exc.message)


def _initial(year: int) -> dict[str, str]:
    draft = notices.draft(year)
    return {
        "holidays": "\n".join(
            f"{r.name} {r.start.isoformat()} {r.end.isoformat()}" for r in draft.holidays
        ),
        "workdays": "\n".join(f"{d.date.isoformat()} {d.name}".strip() for d in draft.workdays),
    }


class CalendarView(ScopedView):
    """The covered years and the notices due (administrators)."""

    model = CalendarYear

    def get(self, request: HttpRequest) -> HttpResponse:
        years = list(self.get_queryset().select_related("notice_entered_by").order_by("year"))
        labels = dict(Source.choices)
        for year in years:
            year.source_labels = [str(labels.get(s, s)) for s in year.sources]
        due = calendar_notice.reminder(request.user)
        context = {
            "years": years,
            "due": due,
            "to_open": [y for y in due if y not in calendar.covered_years()],
            "may_enter": calendar_notice.may_enter(request.user),
        }
        return render(request, "cases/calendar.html", context)


class NoticeView(ScopedView):
    """Enter the State Council's notice for one year."""

    model = CalendarYear
    lookup_field = "year"  # the URL names the year (the scoping URL test reads this)

    def _year(self, year: int) -> int:
        if not calendar.YEAR_RANGE[0] <= year <= calendar.YEAR_RANGE[1]:
            raise Http404(_("没有这一年"))
        return year

    def _render(self, request: HttpRequest, year: int, form: NoticeForm) -> HttpResponse:
        record = self.get_queryset().filter(year=year).first()
        context = {
            "year": year,
            "record": record,
            "form": form,
            "may_enter": calendar_notice.may_enter(request.user),
        }
        return render(request, "cases/calendar_notice.html", context, status=200)

    def get(self, request: HttpRequest, year: int) -> HttpResponse:
        year = self._year(year)
        return self._render(request, year, NoticeForm(initial=_initial(year)))

    def post(self, request: HttpRequest, year: int) -> HttpResponse:
        year = self._year(year)
        if not calendar_notice.may_enter(request.user):
            raise PermissionDenied(_("须由管辖范围覆盖全部区县的管理员录入"))
        form = NoticeForm(request.POST)
        if not form.is_valid():
            return self._render(request, year, form)
        try:
            result = calendar_notice.enter(request.user, form.notice_data(year))
        except DomainError as exc:
            form.add_domain_error(exc)
            response = self._render(request, year, form)
            response.status_code = 400
            return response
        if result.changed:
            messages.success(
                request,
                _("%(year)s 年国务院节假日安排通知已录入;因此调整的未办结时限:%(n)s 个。")
                % {"year": year, "n": result.deadlines_moved},
            )
        else:
            messages.info(request, _("该通知已录入,日历没有变化。"))
        return HttpResponseRedirect(reverse("cases:calendar"))
