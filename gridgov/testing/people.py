"""Helpers for tests of every app: regions, grids, organisations, people with roles.

    from gridgov.testing.people import make_user, make_worker, make_grid
    dispatcher = make_user("dispatcher", "440703002")
    handler = make_user("dept_handler", "440703", department_kind="police")
    leader = make_worker("leader", grid_code="440703002101001", with_account=True)

Everything is created through the services with the system as actor, so the objects look
exactly like real ones (audit records included). Missing regions along a code's path are
created on the way, with made-up names unless a known one is given.
"""

from __future__ import annotations

import itertools
from typing import Any

from audit.personal_data import id_check_char
from gridgov.access import roles as R
from people import services
from people.models import Department, DepartmentKind, GridAgency, GridWorker, User
from regions.models import CODE_LENGTHS, Grid, Level, Region

ACTOR = "test"
PASSWORD = "gridgov-test-pass-9"

KNOWN_NAMES = {
    "44": "广东省",
    "4407": "江门市",
    "440703": "蓬江区",
    "440703002": "白沙街道",
    "440703002101": "羊桥社区居委会",
    "440703002102": "迦南社区居委会",
    "440784": "鹤山市",
    "440784001": "沙坪街道",
    "440784001001": "东方红社区居委会",
    "440784001002": "中山社区居委会",
}
LEVEL_BY_LENGTH = {length: level for level, length in CODE_LENGTHS.items()}
_counter = itertools.count(1)


def id_number(seed: int, *, region: str = "440703", birth: str = "19850101") -> str:
    """A well-formed resident ID number (GB 11643 check digit) that differs by ``seed``."""
    first17 = f"{region[:6]}{birth}{seed % 1000:03d}"
    return first17 + id_check_char(first17)


def mobile(seed: int) -> str:
    return f"138{seed % 100_000_000:08d}"


def ensure_region(code: str, name: str | None = None, *, kind: str = "") -> Region:
    """The region with this code, creating it and its ancestors when missing."""
    existing = Region.objects.filter(code=code).first()
    if existing is not None:
        return existing
    level = LEVEL_BY_LENGTH[len(code)]
    parent = None
    shorter = [n for n in sorted(CODE_LENGTHS.values()) if n < len(code)]
    if shorter:
        parent = ensure_region(code[: shorter[-1]])
    return Region.objects.create(
        code=code,
        name=name or KNOWN_NAMES.get(code) or f"测试{Level(level).label}{code}",
        level=level,
        parent=parent,
        kind=kind or ("urban" if level == Level.VILLAGE else ""),
    )


def make_grid(code: str, *, name: str = "") -> Grid:
    """A current grid with this 15-digit code (no polygon), regions made on the way."""
    existing = Grid.objects.current().filter(code=code).first()
    if existing is not None:
        return existing
    village = ensure_region(code[:12])
    return Grid.objects.create(
        code=code, name=name or f"测试网格{code[-3:]}", village=village, households=300
    )


def make_agency(region_code: str, **kwargs: Any) -> GridAgency:
    found = GridAgency.objects.filter(region__code=region_code).first()
    if found is not None:
        return found
    ensure_region(region_code)
    kwargs.setdefault("supervision_phone", "0750-3270000")
    return services.create_agency(ACTOR, region_code=region_code, **kwargs)


def make_department(kind: str, region_code: str, **kwargs: Any) -> Department:
    kind_obj = DepartmentKind.objects.get(code=kind)
    found = Department.objects.filter(kind=kind_obj, region__code=region_code).first()
    if found is not None:
        return found
    ensure_region(region_code)
    return services.create_department(ACTOR, kind=kind_obj, region_code=region_code, **kwargs)


def make_account(username: str | None = None, *, full_name: str = "", **kwargs: Any) -> User:
    username = username or f"user{next(_counter)}"
    user, _generated = services.create_account(
        ACTOR, username=username, full_name=full_name or username, password=PASSWORD, **kwargs
    )
    return user


def make_user(
    role: str,
    code: str = "",
    *,
    username: str | None = None,
    department_kind: str = "police",
    user: User | None = None,
) -> User:
    """An account holding ``role`` over ``code`` (a region code; a grid code for grid roles).

    Agency roles get the agency made; department roles a department of ``department_kind`` at
    ``code``; grid roles a worker of that kind assigned to the grid ``code``.
    """
    user = user or make_account(username)
    if role in R.GRID_ROLES:
        kind = next(k for k, r in R.GRID_ROLE_BY_WORKER_KIND.items() if r == role)
        make_worker(kind, grid_code=code, user=user)
        return user
    department = None
    if role in R.DEPARTMENT_ROLES:
        department = make_department(department_kind, code)
    elif role in R.AGENCY_ROLES:
        make_agency(code)
    elif code:
        ensure_region(code)
    services.grant_role(
        ACTOR,
        user,
        role,
        region_code=None if department is not None else (code or None),
        department=department,
    )
    return user


def make_worker(
    kind: str,
    *,
    grid_code: str | None = None,
    village_code: str | None = None,
    user: User | None = None,
    name: str = "",
    seed: int | None = None,
    department_kind: str = "police",
    **kwargs: Any,
) -> GridWorker:
    """A worker of ``kind``; assigned to ``grid_code`` when given (made if missing)."""
    seed = seed if seed is not None else next(_counter)
    village_code = village_code or (grid_code[:12] if grid_code else None)
    if grid_code:
        make_grid(grid_code)
    elif village_code:
        ensure_region(village_code)
    department = None
    if kind == "professional":
        department = make_department(department_kind, (grid_code or village_code)[:6])
    worker = services.create_worker(
        ACTOR,
        name=name or f"测试{kind}{seed}",
        kind=kind,
        id_number=id_number(seed),
        personal_phone=kwargs.pop("personal_phone", mobile(seed)),
        work_phone=kwargs.pop("work_phone", f"0750-{3000000 + seed % 1000000}"),
        village_code=village_code if kind != "professional" else None,
        department=department,
        is_party_member=kwargs.pop("is_party_member", kind == "leader"),
        user=user,
        **kwargs,
    )
    if grid_code:
        services.assign_worker(ACTOR, worker, grid_code)
    return worker
