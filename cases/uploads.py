"""Photos attached to cases: images only, size-limited, content-checked, stored by hash.

The declared content type and file name are not trusted: Pillow must decode the bytes as one
of the allowed formats. The SHA-256 of the stored bytes enters the archive (R26.2).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from gridgov.errors import DomainError

ALLOWED_FORMATS = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
}
MAX_PHOTOS = 9


def max_bytes() -> int:
    return int(getattr(settings, "GRIDGOV_MAX_PHOTO_BYTES", 10 * 1024 * 1024))


def max_pixels() -> int:
    """Largest photo accepted, in pixels (a phone camera takes 12–50 MP; a 17 KB PNG can
    declare 400 MP and take gigabytes to decode)."""
    return int(getattr(settings, "GRIDGOV_MAX_PHOTO_PIXELS", 40_000_000))


def _too_large(name: str) -> DomainError:
    return DomainError(
        _("图片尺寸过大: %(name)s 超过 %(mp)s 百万像素")
        % {"name": name, "mp": max_pixels() // 1_000_000},
        field="photos",
        code="too_many_pixels",
    )


@dataclass(frozen=True)
class CheckedPhoto:
    content: bytes
    name: str
    content_type: str
    extension: str
    sha256: str
    width: int
    height: int
    public: bool = False  # shown to the public on the tracking page (a result photo)

    def as_file(self) -> ContentFile:
        return ContentFile(self.content, name=f"{self.sha256}{self.extension}")

    def manifest(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sha256": self.sha256,
            "size": len(self.content),
            "content_type": self.content_type,
            # only when set: the manifests of earlier events keep their form (R26.2)
            **({"public": True} if self.public else {}),
        }


def _read(upload: Any) -> tuple[bytes, str]:
    name = getattr(upload, "name", "") or "photo"
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise DomainError(
            _("照片 %(name)s 超过 %(mb)s MB") % {"name": name, "mb": limit // (1024 * 1024)},
            field="photos",
            code="too_large",
        )
    data = upload.read(limit + 1) if hasattr(upload, "read") else bytes(upload)
    if len(data) > limit:
        raise DomainError(
            _("照片 %(name)s 超过 %(mb)s MB") % {"name": name, "mb": limit // (1024 * 1024)},
            field="photos",
            code="too_large",
        )
    return data, str(name)[:200]


def check_photo(upload: Any) -> CheckedPhoto:
    data, name = _read(upload)
    if not data:
        raise DomainError(_("照片 %(name)s 是空文件") % {"name": name}, field="photos")
    try:
        # Image.open reads the header only: the declared size is checked before anything is
        # decoded; PIL's own bomb guard (a warning, an error past twice its limit) refuses too.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image_format = image.format
                width, height = image.size
                if width * height > max_pixels():
                    raise _too_large(name)
                image.verify()  # a truncated or corrupt file fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large(name) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DomainError(
            _("%(name)s 不是可识别的图片") % {"name": name}, field="photos", code="not_an_image"
        ) from exc
    if image_format not in ALLOWED_FORMATS:
        raise DomainError(
            _("%(name)s 的格式 %(fmt)s 不被接受(仅限 JPEG、PNG、WebP)")
            % {"name": name, "fmt": image_format},
            field="photos",
            code="bad_format",
        )
    content_type, extension = ALLOWED_FORMATS[image_format]
    return CheckedPhoto(
        data, name, content_type, extension, hashlib.sha256(data).hexdigest(), width, height
    )


def check_photos(
    uploads: Any, *, field: str = "photos", public: bool = False
) -> list[CheckedPhoto]:
    """Check each upload; ``public`` marks them as shown on the public tracking page."""
    uploads = list(uploads or [])
    if len(uploads) > MAX_PHOTOS:
        raise DomainError(
            _("最多上传 %(n)s 张照片") % {"n": MAX_PHOTOS}, field=field, code="too_many"
        )
    checked = []
    for upload in uploads:
        try:
            photo = check_photo(upload)
        except DomainError as exc:
            exc.field = field
            raise
        checked.append(dataclasses.replace(photo, public=True) if public else photo)
    return checked
