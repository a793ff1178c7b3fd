"""A photo attached to a proposal (a place photographed on the phone; R11.1): decoded by
Pillow (the declared type and name are not trusted), bounded in size, stored re-encoded as
JPEG (which also drops the camera's metadata) under its SHA-256."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from gridgov.errors import DomainError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 1600
FORMATS = frozenset({"JPEG", "PNG", "WEBP"})


@dataclass(frozen=True)
class Photo:
    content: ContentFile
    sha256: str


def checked(upload: Any, field: str = "photo") -> Photo:
    """The upload as a stored JPEG, or a DomainError on ``field``."""
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise DomainError(_("照片不能超过 10 MB"), field=field, code="too_large")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in FORMATS or probe.width * probe.height > MAX_PIXELS:
                raise DomainError(_("请上传 JPEG、PNG 或 WebP 照片"), field=field, code="bad_photo")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image = image.convert("RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=85)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise DomainError(_("无法识别的照片"), field=field, code="bad_photo") from None
    body = out.getvalue()
    return Photo(ContentFile(body, name="photo.jpg"), hashlib.sha256(body).hexdigest())
