"""Screenshots of the main screens for the README (issue 6), from the Jiangmen demo.

    make screenshots
    .venv/bin/python docs/screenshots/make_screenshots.py [--fresh] [--only NAME ...]

On a throwaway SQLite database under ``var/screenshots/`` (its own media and data key, so the
development database is never touched): migrates, loads the demo (idempotent: a second run
reuses it; ``--fresh`` starts over), starts ``runserver`` on a free port, and drives Debian's
Chromium (Playwright, the flags of ``gridgov.testing.browser``; never a downloaded browser)
through the pages as the demo accounts see them, writing ``docs/screenshots/<name>.png``.

Chinese needs a CJK font in the system (Debian: ``fonts-noto-cjk``); without one every
character is an empty box, so the script refuses to run when fontconfig knows none. The
browser's own words (a file input's "选择文件") come from Debian's ``chromium-l10n``; without it
they stay English.
PNGs are reduced to a 256-colour palette (text and flat UI colours survive it; a few hundred
KiB per screen instead of a few MiB).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = ROOT / "docs" / "screenshots"
VAR = ROOT / "var" / "screenshots"
sys.path.insert(0, str(ROOT))

# The demo's accounts (demo.people.ACCOUNTS) and their password.
PASSWORD = "gridgov-demo"
DISPATCHER = "baisha_dispatcher"
COUNTY_ADMIN = "pengjiang_admin"
POLICE = "pj_police"
WORKER = "grid_worker"
AUDITOR = "auditor"
DEMO_GRID = "440703002101001"  # the demo workers' grid in 白沙街道
COUNTY = "440703"  # 蓬江区
TOWNSHIP = "440703002"  # 白沙街道


def environment() -> dict[str, str]:
    """The throwaway instance: its own var dir, its own SQLite file, development settings."""
    env = dict(os.environ)
    env.update(
        GRIDGOV_ENV="development",
        GRIDGOV_VAR_DIR=str(VAR),
        DATABASE_URL=f"sqlite:///{VAR / 'gridgov.sqlite3'}",
        GRIDGOV_LOG_LEVEL="WARNING",
    )
    env.pop("REDIS_URL", None)
    env.pop("GRIDGOV_TILE_URL", None)  # the maps as deployments on isolated networks show them
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (VAR / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(
                        f"the server did not start: see {VAR / 'server.log'}"
                    ) from None
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def cjk_font_installed() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return True  # no fontconfig to ask: trust the system
    found = subprocess.run([fc_list, ":lang=zh-cn", "family"], capture_output=True, text=True)
    return bool(found.stdout.strip())


# --- what to show ----------------------------------------------------------------------------


@dataclass
class Picks:
    """Demo objects worth showing, looked up in the demo database."""

    case: int  # a handled case of 白沙街道 with photos and a long archive (the check form)
    tracking_code: str  # a rated portal report
    list_pk: int  # 蓬江区's admission list
    spot: tuple[float, float]  # (lng, lat) inside the demo workers' grid: the phones stand here
    house: int = 0  # a house of the demo workers' grid with the most residents (the registry)


def pick(env: dict[str, str]) -> Picks:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    from django.db.models import Count

    from cases.models import Case, Channel, State
    from matters.models import AdmissionList
    from regions.models import Grid

    baisha = Case.objects.filter(grid_code__startswith=TOWNSHIP)
    case = (
        baisha.filter(state=State.HANDLED)
        .annotate(steps=Count("events", distinct=True), photos=Count("attachments", distinct=True))
        .order_by("-photos", "-steps", "pk")
        .first()
    )
    rated = (
        Case.objects.filter(channel=Channel.PORTAL, state=State.EVALUATED)
        .annotate(steps=Count("events"))
        .order_by("-steps", "pk")
        .first()
    )
    admission_list = AdmissionList.objects.get(county__code=COUNTY)
    if case is None or rated is None:
        raise SystemExit("the demo has no handled or rated case: run with --fresh")
    inside = Grid.objects.current().get(code=DEMO_GRID).geometry.point_on_surface()
    return Picks(
        case=case.pk,
        tracking_code=rated.tracking_code,
        list_pk=admission_list.pk,
        spot=(inside.x, inside.y),
        house=registry_house(),
    )


def registry_house() -> int:
    """The demo's house with the most residents in the demo workers' grid; without a demo
    registry yet, the small one of ``registry_world`` (made once)."""
    from django.db.models import Count

    from registry.models import House

    house = (
        House.objects.filter(address__grid_code=DEMO_GRID)
        .annotate(n=Count("residents"))
        .order_by("-n", "pk")
        .first()
    )
    if house is not None and house.n > 0:
        return house.pk
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import registry_world

    return registry_world.ensure(DEMO_GRID)["house"]


@dataclass
class Shot:
    name: str
    caption: str
    path: str | Callable[[Picks], str]
    user: str | None = None  # a demo account, or None for a visitor
    viewport: str = "desktop"  # phone (360 px), desktop (1366 px), wall (1920 px)
    full_page: bool = True
    ready: list[str] = field(default_factory=list)  # selectors to wait for
    prepare: Callable[[Any], None] | None = None
    optional: bool = False  # a page still being built: skipped when the URL does not answer


def _grid_centre(page: Any) -> None:
    from gridgov.testing.browser import wait_until

    wait_until(
        page,
        "() => !!document.querySelector('#grid-map .leaflet-overlay-pane path, "
        "#grid-map .leaflet-overlay-pane canvas')",
    )


def _phone_report(page: Any) -> None:
    page.locator("[data-gps-status]", has_text="已定位").wait_for()
    page.fill("[data-matter-search]", "占道")
    page.locator(".matter-option:visible").first.click()
    page.fill("textarea[name=description]", "菜市场东门人行道被摊档占用,行人要走机动车道")


def _portal_report(page: Any) -> None:
    page.click("[data-gps]")  # the phone's location (the context's geolocation)
    page.locator("[data-place]", has_text="网格").wait_for()
    page.fill("input[name=address]", "江华路 12 号小区东门")
    page.fill("[data-matter-search]", "路灯")
    page.fill("textarea[name=description]", "小区东门的路灯一直不亮,晚上很黑")


SHOTS = [
    Shot("public-home", "公众首页:我要反映、查询进度、事项清单、网格公示", "/", ready=[".cards"]),
    Shot(
        "grid-disclosure",
        "网格公示页:网格范围地图、网格员、监督电话和二维码(R8.4)",
        f"/public/grids/{DEMO_GRID}/",
        ready=[".grid-qr img", "#grid-map"],
        prepare=_grid_centre,
    ),
    Shot(
        "admission-list",
        "蓬江区网格事项准入清单(公示):事项、牵头部门、时限",
        f"/public/matters/{COUNTY}/",
        full_page=False,
    ),
    Shot(
        "admission-list-staff",
        "准入清单管理:版本、审核、发布与备案",
        lambda p: f"/matters/lists/{p.list_pk}/",
        user=COUNTY_ADMIN,
        full_page=False,
    ),
    Shot(
        "resident-report",
        "居民在手机上反映问题:地图定位、事项、描述、照片、手机号",
        "/public/report/",
        viewport="phone",
        ready=["#portal-map .leaflet-overlay-pane"],
        prepare=_portal_report,
    ),
    Shot(
        "tracking",
        "凭查询码查看办理进度(不含任何个人信息)和评价",
        lambda p: f"/public/track/{p.tracking_code}/",
        viewport="phone",
    ),
    Shot(
        "phone-tasks",
        "网格员手机端:今日任务(待核实、待核查、我的上报)",
        "/m/",
        user=WORKER,
        viewport="phone",
        full_page=False,
    ),
    Shot(
        "phone-report",
        "网格员手机端上报:GPS 定位、拍照、从准入清单选事项",
        "/m/report/",
        user=WORKER,
        viewport="phone",
        ready=["#pick-map .leaflet-overlay-pane"],
        prepare=_phone_report,
    ),
    Shot(
        "console-wall",
        "调度台(1920 px 大屏):队列、辖区地图(网格按在办事件着色、事件聚合)、统计图",
        "/console/",
        user=DISPATCHER,
        viewport="wall",
        full_page=False,
        ready=["#console-map[data-markers]", "#chart-state svg", "#chart-overdue svg"],
    ),
    Shot(
        "console",
        "调度台(1366 px):队列与筛选、批量立案/派遣",
        "/console/?queue=dispatch",
        user=DISPATCHER,
        ready=["#console-map[data-markers]", "#chart-state svg"],
    ),
    Shot(
        "case",
        "事件页:办理档案时间线、照片、各部门时限、当前可执行的操作",
        lambda p: f"/console/cases/{p.case}/",
        user=DISPATCHER,
        ready=["#case-map .leaflet-overlay-pane"],
    ),
    Shot(
        "department-inbox",
        "部门办件:待签收、办理中、超期与临期,签收、反馈、退回、申请延期",
        "/dept/?tab=progress",
        user=POLICE,
        full_page=False,
    ),
    Shot(
        "grid-management",
        "网格管理:辖区的网格地图、下级区域、空缺网格",
        f"/grids/regions/{COUNTY}/",
        user=COUNTY_ADMIN,
        full_page=False,
        ready=[".leaflet-overlay-pane path, .leaflet-overlay-pane canvas"],
        optional=True,
    ),
    Shot(
        "grid",
        "一个网格:范围、户数、网格员;拆分、合并、重绘",
        f"/grids/{DEMO_GRID}/",
        user=COUNTY_ADMIN,
        ready=[".leaflet-overlay-pane path, .leaflet-overlay-pane canvas"],
        optional=True,
    ),
    Shot(
        "coverage",
        "覆盖检查报告:超出、重叠、缝隙和户数提示,在地图上标出",
        f"/grids/regions/{COUNTY}/coverage/",
        user=COUNTY_ADMIN,
        full_page=False,
        ready=[".coverage-summary"],
        optional=True,
    ),
    Shot(
        "registry-search",
        "基础信息查询:一个输入框查人口、地址、组织和场所;证件号码和电话脱敏",
        "/registry/?q=陈",
        user=DISPATCHER,
        full_page=False,
    ),
    Shot(
        "house",
        "实有房屋:用途、产权人、出租状态,居住人员与租客(脱敏),曾居住人员",
        lambda p: f"/registry/houses/{p.house}/",
        user=DISPATCHER,
    ),
    Shot(
        "phone-house",
        "网格员手机端基础信息:一户房屋的居住人员(脱敏),新增人口、更正、迁入迁出、标记特殊人群(离线可填,提交待审核)",
        lambda p: f"/m/registry/houses/{p.house}/",
        user=WORKER,
        viewport="phone",
        full_page=False,
    ),
    Shot(
        "grid-statistics",
        "网格统计:户数、各类人口、特殊人群(按可见类别)、场所风险、逾期走访与巡查",
        f"/registry/grids/{DEMO_GRID}/",
        user=DISPATCHER,
    ),
    Shot(
        "audit",
        "审计员:每一项操作的审计记录(只读,可筛选、导出)",
        "/audit/?actor=baisha_dispatcher&action=cases.",
        user=AUDITOR,
        full_page=False,
    ),
]


# --- the browser -----------------------------------------------------------------------------


def shrink(png: bytes) -> bytes:
    """A 256-colour palette PNG: screens are flat colours and text."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, "PNG", optimize=True)
    return out.getvalue()


