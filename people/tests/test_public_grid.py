"""R8.4: the public page of a grid shows its workers (name, kind, work phone) and the
supervision phone of the township agency, and nothing else about a person."""

from __future__ import annotations

import pytest

from gridgov.testing.people import id_number, make_agency, make_worker
from people import services

GRID = "440703002101001"


@pytest.mark.django_db
def test_public_grid_page_discloses_workers_and_supervision_phone(client):
    make_agency("440703002", supervision_phone="0750-3261234")
    make_worker("leader", grid_code=GRID, name="张网格长", work_phone="0750-3100001", seed=1)
    make_worker("fulltime", grid_code=GRID, name="李专职", work_phone="13800138000", seed=2)
    page = client.get(f"/public/grids/{GRID}/").content.decode()
    assert "张网格长" in page and "李专职" in page
    assert page.index("张网格长") < page.index("李专职")  # the leader first
    assert "网格长" in page and "专职网格员" in page
    assert "0750-3100001" in page and "13800138000" in page
    assert "0750-3261234" in page and "白沙街道" in page
    # Personal data never: not the ID number, not the personal phone, not even masked.
    assert id_number(1) not in page and id_number(2) not in page
    assert "13800000001" not in page and "138****0001" not in page
    assert "4407****" not in page


@pytest.mark.django_db
def test_workers_who_left_are_no_longer_shown(client):
    leader = make_worker("leader", grid_code=GRID, name="张网格长")
    services.exit_worker("test", leader, reason="resigned")
    page = client.get(f"/public/grids/{GRID}/").content.decode()
    assert "张网格长" not in page
    assert "暂未公示网格员" in page
