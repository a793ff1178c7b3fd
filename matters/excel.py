"""Admission lists as Excel workbooks: the public download and the upload of a draft (R9.2).

The workbook has one sheet 准入清单 with one row per entry (the columns below) and a sheet 版本信息
naming the county and version. An exported workbook can be uploaded again unchanged: the upload
reads the columns by their header, ignores the informational ones (name, category, settle on
the spot: they come from the catalogue) and replaces the draft's entries with the rows.

An upload is all or nothing: every row is checked first and, when any cell is bad, nothing is
saved and every bad cell is reported with its row number, column, value and reason.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from gridgov.errors import DomainError
from matters import services
from matters.models import AdmissionEntry, AdmissionList, AdmissionListVersion, LimitUnit
from people.models import Department

SHEET = "准入清单"
INFO_SHEET = "版本信息"
MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (header, key, width, required on upload)
COLUMNS = [
    ("事项编码", "code", 12, True),
    ("事项名称", "name", 28, False),
    ("所属分类", "category", 16, False),
    ("牵头部门", "lead_department", 26, True),
    ("协办部门", "co_departments", 30, False),
    ("派遣时限", "dispatch_limit_amount", 10, True),
    ("派遣时限单位", "dispatch_limit_unit", 14, True),
    ("办理时限", "handling_limit_amount", 10, True),
    ("办理时限单位", "handling_limit_unit", 14, True),
    ("黄灯预警比例(%)", "amber_threshold_percent", 16, False),
    ("可现场处置", "settle_on_spot", 12, False),
    ("备注", "notes", 30, False),
]
HEADER_BY_KEY = {key: header for header, key, _w, _r in COLUMNS}
CO_SEPARATORS = re.compile(r"[、,,;;/\n]+")


def _unit_label(unit: str) -> str:
    return str(LimitUnit(unit).label)


# --- export ---------------------------------------------------------------------------------


def export_version(version: AdmissionListVersion) -> bytes:
    """The version as an .xlsx workbook (what the public page links to)."""
    county = version.admission_list.county
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append([header for header, _k, _w, _r in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for entry in services.entries_of(version):
        sheet.append(_row(entry))
    for index, (_h, _k, width, _r) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = sheet.dimensions

    info = workbook.create_sheet(INFO_SHEET)
    for label, value in _info_rows(version, county):
        info.append([label, value])
    info.column_dimensions["A"].width = 16
    info.column_dimensions["B"].width = 40
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _row(entry: AdmissionEntry) -> list[Any]:
    return [
        entry.item.code,
        entry.item.name,
        entry.item.category.name,
        entry.lead_department.name,
        "、".join(d.name for d in entry.co_departments.all()),
        entry.dispatch_limit_amount,
        _unit_label(entry.dispatch_limit_unit),
        entry.handling_limit_amount,
        _unit_label(entry.handling_limit_unit),
        entry.amber_threshold_percent,
        "是" if entry.item.settle_on_spot_allowed else "否",
        entry.notes,
    ]


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _info_rows(version: AdmissionListVersion, county: Any) -> Iterable[tuple[str, Any]]:
    yield "县(市、区)", county.name
    yield "区划代码", county.code
    yield "版本号", version.number
    yield "状态", str(version.get_status_display())
    yield "发布时间", _local(version.published_at)
    yield "报市备案时间", _local(version.filed_at)
    yield "市级确认时间", _local(version.acknowledged_at)
    yield "事项数", version.entries.count()
    yield "版本说明", version.note
    yield "导出时间", _local(timezone.now())


def filename_for(version: AdmissionListVersion) -> str:
    county = version.admission_list.county
    return f"{county.code}-admission-list-v{version.number}.xlsx"


# --- upload -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = _("第 %(row)d 行") % {"row": self.row}
        if self.column:
            where += f"“{self.column}”"
        value = f"({self.value})" if self.value else ""
        return f"{where}{value}:{self.message}"


class UploadRejected(DomainError):
    """The upload had bad rows; nothing was saved. ``errors`` lists every bad cell."""

    def __init__(self, errors: list[RowError]) -> None:
        first = errors[0]
        super().__init__(
            _("上传的清单有 %(n)d 处错误,未保存任何内容。%(first)s")
            % {"n": len(errors), "first": first},
            code="bad_rows",
            field="file",
            extra={"rows": [asdict(e) for e in errors]},
        )
        self.errors = errors


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _header_key(text: str) -> str | None:
    text = text.replace("*", "").replace(" ", "").strip()
    text = text.replace("(", "(").replace(")", ")")
    for header, key, _w, _r in COLUMNS:
        if text == header:
            return key
    return None


def read_rows(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(row number, {column key: value}) for every non-empty row under the header."""
    if len(data) > MAX_BYTES:
        raise DomainError(
            _("文件过大(上限 %(mb)d MB)") % {"mb": MAX_BYTES // 1024 // 1024},
            field="file",
            code="too_large",
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise DomainError(
            _("无法读取文件:请上传 Excel 工作簿(.xlsx)"), field="file", code="bad_file"
        ) from None
    try:
        sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        columns: dict[int, str] = {}
        header_row = 0
        for number, values in enumerate(rows, start=1):
            keys = {i: _header_key(_cell_text(v)) for i, v in enumerate(values)}
            if "code" in keys.values():
                columns = {i: k for i, k in keys.items() if k}
                header_row = number
                break
            if number >= 10:
                break
        if not columns:
            raise UploadRejected(
                [RowError(1, "", "", _("找不到表头:第一行应包含“事项编码”等列名"))]
            )
        missing = [
            header
            for header, key, _w, required in COLUMNS
            if required and key not in columns.values()
        ]
        if missing:
            raise UploadRejected([RowError(header_row, m, "", _("缺少必填列")) for m in missing])
        out: list[tuple[int, dict[str, Any]]] = []
        for number, values in enumerate(rows, start=header_row + 1):
            record = {key: values[i] if i < len(values) else None for i, key in columns.items()}
            if all(_cell_text(v) == "" for v in record.values()):
                continue
            out.append((number, record))
            if len(out) > MAX_ROWS:
                raise DomainError(
                    _("清单行数超过上限 %(n)d") % {"n": MAX_ROWS},
                    field="file",
                    code="too_many_rows",
                )
        return out
    finally:
        workbook.close()


def parse_rows(
    admission_list: AdmissionList, rows: list[tuple[int, dict[str, Any]]]
) -> list[services.ImportRow]:
    """Check every row against the catalogue and the county's departments; all or nothing."""
    county = admission_list.county
    city_code = county.code[:4]
    departments = {
        d.name: d
        for d in Department.objects.filter(region=county, is_active=True).select_related("kind")
    }
    errors: list[RowError] = []
    parsed: list[services.ImportRow] = []
    seen: dict[str, int] = {}
    if not rows:
        raise UploadRejected([RowError(2, "", "", _("清单没有任何事项行"))])

    def fail(row: int, key: str, value: Any, message: str) -> None:
        errors.append(RowError(row, HEADER_BY_KEY.get(key, key), _cell_text(value), message))

    for number, record in rows:
        row_errors = len(errors)
        raw_code = _cell_text(record.get("code"))
        item = None
        try:
            item = services.catalogue_item(city_code, raw_code, "code")
            if not item.is_active:
                fail(number, "code", raw_code, _("该事项已在目录中停用"))
            elif item.code in seen:
                fail(
                    number,
                    "code",
                    raw_code,
                    _("与第 %(row)d 行重复") % {"row": seen[item.code]},
                )
            else:
                seen[item.code] = number
        except DomainError as exc:
            fail(number, "code", raw_code, exc.message)

        lead = _department(record.get("lead_department"), departments, county)
        if isinstance(lead, str):
            fail(number, "lead_department", record.get("lead_department"), lead)
            lead = None
        co: list[Department] = []
        for name in CO_SEPARATORS.split(_cell_text(record.get("co_departments"))):
            if not name.strip():
                continue
            found = _department(name, departments, county)
            if isinstance(found, str):
                fail(number, "co_departments", name, found)
            elif lead is not None and found.pk == lead.pk:
                fail(number, "co_departments", name, _("协办部门不能与牵头部门相同"))
            elif found not in co:
                co.append(found)

        limits: dict[str, Any] = {}
        for kind in ("dispatch", "handling"):
            amount_key, unit_key = f"{kind}_limit_amount", f"{kind}_limit_unit"
            try:
                unit = services.parse_unit(_cell_text(record.get(unit_key)), unit_key)
            except DomainError as exc:
                fail(number, unit_key, record.get(unit_key), exc.message)
                unit = None
            try:
                amount = services.parse_amount(record.get(amount_key), amount_key)
                if unit is not None:
                    amount, unit = services.check_limit(amount, unit, kind)
            except DomainError as exc:
                fail(number, amount_key, record.get(amount_key), exc.message)
                amount = None
            limits[amount_key], limits[unit_key] = amount, unit
        try:
            amber = services.parse_amber(record.get("amber_threshold_percent"))
        except DomainError as exc:
            fail(
                number,
                "amber_threshold_percent",
                record.get("amber_threshold_percent"),
                exc.message,
            )
            amber = None
        notes = _cell_text(record.get("notes"))
        if len(notes) > 2000:
            fail(number, "notes", notes[:20], _("备注不能超过 2000 字"))

        if len(errors) == row_errors and item is not None and lead is not None:
            parsed.append(
                services.ImportRow(
                    row=number,
                    item=item,
                    terms=services.EntryTerms(
                        lead_department=lead,
                        co_departments=co,
                        amber_threshold_percent=amber or services.DEFAULT_AMBER_PERCENT,
                        notes=notes,
                        **limits,
                    ),
                )
            )
    if errors:
        raise UploadRejected(errors)
    return parsed


def _department(value: Any, departments: dict[str, Department], county: Any) -> Department | str:
    """The county department named ``value`` (its full name or its kind), or the error."""
    name = _cell_text(value)
    if not name:
        return _("请填写部门")
    if name in departments:
        return departments[name]
    by_kind = [d for d in departments.values() if d.kind.name == name]
    if len(by_kind) == 1:
        return by_kind[0]
    if len(by_kind) > 1:
        return _("%(county)s有多个%(kind)s类部门,请写部门全称") % {
            "county": county.name,
            "kind": name,
        }
    return _("%(county)s没有名为“%(name)s”的联动部门") % {"county": county.name, "name": name}


def import_draft(
    actor: Any, admission_list: AdmissionList, data: bytes, *, filename: str = ""
) -> AdmissionListVersion:
    """Replace the draft's entries with the uploaded workbook's rows, or reject it whole."""
    services.require_county_admin(actor, admission_list.county, what=_("导入准入清单"))
    rows = parse_rows(admission_list, read_rows(data))
    return services.replace_draft_entries(
        actor, admission_list, rows, source=filename or "upload.xlsx"
    )
