"""Bistå settings: one module, driven by environment variables.

Defaults give a working local system (SQLite file, debug off unless asked). Production sets at least
SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS and BISTA_HTTPS=1.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ja"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_networks(name: str) -> list[str]:
    """A comma-separated list of addresses or CIDR networks; a bad entry stops the start (not a silent hole)."""
    entries = [entry.strip() for entry in os.environ.get(name, "").split(",") if entry.strip()]
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as error:
            raise RuntimeError(f"{name}: {entry!r} is not an address or network.") from error
    return entries


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("BISTA_PRODUCTION", False):
        raise RuntimeError("SECRET_KEY must be set in production.")
    # A local/demo key; production refuses to start without its own (above).
    SECRET_KEY = "bista-local-only-not-secret-" + "x" * 32
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "bista.core",
    "bista.clients",
    "bista.staff",
    "bista.care",
    "bista.casework",
    "bista.quality",
    "bista.rostering",
    "bista.governance",
    "bista.timereports",
    "bista.surveys",
    "bista.ownview",
    "bista.economy",
    "bista.overview",
    "bista.demo",
]

MIDDLEWARE = [
    # First: decides whether forwarded headers count before anything reads the scheme or the address.
    "bista.core.proxy.TrustedProxyMiddleware",
    "bista.core.middleware.RequestIdMiddleware",
    # Before the https redirect and the host check, so that a load balancer may probe it over plain http.
    "bista.core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: it needs the user; its marking reaches SessionMiddleware's save on the way out.
    "bista.core.middleware.IdleTimeoutMiddleware",
    "bista.core.sso.TrustedHeaderMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "bista.core.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "bista.core.middleware.SecurityHeadersMiddleware",
    # Last, so that a locked-out login is answered before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bista.core.context_processors.navigation",
            ],
            "builtins": ["bista.core.templatetags.bista_format"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'bista.sqlite3'}"),
        # Production keeps each process's connection between requests (opening one per request cost a few
        # milliseconds of every page on PostgreSQL), whatever WSGI server runs it; DB_CONN_MAX_AGE=0 turns it off.
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60 if env_bool("BISTA_PRODUCTION", False) else 0),
        # A kept connection is checked before a request reuses it, so a restarted database costs no error page.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the worker and the server share the file without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }


# Figures computed from the records (bista.core.datacache: the "Att göra" duty lists, a month's client hours,
# the working-time verdicts on open shifts), per process: the key is versioned by the newest audit events, so
# entries need no invalidation across processes and a restart (deploy, migration, restore) starts empty; no
# cache server to run. One miss per process after a write costs what every request cost before.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "duties": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "bista-duties",
        # A key is stale once a write or a new day comes (never read again): the timeout and the cap only
        # bound the memory those dead entries hold (a unit's list is tens of kilobytes pickled).
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
}

# PostgreSQL in production: the application connects (DATABASE_URL) as a role that owns nothing, so it
# cannot TRUNCATE, ALTER or disable the append-only triggers; `bista migrate`, `bista restore` and the
# demo's reset connect as the owner role given here, to the same database (bista/core/dbroles.py).
MIGRATE_DATABASE_URL = os.environ.get("MIGRATE_DATABASE_URL", "")
DATABASE_OWNER: dict[str, object] = {}
if MIGRATE_DATABASE_URL:
    _owner = dj_database_url.parse(MIGRATE_DATABASE_URL)
    if (_owner.get("ENGINE"), _owner.get("NAME")) != (DATABASES["default"]["ENGINE"], DATABASES["default"]["NAME"]):
        raise RuntimeError("MIGRATE_DATABASE_URL must name the same database as DATABASE_URL (only the role differs).")
    DATABASE_OWNER = {key: value for key in ("USER", "PASSWORD", "HOST", "PORT") if (value := _owner.get(key))}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
if os.environ.get("BISTA_SSO_HEADER"):
    AUTHENTICATION_BACKENDS.append("bista.core.sso.TrustedHeaderBackend")
# The request header (as in request.META) set by the municipality's identity proxy; see docs/adr/0003.
BISTA_SSO_HEADER = os.environ.get("BISTA_SSO_HEADER", "")
# The client's own view (Min sida, docs/adr/0014): the header with the personnummer the identity proxy verified
# (e-legitimation; empty: only one-time codes), and the own-view session's idle timeout.
BISTA_OWNVIEW_SSO_HEADER = os.environ.get("BISTA_OWNVIEW_SSO_HEADER", "")
BISTA_OWNVIEW_IDLE_SECONDS = env_int("BISTA_OWNVIEW_IDLE_SECONDS", 15 * 60)
# Days the own view's code requests, wrong codes and codes, and the survey's unknown codes, are kept before
# `bista purge_sign_in_records` (daily, from cron) deletes them; at least 1 (bista.ownview.rules.retention).
BISTA_SIGN_IN_RECORDS_RETENTION_DAYS = env_int("BISTA_SIGN_IN_RECORDS_RETENTION_DAYS", 30)

# How long a print made in the background (a client's record, the emergency export) can be fetched by the
# user who asked; then its bytes are cleared.
BISTA_EXPORT_KEEP_MINUTES = env_int("BISTA_EXPORT_KEEP_MINUTES", 60)
# A dotted path to a callable (to, text) that sends an sms (survey invitations, the own view's codes); by default
# only a line in the log, naming neither the purpose nor the code.
BISTA_SMS_BACKEND = os.environ.get("BISTA_SMS_BACKEND", "bista.core.messaging.log_sms")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "overview:start"
LOGOUT_REDIRECT_URL = "core:login"

# Two-factor: required for roles marked so in the reference data; the demo turns it off.
BISTA_REQUIRE_2FA = env_bool("BISTA_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "Bistå"
# Enrolling an authenticator app needs a one-time code from an administrator (valid this many hours), except
# within this many hours of the account's creation (bista.core.services.two_factor_enrolment_open).
BISTA_2FA_ENROLMENT_CODE_HOURS = env_int("BISTA_2FA_ENROLMENT_CODE_HOURS", 72)
BISTA_2FA_ENROLMENT_WINDOW_HOURS = env_int("BISTA_2FA_ENROLMENT_WINDOW_HOURS", 24)

# Lockout (django-axes), for 30 minutes: an account after 5 failed logins from any addresses, and an address
# after 20 failed logins to any accounts (password spraying). See bista.core.lockout.
AXES_FAILURE_LIMIT = env_int("BISTA_LOGIN_FAILURE_LIMIT", 5)
BISTA_LOGIN_FAILURE_LIMIT_PER_ADDRESS = env_int("BISTA_LOGIN_FAILURE_LIMIT_PER_ADDRESS", 20)
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_HANDLER = "bista.core.lockout.LockoutHandler"
# The client address as TrustedProxyMiddleware established it, never a header read on axes' own.
AXES_CLIENT_IP_CALLABLE = "bista.core.proxy.axes_client_ip"
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Idle timeout: the session expires after this many seconds without a request.
SESSION_COOKIE_AGE = env_int("BISTA_IDLE_TIMEOUT_SECONDS", 30 * 60)
# The idle timeout is pushed forward by IdleTimeoutMiddleware at most once every BISTA_SESSION_REFRESH_SECONDS,
# not by a write per request.
SESSION_SAVE_EVERY_REQUEST = False
BISTA_SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Proxies (addresses or CIDR networks) whose X-Forwarded-Proto, X-Forwarded-For and X-Request-Id are believed;
# from any other peer those headers are dropped (bista.core.proxy). Empty: no proxy is trusted.
BISTA_TRUSTED_PROXIES = env_networks("BISTA_TRUSTED_PROXIES")

HTTPS = env_bool("BISTA_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Only with trusted proxies: the middleware has already removed the header from anyone else.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BISTA_TRUSTED_PROXIES else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

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
    },
}

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska")]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Static files are served from the apps by WhiteNoise (finders); set STATIC_ROOT to collect them instead.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = STATIC_ROOT is None

TASKS = {
    "default": {
        "BACKEND": os.environ.get("BISTA_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "bista@localhost")

# One JSON object a line with the request id (bista.core.logs); BISTA_LOG_FORMAT=text for a human at a terminal.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "bista.core.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "bista.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "text" if os.environ.get("BISTA_LOG_FORMAT", "json") == "text" else "json",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
