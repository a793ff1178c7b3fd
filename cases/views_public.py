"""The resident portal (R18.1): report a problem, follow it with its tracking code, rate the
result; signed-in residents also find their reports under "my reports".

Public pages: they pass ``request.user`` (an AnonymousUser when signed out) to the services,
never ``None`` (the system actor). What a tracking code shows is the public progress only:
states, dates, and the names of agencies and departments; no person's name or phone, not even
the reporter's masked data, and no internal notes (they may name people). What the
departments did is shown through what they wrote and chose for the public (cases.results).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import shapely
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_http_methods

from audit.middleware import client_ip
from cases import actions_io, files, matter_choices, results, services
from cases.models import (
    LEVEL_CODE_LENGTH,
    Case,
    Channel,
    Level,
    Rating,
    State,
)
from gridgov import menu
from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.errors import DomainError
from gridgov.parsing import parse_id
from people.models import Department, GridAgency
from regions import geometry as geo
from regions import index as grid_index
from regions.models import Region

UNSURE = "unsure"  # the "不确定" choice: the county's catch-all entry
REPORT_FIELDS = (
    "lng",
    "lat",
    "address",
    "description",
    "matter",
    "reporter_phone",
    "reporter_name",
    "client_id",
    "progress_sms",  # consent to SMS progress messages (R18.1, cases.notify.progress)
)
# errors shown next to their field; anything else goes to the top of the form
REPORT_SHOWN = ("lng", "lat", "address", "description", "matter", "reporter_phone", "photos")
# Looking up codes that do not exist, many times from one address, is guessing.
TRACK_MISSES_ALLOWED = 30
TRACK_MISS_WINDOW = 600  # seconds
REPORTS_ALLOWED = 10  # anonymous portal reports per address per hour
REPORT_WINDOW = 3600  # seconds
OUTLINE_TOLERANCE = 0.0005  # degrees (~50 m): outlines to find one's place on, not borders
# A visitor's reports are idempotent within their own browser: a random secret in a signed,
# HttpOnly cookie; the case stores only a hash of it in its key (cases.idempotency.key_for).
REPORTER_COOKIE = "gridgov_reporter"
REPORTER_SALT = "gridgov.cases.portal-reporter"
REPORTER_COOKIE_AGE = 30 * 24 * 3600  # seconds: longer than any resend


def _error(exc: DomainError, shown: tuple[str, ...]) -> dict[str, str]:
    return {exc.field if exc.field in shown else "general": exc.message}


# --- report a problem (R18.1) ------------------------------------------------------------


def _county_outlines(counties: list[str]) -> list[dict[str, Any]]:
    shapes = []
    for region in Region.objects.filter(code__in=counties).order_by("code"):
        geometry = region.geometry
        if geometry is None:
            continue
        simple = shapely.simplify(geometry, OUTLINE_TOLERANCE, preserve_topology=True)
        shapes.append(
            {"code": region.code, "name": region.name, "geometry": geo.to_geojson(simple, 5)}
        )
    return shapes


def _picker_text() -> dict[str, str]:
    return {
        "gps_wait": _("正在获取定位…"),
        "gps_ok": _("已定位(精度约 {m} 米),可拖动标记微调"),
        "gps_fail": _("定位失败({why}),请在地图上点选位置"),
        "gps_none": _("本机不支持定位,请在地图上点选位置"),
        "map_point": _("已选定位置,可拖动标记微调"),
        "outside": _("该位置不在网格范围内,请重新选择"),
    }


def _report_page(
    request: HttpRequest, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> HttpResponse:
    choices = matter_choices.choices_for()
    return render(
        request,
        "cases/public/report.html",
        {
            "values": values,
            "errors": errors,
            "counties": list(choices.values()),
            "any_generic": any(c.generic for c in choices.values()),
            "choices_json": {code: c.as_json() for code, c in choices.items()},
            "outlines": _county_outlines(list(choices)),
            "picker_text": _picker_text(),
        },
        status=status,
    )


def _matter_for(values: dict[str, Any]) -> str:
    """The matter code chosen; "不确定" becomes the catch-all entry of the point's county."""
    matter = values["matter"].strip()
    if not matter:
        raise DomainError(_("请选择事项"), field="matter")
    if matter != UNSURE:
        return matter
    lng, lat = geo.parse_lng_lat(values["lng"], values["lat"])
    found = grid_index.get_index().locate(lng, lat)
    if found is None:
        raise DomainError(_("该位置不在任何网格内,请在地图上重新选择"), field="lng")
    county = matter_choices.choices_for([found.code[:6]]).get(found.code[:6])
    if county is None or not county.generic:
        raise DomainError(_("该地的事项清单没有“不确定”一项,请选择最接近的事项"), field="matter")
    return county.generic


