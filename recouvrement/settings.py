"""Settings for Recouvrement, read from the environment (12-factor).

Without any variable set, the project runs on embedded defaults that need no
server: a SQLite file, Celery on kombu's filesystem transport and emails written
as files under ``var/mail``. Production sets ``DEBUG=false`` and must then
provide ``SECRET_KEY`` and ``ALLOWED_HOSTS``; ``DATABASE_URL`` (PostgreSQL),
``CELERY_BROKER_URL`` (Redis) and ``SMTP_HOST`` switch to real services.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from .env import env_bool
from .env import env_int
from .env import env_list
from .env import env_secret
from .env import env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is false (set SECRET_KEY or "
            "SECRET_KEY_FILE). Use DEBUG=true for local development."
        )
    SECRET_KEY = "development-only-not-secret"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG is false.")
if "*" in ALLOWED_HOSTS and not DEBUG:
    raise ImproperlyConfigured("ALLOWED_HOSTS='*' is refused in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Public base URL used in emails and letters (portal links, QR codes). Unless
# set, it follows the address `make run` serves on (HOST and PORT), so a
# second instance on another port links to itself.
_RUN_HOST = env_str("HOST", "127.0.0.1") or "127.0.0.1"
if _RUN_HOST in {"0.0.0.0", "::"}:  # noqa: S104 - listening everywhere: link locally
    _RUN_HOST = "127.0.0.1"
SITE_URL = env_str("SITE_URL", f"http://{_RUN_HOST}:{env_int('PORT', 8000)}").rstrip(
    "/"
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "ninja",
    "claims",
    "letters",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "claims.security.middleware.OTPRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "recouvrement.urls"
WSGI_APPLICATION = "recouvrement.wsgi.application"
ASGI_APPLICATION = "recouvrement.asgi.application"

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
                "django.template.context_processors.i18n",
                "claims.web.context_processors.queue_status",
                "claims.web.context_processors.membership",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A fresh clone has no var/ yet: create the folder holding the SQLite file.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The embedded default: WAL lets the web process read while the worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "claims:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: French first, then Dutch and English.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("nl", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Paris"

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Front-end packages come from npm (package-lock.json); only their dist folders
# are exposed.
_NODE = BASE_DIR / "node_modules"
for _prefix, _path in (
    ("vendor/bootstrap", _NODE / "bootstrap" / "dist"),
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
    ("vendor/chartjs", _NODE / "chart.js" / "dist"),
):
    if _path.is_dir():
        STATICFILES_DIRS.append((_prefix, _path))

MEDIA_URL = "/media/"
# Uploaded and archived documents live outside the web root and are only ever
# served through views that check who is asking.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email goes through Django 6.1's MAILERS only (no EMAIL_* settings).
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Recouvrement <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_SMTP_HOST = env_str("SMTP_HOST", "")
_ANYMAIL_BACKEND = env_str("ANYMAIL_BACKEND", "")
if _ANYMAIL_BACKEND:
    MAILERS = {"default": {"BACKEND": _ANYMAIL_BACKEND}}
elif _SMTP_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _SMTP_HOST,
                "port": env_int("SMTP_PORT", 587),
                "username": env_str("SMTP_USER", ""),
                "password": env_secret("SMTP_PASSWORD"),
                "use_tls": env_bool("SMTP_STARTTLS", True),
                "use_ssl": env_bool("SMTP_SSL", False),
                "timeout": env_int("SMTP_TIMEOUT", 30),
            },
        }
    }
elif not DEBUG:
    # Production without SMTP_HOST: hand mail to the local MTA (port 25).
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "localhost", "port": 25},
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }

# Celery: Redis in production, a serverless filesystem broker by default.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _BROKER_DIR = VAR_DIR / "broker"
    # kombu's filesystem transport expects its folders to exist.
    for _sub in ("out", "processed", "control"):
        (_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "out"),
        "data_folder_out": str(_BROKER_DIR / "out"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        # kombu's default is a "control" folder in the working directory.
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # A task whose worker died is redelivered after this delay (late ack).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # The tick runs every 15 minutes; each creditor's own time zone and send
    # hour decide whether anything is due for it (claims.ledger.selectors).
    "collection-tick": {
        "task": "claims.tasks.collection_tick",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
}
# The statement's figures stored on claims follow each creditor's local date
# (interest keeps running): hourly, so every time zone passes midnight once.
CELERY_BEAT_SCHEDULE["claims-figures-refresh"] = {
    "task": "claims.tasks.claims_refresh_figures_task",
    "schedule": crontab(minute=7),
    "options": {"expires": 55 * 60},
}
# Money in (imports area): daily payment-plan check.
# Task modules of the claims app's parts (autodiscovery finds only letters.tasks).
# Each task keeps its registered name (``name=``): beat entries and queued
# messages name it, e.g. "claims.tasks.collection_tick".
CELERY_IMPORTS = [
    "claims.engine.tasks",
    "claims.engine.tasks_plans",
    "claims.money_in.tasks",
    "claims.privacy.tasks",
    "claims.ledger.tasks",
]
# Webhooks (docs/api.md): a delivery still pending this long after its try
# was due has lost its task (worker killed, broker emptied): the sweep, every
# minute, queues it again.
WEBHOOKS_SWEEP_AFTER_SECONDS = env_int("WEBHOOKS_SWEEP_AFTER_SECONDS", 300)
CELERY_BEAT_SCHEDULE["webhooks-sweep"] = {
    "task": "claims.tasks_webhooks.webhooks_sweep_task",
    "schedule": crontab(minute="*"),
    "options": {"expires": 50},
}
CELERY_BEAT_SCHEDULE["plans-check"] = {
    "task": "claims.tasks_imports.plans_check_task",
    "schedule": crontab(hour=6, minute=30),
    "options": {"expires": 6 * 3600},
}

# Security: strict in production, relaxed only when DEBUG is on.
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = not DEBUG and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs each rendering step (and its stylesheets at import) at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Content Security Policy (Django's own middleware): our own origin only, no
# inline script or style; images may be data: URIs (payment QR codes as SVG).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Two-factor authentication (TOTP): optional for users, mandatory for staff in
# the admin when ADMIN_REQUIRE_2FA is on (default: on in production, off with
# DEBUG so that `make run` keeps a frictionless demo).
ADMIN_REQUIRE_2FA = env_bool("ADMIN_REQUIRE_2FA", not DEBUG)
OTP_ISSUER = env_str("OTP_ISSUER", "Recouvrement")

# Login throttling: after LOGIN_MAX_FAILURES failures for one username and IP
# within LOGIN_FAILURE_WINDOW seconds, refuse attempts for LOGIN_LOCKOUT seconds.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_FAILURE_WINDOW = env_int("LOGIN_FAILURE_WINDOW", 15 * 60)
LOGIN_LOCKOUT = env_int("LOGIN_LOCKOUT", 15 * 60)
# The same username from any number of addresses: a cap of its own.
LOGIN_MAX_FAILURES_ACCOUNT = env_int("LOGIN_MAX_FAILURES_ACCOUNT", 20)
# Password reset: e-mails per address and requests per client IP, per hour.
PASSWORD_RESET_PER_EMAIL = env_int("PASSWORD_RESET_PER_EMAIL", 3)
PASSWORD_RESET_PER_IP = env_int("PASSWORD_RESET_PER_IP", 10)

# Personal data retention (legal-brief.md §10): years after a claim is closed
# before its debtor is anonymised, per creditor country and debtor kind.
RETENTION_YEARS_AFTER_CLOSE = {
    ("BE", "business"): env_int("RETENTION_YEARS_BE_BUSINESS", 10),
    ("BE", "consumer"): env_int("RETENTION_YEARS_BE_CONSUMER", 10),
    ("FR", "business"): env_int("RETENTION_YEARS_FR_BUSINESS", 10),
    ("FR", "consumer"): env_int("RETENTION_YEARS_FR_CONSUMER", 10),
}
# Uploaded files: the largest accepted size (bytes).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)

CELERY_BEAT_SCHEDULE["privacy-anonymise-closed"] = {
    "task": "claims.tasks_privacy.anonymise_closed_task",
    "schedule": crontab(minute=30, hour=3),
    "options": {"expires": 23 * 3600},
}
# Apps holding debtor data beyond claims (anonymisation and access requests).
PRIVACY_EXTENSIONS = ["letters.privacy"]

# Collection engine reliability (docs/reliability.md).
# Dotted path of a deliverer that wins over the one letters registers (tests,
# or an operator's own delivery); empty: letters' deliverer.
COLLECTION_DELIVERER = env_str("COLLECTION_DELIVERER", "")
# An action left "running" this long is taken back by the tick (worker lost).
COLLECTION_STALE_RUNNING_SECONDS = env_int("COLLECTION_STALE_RUNNING_SECONDS", 1800)
# Debtors delivered per task (one SMTP connection, three transactions each).
COLLECTION_BATCH_SIZE = env_int("COLLECTION_BATCH_SIZE", 200)
# The broker ping behind the "queue unavailable" banner.
QUEUE_STATUS_TIMEOUT = env_int("QUEUE_STATUS_TIMEOUT", 1)
QUEUE_STATUS_CACHE_SECONDS = env_int("QUEUE_STATUS_CACHE_SECONDS", 5)
# Tests and demos only: run the collection tick every N seconds instead.
if env_int("COLLECTION_TICK_SECONDS", 0):
    CELERY_BEAT_SCHEDULE["collection-tick"]["schedule"] = env_int(
        "COLLECTION_TICK_SECONDS", 0
    )
