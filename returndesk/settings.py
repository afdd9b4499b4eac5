"""Django settings for returndesk.

Two modes, chosen by the environment:
- embedded (no ``DATABASE_URL``): SQLite in the data directory, a secret key generated there,
  demo mode for ``returndesk serve``;
- production (``DATABASE_URL``, e.g. PostgreSQL): everything from the environment.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("RETURNDESK_DATA_DIR") or BASE_DIR / "var").resolve()
DATABASE_URL = os.environ.get("DATABASE_URL", "")
EMBEDDED = not DATABASE_URL


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "") == "1"


SQLITE_FILE = DATA_DIR / "returndesk.sqlite3"
SECRET_KEY_FILE = DATA_DIR / "secret_key"


def _private_data_dir() -> None:
    """Keep the embedded data (database, secret, demo keys) readable by this user only.

    The directory is 0700 and the files 0600 whoever's umask created them: the SQLite file is
    created here, empty (which SQLite reads as an empty database), so that it never exists with
    the umask's 0644, and its -wal and -shm files take its mode. Looser modes left by older
    versions are tightened. (The demo writes its keys file 0600 itself.)
    """
    DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not SQLITE_FILE.exists():
        os.close(os.open(SQLITE_FILE, os.O_WRONLY | os.O_CREAT, 0o600))
    sqlite_companions = (SQLITE_FILE.with_name(SQLITE_FILE.name + suffix) for suffix in ("-wal", "-shm", "-journal"))
    for path, private in [
        (DATA_DIR, 0o700),
        *((path, 0o600) for path in (SQLITE_FILE, SECRET_KEY_FILE, *sqlite_companions) if path.exists()),
    ]:
        if path.stat().st_mode & 0o777 & ~private:
            path.chmod(private)


def _embedded_secret_key() -> str:
    """A per-checkout secret kept in the data directory, so sessions survive restarts."""
    if not SECRET_KEY_FILE.exists():
        fd = os.open(SECRET_KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return SECRET_KEY_FILE.read_text().strip()


if EMBEDDED:
    _private_data_dir()


# Production must bring its own key; `returndesk serve` refuses to start without one.
SECRET_KEY_MISSING = not EMBEDDED and not os.environ.get("SECRET_KEY")
SECRET_KEY = os.environ.get("SECRET_KEY") or (_embedded_secret_key() if EMBEDDED else "")
DEBUG = _env_flag("RETURNDESK_DEBUG")
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", "")

# Served over HTTPS by a reverse proxy on this host (see README, Production): the proxy ends TLS
# and sets X-Forwarded-Proto, which it must overwrite, never pass on from the client.
HTTPS = _env_flag("RETURNDESK_HTTPS")
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # Health probes talk to gunicorn directly, without the proxy's header: no redirect for them.
    SECURE_REDIRECT_EXEMPT = [r"^api/v1/health$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("RETURNDESK_HSTS_SECONDS", "31536000"))
    # Both bind every subdomain of the host (preload for good, through the browsers' list): opt-in.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_flag("RETURNDESK_HSTS_INCLUDE_SUBDOMAINS")
    SECURE_HSTS_PRELOAD = _env_flag("RETURNDESK_HSTS_PRELOAD")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "returndesk.core",
    "returndesk.accounts",
    "returndesk.marketplace",
    "returndesk.policies",
    "returndesk.returns",
    "returndesk.labels",
    "returndesk.refunds",
    "returndesk.dropoffs",
    "returndesk.receiving",
    "returndesk.portals",
    "returndesk.demo",
    "returndesk.runtime",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "returndesk.core.middleware.ApiProblemsMiddleware",
    "returndesk.core.middleware.ApiRequestLimitsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After the session and the user: its problem pages show who is signed in.
    "returndesk.portals.common.middleware.PageEdgeMiddleware",
]

ROOT_URLCONF = "returndesk.urls"
# Staff portals send signed-out visitors here, with ?next= the page they asked for.
LOGIN_URL = "/sign-in/"
# A page's form without its CSRF token is 403 csrf_failed, in the pages' own problem format.
CSRF_FAILURE_VIEW = "returndesk.portals.common.views.csrf_failure"
WSGI_APPLICATION = "returndesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "returndesk.portals.common.context.portal",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES: dict[str, Any]
if EMBEDDED:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_FILE,
            # A file, not memory, so that tests with threads get real locking and busy timeouts;
            # one per process, so that test runs side by side never share it.
            "TEST": {"NAME": Path(tempfile.gettempdir()) / f"returndesk-test-{os.getpid()}.sqlite3"},
            "OPTIONS": {
                # IMMEDIATE takes the write lock when a transaction starts, so concurrent writers
                # queue on the busy timeout instead of failing with "database is locked" when a
                # read transaction tries to upgrade; WAL lets readers run beside the writer.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
else:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
            # Off by default, as in Django: a check is one more round trip on every request; without
            # it, a worker whose connection died answers one request with an error, then reconnects.
            conn_health_checks=os.environ.get("CONN_HEALTH_CHECKS", "0") == "1",
        ),
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Lets the hot-path reads of core.sql be prepared; Django's own cursors never prepare.
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en"
# Pages speak English for now; their words go through gettext, so a language is a translation away.
LANGUAGES = [("en", "English")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Only for collectstatic in production; the demo serves assets from the apps (WHITENOISE_USE_FINDERS).
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None
# Serve admin assets straight from the installed apps: no collectstatic step for the demo.
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Shared counters for rate limits: Redis when configured, else the database. Never per process.
REDIS_URL = os.environ.get("REDIS_URL", "")

# Demo mode: embedded, or ``returndesk serve --demo`` (which sets RETURNDESK_DEMO=1 before settings load).
DEMO = EMBEDDED or _env_flag("RETURNDESK_DEMO")

# Sessions (staff and buyers signed in on the pages) last 12 hours from sign-in; cookies are
# HttpOnly and SameSite=Lax, and Secure when served over HTTPS, which production is by default.
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = os.environ.get("RETURNDESK_SECURE_COOKIES", "0" if EMBEDDED else "1") == "1" or HTTPS
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_COOKIES

# Mail: Django's SMTP backend configured by EMAIL_* in production; the embedded server and the
# demo write each message to a file in the data directory instead (listed at /demo/mail/).
MAIL_DIR = DATA_DIR / "mail"
EMAIL_FILE_PATH = MAIL_DIR
if DEMO and not os.environ.get("EMAIL_BACKEND"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
else:
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_flag("EMAIL_USE_TLS")
EMAIL_USE_SSL = _env_flag("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "returndesk <returns@returndesk.example>")

# The origin of links mailed to people (sign-in links, password resets); else the request's.
PUBLIC_URL = os.environ.get("RETURNDESK_PUBLIC_URL", "")
# Reverse proxies whose X-Forwarded-For is believed (CIDRs, comma-separated; none by default).
# A bare address is a network of one; a malformed entry stops the server from starting.
TRUSTED_PROXIES = [ipaddress.ip_network(cidr, strict=False) for cidr in _env_list("RETURNDESK_TRUSTED_PROXIES", "")]

RETURNDESK = {
    # The largest request body the API takes: 413 above it, decided from Content-Length.
    "MAX_BODY_BYTES": int(os.environ.get("RETURNDESK_MAX_BODY_BYTES", str(1024 * 1024))),
    # Failed code look-ups allowed per minute, per API key and per drop-off point.
    "VERIFY_FAILURES_PER_MINUTE": int(os.environ.get("RETURNDESK_VERIFY_FAILURES_PER_MINUTE", "20")),
    # How long an authenticated key may be served from the in-process cache (revocation delay).
    "API_KEY_CACHE_SECONDS": 10,
    "IDEMPOTENCY_KEEP_HOURS": 24,
    # Sign-in limits, each in its own fixed window: failed staff sign-ins a minute, sign-in link
    # (and password reset) requests an hour; per lower-cased address and per client address.
    "SIGN_IN_FAILURES_PER_MINUTE_PER_EMAIL": int(os.environ.get("RETURNDESK_SIGN_IN_FAILURES_PER_EMAIL", "5")),
    "SIGN_IN_FAILURES_PER_MINUTE_PER_CLIENT": int(os.environ.get("RETURNDESK_SIGN_IN_FAILURES_PER_CLIENT", "20")),
    "SIGN_IN_LINKS_PER_HOUR_PER_EMAIL": int(os.environ.get("RETURNDESK_SIGN_IN_LINKS_PER_EMAIL", "3")),
    "SIGN_IN_LINKS_PER_HOUR_PER_CLIENT": int(os.environ.get("RETURNDESK_SIGN_IN_LINKS_PER_CLIENT", "20")),
    # How long a mailed sign-in link works.
    "SIGN_IN_LINK_SECONDS": 15 * 60,
    # Prepared statements for the verifier's reads on PostgreSQL (see returndesk.core.sql).
    "PREPARED_STATEMENTS": os.environ.get("RETURNDESK_PREPARED_STATEMENTS", "1") == "1",
    # Mailed return-code reminders an hour, in the sign-in limits' store: per lower-cased buyer
    # address (the buyer's own requests and customer service's re-sends alike) and per client.
    "CODE_REMINDERS_PER_HOUR_PER_EMAIL": int(os.environ.get("RETURNDESK_CODE_REMINDERS_PER_EMAIL", "3")),
    "CODE_REMINDERS_PER_HOUR_PER_CLIENT": int(os.environ.get("RETURNDESK_CODE_REMINDERS_PER_CLIENT", "20")),
}
# A handed-over parcel weighing under this share of its lines' weight records `empty_box`.
RETURNDESK_EMPTY_BOX_RATIO = float(os.environ.get("RETURNDESK_EMPTY_BOX_RATIO", "0.5"))
# --- Refund gateways and dates (returndesk.refunds) ---------------------------------------------


def _env_json(name: str) -> Any:
    """The JSON in environment variable ``name``, None when it is unset; malformed JSON stops
    the server from starting, as a malformed proxy list does."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {error}") from error