def _browser_secret(request: HttpRequest) -> tuple[str, bool]:
    """This browser's reporter secret, and whether it is new (to be set on the answer). A
    missing or tampered cookie is a new browser."""
    if request.user.is_authenticated:
        return "", False  # an account is its own namespace
    token = request.get_signed_cookie(REPORTER_COOKIE, default="", salt=REPORTER_SALT)
    if token:
        return token, False
    return secrets.token_urlsafe(32), True


def reporter_key(secret: str) -> str:
    """What the case's idempotency key holds of a browser's secret (never the secret)."""
    if not secret:
        return ""
    return hashlib.sha256(f"gridgov portal reporter\n{secret}".encode()).hexdigest()[:40]


def _with_secret(response: HttpResponse, secret: str, new: bool) -> HttpResponse:
    if new:
        response.set_signed_cookie(
            REPORTER_COOKIE,
            secret,
            salt=REPORTER_SALT,
            max_age=REPORTER_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """Report a problem: where (map, GPS or address with the map), what (the county's list in
    force, or "不确定"), a description, photos and a mobile phone (stored encrypted, shown
    masked). A hidden client_id makes a double submit one case, within this browser (or
    account) only: replaying someone else's client_id makes a case of one's own (R18.1)."""
    secret, new = _browser_secret(request)
    return _with_secret(_report(request, secret), secret, new)


def _report(request: HttpRequest, secret: str) -> HttpResponse:
    if request.method == "GET":
        return _report_page(request, {"client_id": str(uuid.uuid4())}, {})
    values = {key: request.POST.get(key, "") for key in REPORT_FIELDS}
    values["client_id"] = (values["client_id"].strip() or str(uuid.uuid4()))[:64]
    if not values["reporter_phone"].strip():
        errors = {"reporter_phone": _("请填写手机号码,便于核实和回访")}
        return _report_page(request, values, errors, status=400)
    scope = reporter_key(secret)
    if not request.user.is_authenticated and _too_many_reports(request, scope, values["client_id"]):
        errors = {"description": _("提交过于频繁,请稍后再试或拨打12345热线")}
        return _report_page(request, values, errors, status=429)
    try:
        fields = {name: values[name] for name in REPORT_FIELDS if name != "progress_sms"}
        report = actions_io.report_from_form(
            fields
            | {
                "matter": _matter_for(values),
                "photos": request.FILES.getlist("photos"),
                "progress_sms": values["progress_sms"] == "1",
            },
            channel=Channel.PORTAL,
        )
        result = services.intake(request.user, report, reporter_key=scope)
    except DomainError as exc:
        if exc.http_status == 409:  # another report under this key: a new key next time
            values["client_id"] = str(uuid.uuid4())
        status = 409 if exc.http_status == 409 else 400
        return _report_page(request, values, _error(exc, REPORT_SHOWN), status=status)
    url = reverse("public-track-case", args=[result.case.tracking_code])
    return redirect(f"{url}?new=1")


# --- track and rate (R18.1, R27.1) ---------------------------------------------------------


@dataclass(frozen=True)
class Step:
    at: Any
    label: str
    state: str


def _agency_names(case: Case) -> dict[str, str]:
    codes = [case.grid_code[:n] for n in LEVEL_CODE_LENGTH.values()]
    return dict(
        GridAgency.objects.filter(region__code__in=codes).values_list("region__code", "name")
    )


def public_timeline(case: Case) -> list[Step]:
    """The case's steps as a resident may see them: what happened, when, by which agency or
    department. Built from the archive (R26.2); internal requests and notes are left out."""
    events = list(case.events.order_by("seq"))
    department_ids = set()
    for event in events:
        data = event.data or {}
        for key in ("department", "lead_department"):
            if isinstance(data.get(key), int):
                department_ids.add(data[key])
        department_ids.update(d for d in data.get("co_departments") or [] if isinstance(d, int))
    departments = dict(Department.objects.filter(pk__in=department_ids).values_list("pk", "name"))
    agencies = _agency_names(case)
    level = Level.TOWNSHIP

    def agency() -> str:
        code = case.grid_code[: LEVEL_CODE_LENGTH[level]]
        return agencies.get(code) or _("网格化服务管理机构")

    def department(pk: Any) -> str:
        return departments.get(pk, _("相关部门"))

    steps = []
    for event in events:
        data = event.data or {}
        label = ""
        if event.action == "report":
            label = _("收到反映(%(channel)s)") % {"channel": Channel(case.channel).label}
        elif event.action == "verify":
            label = (
                _("网格员现场核实属实") if data.get("valid", True) else _("经核实不属实,不予立案")
            )
        elif event.action == "settle":
            label = _("网格员现场处置完毕")
        elif event.action == "accept":
            label = _("%(agency)s 立案") % {"agency": agency()}
        elif event.action == "decline":
            label = _("%(agency)s 不予立案") % {"agency": agency()}
        elif event.action == "escalate":
            level = Level(data.get("to_level") or level)
            label = _("上报至 %(agency)s 办理") % {"agency": agency()}
        elif event.action == "dispatch":
            co = [department(pk) for pk in data.get("co_departments") or []]
            label = _("派遣至 %(lead)s 牵头办理") % {
                "lead": department(data.get("lead_department"))
            }
            if co:
                label += _(",%(co)s 协办") % {"co": pgettext("list separator", "、").join(co)}
        elif event.action == "sign":
            label = _("%(dept)s 签收") % {"dept": department(data.get("department"))}
        elif event.action == "return":
            label = _("%(dept)s 认为不属本部门职责,退回重新派遣") % {
                "dept": department(data.get("department"))
            }
        elif event.action == "feedback":
            label = _("%(dept)s 反馈办理结果") % {"dept": department(data.get("department"))}
        elif event.action == "check":
            label = _("核查通过,结案") if data.get("passed") else _("核查未通过,退回返工")
        elif event.action == "evaluate":
            label = _("评价:%(rating)s") % {"rating": Rating(data["rating"]).label}
        elif event.action == "review":
            label = (
                _("经网格化机构复核,重新办理")
                if data.get("decision") == "reopened"
                else _("经网格化机构复核,维持办理结果")
            )
        elif event.action == "decide_extension" and data.get("approved"):
            label = _("办理期限经批准延长")
        elif event.action == "decide_suspension" and data.get("approved"):
            label = _("暂停办理,等待外部条件")
        elif event.action == "resume":
            label = _("恢复办理")
        elif event.action == "supervise":
            label = _("网格化机构督办")
        if label:
            steps.append(Step(event.at, label, event.to_state))
    return steps


def _too_many_reports(request: HttpRequest, scope: str, client_id: str) -> bool:
    """Anonymous reports per address are bounded (flooding the agencies' queues is abuse);
    a resend of the same report (same browser, same client_id) does not count again."""
    ip = client_ip(request)
    seen = f"gridgov:portal-report:{ip}:{scope}:{client_id}"
    if cache.get(seen):
        return False
    key = f"gridgov:portal-reports:{ip}"
    cache.add(key, 0, REPORT_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, REPORT_WINDOW)
        count = 1
    if count > REPORTS_ALLOWED:
        return True
    cache.set(seen, 1, REPORT_WINDOW)
    return False


def _too_many_misses(request: HttpRequest) -> bool:
    return int(cache.get(f"gridgov:track-misses:{client_ip(request)}", 0)) >= TRACK_MISSES_ALLOWED


def _count_miss(request: HttpRequest) -> None:
    key = f"gridgov:track-misses:{client_ip(request)}"
    cache.add(key, 0, TRACK_MISS_WINDOW)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, TRACK_MISS_WINDOW)


