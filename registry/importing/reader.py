"""Reading an import file row by row (R11.1): CSV (UTF-8, with or without BOM, else GB 18030
as Excel on Chinese Windows saves it) or Excel .xlsx (openpyxl in read-only mode), streamed:
memory does not grow with the file.

:func:`open_rows` checks the header against the kind's layout and answers the column codes
and an iterator of ``(row number, values by code)``; blank rows and the template's note row
are skipped. A bad header is refused at once (row 1), before any row is read.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from gridgov.errors import DomainError
from registry.importing.columns import NOTE_PREFIX, Column, layout

SUFFIXES = (".csv", ".xlsx")
Row = tuple[int, dict[str, str]]


@dataclass(frozen=True)
class Problem:
    """One line of the error report: the file's row (1 = the header), the column, why."""

    row: int
    column: str
    reason: str


class ImportRefused(DomainError):
    """An import that stored nothing; ``problems`` are the report's first lines."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message, code="import_refused")
        self.problem_rows = problems or []
        self.problems = [f"{p.row}: {p.column}: {p.reason}" for p in self.problem_rows]


def _header_codes(kind: str, header: list[str]) -> list[str | None]:
    """Each header cell's column code (None for a blank trailing cell), or refused."""
    columns = layout(kind)
    by_name: dict[str, Column] = {}
    for column in columns:
        by_name[column.header] = column
        by_name[column.code] = column
    codes: list[str | None] = []
    problems: list[Problem] = []
    for cell in header:
        name = str(cell or "").strip().lstrip("\ufeff")
        if not name:
            codes.append(None)
            continue
        column = by_name.get(name) or by_name.get(name.lower())
        if column is None:
            problems.append(Problem(1, name, _("未知的列(请使用导入模板的表头)")))
            codes.append(None)
        elif column.code in codes:
            problems.append(Problem(1, name, _("列重复")))
            codes.append(None)
        else:
            codes.append(column.code)
    for column in columns:
        if column.required and column.code not in codes:
            problems.append(Problem(1, column.header, _("缺少必填列")))
    if problems:
        raise ImportRefused(_("表头与导入模板不符"), problems)
    return codes


def _rows(kind: str, cells: Iterator[list[Any]]) -> tuple[list[str], Iterator[Row]]:
    header = next(cells, None)
    if header is None:
        raise ImportRefused(_("文件是空的"), [Problem(1, "", _("没有表头行"))])
    codes = _header_codes(kind, [str(c) if c is not None else "" for c in header])

    wanted = [(i, code) for i, code in enumerate(codes) if code is not None]

    def rows() -> Iterator[Row]:
        for number, values in enumerate(cells, start=2):
            # CSV cells are text already (the common case, one call less per cell)
            texts = [v.strip() if type(v) is str else _text(v) for v in values]
            if not any(texts):
                continue
            if texts[0].startswith(f"{NOTE_PREFIX}["):
                continue  # the template's note row
            size = len(texts)
            yield number, {code: texts[i] if i < size else "" for i, code in wanted}

    return [c for c in codes if c], rows()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and hasattr(value, "hour"):  # an Excel date-time cell
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decoded(handle: IO[bytes]) -> IO[str]:
    """UTF-8 (BOM or not) when the start decodes so, else GB 18030."""
    start = handle.read(64 * 1024)
    handle.seek(0)
    encoding = "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(start, final=False)
    except UnicodeDecodeError:
        encoding = "gb18030"
    return io.TextIOWrapper(handle, encoding=encoding, newline="")


@contextmanager
def open_rows(kind: str, path: Path, name: str = "") -> Iterator[tuple[list[str], Iterator[Row]]]:
    """The file's column codes and its rows, streamed; the file is closed on leaving."""
    suffix = Path(name or path.name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ImportRefused(_("请上传 CSV 或 Excel(.xlsx)文件"))
    if suffix == ".xlsx":
        from openpyxl import load_workbook  # heavy: loaded when used

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # any unreadable workbook is one refusal
            raise ImportRefused(_("无法读取 Excel 文件:%(error)s") % {"error": exc}) from None
        try:
            sheet = book.worksheets[0]
            yield _rows(kind, (list(r) for r in sheet.iter_rows(values_only=True)))
        finally:
            book.close()
        return
    with path.open("rb") as raw:
        text = _decoded(raw)
        try:
            yield _rows(kind, csv.reader(text))
        except UnicodeDecodeError:
            raise ImportRefused(_("文件编码无法识别(请保存为 UTF-8 的 CSV)")) from None
        except csv.Error as exc:
            raise ImportRefused(_("CSV 格式错误:%(error)s") % {"error": exc}) from None
