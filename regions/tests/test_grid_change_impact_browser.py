"""The change form's preview in a real browser (R8.1, R10.2): before a split is submitted the
administrator sees the open cases and the people it moves, chooses where each worker goes, and
must accept the part left without a leader before the change can be confirmed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gridgov.access import roles as R
from gridgov.testing.people import make_user, make_worker
from gridgov.testing.regions import halves, make_tree
from people.models import GridAssignment
from regions.tests.test_grid_editor_browser import open_editor, screen_point

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WEST = "440703002101001"
PART_1, PART_2 = "440703002101003", "440703002101004"


@pytest.fixture
def county_admin():
    halves(make_tree())
    return make_user(R.Role.AGENCY_ADMIN, "440703", username="county_admin")


def test_r10_2_the_split_form_shows_people_and_needs_the_vacancy_accepted(
    live_server, page, login_as, county_admin
):
    leader = make_worker("leader", grid_code=WEST, name="张网格长")
    make_worker("fulltime", grid_code=WEST, name="李专职")
    login_as(county_admin)
    open_editor(page, live_server, "split")
    for x, y in ((0.75, 0.5), (-0.1, 0.5)):  # across the west grid, east to west
        page.mouse.click(*screen_point(page, x, y))
    page.get_by_role("button", name="完成切割线").click()
    page.locator("#split-parts li").nth(1).wait_for()
    page.locator("#split-form textarea[name=reason]").fill("小区入住,户数增加")
    page.get_by_role("button", name="提交拆分").click()

    impact = page.locator("#split-form .change-impact")
    expect(impact.locator(".impact-workers tbody tr")).to_have_count(2)
    assert "没有未办结的事件受影响" in impact.inner_text()
    confirm = impact.get_by_role("button", name="确认提交")
    expect(confirm).to_be_disabled()  # one part would have no leader
    # send the leader to the other part: the vacancy moves with him
    select = impact.get_by_label("张网格长 转入")
    other = PART_2 if select.input_value() == PART_1 else PART_1
    select.select_option(other)
    vacant = impact.locator(".impact-vacant input[type=checkbox]")
    expect(vacant).to_have_count(1)
    expect(impact.get_by_label("张网格长 转入")).to_have_value(other)
    vacant_code = PART_1 if other == PART_2 else PART_2
    assert vacant.get_attribute("name") == f"accept-{vacant_code}"
    expect(impact.get_by_role("button", name="确认提交")).to_be_disabled()
    vacant.check()
    impact.get_by_role("button", name="确认提交").click()
    page.locator("#editor-result.ok").wait_for()
    assert GridAssignment.objects.active().get(worker=leader).grid_code == other
    assert not GridAssignment.objects.active().filter(grid_code=WEST).exists()