def _refund_days(value: Any) -> dict[str, tuple[int, int]]:
    """Business days a refund takes to reach the buyer, per payment method: the issue's table,
    with any method ``RETURNDESK_REFUND_DAYS`` names (``{"card": [3, 20], ...}``) replaced."""
    days = {"card": (3, 20), "paypal": (1, 5), "wallet": (0, 1), "bank_transfer": (5, 10), "other": (3, 20)}
    if value is None:
        return days
    if not isinstance(value, dict):
        raise ImproperlyConfigured('RETURNDESK_REFUND_DAYS must be an object like {"card": [3, 20]}.')
    for method, bounds in value.items():
        valid = (
            isinstance(bounds, list)
            and len(bounds) == 2
            and all(isinstance(end, int) and not isinstance(end, bool) and 0 <= end <= 365 for end in bounds)
            and bounds[0] <= bounds[1]
        )
        if not valid:
            raise ImproperlyConfigured(
                f"RETURNDESK_REFUND_DAYS[{method!r}] must be [earliest, latest] business days, 0 <= earliest <= latest."
            )
        days[str(method)] = (bounds[0], bounds[1])
    return days


def _fake_gateway(value: Any) -> dict[str, float] | None:
    """The fake gateway's behaviour, or None when it is off: on when embedded (``{}``: every
    refund succeeds at once) or when ``RETURNDESK_FAKE_GATEWAY`` is set, e.g. the demo's
    ``{"fail_rate": 0.1, "delay_seconds": 30}``."""
    if value is None:
        return {"fail_rate": 0.0, "delay_seconds": 0.0} if EMBEDDED else None
    if not isinstance(value, dict) or set(value) - {"fail_rate", "delay_seconds"}:
        raise ImproperlyConfigured(
            'RETURNDESK_FAKE_GATEWAY must be an object like {"fail_rate": 0.1, "delay_seconds": 30}.'
        )
    fail_rate, delay = value.get("fail_rate", 0), value.get("delay_seconds", 0)
    if not all(isinstance(number, int | float) and not isinstance(number, bool) for number in (fail_rate, delay)):
        raise ImproperlyConfigured("RETURNDESK_FAKE_GATEWAY's fail_rate and delay_seconds are numbers.")
    if not 0 <= fail_rate <= 1 or delay < 0:
        raise ImproperlyConfigured("RETURNDESK_FAKE_GATEWAY: fail_rate is 0 to 1, delay_seconds 0 or more.")
    return {"fail_rate": float(fail_rate), "delay_seconds": float(delay)}


RETURNDESK_REFUND_DAYS = _refund_days(_env_json("RETURNDESK_REFUND_DAYS"))
RETURNDESK_FAKE_GATEWAY = _fake_gateway(_env_json("RETURNDESK_FAKE_GATEWAY"))
# Stripe's secret key: payments whose gateway is ``stripe`` are refunded through Stripe's API.
STRIPE_API_KEY = os.environ.get("STRIPE_API_KEY", "")
# The gateway of payments whose own names none that is on (blank, unknown, or fake/stripe while off).
RETURNDESK_DEFAULT_GATEWAY = os.environ.get("RETURNDESK_DEFAULT_GATEWAY", "") or ("fake" if EMBEDDED else "manual")

# Django's own limit on a body read into memory (the admin's forms) is the API's.
DATA_UPLOAD_MAX_MEMORY_SIZE = RETURNDESK["MAX_BODY_BYTES"]
