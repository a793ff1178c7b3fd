"""Protected personal data (R22.1): validation, encryption at rest, keyed hashes, masking.

ID-card numbers and personal phone numbers are stored three times over, never in clear:

- ``*_encrypted``: AES-256-GCM ciphertext, ``"<key id>.<base64url(nonce + ciphertext)>"``. The
  associated data binds the ciphertext to its column, so a value copied into another column
  (or another table) does not decrypt.
- ``*_digest``: HMAC-SHA256 of the normalised value under a second key derived from the same
  master key, so an exact value can be looked up (``WHERE digest = ...``) without decrypting.
- ``*_masked``: the masked form everyone sees (``138****5678``, ``4407**********123X``).

The master key comes from ``GRIDGOV_DATA_KEY`` (32 bytes, base64 or hex). In production a
missing key stops start-up (settings); in development one is generated once into
``var/data.key``; under tests each process makes its own. Only :func:`reveal` paths in the
services decrypt, and every reveal is logged (:mod:`audit.services`).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.errors import DomainError

KEY_BYTES = 32
NONCE_BYTES = 12

# --- validation ----------------------------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
# GB/T 2260 province-level codes (first two digits of a resident ID number).
PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
     "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
     "65", "71", "81", "82", "83", "91"}
)  # fmt: skip
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_SEPARATORS = re.compile(r"[\s\-()]")
_WORK_PHONE = re.compile(r"^(?:1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}(?:-[0-9]{1,6})?|[0-9]{3,8})$")


def id_check_char(first17: str) -> str:
    """GB 11643-1999 check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def normalize_id_number(value: str, *, field: str = "id_number") -> str:
    """An 18-character resident ID number, upper-case X, or DomainError naming the reason."""
    raw = _SEPARATORS.sub("", str(value or "")).upper()
    if not raw:
        raise DomainError(_("身份证号码不能为空"), field=field, code="required")
    if len(raw) != 18:
        raise DomainError(
            _("身份证号码应为 18 位(收到 %(n)d 位)") % {"n": len(raw)},
            field=field,
            code="id_length",
        )
    if not raw[:17].isdigit() or not (raw[17].isdigit() or raw[17] == "X"):
        raise DomainError(
            _("身份证号码前 17 位须为数字,末位为数字或 X"), field=field, code="id_format"
        )
    if raw[:2] not in PROVINCE_CODES:
        raise DomainError(
            _("身份证号码的地区码 %(code)s 不是有效的省级代码") % {"code": raw[:2]},
            field=field,
            code="id_region",
        )
    try:
        born = dt.date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
    except ValueError:
        raise DomainError(
            _("身份证号码中的出生日期 %(date)s 不存在") % {"date": raw[6:14]},
            field=field,
            code="id_birth_date",
        ) from None
    if born.year < 1900 or born > timezone.localdate():
        raise DomainError(
            _("身份证号码中的出生日期 %(date)s 不合理") % {"date": f"{born:%Y-%m-%d}"},
            field=field,
            code="id_birth_date",
        )
    expected = id_check_char(raw[:17])
    if raw[17] != expected:
        raise DomainError(
            _("身份证号码校验位错误(应为 %(digit)s)") % {"digit": expected},
            field=field,
            code="id_check_digit",
        )
    return raw


def normalize_mobile(value: str, *, field: str = "personal_phone") -> str:
    """An 11-digit mainland mobile number (a +86 / 0086 prefix is dropped)."""
    raw = _SEPARATORS.sub("", str(value or ""))
    if raw.startswith("+86"):
        raw = raw[3:]
    elif raw.startswith("0086"):
        raw = raw[4:]
    if not raw:
        raise DomainError(_("手机号码不能为空"), field=field, code="required")
    if not _MOBILE.match(raw):
        raise DomainError(
            _("手机号码应为以 13–19 开头的 11 位数字"), field=field, code="mobile_format"
        )
    return raw


def normalize_work_phone(value: str, *, field: str = "work_phone") -> str:
    """A public work phone: a mobile, a landline with area code (0750-3273605), or a short
    hotline number (12345). Blank stays blank."""
    raw = str(value or "").strip()
    if not raw:
        return ""
    compact = re.sub(r"[\s()]", "", raw)
    if compact.startswith("+86"):
        compact = compact[3:]
    if not _WORK_PHONE.match(compact):
        raise DomainError(
            _("电话号码格式不正确(手机号、带区号的固定电话如 0750-3273605,或短号如 12345)"),
            field=field,
            code="phone_format",
        )
    return compact


def gender_of(id_number: str) -> str:
    """ "male" or "female" from the 17th digit (GB 11643)."""
    return "male" if int(id_number[16]) % 2 else "female"


# --- masking -------------------------------------------------------------------------------


def mask_mobile(value: str) -> str:
    """``13812345678`` → ``138****5678``."""
    return _hide_middle(value, head=3)


def mask_id_number(value: str) -> str:
    """``440703199001011234`` → ``4407**********1234``."""
    return _hide_middle(value, head=4)


def _hide_middle(value: str, *, head: int, tail: int = 4) -> str:
    # A value too short to hide anything between its kept ends is hidden whole.
    if not value:
        return ""
    if len(value) <= head + tail:
        return "*" * len(value)
    return f"{value[:head]}{'*' * (len(value) - head - tail)}{value[-tail:]}"


# Shapes of an ID-card number or a mobile number inside free text, with the separators people
# type; shape only (no check digit): a mistyped number is still somebody's number.
_ID_SHAPE = re.compile(r"(?<![0-9A-Za-z])[0-9](?:[\s\-]?[0-9]){16}[\s\-]?[0-9Xx](?![0-9A-Za-z])")
_MOBILE_SHAPE = re.compile(
    r"(?<![0-9])(?:\+86[\s\-]?|0086[\s\-]?)?1[3-9](?:[\s\-]?[0-9]){9}(?![0-9])"
)