def _normal_code(code: str) -> str:
    return "".join(code.split()).upper()[:12]


@require_http_methods(["GET"])
def track(request: HttpRequest) -> HttpResponse:
    """Enter a tracking code."""
    code = _normal_code(request.GET.get("code", ""))
    if code:
        return redirect("public-track-case", code=code)
    return render(request, "cases/public/track.html", {})


@require_http_methods(["GET", "POST"])
def track_case(request: HttpRequest, code: str) -> HttpResponse:
    """The public progress of one case; once closed, its reporter (without an account) rates
    it here with the same code."""
    code = _normal_code(code)
    if _too_many_misses(request):
        return render(
            request, "cases/public/track.html", {"code": code, "throttled": True}, status=429
        )
    case = Case.objects.select_related("entry__item").filter(tracking_code=code).first()
    if case is None:
        _count_miss(request)
        return render(
            request, "cases/public/track.html", {"code": code, "missing": True}, status=404
        )
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {
            "rating": request.POST.get("rating", ""),
            "comment": request.POST.get("comment", ""),
            "client_id": request.POST.get("client_id", "")[:64],
        }
        try:
            rated = actions_io.from_form(
                "evaluate", request.POST, request.FILES, client_id=values["client_id"]
            )
            services.evaluate(request.user, case.pk, **rated.as_kwargs(), tracking_code=code)
        except DomainError as exc:
            errors = _error(exc, ("rating", "comment"))
            status = exc.http_status
        else:
            messages.success(request, _("感谢您的评价!"))
            return redirect("public-track-case", code=code)
    departments = dict(case.assignments.values_list("department_id", "department__name"))
    return render(
        request,
        "cases/public/track_case.html",
        {
            "case": case,
            "steps": public_timeline(case),
            # what the departments did, shown before the rating form (R18.1)
            "results": results.public_results(case, departments),
            "new": request.GET.get("new") == "1",
            "may_rate": case.state == State.CLOSED and case.reporter_id is None,
            "rate_in_account": case.state == State.CLOSED and case.reporter_id is not None,
            "ratings": Rating.choices,
            "values": {"client_id": str(uuid.uuid4()), **values},
            "errors": errors,
        },
        status=status,
    )


