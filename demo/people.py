"""Demo step: agencies, departments, committees, the demo accounts, and a leader and full-time
worker for every current grid, with generated names and phone numbers (R4–R6, R10, R20.1).

Deterministic (seeded by codes) and idempotent: a second run adds only what is missing, e.g.
workers for grids created since. Workers are written in bulk (thousands of grids take seconds);
the personal data is encrypted exactly as the services do it. One audit record summarises the
step instead of one per generated row.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from audit import personal_data as pd
from audit import services as audit
from demo.actions import DemoAction
from demo.steps import CITY_CODE
from people import services
from people.models import (
    CommitteeKind,
    CommitteeMember,
    Department,
    DepartmentKind,
    Employment,
    GridAgency,
    GridAssignment,
    GridWorker,
    User,
    VillageCommittee,
    WorkerKind,
)
from regions.models import Grid, Level, Region, VillageKind

ACTOR = "demo"
PASSWORD = "gridgov-demo"
BAISHA = "440703002"  # 白沙街道
PENGJIANG = "440703"  # 蓬江区
HESHAN = "440784"  # 鹤山市
BATCH = 2000


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str  # a role code, or "grid:<kind>" for the workers of the demo grid
    where: str  # region code, or "dept:<kind code>@<region code>"
    label: str  # what `make demo` prints


ACCOUNTS = [
    DemoAccount("city_admin", "江门市管理员", "agency_admin", CITY_CODE, "江门市 网格化机构管理员"),
    DemoAccount("pengjiang_admin", "蓬江区管理员", "agency_admin", PENGJIANG,
                "蓬江区 网格化机构管理员"),
    DemoAccount("heshan_admin", "鹤山市管理员", "agency_admin", HESHAN, "鹤山市 网格化机构管理员"),
    DemoAccount("baisha_dispatcher", "白沙街道调度员", "dispatcher", BAISHA,
                "白沙街道 网格化机构调度员"),
    DemoAccount("pj_police", "蓬江公安经办人", "dept_handler", f"dept:police@{PENGJIANG}",
                "蓬江区公安 部门经办人"),
    DemoAccount("pj_urban", "蓬江城管经办人", "dept_handler", f"dept:urban_management@{PENGJIANG}",
                "蓬江区城市管理综合执法 部门经办人"),
    DemoAccount("grid_leader", "", "grid:leader", BAISHA, "白沙街道 {grid} 网格长"),
    DemoAccount("grid_worker", "", "grid:fulltime", BAISHA, "白沙街道 {grid} 专职网格员"),
    DemoAccount("auditor", "江门市审计员", "auditor", CITY_CODE, "江门市 审计员(只读审计记录)"),
    DemoAccount("resident", "居民张三", "resident", "", "居民(公众账号)"),
]  # fmt: skip

SURNAMES = (
    "陈李黄张梁林何吴刘郑谢罗冯叶区邓钟杨麦余卢许周赖曾苏胡关朱马甄伍谭潘司徒文甘梅容莫汤蔡袁彭严江"
)
GIVEN = "伟志明华建国俊杰嘉欣晓红秀英丽芳海燕文涛子豪家乐静怡婉婷永强锦荣少华美玲淑贞国栋德辉"


def _rng(*parts: str) -> random.Random:
    return random.Random(zlib.crc32("|".join(parts).encode()))


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.75 else "")
    return rng.choice(SURNAMES) + given


def _mobile(rng: random.Random) -> str:
    return rng.choice(("135", "136", "137", "138", "139", "150", "158", "188")) + "".join(
        str(rng.randrange(10)) for _ in range(8)
    )


def _landline(rng: random.Random) -> str:
    return f"0750-{rng.randrange(3000000, 3999999)}"


def _id_number(rng: random.Random, county: str, male: bool) -> str:
    birth = f"{rng.randrange(1966, 2001)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
    sequence = rng.randrange(0, 100) * 10 + (rng.choice((1, 3, 5, 7, 9)) if male
                                             else rng.choice((0, 2, 4, 6, 8)))  # fmt: skip
    first17 = f"{county}{birth}{sequence:03d}"
    return first17 + pd.id_check_char(first17)


# --- organisations --------------------------------------------------------------------------


def _agencies() -> int:
    existing = set(GridAgency.objects.values_list("region__code", flat=True))
    made = 0
    regions = Region.objects.filter(
        code__startswith=CITY_CODE, level__in=[Level.CITY, Level.COUNTY, Level.TOWNSHIP]
    ).order_by("code")
    for region in regions:
        if region.code in existing:
            continue
        rng = _rng("agency", region.code)
        services.create_agency(
            ACTOR,
            region_code=region.code,
            office_phone=_landline(rng),
            supervision_phone=_landline(rng),
            address=f"{region.name}网格化服务管理中心",
        )
        made += 1
    return made


def _departments() -> int:
    kinds = list(DepartmentKind.objects.filter(builtin=True))
    existing = set(Department.objects.values_list("region__code", "kind_id"))
    made = 0
    regions = Region.objects.filter(
        code__startswith=CITY_CODE, level__in=[Level.CITY, Level.COUNTY]
    ).order_by("code")
    for region in regions:
        for kind in kinds:
            if (region.code, kind.pk) in existing:
                continue
            services.create_department(
                ACTOR, kind=kind, region_code=region.code, office_phone=_landline(_rng(
                    "dept", region.code, kind.code))
            )  # fmt: skip
            made += 1
    baisha = Region.objects.filter(code=BAISHA).first()
    police = DepartmentKind.objects.filter(code="police").first()
    if baisha and police and (BAISHA, police.pk) not in existing:
        services.create_department(ACTOR, kind=police, region_code=BAISHA, name="白沙派出所")
        made += 1
    return made


def _committees() -> int:
    """One committee and its director per village, in bulk (1,348 in the Jiangmen tree)."""
    villages = Region.objects.filter(code__startswith=CITY_CODE, level=Level.VILLAGE).exclude(
        Exists(VillageCommittee.objects.filter(region=OuterRef("pk")))
    )
    rows = [
        VillageCommittee(
            region=v,
            name=v.name,
            kind=CommitteeKind.VILLAGERS
            if v.kind == VillageKind.RURAL
            else CommitteeKind.RESIDENTS,
            office_phone=_landline(_rng("committee", v.code)),
        )
        for v in villages
    ]
    created = VillageCommittee.objects.bulk_create(rows, batch_size=BATCH)
    members = []
    for committee in VillageCommittee.objects.filter(pk__in=[c.pk for c in created]).select_related(
        "region"
    ):
        rng = _rng("director", committee.region.code)
        members.append(
            CommitteeMember(
                committee=committee,
                name=_name(rng),
                position="director",
                is_party_member=True,
                work_phone=_landline(rng),
                started_on=timezone.localdate().replace(year=2021, month=3, day=1),
            )
        )
    CommitteeMember.objects.bulk_create(members, batch_size=BATCH)
    return len(created)


# --- grid workers ---------------------------------------------------------------------------


def _protected(worker: GridWorker, id_number: str, phone: str) -> None:
    for field, value in (("id_number", id_number), ("personal_phone", phone)):
        kind, purpose = GridWorker.PROTECTED_FIELDS[field]
        # Generated values are valid by construction: skip re-validating 20,000 of them.
        protected = pd.protect_clean(value, kind=kind, purpose=purpose)
        setattr(worker, f"{field}_encrypted", protected.encrypted)
        setattr(worker, f"{field}_digest", protected.digest)
        setattr(worker, f"{field}_masked", protected.masked)


def _new_worker(
    grid: Grid,
    kind: str,
    slot: str,
    agencies: dict[str, int],
    department: Department | None,
    taken: set[tuple[str, str]],
) -> GridWorker:
    rng = _rng("worker", grid.code, slot)
    male = rng.random() < (0.6 if kind == WorkerKind.LEADER else 0.45)
    worker = GridWorker(
        name=_name(rng),
        gender="male" if male else "female",
        kind=kind,
        is_party_member=kind == WorkerKind.LEADER or rng.random() < 0.4,
        village_id=grid.village_id if kind != WorkerKind.PROFESSIONAL else None,
        agency_id=agencies.get(grid.code[:9]),
        department=department,
        region_code=grid.code[:12] if kind != WorkerKind.PROFESSIONAL else department.region.code,
        work_phone=_landline(rng) if kind == WorkerKind.LEADER else _mobile(rng),
    )
    # One record per person and kind: draw again on the rare clash of generated ID numbers.
    while True:
        _protected(worker, _id_number(rng, grid.code[:6], male), _mobile(rng))
        if (worker.id_number_digest, kind) not in taken:
            taken.add((worker.id_number_digest, kind))
            return worker


METHOD = {"leader": "appointed", "fulltime": "recruited", "parttime": "concurrent",
          "professional": "seconded"}  # fmt: skip


def _bulk_workers(plan: list[tuple[GridWorker, list[str]]], started_on) -> int:  # type: ignore[no-untyped-def]
    """Insert workers, their employment and their assignments (by grid code)."""
    for start in range(0, len(plan), BATCH):
        chunk = plan[start : start + BATCH]
        workers = GridWorker.objects.bulk_create([w for w, _ in chunk])
        Employment.objects.bulk_create(
            [Employment(worker=w, method=METHOD[w.kind], started_on=started_on) for w in workers]
        )
        GridAssignment.objects.bulk_create(
            [
                GridAssignment(worker=w, grid_code=code, kind=w.kind, started_on=started_on)
                for w, (_, codes) in zip(workers, chunk, strict=True)
                for code in codes
            ]
        )
    return len(plan)


def _workers() -> tuple[int, int]:
    """A leader and a full-time worker for every current grid without a leader; in 白沙街道
    also a part-time worker per grid and one 白沙派出所 professional for every two grids."""
    agencies = dict(GridAgency.objects.values_list("region__code", "pk"))
    active = GridAssignment.objects.filter(grid_code=OuterRef("code"), ended_on__isnull=True)
    grids = list(
        Grid.objects.current()
        .filter(code__startswith=CITY_CODE)
        .exclude(Exists(active.filter(kind=WorkerKind.LEADER)))
        .only("code", "village_id")
        .order_by("code")
    )
    started_on = timezone.localdate().replace(year=2023, month=1, day=1)
    taken = set(GridWorker.objects.exclude(id_number_digest="").values_list(
        "id_number_digest", "kind"))  # fmt: skip
    plan: list[tuple[GridWorker, list[str]]] = []

    def add(grid: Grid, kind: str, slot: str, codes: list[str], dept: Department | None = None):  # type: ignore[no-untyped-def]
        plan.append((_new_worker(grid, kind, slot, agencies, dept, taken), codes))

    for grid in grids:
        add(grid, WorkerKind.LEADER, "leader", [grid.code])
        add(grid, WorkerKind.FULLTIME, "fulltime", [grid.code])
        if grid.code.startswith(BAISHA):
            add(grid, WorkerKind.PARTTIME, "parttime", [grid.code])
    station = Department.objects.filter(region__code=BAISHA, kind__code="police").first()
    baisha = [g for g in grids if g.code.startswith(BAISHA)]
    if station is not None:
        for first, second in _pairs(baisha):
            codes = [g.code for g in (first, second) if g is not None]
            add(first, WorkerKind.PROFESSIONAL, "police", codes, station)
            plan[-1][0].agency_id = None
    return _bulk_workers(plan, started_on), len(grids)


def _pairs(grids: list[Grid]) -> Iterable[tuple[Grid, Grid | None]]:
    for i in range(0, len(grids), 2):
        yield grids[i], grids[i + 1] if i + 1 < len(grids) else None


# --- accounts -------------------------------------------------------------------------------


def _demo_grid() -> str | None:
    """The grid of the grid_leader and grid_worker accounts: the first of 白沙街道."""
    grid = Grid.objects.current().filter(code__startswith=BAISHA).order_by("code").first()
    return grid.code if grid else None


def _accounts() -> list[str]:
    skipped = []
    grid_code = _demo_grid()
    for account in ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user, _ = services.create_account(
                ACTOR,
                username=account.username,
                full_name=account.full_name or account.username,
                password=PASSWORD,
            )
        if account.role.startswith("grid:"):
            kind = account.role.split(":", 1)[1]
            worker = (
                GridWorker.objects.filter(
                    kind=kind, assignments__grid_code=grid_code, assignments__ended_on__isnull=True
                ).first()
                if grid_code
                else None
            )
            if worker is None:
                skipped.append(account.username)
                continue
            if worker.user_id != user.pk:
                services.update_worker(ACTOR, worker, user=user)
            if user.full_name != worker.name:
                services.update_account(ACTOR, user, full_name=worker.name)
            continue
        department = None
        region_code: str | None = account.where or None
        if account.where.startswith("dept:"):
            kind, _, code = account.where[5:].partition("@")
            department = Department.objects.filter(kind__code=kind, region__code=code).first()
            region_code = None
            if department is None:
                skipped.append(account.username)
                continue
        elif region_code and not Region.objects.filter(code=region_code).exists():
            skipped.append(account.username)
            continue
        services.grant_role(
            ACTOR, user, account.role, region_code=region_code, department=department
        )
    return skipped


@transaction.atomic
def load() -> str:
    agencies = _agencies()
    departments = _departments()
    committees = _committees()
    workers, grids = _workers()
    skipped = _accounts()
    summary = (
        f"{agencies} agencies, {departments} departments, {committees} village committees, "
        f"{workers} grid workers for {grids} grids, {len(ACCOUNTS) - len(skipped)} demo accounts"
    )
    if skipped:
        summary += f" (not set up, their places are missing: {', '.join(skipped)})"
    audit.record(ACTOR, DemoAction.PEOPLE_LOAD, note=summary, object_type="demo.step")
    return summary


def info() -> list[str]:
    grid_code = _demo_grid() or "-"
    lines = ["", f"  demo logins (password for all: {PASSWORD}):"]
    width = max(len(a.username) for a in ACCOUNTS)
    for account in ACCOUNTS:
        lines.append(
            f"    {account.username:<{width}}  {account.label.format(grid=grid_code)}"
            f"  [{account.role.replace('grid:', 'grid_')}]"
        )
    return lines
