"""Bad input answers 400 before it reaches a view or the database (R22.1, R28.1).

One middleware for what no single form can catch:

* a NUL character in the query string or a form field: PostgreSQL refuses NUL in text
  ("A string literal cannot contain NUL (0x00) characters", a ValueError, so a 500), SQLite
  stores it silently; nobody types one;
* :class:`gridgov.parsing.BadParameter` raised by a web view (a ``?version=¹``): the same 400
  an API view answers through DRF's exception handler.

API paths get the API's error body, web pages a short 400 page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from gridgov.parsing import BadParameter

API_PREFIX = "/api/"


def bad_request(request: HttpRequest, param: str, message: str) -> HttpResponse:
    """The 400 answer for ``param``: the API's ``{"detail", "errors"}`` body on API paths, a
    page naming the parameter elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"detail": f"{param}: {message}", "errors": {param: [message]}}, status=400
        )
    html = render_to_string(
        "gridgov/400.html", {"param": param, "message": message}, request=request
    )
    return HttpResponse(html, status=400)


def _nul_in(data: QueryDict) -> str | None:
    for key, values in data.lists():
        if "\x00" in key:
            return "?"
        for value in values:
            if isinstance(value, str) and "\x00" in value:
                return key
    return None


class BadInputMiddleware:
    """Refuses NUL characters in parameters and turns :class:`BadParameter` into 400."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        param = _nul_in(request.GET)
        if param is None and "\x00" in request.path:
            param = "path"
        if param is None and request.method == "POST" and _is_form(request):
            # CsrfViewMiddleware reads request.POST for every such request anyway, and DRF
            # falls back to it once the stream is read, so this parses nothing twice.
            param = _nul_in(request.POST)
        if param is not None:
            return bad_request(request, param, _("不能含有空字符 (NUL)"))
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, BadParameter):
            return bad_request(request, exception.param, exception.message)
        return None


def _is_form(request: HttpRequest) -> bool:
    content_type = request.content_type or ""
    return content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