def mask_numbers_in_text(text: str) -> str:
    """Every ID-card or mobile number in ``text`` in its masked form (R22.1, R28.1).

    For whatever goes into the append-only trail from user input (search terms, query
    strings): ``match=440703198501010019`` must not stay there in clear for ever.
    """

    def _id(found: re.Match[str]) -> str:
        return mask_id_number(_SEPARATORS.sub("", found.group()).upper())

    def _mobile(found: re.Match[str]) -> str:
        digits = _SEPARATORS.sub("", found.group())
        return mask_mobile(digits[-11:])

    return _MOBILE_SHAPE.sub(_mobile, _ID_SHAPE.sub(_id, str(text or "")))


def mask_query_string(query: str) -> str:
    """A URL query string with every ID-card or mobile number in its values masked."""
    pairs = parse_qsl(str(query or ""), keep_blank_values=True)
    return urlencode([(key, mask_numbers_in_text(value)) for key, value in pairs], safe="*")


# --- keys ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Keys:
    key_id: str
    encryption: bytes
    digest: bytes
    aead: AESGCM


_lock = threading.Lock()
_keys: Keys | None = None
_process_test_key: bytes | None = None


def parse_key(text: str) -> bytes:
    """32 key bytes from 64 hex characters or base64 (standard or URL-safe)."""
    text = text.strip()
    if re.fullmatch(r"[0-9a-fA-F]{64}", text):
        return bytes.fromhex(text)
    try:
        raw = base64.urlsafe_b64decode(text.replace("+", "-").replace("/", "_") + "==")
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(
            "GRIDGOV_DATA_KEY must be 32 random bytes, as 64 hex characters or base64 "
            '(generate one with: python -c "import secrets; print(secrets.token_hex(32))")'
        )
    return raw


def _development_key_file() -> Path:
    return Path(settings.VAR_DIR) / "data.key"


def _load_master_key() -> bytes:
    configured = getattr(settings, "GRIDGOV_DATA_KEY", "") or ""
    if configured:
        return parse_key(configured)
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured("GRIDGOV_DATA_KEY must be set when GRIDGOV_ENV=production")
    if getattr(settings, "TESTING", False):
        # One key per test process: nothing encrypted by a test outlives the session.
        global _process_test_key
        if _process_test_key is None:
            _process_test_key = secrets.token_bytes(KEY_BYTES)
        return _process_test_key
    path = _development_key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(KEY_BYTES) + "\n")
    return parse_key(path.read_text())


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose).derive(master)


def keys() -> Keys:
    global _keys
    if _keys is None:
        with _lock:
            if _keys is None:
                master = _load_master_key()
                encryption = _derive(master, b"gridgov personal data encryption v1")
                _keys = Keys(
                    key_id=hashlib.sha256(b"gridgov key id" + master).hexdigest()[:8],
                    encryption=encryption,
                    digest=_derive(master, b"gridgov personal data digest v1"),
                    aead=AESGCM(encryption),
                )
    return _keys


def reset_keys() -> None:
    """Forget the loaded keys (tests that change ``GRIDGOV_DATA_KEY``)."""
    global _keys
    with _lock:
        _keys = None


def check_configuration() -> None:
    """Fail start-up on a missing or malformed key (called from the app's ready())."""
    keys()


# --- encryption ----------------------------------------------------------------------------


class UndecryptableError(Exception):
    """A stored value does not decrypt: wrong key, or a value moved to another column."""


def encrypt(value: str, *, purpose: str) -> str:
    if not value:
        return ""
    k = keys()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = k.aead.encrypt(nonce, value.encode(), purpose.encode())
    return f"{k.key_id}.{base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}"


def decrypt(token: str, *, purpose: str) -> str:
    if not token:
        return ""
    k = keys()
    key_id, _, body = token.partition(".")
    if key_id != k.key_id:
        raise UndecryptableError(
            f"value was encrypted under key {key_id}, the configured key is {k.key_id}"
        )
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    try:
        plain = k.aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode())
    except InvalidTag as exc:
        raise UndecryptableError("stored value failed authentication") from exc
    return plain.decode()


def digest(value: str, *, kind: str) -> str:
    """Keyed hash for exact-match search; ``kind`` separates ID numbers from phones."""
    if not value:
        return ""
    return hmac.new(keys().digest, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Protected:
    """The three stored forms of one protected value."""

    encrypted: str
    digest: str
    masked: str


KINDS = {
    "id_number": (normalize_id_number, mask_id_number),
    "mobile": (normalize_mobile, mask_mobile),
}


def protect(value: str, *, kind: str, purpose: str, field: str) -> Protected:
    """Validate, normalise and protect a value (blank → all blank)."""
    if not str(value or "").strip():
        return Protected("", "", "")
    normalize, _mask = KINDS[kind]
    return protect_clean(normalize(value, field=field), kind=kind, purpose=purpose)


def protect_clean(clean: str, *, kind: str, purpose: str) -> Protected:
    """Protect a value already normalised (bulk loaders that generate valid values)."""
    _normalize, mask = KINDS[kind]
    return Protected(encrypt(clean, purpose=purpose), digest(clean, kind=kind), mask(clean))


def search_digest(value: str, *, kind: str) -> str | None:
    """The digest to look an exact value up by, or None when the value is not well-formed."""
    normalize, _ = KINDS[kind]
    try:
        return digest(normalize(value), kind=kind)
    except DomainError:
        return None
