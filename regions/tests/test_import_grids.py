"""A county loads its first division of grids from GeoJSON or a Shapefile (R8.1, R8.2)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pyproj
import pytest
import shapefile
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from shapely.geometry import mapping

from gridgov.testing.regions import box, make_grid, make_tree
from regions.models import Grid, GridChange

pytestmark = pytest.mark.django_db

V1, V2 = "440703002101", "440703002102"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def tree():
    return make_tree()


def feature(geom, **props):
    return {"type": "Feature", "properties": props, "geometry": mapping(geom)}


def halves_features():
    return [
        feature(box(0, 0, 0.5, 1), village=V1, name="羊桥西网格", households=420, population=1300),
        feature(box(0.5, 0, 1, 1), village=V1, name="羊桥东网格", households="380"),
        feature(box(1, 0, 1.5, 1), code=f"{V2}002", households=300.0),
        feature(box(1.5, 0, 2, 1), code=f"{V2}001"),
    ]


def write_geojson(tmp_path: Path, features) -> Path:
    path = tmp_path / "grids.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


def write_shapefile(tmp_path: Path, rows, *, encoding="utf-8", prj: str | None = None) -> Path:
    """A polygon Shapefile written by pyshp: rows of (geometry, village, name, households)."""
    base = tmp_path / "grids"
    with shapefile.Writer(str(base), shapeType=shapefile.POLYGON, encoding=encoding) as w:
        w.field("village", "C", size=12)
        w.field("name", "C", size=100)
        w.field("households", "N", size=10)
        for geom, village, name, households in rows:
            rings = [list(geom.exterior.coords)[::-1]]  # Shapefile outer rings are clockwise
            w.poly(rings)
            w.record(village, name, households)
    if encoding != "utf-8":
        base.with_suffix(".cpg").write_text(encoding.upper(), "ascii")
    if prj:
        base.with_suffix(".prj").write_text(prj, "utf-8")
    return base.with_suffix(".shp")


def test_r8_1_a_county_loads_its_first_division_from_geojson(tree, tmp_path, capsys):
    """R8.1, R8.2: the grids of two villages, numbered by village (given codes kept), named
    and counted as in the file, filed with the city as one division; the coverage report
    follows."""
    call_command("import_grids", str(write_geojson(tmp_path, halves_features())))
    grids = {g.code: g for g in Grid.objects.current()}
    assert sorted(grids) == [f"{V1}001", f"{V1}002", f"{V2}001", f"{V2}002"]
    assert grids[f"{V1}001"].name == "羊桥西网格" and grids[f"{V1}001"].households == 420
    assert grids[f"{V1}002"].households == 380 and grids[f"{V2}002"].households == 300
    assert grids[f"{V2}001"].geometry.equals(box(1.5, 0, 2, 1))
    assert grids[f"{V2}001"].name == "迦南社区第1网格"
    change = GridChange.objects.get()
    assert change.kind == GridChange.Kind.DIVISION and change.filed_with.code == "4407"
    out = capsys.readouterr().out
    assert "stored 4 grids in 2 villages of 440703" in out
    assert "coverage of 440703: 0 problems" in out


def test_r8_1_a_shapefile_with_gbk_names_and_a_projected_prj(tree, tmp_path, capsys):
    """Shapefiles via pyshp: Chinese names in GBK (said by the .cpg), coordinates in CGCS2000
    Gauss-Krüger (EPSG:4547, said by the .prj) reprojected to lng/lat; a gap in a village is
    reported, not refused."""
    to_gk = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:4547", always_xy=True)
    projected = [
        shapely.transform(g, to_gk.transform, interleaved=False)
        for g in (box(0, 0, 0.5, 1), box(0.5, 0, 1, 1), box(1, 0, 1.9, 1))
    ]
    prj = pyproj.CRS("EPSG:4547").to_wkt(pyproj.enums.WktVersion.WKT1_ESRI)
    path = write_shapefile(
        tmp_path,
        [
            (projected[0], V1, "羊桥西网格", 420),
            (projected[1], V1, "羊桥东网格", 380),
            (projected[2], V2, "迦南网格", 0),
        ],
        encoding="gbk",
        prj=prj,
    )
    call_command("import_grids", str(path))
    west = Grid.objects.current().get(code=f"{V1}001")
    assert west.name == "羊桥西网格" and west.households == 420
    assert abs(west.area_m2 - Grid.objects.current().get(code=f"{V1}002").area_m2) < 1000
    assert west.geometry.symmetric_difference(box(0, 0, 0.5, 1)).area < 1e-12  # ~1 m²
    out = capsys.readouterr().out
    assert "gap" in out and V2 in out  # 迦南 is covered up to x = 1.9 only


def test_r8_1_a_zipped_shapefile_loads_too(tree, tmp_path):
    path = write_shapefile(
        tmp_path, [(box(0, 0, 1, 1), V1, "羊桥网格", 800), (box(1, 0, 2, 1), V2, "迦南网格", 600)]
    )
    archive = tmp_path / "grids.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for suffix in (".shp", ".shx", ".dbf"):
            z.write(path.with_suffix(suffix), f"grids{suffix}")
    call_command("import_grids", str(archive))
    assert Grid.objects.current().count() == 2


BOWTIE = shapely.Polygon(
    [(113.07, 22.60), (113.075, 22.61), (113.075, 22.60), (113.07, 22.61), (113.07, 22.60)]
)


def test_an_invalid_polygon_is_refused_with_its_place_and_repaired_on_request(
    tree, tmp_path, capsys
):
    """The same validation and repair as import_boundaries: GEOS's reason and place; with
    --repair the area before and after."""
    features = [
        {"type": "Feature", "properties": {"village": V1}, "geometry": mapping(BOWTIE)},
    ]
    path = write_geojson(tmp_path, features)
    with pytest.raises(CommandError, match="1 problems; nothing was stored"):
        call_command("import_grids", str(path))
    assert "Self-intersection at 113.072500,22.605000" in capsys.readouterr().err
    assert not Grid.objects.exists()
    call_command("import_grids", str(path), "--repair")
    out = capsys.readouterr().out
    assert "repaired feature 1 in 440703002101" in out and "Δ" in out
    assert Grid.objects.current().count() == 1


@pytest.mark.parametrize(
    ("features", "expected"),
    [
        (
            [feature(box(0, 0, 0.6, 1), village=V1), feature(box(0.5, 0, 1, 1), village=V1)],
            "overlap",
        ),
        ([feature(box(0, 0, 1.2, 1), village=V1)], "outside"),
        ([feature(box(0, 0, 1, 1), village="440703002199")], "unknown villages: 440703002199"),
        ([feature(box(0, 0, 1, 1), village="4407030021")], "give village (a 12-digit code)"),
        ([feature(box(0, 0, 1, 1), village=V1, households="1e20")], "households must be"),
        ([feature(box(0, 0, 1, 1), village=V1, households=10**20)], "households must be"),
        ([feature(box(0, 0, 1, 1), village=V1, population=-3)], "population must be"),
        ([feature(box(0, 0, 1, 1), code=f"{V1}002")], "grid codes must run 001…001"),
        ([feature(box(0, 0, 1, 1), code="44070300210100１")], "is not a 15-digit grid code"),
        ([feature(shapely.LineString([(113, 22), (113.1, 22.1)]), village=V1)], "Polygon"),
        (
            [
                {
                    "type": "Feature",
                    "properties": {"village": V1},
                    "geometry": mapping(shapely.box(500000, 2500000, 501000, 2501000)),
                }
            ],
            "coordinates outside lng -180..180",
        ),
    ],
)
def test_bad_input_is_one_readable_refusal_and_stores_nothing(
    tree, tmp_path, capsys, features, expected
):
    with pytest.raises(CommandError) as refused:
        call_command("import_grids", str(write_geojson(tmp_path, features)))
    assert "nothing was stored" in str(refused.value) and "\n" not in str(refused.value)
    assert expected in capsys.readouterr().err
    assert not Grid.objects.exists() and not GridChange.objects.exists()


def test_grids_of_two_counties_or_a_divided_village_are_refused(tree, tmp_path, capsys):
    from gridgov.testing.people import ensure_region

    ensure_region("440784001001")
    two = [feature(box(0, 0, 1, 1), village=V1), feature(box(0, 0, 1, 1), village="440784001001")]
    with pytest.raises(CommandError):
        call_command("import_grids", str(write_geojson(tmp_path, two)))
    assert "load one county's division per file" in capsys.readouterr().err
    make_grid(tree["v1"], 1, box(0, 0, 1, 1))
    with pytest.raises(CommandError, match="already have grids"):
        call_command(
            "import_grids", str(write_geojson(tmp_path, [feature(box(0, 0, 1, 1), village=V1)]))
        )


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("grids.geojson", "{not json", "not valid JSON"),
        ("grids.shp", b"not a shapefile", "not a readable Shapefile"),
        ("grids.zip", b"PK\x03\x04broken", "not a zip archive"),
        ("grids.kml", "<kml/>", "give a GeoJSON file"),
    ],
)
def test_unreadable_files_are_one_line(tree, tmp_path, name, content, expected):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, "utf-8")
    with pytest.raises(CommandError, match=expected):
        call_command("import_grids", str(path))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_grids", str(tmp_path / "missing.geojson"))


# --- the upload in grid management ------------------------------------------------------------


def upload(client, tmp_path, features, **data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    path = write_geojson(tmp_path, features)
    file = SimpleUploadedFile("划分.geojson", path.read_bytes(), "application/geo+json")
    return client.post("/grids/regions/440703/import/", {"file": file, **data})


def test_r8_1_the_county_uploads_its_division_in_grid_management(client, tree, tmp_path):
    """R8.1: the same import as a page: the county page links to it, the report shows what
    was stored and the coverage left."""
    from gridgov.access import roles as R
    from gridgov.testing.people import make_user

    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440703"))
    assert (
        'href="/grids/regions/440703/import/"'
        in client.get("/grids/regions/440703/").content.decode()
    )
    assert client.get("/grids/regions/440703/import/").status_code == 200
    response = upload(client, tmp_path, halves_features(), reason="初次划分")
    assert response.status_code == 200
    text = response.content.decode()
    assert "stored 4 grids in 2 villages of 440703" in text
    assert "coverage of 440703: 0 problems" in text
    assert GridChange.objects.get().reason == "初次划分"
    assert Grid.objects.current().count() == 4


def test_the_upload_refuses_bad_files_with_every_problem_and_stores_nothing(client, tree, tmp_path):
    from gridgov.access import roles as R
    from gridgov.testing.people import make_user

    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440703"))
    bad = [feature(box(0, 0, 0.6, 1), village=V1, households="许多"), feature(BOWTIE, village=V1)]
    response = upload(client, tmp_path, bad)
    assert response.status_code == 400
    text = response.content.decode()
    assert "2 problems; nothing was stored" in text and "划分.geojson" in text
    assert "households must be a whole number" in text and "Self-intersection" in text
    assert not Grid.objects.exists()
    from django.core.files.uploadedfile import SimpleUploadedFile

    kml = SimpleUploadedFile("grids.kml", b"<kml/>", "application/vnd.google-earth.kml+xml")
    response = client.post("/grids/regions/440703/import/", {"file": kml})
    assert response.status_code == 400 and "GeoJSON" in response.content.decode()


def test_only_the_county_agency_may_upload_a_division(client, tree, tmp_path):
    """R8.1: the county agency draws; a dispatcher or a township administrator may not load
    the county's division."""
    from gridgov.access import roles as R
    from gridgov.testing.people import make_user

    client.force_login(make_user(R.Role.DISPATCHER, "440703"))
    assert client.get("/grids/regions/440703/import/").status_code == 403
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440703002"))
    assert client.get("/grids/regions/440703/import/").status_code == 404  # not in its scope
    client.force_login(make_user(R.Role.AGENCY_ADMIN, "440784"))
    assert client.get("/grids/regions/440703/import/").status_code == 404
