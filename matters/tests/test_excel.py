"""Excel download and upload of admission lists (R9.2): round trip, row-level errors, all or
nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from gridgov.errors import DomainError, Forbidden
from matters import excel, services
from matters.models import VersionStatus
from matters.tests.conftest import PJ
from matters.tests.factories import make_published_list

HEADERS = [h for h, _k, _w, _r in excel.COLUMNS]


def _workbook(rows, headers=HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = excel.SHEET
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _row(code, lead="蓬江区公安", co="", d=2, du="工作小时", h=3, hu="工作日", amber=80):
    return [code, "", "", lead, co, d, du, h, hu, amber, "", ""]


@pytest.fixture
def pj_version(people, catalogue):
    version = make_published_list(PJ, ["0101", "0102"], filed=True)
    draft = services.open_draft(people.pj_admin, version.admission_list)
    services.update_entry(
        people.pj_admin,
        draft.entries.get(item__code="0102"),
        co_departments=[people.pj_justice, people.pj_urban],
        notes="夜间由值班室派遣",
        amber_threshold_percent=75,
    )
    return services.publish_version(people.pj_admin, draft)


def test_r9_2_export_has_every_entry_and_the_version(pj_version):
    data = excel.export_version(pj_version)
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[excel.SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert rows[1][:4] == ("0101", "治安隐患排查", "测试分类01", "蓬江区公安")
    assert rows[2][4] == "蓬江区司法行政、蓬江区城市管理综合执法"
    assert rows[2][5:12] == (2, "工作小时", 3, "工作日", 75, "否", "夜间由值班室派遣")
    info = dict(workbook[excel.INFO_SHEET].iter_rows(values_only=True))
    assert info["版本号"] == 2 and info["区划代码"] == PJ and info["事项数"] == 2


def test_r9_2_round_trip_into_a_draft(people, pj_version):
    """An exported list uploaded unchanged gives a draft with the same entries."""
    data = excel.export_version(pj_version)
    draft = excel.import_draft(people.pj_admin, pj_version.admission_list, data, filename="v2.xlsx")
    assert draft.status == VersionStatus.DRAFT and draft.number == 3
    diff = services.compare_versions(pj_version, draft)
    assert not diff, diff.summary()
    assert excel.export_version(draft) != b""


def test_r9_2_upload_replaces_the_draft(people, pj_version):
    data = _workbook([_row("0201", lead="司法行政", co="公安、城市管理综合执法", h=5)])
    draft = excel.import_draft(people.pj_admin, pj_version.admission_list, data)
    entries = list(draft.entries.all())
    assert [e.item.code for e in entries] == ["0201"]
    assert entries[0].lead_department == people.pj_justice
    assert set(entries[0].co_departments.all()) == {people.pj_police, people.pj_urban}
    assert pj_version.entries.count() == 2  # the published version is untouched


def test_r9_2_upload_reports_every_bad_row_and_saves_nothing(people, pj_version):
    """Bad code, unknown department, bad time limit: each named with row and column."""
    draft = services.open_draft(people.pj_admin, pj_version.admission_list)
    before = sorted(draft.entries.values_list("item__code", "handling_limit_amount"))
    data = _workbook(
        [
            _row("0101"),  # row 2: good
            _row("9999"),  # row 3: not in the catalogue
            _row("0102", lead="蓬江区教育局"),  # row 4: unknown department
            _row("0201", d=0),  # row 5: bad limit
            _row("0202", hu="周"),  # row 6: bad unit
            _row("0101"),  # row 7: duplicate
            _row("0103", h=500, amber=120),  # row 8: two bad cells
        ]
    )
    with pytest.raises(excel.UploadRejected) as err:
        excel.import_draft(people.pj_admin, pj_version.admission_list, data)
    found = {(e.row, e.column) for e in err.value.errors}
    assert found == {
        (3, "事项编码"),
        (4, "牵头部门"),
        (5, "派遣时限"),
        (6, "办理时限单位"),
        (7, "事项编码"),
        (8, "办理时限"),
        (8, "黄灯预警比例(%)"),
    }
    by_row = {e.row: e for e in err.value.errors}
    assert "9999" in by_row[3].message and by_row[3].value == "9999"
    assert "蓬江区教育局" in by_row[4].message
    assert "与第 2 行重复" in by_row[7].message
    assert err.value.code == "bad_rows" and "7 处错误" in err.value.message
    assert err.value.extra["rows"][0] == {
        "row": 3,
        "column": "事项编码",
        "value": "9999",
        "message": by_row[3].message,
    }
    assert sorted(draft.entries.values_list("item__code", "handling_limit_amount")) == before


def test_upload_needs_the_columns_and_a_workbook(people, pj_version):
    admission_list = pj_version.admission_list
    with pytest.raises(excel.UploadRejected) as err:
        excel.import_draft(
            people.pj_admin, admission_list, _workbook([["0101", "x"]], ["事项编码", "牵头部门"])
        )
    assert {e.column for e in err.value.errors} == {
        "派遣时限",
        "派遣时限单位",
        "办理时限",
        "办理时限单位",
    }
    with pytest.raises(DomainError) as err:
        excel.import_draft(people.pj_admin, admission_list, b"not a workbook")
    assert err.value.code == "bad_file"
    with pytest.raises(excel.UploadRejected):
        excel.import_draft(people.pj_admin, admission_list, _workbook([]))


def test_only_the_county_agency_uploads(people, pj_version):
    data = excel.export_version(pj_version)
    for user in (people.baisha_admin, people.pj_police_head, people.hs_admin):
        with pytest.raises(Forbidden):
            excel.import_draft(user, pj_version.admission_list, data)
    assert pj_version.admission_list.draft() is None
