"""R8.4: each public grid page carries a QR code that opens it (pushable to residents)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import segno
from django.contrib.staticfiles import finders

from gridgov.testing.regions import halves, make_tree

pytestmark = pytest.mark.django_db


def test_qr_code_encodes_the_grid_pages_address_as_cacheable_svg(client):
    grid = halves(make_tree())[0]
    response = client.get(f"/public/grids/{grid.code}/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "max-age=86400" in response["Cache-Control"] and "public" in response["Cache-Control"]
    expected = io.BytesIO()
    url = f"http://testserver/public/grids/{grid.code}/"
    segno.make(url, error="m").save(
        expected, kind="svg", border=4, xmldecl=False, omitsize=True, title=url
    )
    assert response.content == expected.getvalue()  # the same symbol: it opens that page


def test_grid_page_shows_its_qr_code_and_prints_as_a_notice(client):
    grid = halves(make_tree())[0]
    body = client.get(f"/public/grids/{grid.code}/").content.decode()
    assert f'src="/public/grids/{grid.code}/qr.svg"' in body
    # the print layout is in the page's stylesheet, the print button wired by site.js (the
    # Content-Security-Policy refuses inline styles and handlers, R22.1)
    assert "/static/regions/public-grid.css" in body and "data-print" in body
    stylesheet = Path(finders.find("regions/public-grid.css")).read_text()
    assert "@media print" in stylesheet


def test_no_qr_code_for_an_unknown_grid(client):
    halves(make_tree())
    assert client.get("/public/grids/440703002101999/qr.svg").status_code == 404
    assert client.post("/public/grids/440703002101001/qr.svg").status_code == 405


def test_r8_4_a_retired_grids_qr_code_still_opens_its_page(client):
    """R8.4: printed QR codes outlive a merge; they keep opening the grid's page, which now
    says which grid took over."""
    from regions import services

    west, east, *_ = halves(make_tree())
    services.merge_grids(None, [west.code, east.code], reason="合并")
    assert client.get(f"/public/grids/{west.code}/qr.svg").status_code == 200
    assert client.get(f"/public/grids/{west.code}/").status_code == 200