def viewport_options(kind: str) -> dict[str, Any]:
    from gridgov.testing.browser import DESKTOP, PHONE, WALL

    if kind == "phone":
        return {"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
    return {"viewport": WALL if kind == "wall" else DESKTOP}


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form.login button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    if "/accounts/login/" in page.url:
        raise SystemExit(f"cannot sign in as {username}: is the demo loaded?")


def settle(page: Any) -> None:
    """Everything drawn, at the top of the page: lazy images loaded (a full-page shot would
    otherwise cut them), no field focused, map fades and chart animations over."""
    page.evaluate(
        "document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')"
    )
    from gridgov.testing.browser import wait_until

    wait_until(page, "[...document.images].every(i => i.complete)")
    page.evaluate("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(600)


def take(browser: Any, base: str, shot: Shot, picks: Picks) -> int | None:
    """The PNG's size, or None when an optional page is not there."""
    lng, lat = picks.spot
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        geolocation={"longitude": lng, "latitude": lat, "accuracy": 10},
        permissions=["geolocation"],
        service_workers="block",
        **viewport_options(shot.viewport),
    )
    context.set_default_timeout(20_000)
    outside: list[str] = []
    context.on(
        "request",
        lambda r: None if r.url.startswith((base, "data:", "blob:")) else outside.append(r.url),
    )
    try:
        page = context.new_page()
        if shot.user:
            sign_in(page, base, shot.user)
        path = shot.path(picks) if callable(shot.path) else shot.path
        answer = page.goto(f"{base}{path}")
        if answer is None or answer.status >= 400:
            status = answer.status if answer else "no answer"
            if shot.optional:
                print(f"  {shot.name}: {path} answers {status}, skipped (not built yet)")
                return None
            raise SystemExit(f"{shot.name}: {path} answers {status}")
        page.wait_for_load_state("networkidle")
        for selector in shot.ready:
            page.wait_for_selector(selector, state="attached")
        if shot.prepare:
            shot.prepare(page)
        settle(page)
        png = shrink(page.screenshot(full_page=shot.full_page, animations="disabled"))
        if outside:
            raise SystemExit(f"{shot.name}: requests left the server: {outside}")
        (OUT / f"{shot.name}.png").write_bytes(png)
        return len(png)
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fresh", action="store_true", help="a new demo database")
    parser.add_argument("--only", nargs="*", help="only these screenshots (names)")
    args = parser.parse_args()

    from gridgov.testing.browser import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        raise SystemExit(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    if not cjk_font_installed():
        raise SystemExit("no Chinese font (Debian: apt-get install fonts-noto-cjk)")
    if args.fresh and VAR.exists():
        shutil.rmtree(VAR)
    VAR.mkdir(parents=True, exist_ok=True)
    env = environment()
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "createcachetable")
    manage(env, "load_demo")
    picks = pick(env)
    shots = [s for s in SHOTS if not args.only or s.name in args.only]

    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    total = 0
    with server(env) as base, sync_playwright() as p:
        # The browser's own words (file inputs) in Chinese: --lang and a Chinese environment
        # (Debian ships those words in chromium-l10n; without it they stay English).
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[*CHROMIUM_ARGS, "--lang=zh-CN"],
            env={
                **os.environ,
                "LANG": "zh_CN.UTF-8",
                "LANGUAGE": "zh_CN:zh",
                "LC_ALL": "zh_CN.UTF-8",
            },
        )
        try:
            for shot in shots:
                started = time.monotonic()
                size = take(browser, base, shot, picks)
                if size is not None:
                    total += size
                    seconds = time.monotonic() - started
                    print(f"  {shot.name}.png  {size / 1024:.0f} KiB  ({seconds:.1f} s)")
        finally:
            browser.close()
    print(f"screenshots: {total / 1024:.0f} KiB in {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
