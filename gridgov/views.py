from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from gridgov import menu


def home(request: HttpRequest) -> HttpResponse:
    """Staff land on the page of their role; residents and visitors on the public home."""
    if request.user.is_authenticated and "public" not in request.GET:
        target = menu.landing_url(request.user)
        if target and target != request.path:
            return redirect(target)
    return render(request, "home.html")


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
