"""党内关怀帮扶管理系统 settings: one file, everything that differs between machines comes from the
environment (see README, "环境变量"). The test suite adds a few overrides in config/settings_test.py.

Importing settings creates nothing on disk: `make run` makes var/ for the embedded database and
broker; file storage and collectstatic make their own directories."""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        # A development key is only acceptable where DEBUG says we are developing.
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("生产环境必须设置 SECRET_KEY 环境变量")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "rest_framework",
    "drf_spectacular",
    "import_export",
    "auditlog",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Ours, in dependency order (see STYLE.md): a lower app never imports a higher one.
    "core",
    "members",
    "notifications",
    "hardship",
    "visits",
    "funds",
    "awards",
    "surveys",
    "reports",
    "filings",
    "api",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and JSON compressed (a secretary's home page: 16 KB → 4 KB on a weak signal). Static files
    # never reach it: WhiteNoise answers them above, precompressed. Django's GZipMiddleware pads its
    # output against BREACH (since 4.2).
    "django.middleware.gzip.GZipMiddleware",
    # Under DEBUG (make run) too, a page not found is the product's Chinese page, not the URL list.
    "core.middleware.ChineseNotFoundUnderDebug",
    # Under /api/ every error is JSON in one shape, whichever layer below answered it.
    "api.errors.ApiErrorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.RejectUnreadableInput",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.PrivateResponses",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "members.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # API tokens: after the second factor's middleware (sessions only), before the audit trail's (so
    # a token's changes name its service user and the client's address).
    "api.authentication.TokenMiddleware",
    "core.audit.AuditlogMiddleware",
    "core.audit.RequestPathMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = env("ROOT_URLCONF", default="config.urls")
FORM_RENDERER = "core.renderers.FastSelectRenderer"  # <select> without a template include per <option>

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
                "portal.context_processors.navigation",
                "notifications.context_processors.unread_count",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles any query it estimates as costly: on the coverage and report pages
    # that cost seconds of compiling for half a second of work. Page queries are short; no JIT.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "members.User"

AUTHENTICATION_BACKENDS = [
    # Counts failures and refuses a locked-out username+address before checking the password.
    "axes.backends.AxesStandaloneBackend",
    # Django's, reading the member record with the user (one query less on every page).
    "members.backends.MemberModelBackend",
    # Sessions signed in before the backend above existed name this one; they keep working.
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
# Lock the pair (username, address): an attacker elsewhere cannot lock a user out everywhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Reverse proxies in front of the app. One policy reads the client's address for the lockout, the
# audit trail and the access log: core.http.client_ip.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"
OTP_TOTP_ISSUER = "党内关怀帮扶管理系统"
# Roles that must sign in with a second factor (comma-separated: secretary, org_dept, …); superusers
# are "admin". Every role that reads full ID numbers may enrol whether or not it is required.
TWO_FACTOR_REQUIRED_ROLES = env.list("TWO_FACTOR_REQUIRED_ROLES", default=[])

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
# Messages live in the session, not a cookie of their own: a message naming a member ("已结束共建…")
# must not outlive a logout and greet the next person signing in on the same computer.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never served: every file is read through a view that checks who asks
# Every file one process writes and another reads (application attachments, import uploads awaiting
# confirmation, annual workbooks built by the worker) goes through Django's storage API to one store
# that every web node and worker shares: MEDIA_ROOT on the local disk (in compose a volume mounted into
# every container), or an S3-compatible object store for several machines.
FILE_STORAGE = env("FILE_STORAGE", default="local")
if FILE_STORAGE == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET"),
            "endpoint_url": env("S3_ENDPOINT_URL", default=None),
            "region_name": env("S3_REGION", default=None),
            "access_key": env("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("S3_SECRET_ACCESS_KEY", default=None),
            "addressing_style": env("S3_ADDRESSING_STYLE", default=None),
            "location": env("S3_PREFIX", default=""),
            "signature_version": "s3v4",
            # Private objects, never overwritten, read back through our views only.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            # A download is spooled to a temporary file past 2 MB instead of held in memory.
            "max_memory_size": 2 * 1024 * 1024,
        },
    }
elif FILE_STORAGE == "local":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"FILE_STORAGE 只能是 local 或 s3，而不是 {FILE_STORAGE!r}")
# Uploaded files hold ID numbers and incomes: readable by the app's own user (and group) only.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# `make run` serves static files straight from static/ without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# django-filter: an empty choice of a filter means "no filter".
FILTERS_EMPTY_CHOICE_LABEL = "全部"

