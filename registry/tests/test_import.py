"""R11.1, R22.1: importing residents, houses and organisations from CSV and Excel: a dry run
writes nothing, one bad row keeps the whole file out and the report names file, row, column
and reason, duplicates (in the file, in the registry) are errors, not merges, and the import
writes one audit record with no personal number in clear."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from audit.models import AuditRecord
from gridgov.errors import Forbidden
from gridgov.testing import people as testing
from registry.importing.columns import layout
from registry.importing.reader import ImportRefused
from registry.models import House, Household, Organisation, Resident, StandardAddress
from registry.services.imports import import_file
from registry.tests import world as w
from registry.validation import uscc_check_char

pytestmark = pytest.mark.django_db


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def uscc(body: str) -> str:
    """A valid unified social credit code from its first 17 characters."""
    return body + uscc_check_char(body)


HOUSE_HEADER = ["村(社区)代码", "街路巷", "门牌号", "楼栋", "户室", "用途", "经度", "纬度"]


def houses_file(tmp_path: Path, name: str = "房屋.csv") -> Path:
    lng, lat = (str(v) for v in w.located_grid())
    return write_csv(
        tmp_path / name,
        HOUSE_HEADER,
        [
            [w.VILLAGE, "白沙大道", "8号", "3栋", "502室", "自住", lng, lat],
            [w.VILLAGE, "白沙大道", "8号", "3栋", "503室", "出租", lng, lat],
            [w.VILLAGE, "白沙大道", "10号", "", "", "商用", "", ""],
        ],
    )


def test_houses_with_their_addresses_are_imported_all_at_once(tmp_path):
    """R11.1: one row per house creates the address tree below the street number, once."""
    result = import_file("test", "houses", houses_file(tmp_path), dry_run=False)
    assert result.ok and result.records_written == 3, result.problems
    texts = sorted(StandardAddress.objects.values_list("full_text", flat=True))
    assert texts == ["白沙大道10号", "白沙大道8号", "白沙大道8号3栋", "白沙大道8号3栋502室",
                     "白沙大道8号3栋503室"]  # fmt: skip
    assert House.objects.count() == 3
    codes = sorted(StandardAddress.objects.values_list("code", flat=True))
    assert codes == [f"{w.VILLAGE}{n:08d}" for n in range(1, 6)]
    record = AuditRecord.objects.get(action="registry.import")
    assert record.after["records"] == 3 and record.after["file"] == "房屋.csv"


def test_a_dry_run_writes_nothing(tmp_path):
    """R11.1: the dry run checks every row, counts what it would write and keeps nothing."""
    result = import_file("test", "houses", houses_file(tmp_path), dry_run=True)
    assert result.ok and result.records_written == 3
    assert not StandardAddress.objects.exists() and not House.objects.exists()
    assert not AuditRecord.objects.filter(action="registry.import").exists()


def resident_rows(*numbers: str) -> list[list[str]]:
    return [[f"居民{i}", n, w.GRID, "", ""] for i, n in enumerate(numbers)]


RESIDENT_HEADER = ["姓名", "证件号码", "网格编码", "户号", "与户主关系"]


def test_one_bad_row_keeps_the_whole_file_out_and_is_reported(tmp_path):
    """R11.1, R22.1: a wrong check digit on row 3: nothing imported, the report says where."""
    testing.make_grid(w.GRID)
    good, bad = w.id_number(801), w.id_number(802)
    bad = bad[:17] + ("0" if bad[17] != "0" else "1")
    path = write_csv(tmp_path / "人口.csv", RESIDENT_HEADER, resident_rows(good, bad))
    result = import_file("test", "residents", path, dry_run=False)
    assert not result.ok and result.problem_count == 1
    problem = result.problems[0]
    assert (problem.row, problem.column) == (3, "证件号码") and "校验位" in problem.reason
    assert not Resident.objects.exists()
    report = result.problems_csv()
    assert "人口.csv" in report and "证件号码" in report and bad not in report


def test_a_duplicate_document_in_the_file_and_in_the_registry_is_an_error(tmp_path):
    """R11.1 one person, one record: the same ID number twice in the file, or one already in
    the registry, is an error row naming the column, never a silent merge."""
    testing.make_grid(w.GRID)
    known = w.id_number(811)
    w.resident(id_number=known)
    twice = w.id_number(812)
    path = write_csv(
        tmp_path / "人口.csv", RESIDENT_HEADER, resident_rows(twice, w.id_number(813), twice, known)
    )
    result = import_file("test", "residents", path, dry_run=True)
    assert [(p.row, p.column) for p in result.problems] == [(4, "证件号码"), (5, "证件号码")]
    assert all("已登记" in p.reason for p in result.problems)
    assert Resident.objects.count() == 1


def test_excel_with_english_headers_households_and_heads(tmp_path):
    """R11.1: an .xlsx with the English column codes; households by number, with their head,
    residents in a house given by its full address; ID numbers stored protected."""
    import_file("test", "houses", houses_file(tmp_path), dry_run=False)
    head, spouse = w.id_number(821, birth="19700101"), w.id_number(822, birth="19720101")
    path = write_xlsx(
        tmp_path / "residents.xlsx",
        ["name", "id_number", "region_code", "address_text", "household_number", "relation",
         "phone", "kind"],
        [
            ["李一", head, w.VILLAGE, "白沙大道8号3栋502室", "H001", "户主", testing.mobile(821),
             "户籍人口"],
            ["王二", spouse, w.VILLAGE, "白沙大道8号3栋502室", "H001", "spouse", "", "floating"],
        ],
    )  # fmt: skip
    result = import_file("test", "residents", path, dry_run=False)
    assert result.ok and result.records_written == 2, result.problems
    household = Household.objects.get(number="H001")
    first = Resident.objects.get(name="李一")
    assert household.head == first and first.house.address.full_text == "白沙大道8号3栋502室"
    assert first.grid_code == w.GRID and first.birth_date.isoformat() == "1970-01-01"
    assert first.id_number_masked.endswith(head[-4:]) and head not in first.id_number_encrypted
    assert Resident.objects.get(name="王二").kind == "floating"
    assert first.residences.count() == 1
    record = AuditRecord.objects.get(action="registry.import", after__kind="residents")
    text = str(record.after) + record.note + record.object_repr
    assert head not in text and "李一" not in text and testing.mobile(821) not in text


def test_organisations_with_credit_codes_checked(tmp_path):
    """R11.1: the USCC check character and its duplicates (file, registry) are errors."""
    testing.make_grid(w.GRID)
    good, other = uscc("91440703MA4UABC0"[:17].ljust(17, "1")), uscc("9144070312345678X")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    header = ["名称", "类别", "统一社会信用代码", "网格编码", "联系人手机"]
    ok = write_csv(tmp_path / "组织.csv", header, [["甲公司", "企业", good, w.GRID, ""]])
    assert import_file("test", "organisations", ok, dry_run=False).ok
    path = write_csv(
        tmp_path / "组织2.csv",
        header,
        [
            ["乙公司", "enterprise", other, w.GRID, testing.mobile(830)],
            ["丙公司", "企业", bad, w.GRID, ""],
            ["丁公司", "企业", good, w.GRID, ""],
            ["戊公司", "企业", other, w.GRID, "12345"],
        ],
    )
    result = import_file("test", "organisations", path, dry_run=False)
    assert [(p.row, p.column) for p in result.problems] == [
        (3, "统一社会信用代码"), (5, "联系人手机"), (4, "统一社会信用代码"),
    ]  # fmt: skip
    assert list(Organisation.objects.values_list("name", flat=True)) == ["甲公司"]


def test_a_bad_header_is_refused_before_any_row(tmp_path):
    """R11.1: an unknown or missing column is refused at row 1 (nothing read, nothing kept)."""
    path = write_csv(tmp_path / "x.csv", ["姓名", "身份证"], [["张三", "1"]])
    with pytest.raises(ImportRefused) as refused:
        import_file("test", "residents", path, dry_run=True)
    assert {(p.row, p.column) for p in refused.value.problem_rows} == {
        (1, "身份证"),
        (1, "证件号码"),
    }


def test_a_county_agency_imports_only_into_its_county_and_a_worker_not_at_all(tmp_path):
    """R22.1: the import's jurisdiction is checked; rows outside it are errors."""
    path = houses_file(tmp_path)
    other = testing.make_user("agency_admin", "440704", username="imp_other")
    with pytest.raises(Forbidden):
        import_file(other, "houses", path, dry_run=True, region_code="440703")
    result = import_file(other, "houses", path, dry_run=True)  # its own county: rows outside
    assert result.problem_count == 3 and result.problems[2].column == "村(社区)代码"
    worker = testing.make_user("grid_worker_fulltime", w.GRID, username="imp_worker")
    with pytest.raises(Forbidden):
        import_file(worker, "houses", path, dry_run=True)
    mine = testing.make_user("agency_admin", "440703", username="imp_mine")
    assert import_file(mine, "houses", path, dry_run=False).ok
    assert AuditRecord.objects.get(action="registry.import").role == "agency_admin"


