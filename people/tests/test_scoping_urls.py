"""R22.1: every URL of the API and the web UI is scoped to the user's jurisdiction and role.

The test walks ``get_resolver()``: every route under ``/api/v1/`` and every web page. A route is
either listed in ``PUBLIC``/``SELF_ONLY`` below with the reason, or served by a scoped view
(``gridgov.access.api.ScopedQuerysetMixin`` / ``gridgov.access.web.ScopedMixin``). For every
role, with a world of three jurisdictions (see ``gridgov.testing.world``):

- a foreign object's URL answers 404 (403 for a role that may not see the model at all) to
  GET, and 403/404/405 to POST, PUT, PATCH and DELETE, and the object is unchanged;
- a list answers 200 without any foreign object's marker in it, or 403;
- a create (POST to a list) aimed at a foreign place is refused;
- an anonymous request is refused (401/403, or a redirect to the login page).

A new endpoint is covered without anyone adding it here: if its view is not scoped, or its
model has no factory in the test world, this test fails and says what to do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import models
from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver

from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.access.api import ScopedQuerysetMixin
from gridgov.access.web import ScopedMixin
from gridgov.testing import world as tw

# Routes that are public by design, or show only the requesting user's own data.
PUBLIC: dict[str, str] = {
    "": "home page: no data",
    "healthz": "health check for load balancers: no data",
    "maps/basemap.pmtiles": "the base map archive: region outlines and names, public (R8.4)",
    "i18n/*": "language switch",
    # Grid and region reads are public by design; their change, history and coverage
    # endpoints under the same prefixes are staff-only and scoped (so listed one by one).
    "api/v1/grids/": "grid disclosure, public by design (R8.4)",
    "api/v1/grids/{code}/": "grid disclosure, public by design (R8.4)",
    "api/v1/grids/locate/": "point → grid lookup, public by design (R8.3, R8.4)",
    "api/v1/regions/": "official division codes and names, public (R8.4)",
    "api/v1/regions/{code}/": "official division codes and names, public (R8.4)",
    "api/v1/calendar/*": "working-day calendar: public reference data",
    "api/v1/auth/token/": "login: exchanges a username and password for a token",
    "api/schema/*": "OpenAPI schema: no data",
    "api/docs/*": "API documentation: no data",
    "api/redoc/*": "API documentation: no data",
    "public/*": "resident-facing disclosure and reporting pages (R8.4, R18.1)",
    "m/sw.js": "the phone app's service worker script: no data",
    "m/manifest.webmanifest": "the phone app's web app manifest: no data",
    "accounts/login/": "login page",
    "accounts/logout/": "logout",
}
SELF_ONLY: dict[str, str] = {
    "api/v1/me/": "the requesting account's own roles and worker records",
    "accounts/me/": "the requesting account's own roles and tokens",
    "accounts/password/": "changes the requesting account's own password",
}
SKIPPED_PREFIXES = ("admin/", "static/", "media/")  # the admin is tested in test_admin_scoping

PLACEHOLDER = re.compile(r"\{(\w+)\}")
WRITES = ("post", "put", "patch", "delete")


@dataclass
class Route:
    template: str  # "api/v1/workers/{pk}/reveal/"
    view: Any  # the view class
    methods: frozenset[str]
    is_api: bool

    @property
    def placeholders(self) -> list[str]:
        return PLACEHOLDER.findall(self.template)

    def url(self, **kwargs: Any) -> str:
        return "/" + self.template.format(**kwargs)


def _pattern_text(pattern: Any) -> str:
    if hasattr(pattern, "_route"):
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern._route)
    regex = pattern._regex
    regex = regex.removeprefix("^").removesuffix("$").removesuffix("\\Z")
    regex = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", regex)
    return regex.replace("\\.", ".").replace("/?", "/").replace("\\", "")


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        text = prefix + _pattern_text(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, text)
        else:
            yield text, entry


def _listed(template: str, table: dict[str, str]) -> bool:
    for key in table:
        if key.endswith("*") and template.startswith(key[:-1]):
            return True
        if template == key:
            return True
    return False


def routes() -> tuple[list[Route], list[str]]:
    """Every scoped route, and the problems: routes neither scoped nor allow-listed."""
    found: list[Route] = []
    problems: list[str] = []
    for template, pattern in _walk(get_resolver().url_patterns):
        if template.startswith(SKIPPED_PREFIXES) or _listed(template, PUBLIC | SELF_ONLY):
            continue
        callback = pattern.callback
        api_class = getattr(callback, "cls", None)
        web_class = getattr(callback, "view_class", None)
        if api_class is not None and issubclass(api_class, ScopedQuerysetMixin):
            actions = getattr(callback, "actions", None) or {}
            methods = frozenset(m for m in actions if m in {"get", *WRITES}) or frozenset(
                m for m in api_class.http_method_names if m in {"get", *WRITES}
            )
            found.append(Route(template, api_class, methods, True))
        elif web_class is not None and issubclass(web_class, ScopedMixin):
            methods = frozenset(m for m in web_class.http_method_names if m in {"get", *WRITES})
            found.append(Route(template, web_class, methods, False))
        else:
            problems.append(
                f"/{template} ({getattr(callback, '__qualname__', callback)}) is neither served "
                "by a scoped view (gridgov.access.api.ScopedViewSet / "
                "gridgov.access.web.Scoped*View) nor "
                "listed in PUBLIC or SELF_ONLY of people/tests/test_scoping_urls.py with a reason"
            )
    return found, problems


def _lookup_kwargs(route: Route, obj: models.Model) -> dict[str, Any]:
    view = route.view
    lookup_field = getattr(view, "lookup_field", None) or getattr(view, "slug_field", "pk")
    lookup_kwarg = getattr(view, "lookup_url_kwarg", None) or lookup_field
    kwargs = {}
    for name in route.placeholders:
        if name == lookup_kwarg:
            kwargs[name] = getattr(obj, lookup_field)
        elif name == "pk":
            kwargs[name] = obj.pk
        else:
            kwargs[name] = getattr(obj, name)
    return kwargs


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _snapshot(obj: models.Model) -> dict[str, Any]:
    fresh = type(obj)._default_manager.filter(pk=obj.pk).first()
    return model_to_dict(fresh) if fresh is not None else {}


def _call(client: Any, method: str, url: str, data: dict[str, Any] | None = None) -> Any:
    if method in {"get", "delete"}:
        return getattr(client, method)(url)
    response = getattr(client, method)(
        url, data=json.dumps(data or {}), content_type="application/json"
    )
    if response.status_code == 415 and method == "post":
        # An upload endpoint: the same request as a form.
        response = client.post(url, data=data or {})
    return response


def test_every_route_is_scoped_or_listed_public_with_a_reason():
    """R22.1: a new endpoint cannot appear without going through the scoping mechanism."""
    found, problems = routes()
    assert not problems, "\n".join(problems)
    templates = {r.template for r in found}
    for expected in ("api/v1/workers/", "api/v1/agencies/", "api/v1/audit/", "people/", "audit/"):
        assert expected in templates, f"{expected} should be a scoped route"


def test_every_scoped_model_has_a_factory_in_the_test_world():
    """R22.1: the URL test can reach every scoped endpoint with objects of every jurisdiction."""
    tw.load_app_factories()
    found, _ = routes()
    missing = set()
    for route in found:
        label = route.view.scoped_model()._meta.label_lower
        if label not in tw.FACTORIES:
            missing.add(f"{label} (served at /{route.template})")
        rule = scoping.rule_for(route.view.scoped_model())
        creates = route.is_api and not route.placeholders and "post" in route.methods
        if creates and not rule.global_ and label not in tw.CREATE_PAYLOADS:
            missing.add(f"a create payload for {label} (POST /{route.template})")
    assert not missing, (
        "register these in <app>/tests/scoping_world.py (see gridgov/testing/world.py): "
        + "; ".join(sorted(missing))
    )


ALL_ROLES = [r.value for r in R.Role]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_foreign_objects_are_invisible_and_unchangeable_for_every_role(role, client):
    """R22.1, R20.1: for this role, every scoped URL hides and protects foreign objects."""
    tw.load_app_factories()
    world = tw.World().build()
    user = tw.person_with_role(role)
    client.force_login(user)
    client.raise_request_exception = False
    foreign = tw.foreign_zones(user)
    assert foreign, "the world must have a jurisdiction foreign to the role"
    markers = [f"Mark{z.key}" for z in foreign]
    found, _ = routes()
    failures: list[str] = []
    for route in found:
        model = route.view.scoped_model()
        label = model._meta.label_lower
        if label not in tw.FACTORIES:
            continue  # reported by the factory test
        rule = scoping.rule_for(model)
        may_see = scoping.can_view_any(user, model)
        if route.placeholders:
            if rule.global_:
                continue
            for zone in foreign:
                obj = world.get(label, zone)
                url = route.url(**_lookup_kwargs(route, obj))
                if "get" in route.methods:
                    response = client.get(url)
                    expected = {404} if may_see else {403, 404}
                    if response.status_code not in expected:
                        failures.append(
                            f"GET {url} ({label} of zone {zone.key}) → "
                            f"{response.status_code}, expected {sorted(expected)}"
                        )
                # Methods a route does not map are 405 by construction (router / view), so
                # only the mapped ones can change anything.
                for method in sorted(route.methods & set(WRITES)):
                    before = _snapshot(obj)
                    response = _call(client, method, url, {"reason": "x" * 8, "field": "id_number"})
                    if response.status_code not in {403, 404, 405}:
                        failures.append(
                            f"{method.upper()} {url} ({label} of zone {zone.key}) → "
                            f"{response.status_code}, expected 403/404/405"
                        )
                    if _snapshot(obj) != before:
                        failures.append(f"{method.upper()} {url} changed a foreign {label}")
        else:
            response = client.get(route.url()) if "get" in route.methods else None
            if response is not None:
                # 400: a collection that needs query parameters (says which, shows nothing).
                if response.status_code in {200, 400}:
                    body = _body(response)
                    leaked = [m for m in markers if m in body]
                    if leaked:
                        failures.append(f"GET {route.url()} shows foreign objects: {leaked}")
                elif response.status_code != 403:
                    failures.append(
                        f"GET {route.url()} → {response.status_code}, expected 200/400/403"
                    )
            if "post" in route.methods and label in tw.CREATE_PAYLOADS and not rule.global_:
                for zone in foreign:
                    payload = tw.CREATE_PAYLOADS[label](world, zone)
                    response = _call(client, "post", route.url(), payload)
                    if 200 <= response.status_code < 300:
                        failures.append(
                            f"POST {route.url()} created {label} in zone {zone.key}: "
                            f"{_body(response)[:200]}"
                        )
    assert not failures, f"role {role}:\n" + "\n".join(failures)


# Who can see zone A's objects of each model (for the positive control below).
SEERS = [R.Role.AGENCY_ADMIN, R.Role.AUDITOR, R.Role.SYSADMIN, R.Role.DEPT_HANDLER]


@pytest.mark.django_db
def test_every_detail_route_shows_own_objects(client):
    """The control for the test above: the same URLs answer 200 inside the jurisdiction, so a
    404 there means "foreign", not "broken URL"."""
    tw.load_app_factories()
    world = tw.World().build()
    people = {role: tw.person_with_role(role) for role in SEERS}
    client.raise_request_exception = False
    found, _ = routes()
    failures = []
    checked = 0
    for route in found:
        model = route.view.scoped_model()
        label = model._meta.label_lower
        if not route.placeholders or "get" not in route.methods or label not in tw.FACTORIES:
            continue
        obj = world.get(label, tw.HOME)
        seer = next((u for u in people.values() if scoping.in_scope(u, obj)), None)
        if seer is None:
            failures.append(f"no test role sees zone A's {label}")
            continue
        client.force_login(seer)
        url = route.url(**_lookup_kwargs(route, obj))
        response = client.get(url)
        allowed = {200} if route.view.__name__ != "VacantGridViewSet" else {200, 404}
        if response.status_code in {405} and not route.is_api:
            continue  # a POST-only page
        if response.status_code == 405 and "get" not in route.methods:
            continue
        checked += 1
        if response.status_code not in allowed and response.status_code != 405:
            failures.append(f"GET {url} as {seer.username} → {response.status_code}")
    assert checked > 10
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_anonymous_requests_are_refused_everywhere(client):
    """R22.1: without a login nothing scoped answers (API 401/403, web → login page)."""
    tw.load_app_factories()
    world = tw.World().build()
    client.raise_request_exception = False  # a crash is reported as a 500 with the others
    found, _ = routes()
    failures = []
    for route in found:
        label = route.view.scoped_model()._meta.label_lower
        kwargs = {}
        if route.placeholders:
            if label not in tw.FACTORIES:
                continue
            kwargs = _lookup_kwargs(route, world.get(label, tw.HOME))
        url = route.url(**kwargs)
        for method in sorted(route.methods):
            response = _call(client, method, url)
            if route.is_api:
                ok = response.status_code in {401, 403}
            else:
                ok = response.status_code in {302, 403, 405} and (
                    response.status_code != 302 or settings.LOGIN_URL in response["Location"]
                )
            if not ok:
                failures.append(f"anonymous {method.upper()} {url} → {response.status_code}")
    assert not failures, "\n".join(failures)
