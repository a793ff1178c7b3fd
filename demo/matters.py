"""Demo step: 江门市's matter catalogue and an admission list for every county (R9.1–R9.3).

- The catalogue (准入分类目录) of the city agency (``data/jiangmen/matter-*.csv``): 20
  categories and 84 items drawn from the duties of Art. 11 (基础信息采集、社情民意收集、
  安全隐患排查、矛盾排查化解、法律政策宣传、民生公共服务), the 14 departments of Art. 5 and
  the 城管 事件/部件 groups of GB/T 30428 (市容环境、宣传广告、施工管理、街面秩序;
  公用设施、道路交通、园林绿化 parts).
- Every county's list (准入清单), compiled from the catalogue with the county's departments and
  realistic time limits (e.g. 治安隐患排查: dispatch within 2 working hours, handle within 3
  working days; 占道经营: 1 working hour / 1 working day); published, filed with the city and
  acknowledged (恩平市's filing still awaits the city's confirmation).
- 蓬江区 has a second version: an approved request of 蓬江区公安 took 寄递物流安全隐患 out of
  the grid (动态退出), and a rejected request shows the other outcome. Pending requests show the
  workflow: 蓬江区应急管理 asks to add 森林火险 patrols, 沙坪街道 asks 鹤山市 to add 共享单车乱停放.
- Two accounts to try the workflow: ``pj_emergency_head`` (head of 蓬江区应急管理, may request
  changes) and ``shaping_admin`` (沙坪街道's agency administrator, may request changes).

Idempotent: what exists is kept.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from audit import services as audit
from demo.actions import DemoAction
from demo.steps import CITY_CODE, DATA_DIR
from matters import services
from matters.models import AdmissionList, ChangeStatus, MatterCategory, MatterItem, VersionStatus
from people import services as people_services
from people.models import Department, DepartmentKind, GridAgency, User
from regions.models import Level, Region

ACTOR = "demo"
PASSWORD = "gridgov-demo"
PENGJIANG = "440703"
HESHAN = "440784"
URBAN_COUNTIES = {"440703", "440704"}  # 蓬江区, 江海区: the city's core
FAR_COUNTIES = {"440781", "440783", "440785"}  # 台山、开平、恩平: longer distances
UNACKNOWLEDGED = {"440785"}  # 恩平市's filing waits for the city

H, D = "workhours", "workdays"


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    description: str
    keywords: str
    spot: bool  # may be settled on the spot (R24.1)
    lead: str  # department kind code
    co: tuple[str, ...]
    dispatch: tuple[int, str]
    handling: tuple[int, str]
    where: str = "all"  # "all", "urban" (core counties only), "rural" (not in the core)
    notes: str = ""


UNITS = {"h": H, "d": D}


def _limit(text: str) -> tuple[int, str]:
    """Parse a limit: "2h" → (2, "workhours"), "3d" → (3, "workdays")."""
    return int(text[:-1]), UNITS[text[-1]]


def _read(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# The catalogue as data: demo/data/jiangmen/matter-categories.csv and matter-items.csv.
CATEGORIES: list[tuple[str, str, str]] = [
    (row["code"], row["name"], row["description"]) for row in _read("matter-categories.csv")
]
ITEMS: list[Item] = [
    Item(
        code=row["code"],
        name=row["name"],
        description=row["description"],
        keywords=row["keywords"],
        spot=row["settle_on_spot"] == "1",
        lead=row["lead"],
        co=tuple(row["co"].split()),
        dispatch=_limit(row["dispatch"]),
        handling=_limit(row["handling"]),
        where=row["where"] or "all",
        notes=row["notes"],
    )
    for row in _read("matter-items.csv")
]
ITEM_BY_CODE = {item.code: item for item in ITEMS}

# 蓬江区's history (R9.3): approved → version 2, a rejected one, a pending one.
PJ_REMOVED = "0104"
PJ_REJECTED = "0905"
PJ_PENDING = "1604"
HS_PENDING = "0703"

DEMO_ACCOUNTS = [
    (
        "pj_emergency_head",
        "蓬江应急管理负责人",
        "dept_head",
        ("emergency", PENGJIANG),
        "蓬江区应急管理 部门负责人(可提出清单调整申请)",
    ),
    (
        "shaping_admin",
        "沙坪街道管理员",
        "agency_admin",
        ("", "440784001"),
        "鹤山市沙坪街道 网格化机构管理员(可提出清单调整申请)",
    ),
]


def _user(username: str) -> User | str:
    """A demo account to act as, or the system when the people step has not made it."""
    return User.objects.filter(username=username, is_active=True).first() or ACTOR


def _catalogue() -> tuple[int, int]:
    city = Region.objects.get(code=CITY_CODE)
    made_categories = made_items = 0
    categories = {c.code: c for c in MatterCategory.objects.filter(city=city)}
    for order, (code, name, description) in enumerate(CATEGORIES, start=1):
        if code not in categories:
            categories[code] = services.create_category(
                ACTOR,
                city_code=city.code,
                code=code,
                name=name,
                description=description,
                sort_order=order * 10,
            )
            made_categories += 1
    existing = set(MatterItem.objects.filter(city=city).values_list("code", flat=True))
    for order, item in enumerate(ITEMS, start=1):
        if item.code in existing:
            continue
        services.create_item(
            ACTOR,
            category=categories[item.code[:2]],
            code=item.code,
            name=item.name,
            description=item.description,
            keywords=item.keywords,
            settle_on_spot_allowed=item.spot,
            sort_order=order,
        )
        made_items += 1
    return made_categories, made_items


_departments: dict[tuple[str, str], Department] = {}  # for one load(); cleared at its start


def _department(county: Region, kind_code: str) -> Department:
    """The county's department of a kind (made through the people services when missing)."""
    key = (county.code, kind_code)
    if key not in _departments:
        found = (
            Department.objects.filter(region=county, kind__code=kind_code, is_active=True)
            .order_by("pk")
            .first()
        )
        if found is None:
            kind = DepartmentKind.objects.get(code=kind_code)
            found = people_services.create_department(ACTOR, kind=kind, region_code=county.code)
        _departments[key] = found
    return _departments[key]