# Uploads: imports are capped in the view as well; this keeps big bodies out of memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
# A previewed import file waits in the file store for the user's confirmation; it holds full ID
# numbers, so it is refused after this many hours and deleted by the daily jobs (hourly).
IMPORT_UPLOAD_EXPIRY_HOURS = env.float("IMPORT_UPLOAD_EXPIRY_HOURS", default=2.0)
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True

# Security headers that hold in every environment; the HTTPS-only ones follow SECURE_SSL.
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env.bool("SECURE_SSL", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# E-mail: console in development, SMTP (EMAIL_URL=smtp://user:pass@host:587) in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="党内关怀帮扶管理系统 <noreply@localhost>")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Celery: Redis in production; without REDIS_URL an embedded file-system broker under var/ lets
# `make run` start a worker and beat with no server at all.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    _broker_dir = VAR_DIR / "celery-broker"  # its folders are made by `make run`
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Daily jobs are idempotent and catch up, so running them every hour costs little and
    # means a day's work is done within the hour after a restart.
    "daily-jobs": {"task": "core.run_daily_jobs", "schedule": crontab(minute=5)},
    "notification-outbox": {"task": "notifications.flush_outbox", "schedule": 300.0},
    "report-jobs": {"task": "reports.requeue_stale_jobs", "schedule": 600.0},
}
# Fail fast when the broker is down: the request goes on and the periodic sweeps do the work later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# No countdown/ETA in this code base may exceed the visibility timeout (a delivered-twice guard).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True

