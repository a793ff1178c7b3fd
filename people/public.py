"""What the public may know about the people of a grid (R8.4): names, kinds, work phones, and
the supervision phone of the township agency. Nothing else about a person, ever."""

from __future__ import annotations

from dataclasses import dataclass

from people.models import GridAgency, GridAssignment, WorkerKind, WorkerStatus
from regions.models import Grid

KIND_ORDER = {
    WorkerKind.LEADER: 0,
    WorkerKind.FULLTIME: 1,
    WorkerKind.PARTTIME: 2,
    WorkerKind.PROFESSIONAL: 3,
}


@dataclass(frozen=True)
class PublicWorker:
    name: str
    kind: str
    kind_label: str
    work_phone: str


@dataclass(frozen=True)
class GridDisclosure:
    workers: list[PublicWorker]
    agency_name: str
    supervision_phone: str


def grid_disclosure(grid: Grid) -> GridDisclosure:
    assignments = (
        GridAssignment.objects.active()
        .filter(grid_code=grid.code, worker__status=WorkerStatus.ACTIVE)
        .select_related("worker")
        .only("kind", "worker__name", "worker__work_phone", "worker__kind")
    )
    workers = sorted(
        (
            PublicWorker(
                name=a.worker.name,
                kind=a.kind,
                kind_label=str(WorkerKind(a.kind).label),
                work_phone=a.worker.work_phone,
            )
            for a in assignments
        ),
        key=lambda w: (KIND_ORDER.get(w.kind, 9), w.name),
    )
    # The township agency supervises the grid; fall back to the county, then the city.
    codes = [grid.code[:9], grid.code[:6], grid.code[:4]]
    agencies = {
        a.region.code: a
        for a in GridAgency.objects.filter(region__code__in=codes, is_active=True).select_related(
            "region"
        )
    }
    agency = next((agencies[c] for c in codes if c in agencies), None)
    return GridDisclosure(
        workers=workers,
        agency_name=agency.name if agency else "",
        supervision_phone=agency.supervision_phone if agency else "",
    )