def test_layouts_have_chinese_headers_and_english_codes():
    """R11.1: every kind's template names each column in Chinese with its code."""
    for kind in ("residents", "houses", "organisations"):
        columns = layout(kind)
        assert all(c.header and c.code.isascii() for c in columns)


def test_the_template_itself_and_a_gb18030_file_are_read(tmp_path):
    """R11.1: the downloaded template (its note row skipped) filled in and saved by Excel on
    Chinese Windows (GB 18030) imports."""
    from registry.importing.columns import template_rows

    w.located_grid()
    header, notes = template_rows("organisations")
    row = dict.fromkeys(header, "")
    row.update({"名称": "己公司", "类别": "社会组织", "网格编码": w.GRID})
    path = tmp_path / "组织模板.csv"
    with path.open("w", encoding="gb18030", newline="") as out:
        writer = csv.writer(out)
        writer.writerows([header, notes, [row[h] for h in header]])
    result = import_file("test", "organisations", path, dry_run=False)
    assert result.ok and result.rows_checked == 1, result.problems
    assert Organisation.objects.get().kind == "social_organisation"


def test_a_household_by_address_code_alone_lies_in_the_house_village(tmp_path):
    """R11.1: a row naming only the house's address code (no village) still forms its
    household in the village of the house, with its head."""
    import_file("test", "houses", houses_file(tmp_path), dry_run=False)
    code = StandardAddress.objects.get(full_text="白沙大道8号3栋503室").code
    path = write_csv(
        tmp_path / "户.csv",
        ["姓名", "证件号码", "地址编码", "户号", "与户主关系"],
        [
            ["赵一", w.id_number(841), code, "H9", "户主"],
            ["赵二", w.id_number(842), code, "H9", "子女"],
        ],
    )
    result = import_file("test", "residents", path, dry_run=False)
    assert result.ok, result.problems
    household = Household.objects.get(number="H9")
    assert household.region_code == w.VILLAGE and household.head.name == "赵一"
    assert household.members.count() == 2