@require_http_methods(["GET"])
def track_photo(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """A department's result photo marked public, through the case's tracking code (R18.1);
    any other photo is a 404, counted as a miss like an unknown code."""
    code = _normal_code(code)
    if _too_many_misses(request):
        raise Http404(_("没有这张照片"))
    photo = results.public_photo(code, pk)
    if photo is None:
        _count_miss(request)
    return files.serve(photo)


# --- my reports (signed-in residents) ------------------------------------------------------


def _my_cases(request: HttpRequest) -> QuerySet[Case]:
    cases = scoping.scope_queryset(request.user, Case.objects.select_related("entry__item"))
    return cases.filter(reporter=request.user).order_by("-created_at")


@login_required
@require_http_methods(["GET", "POST"])
def my_reports(request: HttpRequest) -> HttpResponse:
    """A signed-in resident's own reports, their state, and the rating of closed ones."""
    errors: dict[int, str] = {}
    status = 200
    if request.method == "POST":
        pk = parse_id(request.POST.get("case"))
        if pk is None:
            raise Http404(_("没有这个事件"))
        case = _my_cases(request).filter(pk=pk).first()
        if case is None:
            raise Http404(_("没有这个事件"))
        try:
            rated = actions_io.from_form(
                "evaluate",
                request.POST,
                request.FILES,
                client_id=request.POST.get("client_id", "")[:64],
            )
            actions_io.ACTIONS["evaluate"].run(request.user, case.pk, rated)
        except DomainError as exc:
            errors[case.pk] = exc.message
            status = exc.http_status
        else:
            messages.success(request, _("感谢您的评价!"))
            return redirect("public-my-reports")
    cases = list(_my_cases(request)[:100])
    return render(
        request,
        "cases/public/my_reports.html",
        {
            "cases": cases,
            "errors": errors,
            "ratings": Rating.choices,
            "client_id": str(uuid.uuid4()),
        },
        status=status,
    )


# --- navigation -------------------------------------------------------------------------------


def _public_user(user: Any) -> bool:
    """Visitors and residents (staff have their own pages to work from)."""
    if not getattr(user, "is_authenticated", False):
        return True
    return scoping.has_role(user, R.Role.RESIDENT) and not scoping.grants_for(user, R.STAFF_ROLES)


def _resident(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and scoping.has_role(
        user, R.Role.RESIDENT
    )


def register_menu() -> None:
    """The portal's entries in the main menu (called from CasesConfig.ready)."""
    menu.register(
        menu.MenuItem(
            "public.report",
            gettext_lazy("我要反映"),
            "public-report",
            order=80,
            visible=_public_user,
        ),
        menu.MenuItem(
            "public.track", gettext_lazy("查询进度"), "public-track", order=81, visible=_public_user
        ),
        menu.MenuItem(
            "public.mine",
            gettext_lazy("我反映的问题"),
            "public-my-reports",
            order=82,
            visible=_resident,
        ),
    )
