"""Public disclosure of the admission lists (R9.2): the list in force with version and date, an
Excel download, older versions readable, JSON for intake forms; no login needed."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from matters import services
from matters.tests.conftest import HS, PJ
from matters.tests.factories import make_published_list


@pytest.fixture
def published(people, catalogue):
    v1 = make_published_list(PJ, ["0101", "0102", "0201"], filed=True, acknowledged=True)
    draft = services.open_draft(people.pj_admin, v1.admission_list)
    services.remove_entry(people.pj_admin, draft.entries.get(item__code="0102"))
    v2 = services.publish_version(people.pj_admin, draft, note="蓬府办〔2024〕12号")
    return v1, v2


def test_r9_2_public_page_shows_the_list_in_force(client, published):
    _v1, v2 = published
    response = client.get(f"/public/matters/{PJ}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "蓬江区网格事项准入清单" in html
    assert "第 2 版" in html and "现行有效" in html
    # the page shows the local (Asia/Shanghai) date, not the UTC one
    assert timezone.localtime(v2.published_at).strftime("%Y-%m-%d") in html
    assert "蓬府办〔2024〕12号" in html
    assert "治安隐患排查" in html and "邻里纠纷" in html
    table = html.split("<table")[1].split("</table>")[0]
    assert "可疑人员线索" not in table  # removed in version 2
    assert "蓬江区公安" in html  # the responsible department
    assert "2 工作小时" in html and "3 工作日" in html  # time limits
    assert "移出 0102 可疑人员线索" in html  # what changed since version 1
    assert f'href="/public/matters/{PJ}/list.xlsx?version=2"' in html


def test_r9_3_older_versions_stay_readable(client, published):
    response = client.get(f"/public/matters/{PJ}/?version=1")
    html = response.content.decode()
    assert response.status_code == 200
    assert "已被新版本替代" in html and "可疑人员线索" in html
    assert client.get(f"/public/matters/{PJ}/?version=9").status_code == 404


def test_drafts_are_not_public(client, people, published):
    _v1, v2 = published
    draft = services.open_draft(people.pj_admin, v2.admission_list)
    assert client.get(f"/public/matters/{PJ}/?version={draft.number}").status_code == 404
    assert client.get(f"/public/matters/{PJ}/list.xlsx?version={draft.number}").status_code == 404


def test_r9_2_excel_download(client, published):
    response = client.get(f"/public/matters/{PJ}/list.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "440703-admission-list-v2.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["准入清单"]
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == ["0101", "0201"]


def test_search_and_index_and_json(client, published):
    html = client.get(f"/public/matters/{PJ}/?q=纠纷").content.decode()
    assert "邻里纠纷" in html and "治安隐患排查" not in html
    index = client.get("/public/matters/").content.decode()
    assert f"/public/matters/{PJ}/" in index and "蓬江区" in index
    data = client.get(f"/public/matters/{PJ}/entries.json").json()
    assert data["version"]["number"] == 2 and data["version"]["in_force"] is True
    assert [e["code"] for e in data["entries"]] == ["0101", "0201"]
    assert data["entries"][0]["lead_department"]["name"] == "蓬江区公安"
    assert data["entries"][0]["settle_on_spot_allowed"] is True


def test_county_without_a_list(client, people):
    response = client.get(f"/public/matters/{HS}/")
    assert response.status_code == 404
    assert "尚未发布" in response.content.decode()
    assert client.get("/public/matters/999999/").status_code == 404
