"""AI_INDEX_DEBOUNCE_MAX_WAIT_SECONDS (ecommerce_backend/settings.py): at least the debounce, default 15 s or the
debounce when that is longer. Each case imports the settings in a fresh interpreter (read once, at import)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETUP = (
    "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'ecommerce_backend.settings'; django.setup(); "
    "from django.conf import settings as s; print(s.AI_INDEX_DEBOUNCE_SECONDS, s.AI_INDEX_DEBOUNCE_MAX_WAIT_SECONDS)"
)


def _start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("AI_INDEX_DEBOUNCE")}
    keep.update({"MARCUS_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "ecommerce_backend.settings", **env})
    return subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=keep, capture_output=True, text=True,
                          timeout=60)


def test_the_max_wait_defaults_to_15_s_or_the_debounce_and_refuses_less_than_the_debounce(tmp_path):
    assert _start(tmp_path).stdout.split() == ["2.0", "15.0"]
    assert _start(tmp_path, AI_INDEX_DEBOUNCE_SECONDS="30").stdout.split() == ["30.0", "30.0"]
    assert _start(tmp_path, AI_INDEX_DEBOUNCE_MAX_WAIT_SECONDS="4").stdout.split() == ["2.0", "4.0"]
    refused = _start(tmp_path, AI_INDEX_DEBOUNCE_SECONDS="5", AI_INDEX_DEBOUNCE_MAX_WAIT_SECONDS="2")
    assert refused.returncode != 0
    assert refused.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: AI_INDEX_DEBOUNCE_MAX_WAIT_SECONDS (2) must be at least "
        "AI_INDEX_DEBOUNCE_SECONDS (5)"
    )
