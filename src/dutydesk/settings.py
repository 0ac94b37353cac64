"""DutyDesk settings: every value comes from the environment, with embedded defaults.

A fresh checkout runs on SQLite under ``./var``; production sets ``DATABASE_URL`` and
``REDIS_URL``. Bad values fail at start-up with the variable's name in the message.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# --- typed helpers ------------------------------------------------------------------


def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def envint(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def envpairs(name: str) -> dict[str, str]:
    """``key=value,key=value`` (a value may be empty); raises on an item without ``=``."""
    pairs = {}
    for item in envlist(name, []):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ImproperlyConfigured(f"{name} must be key=value pairs, not {item!r}")
        pairs[key.strip().lower()] = value.strip()
    return pairs


def envurl(name: str, default: str, *, schemes: tuple[str, ...]) -> str:
    raw = os.environ.get(name, default)
    if raw and urlsplit(raw).scheme not in schemes:
        raise ImproperlyConfigured(f"{name} must be a {'/'.join(schemes)} URL, not {raw!r}")
    return raw


# --- paths and secrets ----------------------------------------------------------------

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(envstr("DUTYDESK_DATA_DIR", str(Path.cwd() / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _persisted_secret_key() -> str:
    """Generate the key once and keep it in the data directory, so sessions survive restarts."""
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _persisted_secret_key()
DEBUG = envbool("DUTYDESK_DEBUG", False)

BASE_URL = envurl("DUTYDESK_BASE_URL", "http://localhost:8000", schemes=("http", "https")).rstrip(
    "/"
)
HTTPS = envbool("DUTYDESK_HTTPS", BASE_URL.startswith("https://"))
ALLOWED_HOSTS = envlist(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", urlsplit(BASE_URL).hostname or ""]
)
CSRF_TRUSTED_ORIGINS = [BASE_URL]
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- applications ---------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "huey.contrib.djhuey",
    "ninja",
    "dutydesk.core",
    "dutydesk.accounts",
    "dutydesk.tickets",
    "dutydesk.notify",
    "dutydesk.sla",
    "dutydesk.oncall",
    "dutydesk.monitoring",
    "dutydesk.channels.email",
    "dutydesk.channels.telegram",
    "dutydesk.channels.phone",
    "dutydesk.channels.alerts",
    "dutydesk.channels.webform",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "dutydesk.core.context.ClientIPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Alert hooks and other machine endpoints stop here: the rest is for browsers.
    "dutydesk.core.machine.MachineEndpointMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "dutydesk.accounts.second_factor.SecondFactorMiddleware",
    "dutydesk.accounts.middleware.PreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by the backend into a page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "dutydesk.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "dutydesk.urls"
WSGI_APPLICATION = "dutydesk.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "signin"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "signin"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [str(PACKAGE_DIR / "templates")],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "csp.context_processors.nonce",
            ]
        },
    }
]

# --- database -------------------------------------------------------------------------

DATABASE_URL = envurl(
    "DATABASE_URL",
    f"sqlite:///{DATA_DIR / 'dutydesk.sqlite3'}",
    schemes=("sqlite", "postgres", "postgresql", "pgsql"),
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock at
    # BEGIN, so concurrent web and worker writes wait (busy timeout) instead of failing.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# --- background work ------------------------------------------------------------------

REDIS_URL = envurl("REDIS_URL", "", schemes=("redis", "rediss", "unix"))
HUEY_IMMEDIATE = envbool("DUTYDESK_HUEY_IMMEDIATE", False)
# An idle consumer polls the SQLite queue at ever longer intervals, up to this; Huey's
# default of 10 s made the first page after a quiet minute wait seconds for a worker.
# A poll is one indexed SELECT. (The Redis queue blocks on the list: no polling.)
WORKER_MAX_POLL_MS = envint("DUTYDESK_WORKER_MAX_POLL_MS", 250, minimum=10)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "dutydesk",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": 4, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "dutydesk.core.huey_sqlite.DutyDeskSqliteHuey",
        "name": "dutydesk",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {
            "workers": 2,
            "worker_type": "thread",
            "max_delay": WORKER_MAX_POLL_MS / 1000,
        },
    }

# --- files ----------------------------------------------------------------------------

MEDIA_ROOT = str(DATA_DIR / "attachments")
MEDIA_URL = "/media/"  # never served directly: attachments go through a permission check
STATIC_URL = "/static/"
STATIC_ROOT = str(DATA_DIR / "static")
Path(STATIC_ROOT).mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
ATTACHMENT_MAX_BYTES = envint("DUTYDESK_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024, minimum=1)
MESSAGE_MAX_CHARS = envint("DUTYDESK_MESSAGE_MAX_CHARS", 200_000, minimum=100)
# Request bodies larger than this are refused (413) before they are parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = ATTACHMENT_MAX_BYTES * 2
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- email ----------------------------------------------------------------------------

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "DutyDesk <support@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- i18n and time --------------------------------------------------------------------

TIME_ZONE = envstr("TIME_ZONE", "UTC")
LANGUAGE_CODE = envstr("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be one of en, ru, not {LANGUAGE_CODE!r}")
LOCALE_PATHS = [str(PACKAGE_DIR / "locale")]
USE_I18N = True
USE_TZ = True

# --- product rules --------------------------------------------------------------------

# A customer reply to a resolved ticket reopens it within this many days; later, it
# opens a new ticket linked to the old one.
REOPEN_WINDOW_DAYS = envint("DUTYDESK_REOPEN_WINDOW_DAYS", 7, minimum=0)
DELIVERY_MAX_ATTEMPTS = envint("DUTYDESK_DELIVERY_MAX_ATTEMPTS", 8, minimum=1)
DELIVERY_BACKOFF_SECONDS = envint("DUTYDESK_DELIVERY_BACKOFF_SECONDS", 30, minimum=1)

# --- web UI (workspace and portal) -----------------------------------------------------

STATICFILES_DIRS = [str(PACKAGE_DIR / "static")]
# Priorities a customer may choose in the portal. P1 pages the on-call engineer, so by
# default clients report critical outages by phone (or staff raise the priority).
PORTAL_PRIORITIES = envlist("DUTYDESK_PORTAL_PRIORITIES", ["P2", "P3", "P4"])
if not set(PORTAL_PRIORITIES) <= {"P1", "P2", "P3", "P4"} or not PORTAL_PRIORITIES:
    raise ImproperlyConfigured("DUTYDESK_PORTAL_PRIORITIES must list some of P1, P2, P3, P4")
# Who has a ticket open (the collision warning) must be shared by all web processes:
# Redis when there is one, else files in the data directory (one host).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "presence": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "presence"),
        }
    ),
}
# Seconds between refreshes of an open queue page.
QUEUE_REFRESH_SECONDS = envint("DUTYDESK_QUEUE_REFRESH_SECONDS", 30, minimum=5)
# Roles that must confirm sign-in with a TOTP code once they have a device (comma list).
OTP_REQUIRED_ROLES = envlist("DUTYDESK_OTP_REQUIRED_ROLES", [])
OTP_TOTP_ISSUER = "DutyDesk"
# How long a one-time sign-in link sent by email stays valid.
EMAIL_LINK_MAX_AGE_SECONDS = envint("DUTYDESK_EMAIL_LINK_MAX_AGE", 15 * 60, minimum=60)

# Login lockout: five wrong passwords for one account from one address lock it for 15 min.
AXES_FAILURE_LIMIT = envint("DUTYDESK_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=envint("DUTYDESK_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Both our sign-in form and the admin's call the email field "username".
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_REAL_IP", "REMOTE_ADDR"]

# No inline scripts anywhere: JavaScript lives in static files, htmx is configured by a
# meta tag. Attachments get their own stricter policy in the download view.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}


# --- channels (email, Telegram, phone) ------------------------------------------------
# Stored secrets (mailbox passwords, the bot token, PBX secrets) are encrypted with a key
# derived from this, or from SECRET_KEY when empty; set it to keep them readable across
# SECRET_KEY changes.
ENCRYPTION_KEY = envstr("DUTYDESK_ENCRYPTION_KEY", "")
# Email intake: a larger message is quarantined unread; a sender over the rate limit
# (messages per window) is quarantined; IMAP calls give up after the timeout.
EMAIL_MAX_MESSAGE_BYTES = envint("DUTYDESK_EMAIL_MAX_MESSAGE_BYTES", 25 * 1024 * 1024, minimum=1)
EMAIL_RATE_LIMIT = envint("DUTYDESK_EMAIL_RATE_LIMIT", 30, minimum=1)
EMAIL_RATE_WINDOW_MINUTES = envint("DUTYDESK_EMAIL_RATE_WINDOW_MINUTES", 10, minimum=1)
EMAIL_IMAP_TIMEOUT = envint("DUTYDESK_EMAIL_IMAP_TIMEOUT", 30, minimum=1)
EMAIL_POLL_BATCH = envint("DUTYDESK_EMAIL_POLL_BATCH", 200, minimum=1)
# (settings of the channels go here)

# Telegram Bot API; tests point it at a local stand-in.
TELEGRAM_API_URL = envurl(
    "DUTYDESK_TELEGRAM_API_URL", "https://api.telegram.org", schemes=("http", "https")
).rstrip("/")
TELEGRAM_TIMEOUT = envint("DUTYDESK_TELEGRAM_TIMEOUT", 15, minimum=1)
# getUpdates waits this long for news; one poll task runs for about TELEGRAM_POLL_SECONDS.
TELEGRAM_LONG_POLL_SECONDS = envint("DUTYDESK_TELEGRAM_LONG_POLL_SECONDS", 20, minimum=0)
TELEGRAM_POLL_SECONDS = envint("DUTYDESK_TELEGRAM_POLL_SECONDS", 50, minimum=1)
TELEGRAM_LINK_CODE_MINUTES = envint("DUTYDESK_TELEGRAM_LINK_CODE_MINUTES", 15, minimum=1)
# Phone hooks: a signed request older or newer than this is refused (replay protection).
PHONE_SIGNATURE_TOLERANCE_SECONDS = envint("DUTYDESK_PHONE_SIGNATURE_TOLERANCE", 300, minimum=1)
# Web forms: a submission sooner than this after the form was shown is taken for a bot;
# an address may send this many per window; a shown form is good for this many hours.
WEBFORM_MIN_FILL_SECONDS = envint("DUTYDESK_WEBFORM_MIN_FILL_SECONDS", 3, minimum=0)
WEBFORM_RATE_LIMIT = envint("DUTYDESK_WEBFORM_RATE_LIMIT", 10, minimum=1)
WEBFORM_RATE_WINDOW_MINUTES = envint("DUTYDESK_WEBFORM_RATE_WINDOW_MINUTES", 10, minimum=1)
WEBFORM_TOKEN_MAX_AGE_HOURS = envint("DUTYDESK_WEBFORM_TOKEN_MAX_AGE_HOURS", 24, minimum=1)


# --- on-call --------------------------------------------------------------------------
# How long the acknowledge link in a page email works (seconds).
ONCALL_ACK_LINK_MAX_AGE = envint("DUTYDESK_ONCALL_ACK_LINK_MAX_AGE", 24 * 3600, minimum=60)
# A page of a team without an escalation policy goes to the fallback this often, this
# many extra times.
ONCALL_DEFAULT_WAIT_MINUTES = envint("DUTYDESK_ONCALL_DEFAULT_WAIT_MINUTES", 5, minimum=1)
ONCALL_DEFAULT_REPEAT = envint("DUTYDESK_ONCALL_DEFAULT_REPEAT", 2, minimum=0)
# After the chain has run out, remind the last step's people and the fallback this often
# until someone acknowledges or resolves the page (0: stop after one last reminder).
ONCALL_REMIND_MINUTES = envint("DUTYDESK_ONCALL_REMIND_MINUTES", 15, minimum=0)


# --- monitoring and alert intake -------------------------------------------------------
MONITORING = {
    # Probes in flight at once in one runner process.
    "concurrency": envint("DUTYDESK_MONITORING_CONCURRENCY", 200, minimum=1),
    # Raw results are kept this long; uptime and charts come from the rollups.
    "raw_retention_hours": envint("DUTYDESK_MONITORING_RAW_HOURS", 48, minimum=1),
    # Rollup buckets: per minute for a day, per hour for a month, per day for a year.
    "minute_retention_hours": 24,
    "hour_retention_days": 31,
    "day_retention_days": 400,
    "rdap_base_url": envstr("DUTYDESK_MONITORING_RDAP_URL", "https://rdap.org/"),
    # WHOIS, where RDAP fails: "tld=host[:port]" pairs over the built-in map, and the
    # referral server asked for other TLDs (empty: none).
    "whois_servers": envpairs("DUTYDESK_MONITORING_WHOIS_SERVERS"),
    "whois_iana": envstr("DUTYDESK_MONITORING_WHOIS_IANA", "whois.iana.org"),
    # Incidents are filed by a contact monitoring+<org-slug>@<sender_domain>.
    "sender_domain": envstr("DUTYDESK_MONITORING_SENDER_DOMAIN", "monitoring.invalid"),
    # The staff account that resolves incidents on recovery.
    "robot_email": envstr("DUTYDESK_MONITORING_ROBOT", "monitoring-robot@dutydesk.invalid"),
    # A check that fails again this soon after recovering threads into the same incident.
    "flap_window_minutes": envint("DUTYDESK_MONITORING_FLAP_MINUTES", 30, minimum=0),
    "user_agent": "DutyDesk-Monitoring/1",
}


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("DUTYDESK_LOG_LEVEL", "INFO")},
    # The consumer adds its own handler to "huey"; without propagate=False lines appear twice.
    "loggers": {"huey": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