def _handling(item: Item, county: Region) -> tuple[int, str]:
    amount, unit = item.handling
    if county.code in FAR_COUNTIES and unit == D and amount >= 3:
        amount += 1  # longer travel in the rural counties
    return amount, unit


def _included(item: Item, county: Region) -> bool:
    urban = county.code in URBAN_COUNTIES
    return item.where == "all" or (item.where == "urban") == urban


def _rows(county: Region) -> list[services.ImportRow]:
    rows = []
    items = {i.code: i for i in MatterItem.objects.filter(city__code=CITY_CODE)}
    for number, item in enumerate(ITEMS, start=2):
        if not _included(item, county) or (county.code == PENGJIANG and item.code == PJ_PENDING):
            continue
        lead = _department(county, item.lead)
        handling = _handling(item, county)
        rows.append(
            services.ImportRow(
                row=number,
                item=items[item.code],
                terms=services.EntryTerms(
                    lead_department=lead,
                    co_departments=[_department(county, kind) for kind in item.co],
                    dispatch_limit_amount=item.dispatch[0],
                    dispatch_limit_unit=item.dispatch[1],
                    handling_limit_amount=handling[0],
                    handling_limit_unit=handling[1],
                    amber_threshold_percent=80 if item.dispatch[0] > 1 else 75,
                    notes=item.notes,
                ),
            )
        )
    return rows


def _county_list(county: Region) -> int:
    """Compile, publish and file the county's first version; 0 when it already exists."""
    admission_list = AdmissionList.objects.filter(county=county).first()
    if admission_list is not None and admission_list.versions.published().exists():
        return 0
    admin = _user({PENGJIANG: "pengjiang_admin", HESHAN: "heshan_admin"}.get(county.code, ""))
    admission_list = services.create_list(admin, county_code=county.code)
    services.replace_draft_entries(
        admin, admission_list, _rows(county), source="demo: 依据市准入分类目录编制"
    )
    draft = admission_list.versions.get(status=VersionStatus.DRAFT)
    year = draft.created_at.year
    version = services.publish_version(
        admin, draft, note=f"{county.name}网格事项准入清单({year}年版)"
    )
    version = services.file_version(admin, version)
    if county.code not in UNACKNOWLEDGED:
        version = services.acknowledge_version(_user("city_admin"), version, note="准予备案")
    return version.entries.count()


def _accounts() -> list[str]:
    made = []
    for username, full_name, role, (kind, region_code), _label in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        department = None
        if kind:
            county = Region.objects.filter(code=region_code).first()
            if county is None:
                continue
            department = _department(county, kind)
        elif not GridAgency.objects.filter(region__code=region_code).exists():
            continue
        if user is None:
            user, _ = people_services.create_account(
                ACTOR, username=username, full_name=full_name, password=PASSWORD
            )
            made.append(username)
        people_services.grant_role(
            ACTOR,
            user,
            role,
            region_code=None if department else region_code,
            department=department,
        )
    return made


