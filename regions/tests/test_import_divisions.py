"""Loading the official division codes into the region tree (R4, R8)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditRecord
from regions.importers import ImportRefused, import_divisions
from regions.models import Region

DEMO = Path(__file__).resolve().parents[2] / "demo" / "data" / "jiangmen"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "divisions"

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        level: Region.objects.filter(level=level).count()
        for level in ("province", "city", "county", "township", "village")
    }


@pytest.fixture
def division_dir(tmp_path: Path) -> Path:
    target = tmp_path / "divisions"
    shutil.copytree(DEMO, target)
    (target / "jiangmen-counties.geojson").unlink()
    return target


def test_jiangmen_subset_loads_the_whole_tree_with_parents():
    """R8.1: the tree grids stand on — 江门市: 7 counties, 82 townships, 1,348 villages."""
    call_command("import_divisions", str(DEMO), "--city", "4407")
    assert counts() == {"province": 1, "city": 1, "county": 7, "township": 82, "village": 1348}
    village = Region.objects.get(code="440703002101")
    assert village.parent.code == "440703002"
    assert [r.code for r in village.path()] == ["44", "4407", "440703", "440703002", village.code]
    assert village.kind == "urban"  # 居委会
    assert Region.objects.filter(level="village", kind="rural").exists()  # 村委会


def test_reimport_is_idempotent(division_dir: Path):
    import_divisions(division_dir)
    before = counts()
    records = AuditRecord.objects.count()
    report = import_divisions(division_dir)
    assert counts() == before
    assert report.total_created == 0 and not report.renamed
    assert AuditRecord.objects.count() == records  # nothing changed, nothing to audit


def test_renamed_unit_is_updated_not_duplicated(division_dir: Path):
    import_divisions(division_dir)
    villages = division_dir / "villages.csv"
    villages.write_text(
        villages.read_text(encoding="utf-8").replace("羊桥社区居委会", "羊桥社区居民委员会"),
        encoding="utf-8",
    )
    report = import_divisions(division_dir)
    assert report.renamed == [("440703002101", "羊桥社区居委会", "羊桥社区居民委员会")]
    assert Region.objects.filter(code="440703002101").count() == 1
    assert Region.objects.get(code="440703002101").name == "羊桥社区居民委员会"
    audit = AuditRecord.objects.filter(action="regions.import_divisions").first()
    assert audit.after["renamed"] == [["440703002101", "羊桥社区居委会", "羊桥社区居民委员会"]]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('440703002999,"",440703002,44,4407,440703', "name is empty"),
        ('44070300299,"短码村",440703002,44,4407,440703', "is not a 12-digit village code"),
        ('440703002998,"错父村",440703005,44,4407,440703', "is not the prefix of code"),
        (
            '440703009998,"孤儿村",440703009,44,4407,440703',
            "parent 440703009 of 440703009998 is unknown",
        ),
        ('440703002997,"缺列村"', "expected 6 columns"),
    ],
)
def test_malformed_row_names_file_and_line_and_imports_nothing(division_dir: Path, line, message):
    """A bad row anywhere refuses the whole import, with the file and line number."""
    villages = division_dir / "villages.csv"
    lines = villages.read_text(encoding="utf-8").splitlines()
    lines.insert(10, line)
    villages.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_divisions(division_dir)
    assert any("villages.csv:11: " in p and message in p for p in refused.value.problems), (
        refused.value.problems
    )
    assert Region.objects.count() == 0


def test_command_reports_bad_rows_and_exits_non_zero(division_dir: Path, capsys):
    (division_dir / "areas.csv").write_text('code,name,cityCode,provinceCode\nABC,"x",4407,44\n')
    with pytest.raises(CommandError, match="malformed rows; nothing was imported"):
        call_command("import_divisions", str(division_dir))
    assert "areas.csv:2: code 'ABC' is not a 6-digit county code" in capsys.readouterr().err
    assert Region.objects.count() == 0


def test_bad_arguments_are_one_line_errors(tmp_path: Path):
    with pytest.raises(CommandError, match="not a directory"):
        call_command("import_divisions", str(tmp_path / "missing"))
    with pytest.raises(CommandError, match=r"none of provinces\.csv"):
        call_command("import_divisions", str(tmp_path))
    with pytest.raises(CommandError, match="4-digit city code"):
        call_command("import_divisions", str(DEMO), "--city", "44x7")


@pytest.mark.shared_data
def test_whole_guangdong_from_shared_data():
    """The official Guangdong file set: 21 cities, 124 counties, 1,757 townships, 26,842
    villages; filtering by city gives exactly that city's subtree."""
    if not SHARED.is_dir():
        pytest.skip(f"shared data not present at {SHARED}")
    import_divisions(SHARED, city="4407")
    assert counts()["village"] == 1348
    import_divisions(SHARED)
    assert counts() == {
        "province": 1,
        "city": 21,
        "county": 124,
        "township": 1757,
        "village": 26842,
    }
