"""The generated county both benches build: 蓬江区 (440703) cut into townships, villages and
grids of the given counts, with geometries, through the regions services.

Imported by the bench scripts after they have configured Django (``python bench/x.py`` puts
this directory on ``sys.path``).
"""

from __future__ import annotations

import random

COUNTY = "440703"
# 蓬江区, roughly: ~14 km x 15 km, so 3,000 grids are ~0.07 km² each (urban grids); the
# generated townships and villages partition this box.
COUNTY_BOX = (112.98, 22.56, 113.12, 22.70)


def build_county(
    actor: str, *, rng: random.Random, townships: int, villages: int, grids: int
) -> list[str]:
    """Regions and grids of the county (villages urban, 300–500 households a grid, drawn from
    ``rng``, which the caller goes on using); returns the township codes."""
    import shapely

    from demo.regions import partition
    from gridgov.testing import people
    from regions.services import GridSpec, divide_region, set_region_geometries

    county_geom = shapely.box(*COUNTY_BOX)
    geometries = {COUNTY: county_geom}
    plan: dict[str, list[GridSpec]] = {}
    people.ensure_region(COUNTY)
    codes = [f"{COUNTY}{t:03d}" for t in range(1, townships + 1)]
    for township, t_geom in zip(codes, partition(county_geom, len(codes), COUNTY), strict=True):
        people.ensure_region(township)
        geometries[township] = t_geom
        village_codes = [f"{township}{100 + v:03d}" for v in range(1, villages + 1)]
        for village, v_geom in zip(
            village_codes, partition(t_geom, len(village_codes), township), strict=True
        ):
            people.ensure_region(village, kind="urban")
            geometries[village] = v_geom
            plan[village] = [
                GridSpec(g, "", households := rng.randint(300, 500), households * 3)
                for g in partition(v_geom, grids, village)
            ]
    set_region_geometries(actor, geometries, reason="基准测试:生成的镇街、村居边界")
    divide_region(actor, COUNTY, plan, reason="基准测试:生成的网格划分", check=False)
    return codes
