"""Settings for gridgov.

Everything that differs between machines comes from the environment:

- ``GRIDGOV_ENV``: ``development`` (default), ``test`` or ``production``.
- ``DATABASE_URL``: default a SQLite file under ``var/``; PostgreSQL in production.
- ``GRIDGOV_SECRET_KEY``: required in production.
- ``REDIS_URL``: cache and background workers (recommended in production; without it the
  shared cache is a database table and tasks run from the database queue).
- ``GRIDGOV_TILE_URL``: optional map tile URL template (blank maps otherwise; deployments sit
  on isolated networks, so nothing is fetched from outside unless configured).
- ``GRIDGOV_PROXY_SSL_HEADER``, ``GRIDGOV_HSTS_*``, ``GRIDGOV_CSP_*``: HTTPS and the
  Content-Security-Policy (the security section below, gridgov/security.py).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from gridgov import security

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GRIDGOV_VAR_DIR", BASE_DIR / "var"))

ENV = os.environ.get("GRIDGOV_ENV", "development")
if ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"GRIDGOV_ENV must be development, test or production, not {ENV!r}")
PRODUCTION = ENV == "production"
TESTING = ENV == "test" or "pytest" in sys.modules


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _required_in_production(name: str, development_default: str) -> str:
    value = os.environ.get(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set when GRIDGOV_ENV=production")
    return development_default


SECRET_KEY = _required_in_production(
    "GRIDGOV_SECRET_KEY", "development-only-key-never-used-in-production-5f1c0b7e"
)
DEBUG = _env_bool("GRIDGOV_DEBUG", not PRODUCTION and not TESTING)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("GRIDGOV_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("GRIDGOV_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "gridgov",
    "people",
    "registry",
    "audit",
    "regions",
    "workdays",
    "matters",
    "cases",
    "fieldwork",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "gridgov.generations.PerRequestMiddleware",
    "audit.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # after auth so its 400 page has the menu; NUL and BadParameter refused (R22.1)
    "gridgov.badinput.BadInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "gridgov.urls"
WSGI_APPLICATION = "gridgov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gridgov" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gridgov.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'gridgov.sqlite3'}"
# Connections are kept for a minute and checked (one ``SELECT 1``) before their first use in
# each request: after the database restarts, the next request reconnects instead of failing.
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # WAL + IMMEDIATE transactions let the web process and the task worker share the file
    # without "database is locked" errors under ordinary load.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("GRIDGOV_SQLITE_TEST_NAME") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -----------------------------------------------------------------------------
AUTH_USER_MODEL = "people.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# Failed logins (web, admin and API token) are counted per account+IP in the shared cache;
# after GRIDGOV_LOGIN_MAX_FAILURES the pair is locked for GRIDGOV_LOGIN_LOCK_SECONDS (R22.1).
AUTHENTICATION_BACKENDS = ["people.auth.ThrottledModelBackend"]
GRIDGOV_LOGIN_MAX_FAILURES = int(os.environ.get("GRIDGOV_LOGIN_MAX_FAILURES", "5"))
GRIDGOV_LOGIN_LOCK_SECONDS = int(os.environ.get("GRIDGOV_LOGIN_LOCK_SECONDS", "900"))
# One address failing this many times in the window (many accounts behind one NAT, or one
# attacker trying many accounts) slows every password check from it by
# GRIDGOV_LOGIN_SLOWDOWN_SECONDS instead of locking everyone out: the right password passes.
GRIDGOV_LOGIN_ADDRESS_FAILURES = int(os.environ.get("GRIDGOV_LOGIN_ADDRESS_FAILURES", "30"))
GRIDGOV_LOGIN_SLOWDOWN_SECONDS = float(os.environ.get("GRIDGOV_LOGIN_SLOWDOWN_SECONDS", "2"))
GRIDGOV_API_TOKEN_DAYS = int(os.environ.get("GRIDGOV_API_TOKEN_DAYS", "30"))
# Photos above this many pixels are refused before decoding (image bombs, R28.1).
GRIDGOV_MAX_PHOTO_PIXELS = int(os.environ.get("GRIDGOV_MAX_PHOTO_PIXELS", "40000000"))
# A search by a full ID or phone number is a reveal (R22.1): at most this many per user per
# window (seconds), counted in the shared cache (people.exact_search).
GRIDGOV_PERSONAL_SEARCH_LIMIT = int(os.environ.get("GRIDGOV_PERSONAL_SEARCH_LIMIT", "30"))
GRIDGOV_PERSONAL_SEARCH_WINDOW = int(os.environ.get("GRIDGOV_PERSONAL_SEARCH_WINDOW", "3600"))
# Key for personal data at rest (R22.1): 32 bytes as hex or base64. Development generates one
# into var/data.key, tests make one per process; production refuses to start without it.
GRIDGOV_DATA_KEY = _required_in_production("GRIDGOV_DATA_KEY", "")
SESSION_COOKIE_AGE = int(os.environ.get("GRIDGOV_SESSION_SECONDS", 8 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION

# --- Language and time --------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
# Each language named in itself, so a reader finds their own whatever the page language.
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Third-party browser assets come from npm at set-up time (never a CDN, never committed).
NODE_MODULES = BASE_DIR / "node_modules"
VENDOR_ASSETS = {
    "vendor/leaflet": NODE_MODULES / "leaflet" / "dist",
    "vendor/leaflet.markercluster": NODE_MODULES / "leaflet.markercluster" / "dist",
    "vendor/echarts": NODE_MODULES / "echarts" / "dist",
    "vendor/protomaps-leaflet": NODE_MODULES / "protomaps-leaflet" / "dist",
    "vendor/pmtiles": NODE_MODULES / "pmtiles" / "dist",
}
STATICFILES_DIRS = [(prefix, path) for prefix, path in VENDOR_ASSETS.items() if path.is_dir()]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("GRIDGOV_MEDIA_ROOT", VAR_DIR / "media"))

# --- Cache and background work ------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Django's Redis cache reusing its clients, lending its connections to RQ (gridgov.cache).
    CACHES = {"default": {"BACKEND": "gridgov.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Without Redis the shared state of the processes (generation tokens, lockout and
    # rate-limit counters) lives in the database, so that a deactivation, a logout or a role
    # revocation reaches every process at once (R22.1). ``manage.py createcachetable`` (run
    # by ``make setup``; the test runner makes it itself) creates the table.
    CACHES = {
        "default": {
            "BACKEND": "gridgov.cache.DatabaseCache",
            "LOCATION": "gridgov_cache",
            # Culling (deleting a third of the entries when full) must not drop live lockout
            # counters: room for many, expired ones go first.
            "OPTIONS": {"MAX_ENTRIES": 200_000, "CULL_FREQUENCY": 3},
        }
    }

TASKS_BACKEND = os.environ.get("GRIDGOV_TASKS_BACKEND", "rq" if REDIS_URL else "database")
if TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq"]
    RQ_QUEUES = {
        "default": {"USE_REDIS_CACHE": "default"}
        if REDIS_URL
        else {"URL": "redis://127.0.0.1:6379/0"}
    }
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an API client with a bad token gets 401 + WWW-Authenticate, not 403.
        "people.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "gridgov.api.Pagination",
    # depth- and size-bounded JSON, no NaN/Infinity, NUL or lone surrogates (R28.1)
    "DEFAULT_PARSER_CLASSES": [
        "gridgov.jsoninput.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "gridgov.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "600/minute", "user": "6000/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "gridgov API",
    "DESCRIPTION": "智慧网格服务管理平台 API (grid-based community governance). "
    "Requirement ids (R8.1 …) refer to the project's REQUIREMENTS.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The shared error answers (400/401/403/404) on every operation (gridgov.apischema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "gridgov.apischema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "RegionLevelEnum": "regions.models.Level",
        "VillageKindEnum": "regions.models.VillageKind",
        "AgencyLevelEnum": "people.models.AgencyLevel",
        "WorkerKindEnum": "people.models.WorkerKind",
        "CommitteeKindEnum": "people.models.CommitteeKind",
        "ExitReasonEnum": "people.models.ExitReason",
        "GenderEnum": "people.models.Gender",
        "WorkerStatusEnum": "people.models.WorkerStatus",
        "RoleEnum": "gridgov.access.roles.Role",
        "GrantedRoleEnum": "gridgov.access.roles.GRANTED_ROLE_CHOICES",
        "CaseStateEnum": "cases.models.State",
        "CaseChannelEnum": "cases.models.Channel",
        "InvolvedRoleEnum": "cases.models.InvolvedRole",
        "CaseLevelEnum": "cases.models.Level",
        "DeadlineStatusEnum": "cases.models.DeadlineStatus",
        "AssignmentRoleEnum": "cases.models.AssignmentRole",
        "AssignmentStateEnum": "cases.models.AssignmentState",
        "CaseRequestStatusEnum": "cases.models.RequestStatus",
        "RatingEnum": "cases.models.Rating",
        "CaseLinkKindEnum": "cases.models.LinkKind",
        "LimitUnitEnum": "matters.models.LimitUnit",
        "VersionStatusEnum": "matters.models.VersionStatus",
        "ChangeKindEnum": "matters.models.ChangeKind",
        "ChangeStatusEnum": "matters.models.ChangeStatus",
        "DayKindEnum": "workdays.models.DayKind",
        "DaySourceEnum": "workdays.models.Source",
        "AddressLevelEnum": "registry.models.AddressLevel",
        "HouseUseEnum": "registry.models.HouseUse",
        "RentalStatusEnum": "registry.models.RentalStatus",
        "ResidentKindEnum": "registry.models.ResidentKind",
        "HouseholdRelationEnum": "registry.models.Relation",
        "HouseRelationEnum": "registry.models.HouseRelation",
        "ResidentStatusEnum": "registry.models.ResidentStatus",
        "CareLevelEnum": "registry.models.CareLevel",
        "SpecialGroupKindEnum": "registry.visibility.SpecialGroupKind",
        "IdTypeEnum": "registry.validation.IdType",
        "OrganisationKindEnum": "registry.models.OrganisationKind",
        "OrganisationStatusEnum": "registry.models.OrganisationStatus",
        "PlaceKindEnum": "registry.models.PlaceKind",
        "RiskLevelEnum": "registry.models.RiskLevel",
        "ThingKindEnum": "registry.models.ThingKind",
        "ImportKindEnum": "registry.models.ImportKind",
        "ImportStatusEnum": "registry.models.ImportStatus",
        "ThingStateEnum": "registry.models.ThingState",
        "ResidentRevealFieldEnum": "registry.api.serializers.RESIDENT_REVEAL_FIELDS",
        "OrganisationRevealFieldEnum": "registry.api.serializers.ORGANISATION_REVEAL_FIELDS",
        "ProposalKindEnum": "registry.models.ProposalKind",
        "ProposalStatusEnum": "registry.models.ProposalStatus",
    },
}

# --- Client addresses behind a reverse proxy ---------------------------------------------
# Off by default: the client is REMOTE_ADDR. Behind a reverse proxy, list the proxies'
# addresses or networks; only requests from them have GRIDGOV_CLIENT_IP_HEADER believed
# (audit.middleware.client_ip).
GRIDGOV_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("GRIDGOV_TRUSTED_PROXIES", "").split(",") if p.strip()
]
GRIDGOV_CLIENT_IP_HEADER = os.environ.get("GRIDGOV_CLIENT_IP_HEADER", "X-Forwarded-For")

# --- Security -----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS in production (R22.1): redirect http, and HSTS so browsers never try http again. Behind
# a TLS-terminating proxy, GRIDGOV_PROXY_SSL_HEADER names the header it sets ("X-Forwarded-
# Proto: https"; the proxy must strip it from clients). /healthz stays reachable over http for
# load balancers.
SECURE_SSL_REDIRECT = _env_bool("GRIDGOV_SSL_REDIRECT", PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = security.proxy_ssl_header(os.environ.get("GRIDGOV_PROXY_SSL_HEADER", ""))
SECURE_HSTS_SECONDS = int(os.environ.get("GRIDGOV_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("GRIDGOV_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
# Preloading binds the whole domain in every browser for months: the domain owner's decision,
# so off unless asked for (and then Django's deploy check about it is not silenced).
SECURE_HSTS_PRELOAD = _env_bool("GRIDGOV_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Content-Security-Policy (django-csp; gridgov/security.py): no inline script, no eval, same-
# origin everything plus the configured tile server. GRIDGOV_CSP_REPORT_ONLY=1 sends it as
# Content-Security-Policy-Report-Only (to try it on a deployment first).
_CSP = {
    "DIRECTIVES": security.content_security_policy(
        extra_origins=[security.origin_of(os.environ.get("GRIDGOV_TILE_URL", "")) or ""],
        report_uri=os.environ.get("GRIDGOV_CSP_REPORT_URI", ""),
    )
}
if _env_bool("GRIDGOV_CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# --- Domain settings ----------------------------------------------------------------------
GRIDGOV = {
    # Map tiles are optional: deployments on isolated networks configure their own server.
    "TILE_URL": os.environ.get("GRIDGOV_TILE_URL", ""),
    "TILE_ATTRIBUTION": os.environ.get("GRIDGOV_TILE_ATTRIBUTION", ""),
    # Or a PMTiles archive (vector or raster) served by this site in byte ranges (gridgov.maps);
    # the demo builds one from its regions here. Blank: none (tests: each test that wants one
    # builds its own, whatever a developer's var/ holds).
    "BASEMAP_PMTILES": os.environ.get(
        "GRIDGOV_BASEMAP_PMTILES", "" if TESTING else str(VAR_DIR / "basemap" / "basemap.pmtiles")
    ),
    "BASEMAP_ATTRIBUTION": os.environ.get("GRIDGOV_BASEMAP_ATTRIBUTION", ""),
    # Coverage checks (R8.1): pieces smaller than this many m² are floating-point noise.
    "COVERAGE_TOLERANCE_M2": float(os.environ.get("GRIDGOV_COVERAGE_TOLERANCE_M2", "1.0")),
    # Households per grid by village type (R8.1 规模适度); violations are coverage warnings.
    "GRID_HOUSEHOLDS": {
        "urban": (
            int(os.environ.get("GRIDGOV_URBAN_MIN_HOUSEHOLDS", "300")),
            int(os.environ.get("GRIDGOV_URBAN_MAX_HOUSEHOLDS", "500")),
        ),
        "rural": (
            int(os.environ.get("GRIDGOV_RURAL_MIN_HOUSEHOLDS", "100")),
            int(os.environ.get("GRIDGOV_RURAL_MAX_HOUSEHOLDS", "300")),
        ),
    },
    # Working hours on a working day, local time (R24.2, R24.3 hour-based time limits).
    # "08:30-12:00,14:30-17:30" = a morning and an afternoon period.
    "WORKDAY_HOURS": os.environ.get("GRIDGOV_WORKDAY_HOURS", "08:30-12:00,14:30-17:30"),
    # How often an open page asks for the notification badge (cases.notify; R26.1).
    "NOTIFICATION_POLL_SECONDS": int(os.environ.get("GRIDGOV_NOTIFICATION_POLL_SECONDS", "15")),
    # The public address of the resident portal, for links in SMS (blank: no link).
    "PUBLIC_URL": os.environ.get("GRIDGOV_PUBLIC_URL", ""),
}
# SMS to residents (R18.1): the backend class, like EMAIL_BACKEND. The default only logs
# (masked numbers); a deployment names its gateway's class (docs/notifications.md).
GRIDGOV_SMS_BACKEND = os.environ.get("GRIDGOV_SMS_BACKEND", "cases.notify.sms.LoggingSmsBackend")
GRIDGOV_SMS_BACKEND_OPTIONS: dict[str, object] = {}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GRIDGOV_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
