"""Settings for the carrier portal, read from the environment.

Nothing set gives the embedded default for trying it out: a SQLite file under var/, Celery tasks
run in-process, email printed to the console. Setting SECRET_KEY (with DATABASE_URL, REDIS_URL,
ALLOWED_HOSTS and EMAIL_URL) gives the production shape: HTTPS only, MFA required, tasks on a
Celery worker. `manage.py check --deploy` passes with zero warnings in that shape.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))

env = environ.Env()

# A deployment is recognised by its own secret key; everything else follows from that.
PRODUCTION = "SECRET_KEY" in os.environ or "SECRET_KEY_FILE" in os.environ
if "SECRET_KEY_FILE" in os.environ:
    SECRET_KEY = Path(os.environ["SECRET_KEY_FILE"]).read_text().strip()
else:
    SECRET_KEY = env("SECRET_KEY", default="insecure-demo-key-never-use-in-production-0123456789")

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "guardian",
    "csp",
    "django_htmx",
    "template_partials",
    "portal",
    "portal.accounts",
    "portal.audit",
    "portal.activity",
    "portal.jobs",
    "enrollment",
    "billing",
    "commissions",
    "brokers",
    "employers",
    "providers",
    # Ops' access review: reads the grants of every audience app above.
    "access_review",
    # Last: seed_demo, which builds every app's part of the demo world.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.accounts.middleware.SessionLifetimeMiddleware",
    "portal.accounts.middleware.PortalLoginRequiredMiddleware",
    # A provider user created with a temporary password finishes their first sign-in first.
    "providers.first_sign_in.FirstSignInMiddleware",
    "portal.accounts.middleware.RequireMFAMiddleware",
    # After the agent's own session checks: from here on, request.user may be the assumed user.
    "portal.accounts.assumed_identity.AssumedIdentityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "csp.context_processors.nonce",
                "portal.context_processors.carrier",
                "brokers.context_processors.broker_codes",
            ],
        },
    },
]

# Database: a SQLite file unless DATABASE_URL says otherwise.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis backs the cache (rate limits are shared between processes), Celery and its results.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# WeasyPrint can take ~200 MB for a long statement; recycle a worker child that grew past this.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_KB", default=400_000)
# With acks_late on Redis, a task whose worker died is delivered again after this many seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60)
}
CELERY_BEAT_SCHEDULE = {
    "purge-expired-report-files": {
        "task": "portal.jobs.tasks.purge_expired_jobs",
        "schedule": timedelta(hours=6),
    },
    # Employer reports set up to recur (employers/reporting/tasks.py): each runs once per due
    # date however often this runs, so hourly costs nothing and catches up soon after downtime.
    "run-due-employer-reports": {
        "task": "employers.reporting.tasks.run_due_report_definitions",
        "schedule": timedelta(hours=1),
    },
    # Commission statements are kept 18 months (commissions.models.RETENTION_MONTHS).
    "purge-old-commission-statements": {
        "task": "commissions.tasks.statements_purge",
        "schedule": timedelta(hours=24),
    },
    # Payments (billing/tasks.py): each recurring payment's month, then the scheduled payments
    # due to the gateway and the outcomes of those submitted. Both are safe to run again.
    "make-recurring-payments": {
        "task": "billing.tasks.recurring_payments_make",
        "schedule": timedelta(hours=24),
    },
    "process-payments": {
        "task": "billing.tasks.payments_process",
        "schedule": timedelta(hours=24),
    },
    # Monthly bills (billing/generation.py): checked daily, made from each month's issue date
    # (15 days before it); a day that finds them all made does nothing.
    "generate-invoices": {
        "task": "billing.tasks.invoices_generate_due",
        "schedule": timedelta(hours=24),
    },
}

# Users and login (django-allauth): email is the username, no open sign-up.
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: a broker holds every broker-portal tool, answered without loading permissions.
    "brokers.access.BrokerToolBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
    "employers.access.ClientAdminBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "portal.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    # Ours: "Forgot your username?" emails whoever matches; the key is the identifier asked for.
    "forgot_username": "5/15m/ip,3/h/key",
}
# Password-reset links stop working after this long (Django's token generator reads it).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_SECONDS", default=60 * 60)

MFA_ADAPTER = "portal.accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
PORTAL_REQUIRE_MFA = env.bool("PORTAL_REQUIRE_MFA", default=PRODUCTION)

# Sessions end after inactivity, and in any case after an absolute cap.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=15)
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Secrets at rest (SSNs, MFA keys). A separate key can be given; otherwise one is derived.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", default="")

# HTTPS and cookies.
HTTPS = env.bool("HTTPS", default=PRODUCTION)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's check speaks plain HTTP inside
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: scripts only from our own static files, never inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Email: printed to the console unless EMAIL_URL (smtp://user:pass@host:587/?tls=True) is set.
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="portal@carrier.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where people reach the portal: emails are read outside it, so their links are absolute.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="America/Los_Angeles")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Report files hold member data: they live outside any served folder and leave only
    # through the download view, which checks permission and writes an audit event.
    "reports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "reports", "base_url": None},
    },
    # Forms and brochures ops publish to brokers: likewise served only by an audited download.
    "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "documents", "base_url": None},
    },
    # Commission statement PDF and XLS files, generated from the lines: served by an audited
    # download to the Broker ID's own office only.
    "statements": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "statements", "base_url": None},
    },
    # Invoice PDF and XLS files: served by an audited download to those who may see the bill.
    "invoices": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "invoices", "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# The demo serves static files straight from the source folders; production from collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    (VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
REPORT_RETENTION_DAYS = env.int("REPORT_RETENTION_DAYS", default=30)

# Enrollment: how far back an employer may end coverage (the carrier's retroactive termination
# window), and how long after coverage ended it may still be reinstated with nothing retyped.
ENROLLMENT_RETRO_TERMINATION_DAYS = env.int("ENROLLMENT_RETRO_TERMINATION_DAYS", default=60)
ENROLLMENT_REINSTATE_DAYS = env.int("ENROLLMENT_REINSTATE_DAYS", default=60)

# Payments: the bank-payment gateway class (billing/gateway.py; the sandbox settles or returns
# on a documented schedule), and how far ahead a one-time payment may be scheduled.
PAYMENT_GATEWAY = env("PAYMENT_GATEWAY", default="billing.gateway.SandboxGateway")
PAYMENT_SCHEDULE_DAYS = env.int("PAYMENT_SCHEDULE_DAYS", default=30)

# Business days skip weekends and this holiday calendar (a financial calendar code of the
# `holidays` package; the Federal Reserve's by default): portal/business_days.py.
BUSINESS_DAY_HOLIDAYS = env("BUSINESS_DAY_HOLIDAYS", default="FED")

# The carrier this portal is dressed as: name, logo, colours, support contacts and phone trees
# come from a carrier file, so nothing of any real carrier is written into the code.
CARRIER_FILE = Path(env("CARRIER_FILE", default=BASE_DIR / "portal" / "carrier.demo.json"))
CARRIER = json.loads(CARRIER_FILE.read_text())

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint narrates every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None