def test_cell_text_is_stored_exactly_even_with_a_control_character(tmp_path):
    """R11.1: the names and notes of the rows are kept as written, whatever they hold (the
    writer sends a text column joined by the ASCII unit separator; a cell holding it goes
    another way), and an empty note stays empty."""
    testing.make_grid(w.GRID)
    path = write_csv(
        tmp_path / "人口.csv",
        ["姓名", "证件号码", "网格编码", "备注"],
        [
            ["甲\x1f乙", w.id_number(821), w.GRID, "备\x1f注"],
            ["丙", w.id_number(822), w.GRID, ""],
        ],
    )
    result = import_file("test", "residents", path, dry_run=False)
    assert result.ok, result.problems
    stored = dict(Resident.objects.values_list("name", "note"))
    assert stored == {"甲\x1f乙": "备\x1f注", "丙": ""}
    alone = write_csv(
        tmp_path / "一人.csv", ["姓名", "证件号码", "网格编码"], [["丁", w.id_number(823), w.GRID]]
    )
    assert import_file("test", "residents", alone, dry_run=False).ok
    assert Resident.objects.get(name="丁").note == ""


def test_a_duplicate_two_batches_apart_is_found_and_nothing_is_kept(tmp_path):
    """R11.1, R22.1: rows are checked and written batch by batch (the next batch checked while
    this one is written); a number repeated 2,000 rows later is still an error row, every row
    is counted, and nothing of the file is kept."""
    testing.make_grid(w.GRID)
    numbers = [w.id_number(i % 1000, birth=f"19800{1 + i // 1000}01") for i in range(2003)]
    numbers.append(numbers[1])
    path = write_csv(tmp_path / "人口.csv", RESIDENT_HEADER, resident_rows(*numbers))
    result = import_file("test", "residents", path, dry_run=False)
    assert result.rows_checked == 2004 and result.records_written == 2003
    assert [(p.row, p.column) for p in result.problems] == [(2005, "证件号码")]
    assert not Resident.objects.exists()
    assert not AuditRecord.objects.filter(action="registry.import").exists()


def test_a_row_the_database_refuses_is_one_problem_and_nothing_is_kept(tmp_path, monkeypatch):
    """R11.1, R22.1: when the database itself refuses a batch (here a constraint the checks
    do not know), the import reports it as a problem row naming the rows, keeps nothing and
    does not fail with an internal error."""
    from registry.importing import write

    testing.make_grid(w.GRID)
    real = write.insert_rows

    def without_names(model, columns):  # type: ignore[no-untyped-def]
        return real(model, {**columns, "name": [None] * len(columns["name"])})

    monkeypatch.setattr(write, "insert_rows", without_names)
    path = write_csv(tmp_path / "人口.csv", RESIDENT_HEADER, resident_rows(w.id_number(831)))
    result = import_file("test", "residents", path, dry_run=False)
    assert not result.ok and result.problem_count == 1
    assert "数据库拒绝写入第 2–2 行" in result.problems[0].reason
    assert not Resident.objects.exists()