CACHES = {
    "default": (
        {"BACKEND": "core.redis_cache.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Domain settings; defaults from the seeds (../shared/seeds) and DESIGN.md.
CARE = {
    "PAGE_SIZE": 20,
    "MAX_PAGE_SIZE": 200,
    # hardship/
    "MAX_HOUSEHOLDS_PER_HELPER": env.int("CARE_MAX_HOUSEHOLDS_PER_HELPER", default=2),
    "LEDGER_REVIEW_DAYS": 365,
    "PAIRING_REPORT_DAYS": 183,
    # visits/
    "TALK_CYCLE_YEARS": env.int("CARE_TALK_CYCLE_YEARS", default=1),
    "OLD_MEMBER_PARTY_YEARS": 50,
    "OLD_MEMBER_AGE": 80,
    "HOLIDAY_PLAN_LEAD_DAYS": env.int("CARE_HOLIDAY_PLAN_LEAD_DAYS", default=21),
    "HOLIDAY_REMINDER_DAYS": 7,
    # 必访 prompts: the days within which each must be visited, and when an overdue one goes higher up
    # (党总支 when past due, 组织部 this many days later).
    "PROMPT_DUE_DAYS": env.int("CARE_PROMPT_DUE_DAYS", default=7),
    "LIFE_EVENT_VISIT_DAYS": env.int("CARE_LIFE_EVENT_VISIT_DAYS", default=3),
    "FOLLOW_UP_DAYS": env.int("CARE_FOLLOW_UP_DAYS", default=14),
    "PROMPT_ESCALATION_DAYS": env.int("CARE_PROMPT_ESCALATION_DAYS", default=7),
    # 老同志生日必访: members this old or older get a birthday visit prompt this many days ahead.
    "ELDER_BIRTHDAY_AGE": env.int("CARE_ELDER_BIRTHDAY_AGE", default=80),
    "ELDER_BIRTHDAY_LEAD_DAYS": 7,
    # 外出务工党员家庭: the family contact and the secretary are reminded after this many days without a visit.
    # 表彰奖励制度: from this (month, day) a 党委 without this year's campaign is reminded to open one.
    "AWARD_REMINDER": (4, 1),
    "MIGRANT_CONTACT_DAYS": env.int("CARE_MIGRANT_CONTACT_DAYS", default=90),
    # surveys/: branches not done with the yearly 全面排查 are reminded this many days before it ends.
    "SURVEY_REMINDER_DAYS": env.int("CARE_SURVEY_REMINDER_DAYS", default=7),
    # funds/ and awards/
    "NOTICE_WORKING_DAYS": env.int("CARE_NOTICE_WORKING_DAYS", default=5),
    "APPLICATION_STALE_DAYS": env.int("CARE_APPLICATION_STALE_DAYS", default=7),
    "ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
    # 紧急救助 approved before the branch meeting: reminder after N days without the meeting recorded.
    "EMERGENCY_MEETING_DAYS": env.int("CARE_EMERGENCY_MEETING_DAYS", default=30),
    # Per-kind amount bounds are data each fund keeps (funds.AmountBound, set by the organization
    # department on the fund's 规则 page); new funds start from funds.models.DEFAULT_AMOUNT_BOUNDS.
    "MEMBER_YEARLY_CAP": env("CARE_MEMBER_YEARLY_CAP", default="30000.00"),
    # reports/: above this many members the annual workbook is built by a background task.
    "REPORT_SYNC_MAX_MEMBERS": env.int("CARE_REPORT_SYNC_MAX_MEMBERS", default=3000),
    # Roster and visit exports of more rows than this are built by the worker, like a large annual workbook.
    "EXPORT_SYNC_MAX_ROWS": env.int("CARE_EXPORT_SYNC_MAX_ROWS", default=3000),
    # Workbooks built in the background stay downloadable this many days, then their files are deleted.
    "REPORT_FILE_DAYS": env.int("CARE_REPORT_FILE_DAYS", default=7),
    # Reports submitted upward (filings): reminded this many days before the due date, on it, and
    # every week after it (telling the 组织部 too) for this many weeks.
    "FILING_REMIND_DAYS": env.int("CARE_FILING_REMIND_DAYS", default=7),
    "FILING_OVERDUE_WEEKS": env.int("CARE_FILING_OVERDUE_WEEKS", default=8),
}

# The integration API (api/, Django REST framework): see README, "数据接口".
API = {
    "PREFIX": "/api/",
    # Requests per caller, counted in the cache (Redis in production, shared by every web process).
    "THROTTLE_RATES": {
        "token": env("API_THROTTLE_TOKEN", default="1200/min"),
        "user": env("API_THROTTLE_USER", default="600/min"),
        "anon": env("API_THROTTLE_ANON", default="60/min"),
    },
    "TOKEN_MAX_DAYS": env.int("API_TOKEN_MAX_DAYS", default=730),
}
REST_FRAMEWORK = {
    # A page's session needs the CSRF token for writes (header X-CSRFToken); a token does not.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerToken",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TableRule"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerCaller"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "党内关怀帮扶管理系统 数据接口",
    "DESCRIPTION": "供其他系统（全国党员信息系统、智慧党建平台、小程序）和本系统的手机端读写数据。"
    "权限与网页完全相同：角色权限表、组织范围、脱敏规则。详见 README 的“数据接口”一节。",
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "members.models.Organization.Kind",
        "MemberStateEnum": "members.models.Member.State",
        "TalkKindEnum": "visits.models.Talk.Kind",
        "ApplicationKindEnum": "funds.models.Kind",
        "ApplicationStatusEnum": "funds.models.Status",
        "FundEntryKindEnum": "funds.models.FundEntry.Kind",
        "LedgerStatusEnum": "hardship.models.HardshipRecord.Status",
        "PairingStatusEnum": "hardship.models.Pairing.Status",
        "LifeEventKindEnum": "visits.models.LifeEvent.Kind",
        "ConcernStatusEnum": "visits.models.Concern.Status",
    },
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.error_responses"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"forbidden_without_traceback": {"()": "core.logging.ForbiddenWithoutTraceback"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["forbidden_without_traceback"]}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Django's own console handler (DEBUG only) would print each of its records a second time beside
    # the root's: its records go to the root's handler alone.
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
    },
}
