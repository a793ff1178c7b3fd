"""Spreadsheet exports (CSV for any tool, xlsx for Excel) of a scoped queryset.

Callers pass a queryset that already went through ``gridgov.access.scoping.scope_queryset``; this
module only writes rows. CSV starts with a BOM so Excel on Chinese Windows reads UTF-8.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import attrgetter
from typing import Any

from django.db import models
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

Column = tuple[str, Callable[[Any], Any]]  # header, value of a row
EXPORT_LIMIT = 200_000
FORMATS = ("csv", "xlsx")


def field_columns(
    model: type[models.Model], names: str, **values: Callable[[Any], Any]
) -> list[Column]:
    """The row number (编号), then the named fields, each under its model label; a field's
    value is its attribute unless ``values`` names another way to read it."""
    fields = [model._meta.get_field(name) for name in names.split()]
    return [
        (_("编号"), attrgetter("pk")),
        *((f.verbose_name, values.get(f.name, attrgetter(f.name))) for f in fields),
    ]


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    # A cell starting with = + - @ is a formula to spreadsheet programs (CSV injection).
    if text[:1] in {"=", "+", "-", "@"}:
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(columns: Sequence[Column], rows: Iterable[Any]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([str(header) for header, _ in columns])
    for row in rows:
        yield writer.writerow([_cell(value(row)) for _, value in columns])


def export(
    rows: Iterable[Any], columns: Sequence[Column], *, filename: str, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    """A download of ``rows`` as CSV (streamed) or xlsx."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(filename[:31])
        sheet.append([str(header) for header, _ in columns])
        for row in rows:
            sheet.append([_cell(value(row)) for _, value in columns])
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.xlsx"'
        return response
    response = StreamingHttpResponse(_csv_rows(columns, rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    return response
