"""Validation of the registry's identifiers (R11.1, R22.1): the unified social credit code of
organisations (GB 32100-2015) and the ID documents of residents.

The resident ID number reuses ``audit.personal_data.normalize_id_number`` (GB 11643 check digit,
birth date, province); :func:`clean_document` adds the other documents residents carry and the
consistency of a resident ID number with the birth date and gender given beside it.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import personal_data as pd
from gridgov.errors import DomainError

# --- GB 32100-2015: the unified social credit code (统一社会信用代码) ----------------------------

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# First character: the registration authority (1 机构编制, 5 民政, 9 工商, Y 其他 …).
USCC_AUTHORITIES = frozenset("123456789ANY")
_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def uscc_check_char(first17: str) -> str:
    """The GB 32100-2015 check character of the first 17 characters."""
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def normalize_uscc(value: str, *, field: str = "credit_code") -> str:
    """An 18-character unified social credit code, upper case, or DomainError with the reason.
    Blank stays blank (an organisation not yet registered, e.g. a new social group)."""
    raw = re.sub(r"[\s\-]", "", str(value or "")).upper()
    if not raw:
        return ""
    if len(raw) != 18:
        raise DomainError(
            _("统一社会信用代码应为 18 位(收到 %(n)d 位)") % {"n": len(raw)},
            field=field,
            code="uscc_length",
        )
    if not _USCC_SHAPE.match(raw) or raw[0] not in USCC_AUTHORITIES:
        raise DomainError(
            _("统一社会信用代码格式不正确(GB 32100-2015:登记管理部门代码、机构类别、"
              "6 位行政区划码、主体标识码和校验码,不含 I、O、S、V、Z)"),
            field=field,
            code="uscc_format",
        )  # fmt: skip
    expected = uscc_check_char(raw[:17])
    if raw[17] != expected:
        raise DomainError(
            _("统一社会信用代码校验位错误(应为 %(char)s)") % {"char": expected},
            field=field,
            code="uscc_check_char",
        )
    return raw


# --- residents' ID documents -----------------------------------------------------------------


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", gettext_lazy("居民身份证")
    PASSPORT = "passport", gettext_lazy("护照")
    HK_MACAO_PERMIT = "hk_macao_permit", gettext_lazy("港澳居民来往内地通行证")
    TAIWAN_PERMIT = "taiwan_permit", gettext_lazy("台湾居民来往大陆通行证")
    FOREIGN_PERMANENT_ID = "foreign_permanent_id", gettext_lazy("外国人永久居留身份证")
    OTHER = "other", gettext_lazy("其他证件")


_DOCUMENT_SHAPES = {
    IdType.PASSPORT: re.compile(r"^[A-Z0-9]{5,17}$"),
    IdType.HK_MACAO_PERMIT: re.compile(r"^[HM][0-9]{8}([0-9]{2})?$"),
    IdType.TAIWAN_PERMIT: re.compile(r"^[0-9]{8}([0-9]{2})?$"),
    IdType.FOREIGN_PERMANENT_ID: re.compile(r"^([A-Z]{3}[0-9]{12}|9[0-9]{17})$"),
    IdType.OTHER: re.compile(r"^[A-Z0-9]{4,32}$"),
}


def normalize_document(id_type: str, value: str, *, field: str = "id_number") -> str:
    """The document number in its stored form (upper case, no separators), or DomainError."""
    if id_type == IdType.RESIDENT_ID:
        return pd.normalize_id_number(value, field=field)
    raw = re.sub(r"[\s\-()]", "", str(value or "")).upper()
    if not raw:
        raise DomainError(_("证件号码不能为空"), field=field, code="required")
    shape = _DOCUMENT_SHAPES.get(id_type)
    if shape is None or not shape.match(raw):
        raise DomainError(
            _("%(type)s号码格式不正确") % {"type": IdType(id_type).label if shape else id_type},
            field=field,
            code="document_format",
        )
    return raw


def id_birth_date(id_number: str) -> dt.date:
    """The birth date written in a (normalised) resident ID number."""
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def check_consistent(
    id_number: str, *, birth_date: dt.date | None, gender: str
) -> tuple[dt.date, str]:
    """The birth date and gender of a resident with this resident ID number: the given ones when
    they agree with the number, those of the number when none is given, refused otherwise."""
    born = id_birth_date(id_number)
    sex = pd.gender_of(id_number)
    if birth_date is not None and birth_date != born:
        raise DomainError(
            _("出生日期与身份证号码不符(号码中为 %(date)s)") % {"date": f"{born:%Y-%m-%d}"},
            field="birth_date",
            code="id_birth_date_mismatch",
        )
    if gender and gender != sex:
        raise DomainError(_("性别与身份证号码不符"), field="gender", code="id_gender_mismatch")
    return born, sex