def _pengjiang_history() -> None:
    """Version 2 of 蓬江区 (a dynamic exit), a rejected request and a pending one (R9.1, R9.3)."""
    county = Region.objects.filter(code=PENGJIANG).first()
    admission_list = AdmissionList.objects.filter(county=county).first() if county else None
    if admission_list is None or admission_list.change_requests.exists():
        return
    admin = _user("pengjiang_admin")
    removal = services.submit_change_request(
        ACTOR,
        county_code=PENGJIANG,
        kind="remove",
        item=PJ_REMOVED,
        reason="寄递物流安全已纳入行业监管专项,由公安、邮政管理部门直接检查,申请退出网格事项",
        department=_department(county, "police"),
    )
    removal = services.approve_change_request(
        admin, removal, reason="同意退出,自新版发布之日起停止受理"
    )
    version = services.publish_version(
        admin, removal.applied_to, note="蓬江区网格事项准入清单(第二版,动态调整)"
    )
    version = services.file_version(admin, version)
    services.acknowledge_version(_user("city_admin"), version, note="准予备案")

    rejected = services.submit_change_request(
        ACTOR,
        county_code=PENGJIANG,
        kind="add",
        item=PJ_REJECTED,
        reason="棠下、荷塘镇仍有零散畜禽养殖,申请纳入网格巡查",
        lead_department=_department(county, "ecology"),
        dispatch_limit_amount=4,
        dispatch_limit_unit=H,
        handling_limit_amount=10,
        handling_limit_unit=D,
        department=_department(county, "ecology"),
    )
    services.reject_change_request(
        admin,
        rejected,
        reason="畜禽养殖污染由生态环境部门专项执法,属部门法定职责,不纳入网格事项(条例第二十三条)",
    )
    head = _user("pj_emergency_head")
    _request_addition(
        head,
        county,
        PJ_PENDING,
        reason="白水带、叱石山周边村居清明、重阳期间祭扫用火多,需网格员协助巡查劝阻",
        co_departments=[_department(county, k) for k in ITEM_BY_CODE[PJ_PENDING].co],
        department=None if isinstance(head, User) else _department(county, "emergency"),
    )


def _request_addition(
    requester: Any, county: Region, code: str, *, reason: str, **more: Any
) -> None:
    """A pending request to add the catalogue item ``code`` on its own terms (lead department
    and time limits as the catalogue gives them)."""
    item = ITEM_BY_CODE[code]
    services.submit_change_request(
        requester,
        county_code=county.code,
        kind="add",
        item=code,
        reason=reason,
        lead_department=_department(county, item.lead),
        dispatch_limit_amount=item.dispatch[0],
        dispatch_limit_unit=item.dispatch[1],
        handling_limit_amount=item.handling[0],
        handling_limit_unit=item.handling[1],
        **more,
    )


def _heshan_pending() -> None:
    county = Region.objects.filter(code=HESHAN).first()
    admission_list = AdmissionList.objects.filter(county=county).first() if county else None
    if (
        admission_list is None
        or admission_list.change_requests.filter(status=ChangeStatus.PENDING).exists()
    ):
        return
    requester = _user("shaping_admin")
    agency = GridAgency.objects.filter(region__code="440784001").first()
    _request_addition(
        requester,
        county,
        HS_PENDING,
        reason="沙坪街道城区共享单车投放量大,乱停放投诉逐月增多,申请纳入网格巡查",
        agency=None if isinstance(requester, User) else agency,
    )


@transaction.atomic
def load() -> str:
    _departments.clear()
    categories, items = _catalogue()
    made_accounts = _accounts()
    counties = Region.objects.filter(code__startswith=CITY_CODE, level=Level.COUNTY).order_by(
        "code"
    )
    entries = {county.name: _county_list(county) for county in counties}
    _pengjiang_history()
    _heshan_pending()
    listed = ", ".join(f"{name} {n}" for name, n in entries.items() if n)
    summary = (
        f"catalogue: {categories} categories, {items} items added; "
        f"admission lists published and filed: {listed or 'none new'}; "
        f"{len(made_accounts)} accounts"
    )
    audit.record(ACTOR, DemoAction.MATTERS_LOAD, note=summary, object_type="demo.step")
    return summary


def info() -> list[str]:
    lines = ["", "  grid matters (R9): /public/matters/ (public lists), /matters/ (staff)"]
    for username, _name, _role, _where, label in DEMO_ACCOUNTS:
        lines.append(f"    {username:<17}  {label}")
    return lines
