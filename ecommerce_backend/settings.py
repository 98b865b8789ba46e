"""Django settings for Marcus Shop, read from the environment (the README's configuration table).

Every variable has a working default so that `make run` needs nothing set; production sets
DJANGO_SECRET_KEY, DATABASE_URL, REDIS_URL, CHROMA_URL and DJANGO_ALLOWED_HOSTS.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from ecommerce_backend.broker import (
    BROKER_SCHEMES,
    QUEUE_TYPES,
    celery_transport_settings,
    check_countdown_precision,
)
from ecommerce_backend.env import (
    env_bool,
    env_choice,
    env_currency,
    env_float,
    env_int,
    env_list,
    env_non_negative_int,
    env_optional_bool,
    env_rate,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MARCUS_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    # Without DJANGO_SECRET_KEY a random key is made once and kept under var/, so sessions
    # and tokens survive restarts of `make run` and no secret is ever in the repository.
    key = os.environ.get("DJANGO_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        from django.core.management.utils import get_random_secret_key

        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")
# The one currency of every price (ISO 4217): quotes, product prices, the index documents and the assistant.
SHOP_CURRENCY = env_currency("SHOP_CURRENCY", "EUR")

INSTALLED_APPS = [
    "ecommerce_backend.apps.ShopAdminConfig",  # django.contrib.admin, login throttled (admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc served from our static files: /api/docs/ works offline
    "django_celery_beat",
    "apps.catalog",
    "apps.preconfigured_products",
    "apps.ai_assistant",
    "apps.search",  # search analytics, synonyms, did-you-mean and suggestions (docs/search.md)
    "apps.orders",
    "apps.storefront",  # the customer pages: /, /shop/... (docs/storefront.md)
]

MIDDLEWARE = [
    # First: the request id is on every log line of the request, and the access log sees every answer.
    "ecommerce_backend.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ecommerce_backend.slashes.EitherSlashMiddleware",  # API paths answer with and without a trailing slash
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ecommerce_backend.urls"
WSGI_APPLICATION = "ecommerce_backend.wsgi.application"

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
                "apps.storefront.context.storefront",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        # Unset or empty: the SQLite file of `make run`.
        env_url("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}", schemes=("postgres", "postgresql", "sqlite")),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # Tests: a file, not pytest-django's in-memory DB, so the Celery worker the tests start can open it
    # (the fixture passes the path in DATABASE_URL). One per test process: parallel runs do not collide.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("DJANGO_TEST_DB_NAME") or str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# --- Cache: Redis when REDIS_URL is set, else a database cache shared by every process -----
REDIS_URL = env_url("REDIS_URL", "", schemes=("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that is down must fail a cache call quickly, not hang a request.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "marcus_cache",
        }
    }

# --- REST framework ------------------------------------------------------------------------
# Reverse proxies in front of the app: the throttles key on the address the n-th proxy from the right saw in
# X-Forwarded-For. 0 (no proxy) ignores that header, which any client can forge.
NUM_PROXIES = env_non_negative_int("NUM_PROXIES", 0)
# Login attempts (POST /api/auth/token/, /admin/login/) per client address, and the lockout after failures
# for one username or address (ecommerce_backend/throttling.py, lockout.py).
AUTH_THROTTLE = env_rate("AUTH_THROTTLE", "10/min")
AUTH_LOCKOUT_FAILURES = max(1, env_non_negative_int("AUTH_LOCKOUT_FAILURES", 5))
AUTH_LOCKOUT_SECONDS = max(1, env_non_negative_int("AUTH_LOCKOUT_SECONDS", 300))

# How an order is paid (apps/orders/payment.py); only pay on delivery exists so far.
ORDERS_PAYMENT_METHOD = env_choice("ORDERS_PAYMENT_METHOD", "pay_on_delivery", ("pay_on_delivery",))

REST_FRAMEWORK = {
    "NUM_PROXIES": NUM_PROXIES,
    # A JSON API: form bodies follow other rules (a missing boolean is false, an empty
    # field is null), which the schema cannot describe. The token endpoint keeps DRF's own parsers.
    # Bounded in size (DATA_UPLOAD_MAX_MEMORY_SIZE, a JSON 413 past it) and depth (a 400): apps/catalog/api/parsers.py.
    "DEFAULT_PARSER_CLASSES": ["apps.catalog.api.parsers.BoundedJSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.catalog.api.permissions.StaffModelPermissionsOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": env_int("API_PAGE_SIZE", 50, minimum=1),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.catalog.api.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "ai_search": env_rate("AI_SEARCH_THROTTLE", "120/min"),
        "ai_chat": env_rate("AI_CHAT_THROTTLE", "30/min"),
        # Suggestions as you type: one request per keystroke, so a budget of their own.
        "ai_suggest": env_rate("AI_SUGGEST_THROTTLE", "600/min"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Marcus Shop API",
    "DESCRIPTION": "Configurable products, their configurator and an AI shopping assistant.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One tag per area; tests/api_docs checks that every operation has a summary, a description and one of these.
    "TAGS": [
        {"name": "catalog", "description": "Categories, parts, part options and the rules between options "
         "(incompatibilities, price adjustments). Reads are public; writes need the model permission."},
        {"name": "configurator", "description": "A category's parts in step order, and the quote: validity, "
         "errors, price, breakdown and the options still choosable for a (partial) selection."},
        {"name": "products", "description": "Pre-configured products; price and availability are computed by "
         "the configurator, so they follow option prices, rules and stock."},
        {"name": "search", "description": "Hybrid search (vectors + keywords) of the AI knowledge index of the "
         "catalog; `index_state` tells an empty result from an index still building."},
        {"name": "assistant", "description": "The shopping assistant: answers from the live catalog, with "
         "product cards priced by the configurator and follow-ups in a session."},
        {"name": "index", "description": "Administration of the AI knowledge index (staff with the index "
         "permissions): status, rebuild, sync and task status."},
        {"name": "cart", "description": "The caller's cart (user or anonymous session), re-priced on every read."},
        {"name": "orders", "description": "Placing and reading orders."},
        {"name": "auth", "description": "Tokens for API clients: `Authorization: Token <token>`."},
    ],
}

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", "")

# --- AI assistant --------------------------------------------------------------------------
EMBEDDING_PROVIDER = env_str("EMBEDDING_PROVIDER", "local")
OPENAI_API_KEY = env_str("OPENAI_API_KEY", "")
OPENAI_BASE_URL = env_url("OPENAI_BASE_URL", "", schemes=("http", "https")) or None
OPENAI_EMBEDDING_MODEL = env_str("OPENAI_EMBEDDING_MODEL", "text-embedding-3-small")
OPENAI_CHAT_MODEL = env_str("OPENAI_CHAT_MODEL", "gpt-4o-mini")
OPENAI_TIMEOUT_SECONDS = env_float("OPENAI_TIMEOUT_SECONDS", 20, minimum=0.1)
# The port of the Chroma server `make run` starts (Procfile); CHROMA_URL's default follows it.
CHROMA_PORT = env_int("CHROMA_PORT", 8001, minimum=1)
CHROMA_URL = env_url("CHROMA_URL", f"http://127.0.0.1:{CHROMA_PORT}", schemes=("http", "https"))
CHROMA_COLLECTION_PREFIX = env_str("CHROMA_COLLECTION_PREFIX", "marcus")
AI_INDEX_DEBOUNCE_SECONDS = env_float("AI_INDEX_DEBOUNCE_SECONDS", 2, minimum=0)
# Trailing debounce (indexing/scheduling.py): a flush waits until no change came for the debounce, but never longer
# than this after the oldest pending change (a never-ending stream of edits is flushed this often). Default 15 s
# (or the debounce, when longer).
AI_INDEX_DEBOUNCE_MAX_WAIT_SECONDS = env_float(
    "AI_INDEX_DEBOUNCE_MAX_WAIT_SECONDS", max(15.0, AI_INDEX_DEBOUNCE_SECONDS), minimum=0
)
if AI_INDEX_DEBOUNCE_MAX_WAIT_SECONDS < AI_INDEX_DEBOUNCE_SECONDS:
    raise ImproperlyConfigured(
        f"AI_INDEX_DEBOUNCE_MAX_WAIT_SECONDS ({AI_INDEX_DEBOUNCE_MAX_WAIT_SECONDS:g}) must be at least "
        f"AI_INDEX_DEBOUNCE_SECONDS ({AI_INDEX_DEBOUNCE_SECONDS:g})"
    )
AI_INDEX_REFRESH_MIN_INTERVAL_SECONDS = env_int("AI_INDEX_REFRESH_MIN_INTERVAL_SECONDS", 3600, minimum=0)
# Auto-indexing (apps/ai_assistant/indexing/outbox.py, scheduling.py; docs/celery.md).
AI_INDEX_AUTO_UPDATE = env_bool("AI_INDEX_AUTO_UPDATE", True)
AI_INDEX_SCHEDULE_TTL_SECONDS = env_float("AI_INDEX_SCHEDULE_TTL_SECONDS", 60, minimum=0)
AI_INDEX_CLAIM_TIMEOUT_SECONDS = env_float("AI_INDEX_CLAIM_TIMEOUT_SECONDS", 60, minimum=0)
AI_INDEX_FLUSH_BATCH_SIZE = env_int("AI_INDEX_FLUSH_BATCH_SIZE", 2000, minimum=0)
AI_INDEX_FLUSH_MAX_BATCHES = env_int("AI_INDEX_FLUSH_MAX_BATCHES", 25, minimum=0)
# A flush of many documents hands parts of them to other worker processes (indexing/flush_parts.py); 1: never.
AI_INDEX_FLUSH_PARTS = env_int("AI_INDEX_FLUSH_PARTS", 2, minimum=1)
# Small changes write their new words through after their commit (indexing/write_ahead.py); 0: never.
_THROUGH = 0 if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else 20
AI_INDEX_WRITE_THROUGH_MAX_DOCUMENTS = env_int("AI_INDEX_WRITE_THROUGH_MAX_DOCUMENTS", _THROUGH, minimum=0)
AI_INDEX_WRITE_THROUGH_WAIT_SECONDS = env_float("AI_INDEX_WRITE_THROUGH_WAIT_SECONDS", 1.0, minimum=0)
# Texts per call to the embedding model when a flush or a build embeds (retrieval/embedding_cache.py).
AI_INDEX_EMBED_BATCH_SIZE = env_int("AI_INDEX_EMBED_BATCH_SIZE", 64, minimum=1)
AI_INDEX_SWEEP_INTERVAL_SECONDS = env_float("AI_INDEX_SWEEP_INTERVAL_SECONDS", 60, minimum=0)
AI_INDEX_SWEEP_GRACE_SECONDS = env_float("AI_INDEX_SWEEP_GRACE_SECONDS", 5, minimum=0)
# A rebuild spread over the ai_heavy workers (indexing/rebuild_chunks.py): documents per chunk task, and how long a
# started chunk may go without a sign of life before the sweeper sends it again (its worker died).
AI_REBUILD_CHUNK_SIZE = env_int("AI_REBUILD_CHUNK_SIZE", 500, minimum=1)
AI_REBUILD_CHUNK_STALE_SECONDS = env_float("AI_REBUILD_CHUNK_STALE_SECONDS", 300, minimum=1)
# Chat sessions: the longest search query a session carries to follow-ups; retention (services/retention.py).
AI_CHAT_CONTEXT_MAX_CHARS = env_int("AI_CHAT_CONTEXT_MAX_CHARS", 300, minimum=0)
AI_CHAT_RETENTION_DAYS = env_int("AI_CHAT_RETENTION_DAYS", 30, minimum=0)
AI_EMBEDDING_CACHE_DAYS = env_int("AI_EMBEDDING_CACHE_DAYS", 30, minimum=0)
# Search analytics (apps/search): records older than this many days are deleted by a daily beat task.
AI_SEARCH_LOG_DAYS = env_int("AI_SEARCH_LOG_DAYS", 90, minimum=1)
# The keyword search backend (retrieval/keyword_backends/); empty: the one of the database's vendor.
AI_KEYWORD_BACKEND = env_choice("AI_KEYWORD_BACKEND", "", ("postgresql", "sqlite"))

# --- Celery (names as in the original setup guide) -----------------------------------------
# The broker: CELERY_BROKER_URL (RabbitMQ or Redis), else REDIS_URL, else the embedded filesystem broker of
# `make run`; results on Redis (REDIS_URL). Each broker's transport options: ecommerce_backend/broker.py.
AMQP_QUEUE_TYPE = env_choice("CELERY_AMQP_QUEUE_TYPE", "classic", QUEUE_TYPES)
_celery_transport = celery_transport_settings(
    env_url("CELERY_BROKER_URL", "", schemes=BROKER_SCHEMES), REDIS_URL, VAR_DIR, AMQP_QUEUE_TYPE
)
globals().update(_celery_transport)
check_countdown_precision(_celery_transport["CELERY_BROKER_URL"], AMQP_QUEUE_TYPE, AI_INDEX_DEBOUNCE_SECONDS)
# Several hosts share this shop's stores: true/false, unset = assumed when DEBUG is off and the database is on
# another host. Then `manage.py check` warns about anything that lives on one host (ecommerce_backend/checks.py).
MULTI_HOST = env_optional_bool("MULTI_HOST")
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_TRACK_STARTED = True
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 28 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXTENDED = True
CELERY_RESULT_EXPIRES = 7 * 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# With acks_late a task running when the broker connection drops is redelivered anyway; cancel it
# instead of running it twice at once (tasks are idempotent either way).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "ai_assistant.rebuild_index": {"queue": "ai_heavy"},
    "ai_assistant.rebuild_chunk": {"queue": "ai_heavy"},
    "ai_assistant.finish_rebuild": {"queue": "ai_heavy"},
    "ai_assistant.scheduled_index_refresh": {"queue": "ai_heavy"},
    "ai_assistant.update_index": {"queue": "ai_light"},
    "ai_assistant.flush_index_changes": {"queue": "ai_light"},
    "ai_assistant.flush_index_part": {"queue": "ai_light"},
    "ai_assistant.sweep_index_outbox": {"queue": "ai_light"},
    "ai_assistant.prune_retained_data": {"queue": "ai_light"},
}
CELERY_BEAT_SCHEDULER = env_str("CELERY_BEAT_SCHEDULER", "django_celery_beat.schedulers:DatabaseScheduler")
CELERY_BEAT_SCHEDULE = {
    "refresh-ai-index-nightly": {
        "task": "ai_assistant.scheduled_index_refresh",
        "schedule": crontab(hour=3, minute=0),
    },
    "sweep-ai-index-outbox": {
        "task": "ai_assistant.sweep_index_outbox",
        "schedule": AI_INDEX_SWEEP_INTERVAL_SECONDS,
    },
    "prune-ai-retained-data-daily": {
        "task": "ai_assistant.prune_retained_data",
        "schedule": crontab(hour=4, minute=30),
    },
    "prune-search-records-daily": {
        "task": "search.prune_search_records",
        "schedule": crontab(hour=4, minute=40),
    },
    "refresh-search-vocabulary-nightly": {
        "task": "search.refresh_vocabulary",
        "schedule": crontab(hour=3, minute=30),
    },
}

# --- Production hardening (python manage.py check --deploy) --------------------------------
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
# Container health checks call plain http://127.0.0.1:8000/healthz: a redirect to https would fail them.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", False)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY") else None

# --- Metrics (GET /metrics: ecommerce_backend/metrics.py, docs/operations.md "Metrics") ------------
# Who may scrape without a staff login: client addresses (NUM_PROXIES-aware) in these networks.
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", "127.0.0.1/32,::1")
for _network in METRICS_ALLOWED_IPS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS must list networks (10.0.0.0/8), got {_network!r}") from None
# Every process writes its counters here and /metrics adds them up (prometheus_client multiprocess mode);
# set before prometheus_client creates an instrument. `make run` empties it at start.
os.environ["PROMETHEUS_MULTIPROC_DIR"] = env_str("PROMETHEUS_MULTIPROC_DIR", str(VAR_DIR / "metrics"))
Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)

LOG_LEVEL = env_choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error", "critical")).upper()
# plain: one readable line; json: one JSON object per line with the request id (ecommerce_backend/logs.py).
LOG_FORMAT = env_choice("LOG_FORMAT", "plain", ("plain", "json"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ecommerce_backend.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "ecommerce_backend.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False}},
}
