"""envplan's one settings module, driven by ENVPLAN_* environment variables (see envplan.config)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dj_database_url

from envplan import config as envconfig
from envplan.core.logs import logging_config

CONFIG = envconfig.load()

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = CONFIG.data_dir
LAKE_URL = CONFIG.lake_url

SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = CONFIG.allowed_hosts

INSTALLED_APPS = [
    "django.contrib.auth",
    "axes",  # django-axes: counts failed logins per user name and address, locks out, keeps the attempts
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "envplan.core",
    "envplan.accounts",
    "envplan.plans",
    "envplan.imports",
    "envplan.progress",
    "envplan.indicators",
    "envplan.exports",
    "envplan.dashboard",
    "envplan.air",
    "envplan.water",
    "envplan.sources",
    "envplan.emergency",
    "envplan.inspections",
    "envplan.credit",
    "envplan.cases",
    "ninja",  # django-ninja: serves the API docs page's JS/CSS locally (no CDN)
    "envplan.api",
    "envplan.portal",
    "envplan.demo",
    "envplan.site",
]

MIDDLEWARE = [
    # First: the request's id, one log line per request with its duration, the web's metrics.
    "envplan.core.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "envplan.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF: the CSRF check reads the form, and with it the whole body (files stream to disk).
    "envplan.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A view's PermissionDenied: our 403 page and one log line instead of a traceback.
    # Last, as django-axes asks: turns a lockout flagged during authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "envplan.urls"
WSGI_APPLICATION = "envplan.wsgi.application"
ASGI_APPLICATION = "envplan.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "envplan.core.context_processors.demo_clock",
                "envplan.plans.context_processors.navigation",
            ],
        },
    },
]

if CONFIG.database_url:
    DATABASES = {"default": dj_database_url.parse(CONFIG.database_url, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "envplan.sqlite3"),
            "OPTIONS": {
                # WAL lets the web server read while the worker writes.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                # A writer waits up to 20 s for another (the web server, the worker, a job) to finish.
                "timeout": 20,
            },
            # Tests use a file, as the site does: an in-memory database shared between threads locks
            # whole tables, which the job runner's thread and the live-server tests run into.
            "TEST": {"NAME": str(DATA_DIR / "test_envplan.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "envplan.accounts.login.LoginThrottleBackend",  # refuses locked-out logins before any password check
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failures for one user name from one address,
# that pair is refused, even with the right password, until AXES_COOLOFF_TIME has passed without a try.
AXES_FAILURE_LIMIT = CONFIG.login_failure_limit
AXES_COOLOFF_TIME = dt.timedelta(minutes=CONFIG.login_cooloff_minutes)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "envplan.accounts.login.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "envplan.accounts.login.locked_out"
AXES_VERBOSE = False  # our audit entry records the lockout; axes' per-attempt warnings would flood the log
AXES_ENABLE_ADMIN = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "plans:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("zh-hans", "简体中文"), ("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request when the folder is missing
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "uploads"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Uploads larger than their kind's limit are refused (envplan.core.uploads.upload_limit_bytes).
ENVPLAN_MAX_UPLOAD_MB = CONFIG.max_upload_mb
ENVPLAN_UPLOAD_LIMITS_MB = CONFIG.upload_limits_mb
# A request body announcing more than this is refused from its Content-Length before it is read (413),
# unless the view declares its own limit (envplan.core.uploads.upload_limit).
ENVPLAN_MAX_REQUEST_MB = CONFIG.max_request_mb
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The public portal (/public/): the open data's licence and publisher, and the days a unit has to answer a
# correction request.
ENVPLAN_OPEN_DATA_LICENCE = CONFIG.open_data_licence
ENVPLAN_OPEN_DATA_PUBLISHER = CONFIG.open_data_publisher
ENVPLAN_CORRECTION_DAYS = CONFIG.correction_days
# E-mail links are absolute: this address, then the page's path.
ENVPLAN_SITE_URL = CONFIG.site_url

# Reminders and review notices go out through Django's e-mail backend (the console in the demo).
EMAIL_BACKEND = CONFIG.email_backend

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# ENVPLAN_HTTPS=1: the site is reached over HTTPS through a reverse proxy that terminates TLS, sets
# X-Forwarded-Proto and X-Forwarded-For, and overwrites whatever a client sent in them.
if CONFIG.https:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # the proxy's health check may come over plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = CONFIG.hsts_seconds
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Behind the proxy every request comes from the proxy's address: login failures are then counted by the
# address the proxy appended last to X-Forwarded-For (envplan.accounts.login.client_address).
ENVPLAN_BEHIND_PROXY = CONFIG.https

# Every page's scripts and styles come from our own static files: no inline script, style or handler.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# One logging setup (envplan.core.logs): text or JSON lines (ENVPLAN_LOG_FORMAT), our loggers at
# ENVPLAN_LOG_LEVEL, each line with its request id; refusals (4xx) without traceback.
LOGGING = logging_config(CONFIG.log_format, CONFIG.log_level)

# /metrics (envplan.core.metrics): with a token, only to a scraper sending it as a bearer; without, only
# from this machine.
ENVPLAN_METRICS_TOKEN = CONFIG.metrics_token
ENVPLAN_METRICS_MULTIPROCESS = CONFIG.metrics_multiprocess
# Alerts on silence (envplan.sources.silence): a device silent this long (unless it has its own
# threshold), a landing backlog over this size.
ENVPLAN_SILENCE_MINUTES = CONFIG.silence_minutes
ENVPLAN_BACKLOG_ALERT_MB = CONFIG.backlog_alert_mb
