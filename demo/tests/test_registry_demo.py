"""The demo registry (R11.1, R22.1) on a small world: residents with valid fictitious ID
numbers whose birth date and gender agree, households with one head, houses at addresses
inside their grids, organisations with valid credit codes, places, things and tags."""

from __future__ import annotations

import pytest
import shapely

from audit import personal_data as pd
from audit.models import AuditRecord
from demo import registry as demo_registry
from regions.models import Grid
from registry.models import (
    Household,
    Organisation,
    Place,
    Resident,
    SpecialGroupTag,
    StandardAddress,
    Thing,
)
from registry.tests import world as w
from registry.validation import normalize_uscc

pytestmark = pytest.mark.django_db


def test_the_demo_registry_is_believable():
    """R11.1: a village of 白沙街道 with a grid polygon gets a whole registry."""
    w.located_grid()
    summary = demo_registry.load(villages=1, residents_per_village=400)
    assert "residents" in summary
    residents = Resident.objects.all()
    assert 300 <= residents.count() <= 500
    assert residents.filter(kind="floating", house_relation="tenant").exists()
    for resident in residents[:50]:
        number = pd.decrypt(resident.id_number_encrypted, purpose="registry.resident.id_number")
        assert pd.normalize_id_number(number) == number and number.startswith("440703")
        assert number[6:14] == f"{resident.birth_date:%Y%m%d}"
        assert pd.gender_of(number) == resident.gender
    households = Household.objects.all()
    assert households.exists() and not households.filter(head__isnull=True).exists()
    grid = Grid.objects.get(code=w.GRID).geometry
    for address in StandardAddress.objects.filter(level="street_number"):
        assert address.grid_code == w.GRID
        assert grid.contains(shapely.Point(address.lng, address.lat))
    for organisation in Organisation.objects.all():
        assert normalize_uscc(organisation.credit_code) == organisation.credit_code
    assert Place.objects.exists() and Thing.objects.exists()
    kinds = set(SpecialGroupTag.objects.values_list("kind", flat=True))
    assert {"disabled", "elderly_alone"} <= kinds
    assert AuditRecord.objects.filter(action="registry.import").count() == 3
