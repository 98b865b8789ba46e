"""Request ids, the access log and the JSON log format."""

from __future__ import annotations

import json
import logging

from django.test import Client

from ecommerce_backend.logs import JsonFormatter, RequestIdFilter, request_id_var


def test_a_sane_request_id_is_kept_and_echoed(db):
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="abc-123_x.y")
    assert response["X-Request-ID"] == "abc-123_x.y"


def test_a_missing_or_insane_request_id_is_replaced(db):
    generated = Client().get("/healthz")["X-Request-ID"]
    assert len(generated) == 32
    insane = Client().get("/healthz", HTTP_X_REQUEST_ID="x" * 65)["X-Request-ID"]
    assert insane != "x" * 65 and len(insane) == 32
    spaced = Client().get("/healthz", HTTP_X_REQUEST_ID="a b")["X-Request-ID"]
    assert spaced != "a b"


def test_access_log_line_has_method_path_status_duration_and_request_id(db, caplog):
    with caplog.at_level(logging.INFO, logger="marcus.access"):
        Client().get("/api/ai-assistant/search?q=secret+words", HTTP_X_REQUEST_ID="req-1")
    [record] = [r for r in caplog.records if r.name == "marcus.access"]
    assert record.method == "GET" and record.path == "/api/ai-assistant/search"
    assert record.status in (200, 503) and record.duration_ms >= 0
    assert "secret" not in record.getMessage()  # no query string in the log
    assert RequestIdFilter().filter(record) and record.request_id == "req-1"


def test_a_newline_in_the_path_cannot_forge_a_log_line(db, caplog):
    with caplog.at_level(logging.INFO, logger="marcus.access"):
        Client().get("/nothing%0A2026-01-01 INFO forged")
    [record] = [r for r in caplog.records if r.name == "marcus.access"]
    assert "\n" not in record.getMessage() and record.status == 404


def test_records_during_a_request_carry_its_id(db, caplog):
    seen: list[str] = []

    class Spy(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.request_id)

    spy = Spy()
    spy.addFilter(RequestIdFilter())
    logging.getLogger("marcus.access").addHandler(spy)
    try:
        Client().get("/healthz", HTTP_X_REQUEST_ID="trace-42")
    finally:
        logging.getLogger("marcus.access").removeHandler(spy)
    assert seen == ["trace-42"]
    assert request_id_var.get() == "-"  # reset after the request


def test_json_format_is_one_object_per_line_with_extras():
    record = logging.LogRecord("shop.test", logging.WARNING, __file__, 1, "hello %s", ("world",), None)
    record.duration_ms = 12.5
    token = request_id_var.set("rid-7")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "shop.test" and entry["message"] == "hello world"
    assert entry["request_id"] == "rid-7" and entry["duration_ms"] == 12.5 and entry["time"].endswith("+00:00")


def test_json_format_keeps_the_traceback_on_the_same_line():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("shop.test", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: boom" in entry["exception"] and entry["request_id"] == "-"


def test_log_format_json_setting_writes_json_lines(tmp_path):
    import subprocess
    import sys

    from django.conf import settings

    code = "import django, logging; django.setup(); logging.getLogger('shop.x').warning('hi %s', 1, extra={'k': 2})"
    env = {"LOG_FORMAT": "json", "MARCUS_VAR_DIR": str(tmp_path)}
    env["DJANGO_SETTINGS_MODULE"] = "ecommerce_backend.settings"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    entry = json.loads(line)
    assert entry["message"] == "hi 1" and entry["k"] == 2 and entry["level"] == "WARNING"
