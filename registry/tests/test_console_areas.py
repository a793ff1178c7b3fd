"""R11.1, R22.1: the console's area filter at any size of jurisdiction: a select for a small
one, a code field with suggestions searched by name or code for a large one (a county of
thousands of grids), the code checked against the user's jurisdiction."""

from __future__ import annotations

import pytest

from gridgov.testing import people as testing
from registry import views_areas
from registry.tests import world as w

pytestmark = pytest.mark.django_db
REG = "/registry"
FOREIGN_GRID = "440704001001001"


@pytest.fixture
def admin(client):
    user = testing.make_user("agency_admin", "440703", username="area_admin")
    client.force_login(user)
    return user


@pytest.fixture
def world():
    home = w.house()
    w.resident(home, name="区域甲")
    other = w.house(w.room(w.street("江华路", "3号", grid=w.OTHER_GRID)))
    w.resident(other, name="区域乙")
    testing.make_grid(FOREIGN_GRID, name="外县网格")


@pytest.fixture
def many(monkeypatch):
    """A jurisdiction above the select's bound (the bound lowered, not 300 grids made)."""
    monkeypatch.setattr(views_areas, "SELECT_LIMIT", 1)


def test_a_small_jurisdiction_chooses_from_its_villages_and_grids(client, admin, world):
    page = client.get(f"{REG}/residents/").content.decode()
    assert '<select name="area"' in page
    assert f'<option value="{w.GRID}"' in page and f'<option value="{w.VILLAGE}"' in page
    assert FOREIGN_GRID not in page


def test_a_large_jurisdiction_types_a_code_with_searched_suggestions(client, admin, world, many):
    """R11.1: no list of every grid: a field with htmx suggestions from /registry/areas/."""
    page = client.get(f"{REG}/residents/").content.decode()
    assert '<select name="area"' not in page and f'value="{w.GRID}"' not in page
    assert 'name="area"' in page and 'hx-get="/registry/areas/"' in page
    assert 'list="area-options"' in page
    chosen = client.get(f"{REG}/residents/", {"area": w.GRID})
    assert chosen.status_code == 200
    body = chosen.content.decode()
    assert "区域甲" in body and "区域乙" not in body
    assert f'value="{w.GRID}"' in body and "data-area-label" in body


def test_suggestions_come_from_my_jurisdiction_by_name_or_code(client, admin, world):
    """R22.1: another county's grid is never suggested."""
    by_name = client.get(f"{REG}/areas/", {"area": "测试网格"}).content.decode()
    assert f'<option value="{w.GRID}">' in by_name and FOREIGN_GRID not in by_name
    by_code = client.get(f"{REG}/areas/", {"area": w.VILLAGE}).content.decode()
    assert (
        f'<option value="{w.VILLAGE}">' in by_code and f'<option value="{w.OTHER_GRID}">' in by_code
    )
    assert FOREIGN_GRID not in client.get(f"{REG}/areas/", {"area": "外县"}).content.decode()
    assert FOREIGN_GRID not in client.get(f"{REG}/areas/", {"area": "440704"}).content.decode()
    assert client.get(f"{REG}/areas/", {"area": ""}).content.decode().strip() == ""


def test_a_code_outside_my_jurisdiction_is_refused_on_the_field(client, admin, world, many):
    """R22.1: 400 with the field's message, nothing listed, nothing exported."""
    for code in (FOREIGN_GRID, "440703999999"):
        answer = client.get(f"{REG}/residents/", {"area": code})
        assert answer.status_code == 400
        body = answer.content.decode()
        assert f"代码 {code} 不是您辖区内的村(社区)、镇街或网格" in body
        assert "区域甲" not in body and 'aria-invalid="true"' in body
    export = client.get(f"{REG}/residents/export/", {"area": FOREIGN_GRID})
    assert export.status_code == 302 and "/registry/residents/?area=" in export["Location"]
    search = client.get(f"{REG}/", {"q": "区域", "area": FOREIGN_GRID})
    assert search.status_code == 400 and "区域甲" not in search.content.decode()


def test_a_name_typed_without_choosing_says_it_was_not_applied(client, admin, world, many):
    answer = client.get(f"{REG}/residents/", {"area": "白沙"})
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "请填写村(社区)、镇街或网格的数字代码" in body and 'value="白沙"' in body


def test_the_suggestions_need_a_login(client):
    answer = client.get(f"{REG}/areas/", {"area": "测试"})
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
