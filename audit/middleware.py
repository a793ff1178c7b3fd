from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

from gridgov.context import acting

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in configured)
    except ValueError as exc:
        raise ImproperlyConfigured(f"GRIDGOV_TRUSTED_PROXIES: {exc}") from None


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the one place that decides it (audit trail, login throttling,
    rate limits).

    ``REMOTE_ADDR``, unless it is one of the reverse proxies in ``GRIDGOV_TRUSTED_PROXIES``
    (addresses or networks; none by default): then the header ``GRIDGOV_CLIENT_IP_HEADER``
    (``X-Forwarded-For`` by default) is read from the right, skipping the trusted proxies, and
    the first other address is the client. Anyone can send that header, so from anywhere
    else it is ignored.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = _networks(tuple(getattr(settings, "GRIDGOV_TRUSTED_PROXIES", ()) or ()))
    peer = _address(remote or "")
    if not trusted or peer is None or not any(peer in net for net in trusted):
        return remote
    header = getattr(settings, "GRIDGOV_CLIENT_IP_HEADER", "") or "X-Forwarded-For"
    hops = [hop for hop in request.headers.get(header, "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # a malformed hop: nothing to its left can be trusted
        if not any(address in net for net in trusted):
            return str(address)
    return remote


class RequestContextMiddleware:
    """Gives each request an id (or keeps a well-formed X-Request-ID) for the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else None
        channel = "api" if request.path.startswith("/api/") else "web"
        with acting(channel=channel, client_ip=client_ip(request), request_id=request_id) as ctx:
            request.request_id = ctx.request_id
            response = self.get_response(request)
        response["X-Request-ID"] = ctx.request_id
        return response
