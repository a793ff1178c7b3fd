"""A step's text field is named by its label in the messages about it (R24.2, R24.4, R28.1):
"请填写原因", not "请填写reason"; English keeps "Please fill in reason"."""

from __future__ import annotations

import pytest
from django.utils import translation

from cases import services
from cases.inputs import ReportInput
from gridgov.errors import DomainError


def test_r24_2_a_blank_reason_is_asked_for_by_its_label(world):
    """R24.2: declining needs a reason; the refusal names the field by its label, in the
    reader's language, and the case is left as it was."""
    lng, lat = world.point
    case = services.intake(
        world.worker,
        ReportInput(lng=lng, lat=lat, matter=world.entry_code, description="路灯损坏,夜间有隐患"),
    ).case
    state = case.state
    with pytest.raises(DomainError) as refused:
        services.decline(world.dispatcher, case.pk, reason="   ")
    assert refused.value.field == "reason" and str(refused.value) == "请填写原因"
    with translation.override("en"), pytest.raises(DomainError) as refused_en:
        services.decline(world.dispatcher, case.pk, reason="   ")
    assert str(refused_en.value) == "Please fill in reason"
    case.refresh_from_db()
    assert case.state == state
