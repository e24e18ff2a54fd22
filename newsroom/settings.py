"""Settings for Newsroom, read from the environment.

Every variable is documented in README.md. Debug is off unless asked for, and a
production deployment must provide its own secret key.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise ImproperlyConfigured(
            f"{name} must be a whole number of at least {minimum}, not {value!r}"
        )
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or default


# --- Core -------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG")

DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-never-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value, "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"
ASGI_APPLICATION = "newsroom.asgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

NEWSROOM_SITE_NAME = os.environ.get("NEWSROOM_SITE_NAME", "Newsroom")
# The public address, for links sent where there is no request (webhooks).
NEWSROOM_SITE_URL = os.environ.get("NEWSROOM_SITE_URL", "http://127.0.0.1:8000").rstrip(
    "/"
)

# Webhooks: a delivery is retried with doubling waits from the backoff, and
# given up after the maximum number of attempts.
NEWSROOM_WEBHOOK_MAX_ATTEMPTS = env_int("NEWSROOM_WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
NEWSROOM_WEBHOOK_BACKOFF_SECONDS = env_int(
    "NEWSROOM_WEBHOOK_BACKOFF_SECONDS", 30, minimum=1
)
NEWSROOM_WEBHOOK_TIMEOUT = env_int("NEWSROOM_WEBHOOK_TIMEOUT", 10, minimum=1)
# Plain http:// endpoints on this machine, for development and tests only.
NEWSROOM_WEBHOOKS_ALLOW_HTTP_LOCALHOST = env_bool(
    "NEWSROOM_WEBHOOKS_ALLOW_HTTP_LOCALHOST", DEBUG
)

# How long a preview link an editor shares keeps working, unless they choose.
NEWSROOM_PREVIEW_LINK_HOURS = env_int("NEWSROOM_PREVIEW_LINK_HOURS", 48, minimum=1)

# How many stories the "Read These Next" block under an article shows.
NEWSROOM_READ_NEXT_COUNT = env_int("NEWSROOM_READ_NEXT_COUNT", 4, minimum=1)

# --- Applications -------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "taggit",
    "axes",
    "newsroom",
    "reversion",
    "articles",
    "entities",
    "partners",
    "rest_framework",
    "rest_framework_api_key",
    "webhooks",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "newsroom.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "newsroom.middleware.RequestSizeLimitMiddleware",
    "newsroom.middleware.DatabaseUnavailableMiddleware",
    # After the database middleware, so its JSON answers come first under /api/.
    "newsroom.api.APIMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into its own response.
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if replica_url := os.environ.get("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(
        replica_url,
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    # Tests run against the primary alone, as if replication were instant.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["newsroom.db_router.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "newsroom.db_router.ReplicaRoutingMiddleware",
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run while one writer commits; IMMEDIATE takes the write
    # lock at BEGIN so two writers queue on the busy timeout instead of failing
    # with "database is locked" halfway through a transaction.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# --- Cache --------------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "newsroom",
            # Short timeouts: a Redis that has gone away must cost a page
            # a fraction of a second, not a stalled worker.
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication -----------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username and address are refused before any
    # password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "admin:login"

# Admin login lockout: five failures for one username from one address lock
# that pair for an hour. Unknown usernames count the same as real ones, so the
# answer never tells which exist.
AXES_FAILURE_LIMIT = env_int("NEWSROOM_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=env_int("NEWSROOM_LOGIN_LOCKOUT_MINUTES", 60, minimum=1)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# --- Security -----------------------------------------------------------------

# Behind a proxy that terminates TLS, name the header it sets, e.g.
# HTTP_X_FORWARDED_PROTO; Django then trusts "https" from that header only.
if proxy_header := os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", ""):
    SECURE_PROXY_SSL_HEADER = (proxy_header, "https")
# How many proxies sit in front of the app servers: the client address is taken
# that many hops from the right of X-Forwarded-For (used by the login lockout).
NEWSROOM_TRUSTED_PROXIES = env_int("NEWSROOM_TRUSTED_PROXIES", 0)
AXES_IPWARE_PROXY_COUNT = NEWSROOM_TRUSTED_PROXIES or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    if NEWSROOM_TRUSTED_PROXIES
    else ["REMOTE_ADDR"]
)

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 63_072_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Asking browsers to preload HSTS lets anyone submit the domain, and all
    # its subdomains, to a list that is slow to leave: the operator's decision,
    # not a default. Without it the deploy check's only remark is this one.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool(
    "DJANGO_SECURE_COOKIES", not DEBUG
)
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"

# Features no page of the site uses, switched off for any script that might.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), payment=(), usb=()"
)

# No inline scripts or styles anywhere, the admin included: everything comes
# from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        **({} if DEBUG else {"upgrade-insecure-requests": True}),
    },
}

# Input limits. Django refuses a form body over DATA_UPLOAD_MAX_MEMORY_SIZE
# and more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields; the request-size
# middleware refuses any body over NEWSROOM_MAX_REQUEST_BYTES (which has to
# leave room for a hero image) before reading it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2_000
NEWSROOM_MAX_IMAGE_BYTES = env_int("NEWSROOM_MAX_IMAGE_MB", 10, minimum=1) * 1_048_576
NEWSROOM_MAX_REQUEST_BYTES = NEWSROOM_MAX_IMAGE_BYTES + 2_621_440

# --- Internationalisation -----------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Logging ------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
    },
}

# --- Partner API ------------------------------------------------------------

# Requests per key unless the partner has its own rate: "<n>/second|minute|hour|day".
NEWSROOM_API_THROTTLE_RATE = os.environ.get("NEWSROOM_API_THROTTLE_RATE", "1000/hour")
# How often each process writes the per-key usage counts it has gathered.
NEWSROOM_API_USAGE_FLUSH_SECONDS = env_int(
    "NEWSROOM_API_USAGE_FLUSH_SECONDS", 60, minimum=1
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partners.authentication.PartnerKeyAuthentication"
    ],
    "DEFAULT_PERMISSION_CLASSES": ["partners.permissions.HasPartnerKey"],
    "DEFAULT_THROTTLE_CLASSES": ["partners.throttling.PartnerKeyThrottle"],
    # JSON only: the browsable API would need sessions and inline scripts.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "newsroom.api.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "UNICODE_JSON": True,
    # No ?format=: an unknown parameter like any other.
    "URL_FORMAT_OVERRIDE": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": f"{NEWSROOM_SITE_NAME} partner API",
    "DESCRIPTION": "Published articles, sections, tags, authors and entities, "
    "read-only. Every request needs a partner key: "
    "`Authorization: Api-Key <key>`. See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PUBLIC": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "EntityKindEnum": "entities.models.Entity.Kind",
        "CorrectionKindEnum": ["correction", "update"],
        "ReasonKindEnum": ["entity", "tag"],
    },
}

# --- Tags ---------------------------------------------------------------------

# Tag names keep the case an editor typed ("International Trade"); matching
# what readers and importers type is case-insensitive.
TAGGIT_CASE_INSENSITIVE = True
