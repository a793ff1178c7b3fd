"""A file answered in byte ranges (HTTP Range, RFC 9110 §14), streamed: what a PMTiles client
needs to read a base map archive tile by tile without fetching the whole file.

Why our own (docs/adr/0011-local-base-map.md): Django's ``FileResponse`` and static ``serve``
answer whole files only; WhiteNoise answers ranges but serves directories it indexes when
the process starts (the base map is one configured file, rebuilt by the demo loader while a
server may run); the ranged-response packages on PyPI are unmaintained since 2017. This is
the small part of the RFC a tile client uses: one range per request, ``If-Range``, and the
conditional headers through Django's own ``condition`` decorator.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.utils.http import http_date, parse_http_date_safe

CHUNK = 64 * 1024
_RANGE = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


class Unsatisfiable(ValueError):
    """The Range header asks for bytes the file does not have (or makes no sense)."""


def etag_of(stat: os.stat_result) -> str:
    return f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """``bytes=START-END`` (or ``START-``, ``-SUFFIX``) → (first, last) byte, inclusive.

    None: no range to honour (no header, another unit, or several ranges, which this answers
    with the whole file as RFC 9110 allows). :class:`Unsatisfiable` for a range outside the
    file or malformed (answered 416)."""
    unit, _, spec = (header or "").partition("=")
    if unit.strip().lower() != "bytes" or not spec.strip():
        return None
    if "," in spec:
        return None
    match = _RANGE.match(spec)
    if match is None or not (match.group(1) or match.group(2)):
        raise Unsatisfiable(header)
    start, end = match.group(1), match.group(2)
    if not start:  # the last N bytes
        length = int(end)
        if length == 0 or size == 0:
            raise Unsatisfiable(header)
        return max(0, size - length), size - 1
    first = int(start)
    last = min(int(end), size - 1) if end else size - 1
    if first >= size or (end and int(end) < first):
        raise Unsatisfiable(header)
    return first, last


def _if_range_holds(request: HttpRequest, stat: os.stat_result) -> bool:
    """An ``If-Range`` naming another version of the file means: send it whole."""
    value = request.headers.get("If-Range")
    if not value:
        return True
    if value.startswith(('"', 'W/"')):
        return value == etag_of(stat)
    since = parse_http_date_safe(value)
    return since is not None and int(stat.st_mtime) <= since


def _read(path: Path, first: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as f:
        f.seek(first)
        while length > 0:
            chunk = f.read(min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


def ranged_file_response(
    request: HttpRequest, path: Path, content_type: str, cache_control: str
) -> HttpResponse:
    """200 with the whole file, 206 with the range asked for, or 416; always
    ``Accept-Ranges: bytes``, the ETag and Last-Modified of the file."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise Http404("no such file") from None
    size = stat.st_size
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": etag_of(stat),
        "Last-Modified": http_date(stat.st_mtime),
        "Cache-Control": cache_control,
    }
    try:
        wanted = parse_range(request.headers.get("Range", ""), size)
    except Unsatisfiable:
        response = HttpResponse(status=416, headers=headers)
        response["Content-Range"] = f"bytes */{size}"
        return response
    if wanted is None or not _if_range_holds(request, stat):
        response = FileResponse(path.open("rb"), content_type=content_type, headers=headers)
        response["Content-Length"] = str(size)
        return response
    first, last = wanted
    length = last - first + 1
    response = StreamingHttpResponse(
        _read(path, first, length), status=206, content_type=content_type, headers=headers
    )
    response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Content-Length"] = str(length)
    return response
