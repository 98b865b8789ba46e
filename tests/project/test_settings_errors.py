"""Settings stop the start with a message naming the variable for a malformed value; blank means the default.

Each case imports the settings in a fresh interpreter (the values are read once, at import).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETUP = (
    "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'ecommerce_backend.settings'; django.setup(); "
    "from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE'], s.CHROMA_URL, s.SHOP_CURRENCY, s.AI_INDEX_DEBOUNCE_SECONDS)"
)


def _start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CHROMA_URL", "CHROMA_PORT"}}
    base.update({"MARCUS_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "ecommerce_backend.settings"})
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", SETUP], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("AI_INDEX_DEBOUNCE_SECONDS", "abc", "AI_INDEX_DEBOUNCE_SECONDS must be a number, got 'abc'"),
        ("AI_INDEX_SWEEP_INTERVAL_SECONDS", "-5", "AI_INDEX_SWEEP_INTERVAL_SECONDS must be a number >= 0, got '-5'"),
        ("OPENAI_TIMEOUT_SECONDS", "nan", "OPENAI_TIMEOUT_SECONDS must be a number >= 0.1, got 'nan'"),
        ("AI_INDEX_FLUSH_BATCH_SIZE", "2k", "AI_INDEX_FLUSH_BATCH_SIZE must be an integer >= 0, got '2k'"),
        ("API_PAGE_SIZE", "0", "API_PAGE_SIZE must be an integer >= 1, got '0'"),
        ("DATABASE_CONN_MAX_AGE", "1.5", "DATABASE_CONN_MAX_AGE must be an integer >= 0, got '1.5'"),
        ("CHROMA_PORT", "http", "CHROMA_PORT must be an integer >= 1, got 'http'"),
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG must be a boolean"),
        ("AI_INDEX_AUTO_UPDATE", "ja", "AI_INDEX_AUTO_UPDATE must be a boolean"),
        ("DATABASE_URL", "://", "DATABASE_URL must be a URL starting with postgres://"),
        ("DATABASE_URL", "postgres://db:five/shop", "DATABASE_URL must be a URL with a numeric port"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL must be a URL starting with redis://"),
        ("CHROMA_URL", "http://", "CHROMA_URL must be a URL naming a host"),
        ("OPENAI_BASE_URL", "api.example.com", "OPENAI_BASE_URL must be a URL starting with http://"),
        ("AI_CHAT_THROTTLE", "lots", "AI_CHAT_THROTTLE must be a rate like '30/min', got 'lots'"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL must be one of debug, info, warning, error, critical, got 'loud'"),
        ("SHOP_CURRENCY", "euro", "SHOP_CURRENCY must be a three-letter ISO 4217 code such as EUR, got 'euro'"),
    ],
)
def test_a_malformed_value_stops_the_start_naming_the_variable(tmp_path, variable, value, message):
    started = _start(tmp_path, **{variable: value})
    assert started.returncode != 0
    last_line = started.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert message in last_line


def test_blank_values_mean_the_defaults(tmp_path):
    """As in deploy/production.env.example: an empty line is "not set", not a crash (UnknownSchemeError '://')."""
    started = _start(
        tmp_path, DATABASE_URL="", CHROMA_URL=" ", AI_INDEX_DEBOUNCE_SECONDS="", SHOP_CURRENCY="", DJANGO_DEBUG=""
    )
    assert started.returncode == 0, started.stderr[-2000:]
    assert started.stdout.split() == ["django.db.backends.sqlite3", "http://127.0.0.1:8001", "EUR", "2.0"]


def test_chroma_url_follows_chroma_port_and_values_are_read(tmp_path):
    started = _start(tmp_path, CHROMA_PORT="8123", SHOP_CURRENCY="chf", AI_INDEX_DEBOUNCE_SECONDS="0.5")
    assert started.returncode == 0, started.stderr[-2000:]
    assert started.stdout.split() == ["django.db.backends.sqlite3", "http://127.0.0.1:8123", "CHF", "0.5"]


def test_shop_currency_is_the_currency_of_quotes_documents_and_help_texts(tmp_path):
    """SHOP_CURRENCY is read in one place (catalog selectors) and every money display follows it."""
    code = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'ecommerce_backend.settings'; django.setup(); "
        "from apps.catalog.selectors.configurator import CURRENCY; "
        "from apps.preconfigured_products.api.serializers import ProductSerializer as S; "
        "from apps.preconfigured_products.admin import PreConfiguredProductAdmin as A; "
        "print(CURRENCY, S().fields['price'].help_text, A.price.short_description, sep='|')"
    )
    env = {**os.environ, "MARCUS_VAR_DIR": str(tmp_path), "SHOP_CURRENCY": "chf"}
    env.pop("DATABASE_URL", None)
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]
    currency, help_text, admin_column = run.stdout.strip().split("|")
    assert currency == "CHF"
    assert help_text.endswith("(CHF).")
    assert admin_column == "price (CHF)"
