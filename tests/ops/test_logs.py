"""The one logging setup: one line per request with its duration and id, refusals without traceback, real
errors with their traceback and the id the error page shows; text or JSON lines; one line per job."""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.config

import pytest
from django.conf import settings
from django.test import Client, override_settings

from envplan.config import ConfigError, load
from envplan.core.logs import logging_config
from envplan.core.worker import Job, run_job


@pytest.fixture
def log_lines(capsys):
    """The LOGGING of a given format applied for the test (its handler writes to the captured stderr);
    returns a function giving the lines written so far. The site's own LOGGING comes back afterwards."""

    def configure(fmt: str) -> None:
        logging.config.dictConfig(logging_config(fmt))

    def lines() -> list[str]:
        return [line for line in capsys.readouterr().err.splitlines() if line.strip()]

    lines.configure = configure  # type: ignore[attr-defined]
    yield lines
    logging.config.dictConfig(settings.LOGGING)


def test_each_request_is_one_json_line_with_its_duration_and_the_id_returned_in_a_header(db, log_lines):
    log_lines.configure("json")

    response = Client().get("/health/")

    (line,) = [json.loads(text) for text in log_lines() if '"envplan.request"' in text]
    assert response.status_code == 200
    assert line["request_id"] == response["X-Request-ID"] and len(line["request_id"]) == 16
    assert (line["method"], line["path"], line["route"], line["status"]) == (
        "GET",
        "/health/",
        "health/",
        200,
    )
    assert line["duration_ms"] >= 0 and line["level"] == "INFO"


def test_a_proxys_plain_request_id_is_kept_and_a_strange_one_replaced(db, log_lines):
    log_lines.configure("text")

    kept = Client().get("/health/", headers={"X-Request-ID": "edge-1234abcd"})
    replaced = Client().get("/health/", headers={"X-Request-ID": "<script>alert(1)</script>"})

    assert kept["X-Request-ID"] == "edge-1234abcd"
    assert replaced["X-Request-ID"] != "<script>alert(1)</script>" and len(replaced["X-Request-ID"]) == 16
    text = "\n".join(log_lines())
    assert "[edge-1234abcd] GET /health/ 200" in text


@override_settings(ROOT_URLCONF="tests.ops.urls")
def test_a_refusal_is_one_line_without_traceback(db, log_lines):
    log_lines.configure("text")

    forbidden = Client().get("/refuses/")
    missing = Client().get("/no/such/page/")

    lines = log_lines()
    assert (forbidden.status_code, missing.status_code) == (403, 404)
    assert not any("Traceback" in line or "PermissionDenied" in line for line in lines)
    refusals = [line for line in lines if "django.request" in line]
    assert len(refusals) == 2
    # Django answers the refusal with our 403.html and logs "Forbidden (Permission denied): /path"; the
    # refusals filter on the django.request logger drops its traceback
    assert "WARNING django.request [" + forbidden["X-Request-ID"] + "] Forbidden" in refusals[0]
    assert refusals[0].endswith(": /refuses/")
    assert f"[{missing['X-Request-ID']}] Not Found: /no/such/page/" in refusals[1]


@override_settings(ROOT_URLCONF="tests.ops.urls")
def test_a_real_error_logs_its_traceback_with_the_id_the_error_page_shows(db, log_lines):
    log_lines.configure("json")

    response = Client(raise_request_exception=False).get("/crashes/")

    page = response.content.decode()
    request_id = response["X-Request-ID"]
    assert response.status_code == 500
    assert f'<code class="request-id">{request_id}</code>' in page
    assert "Server error" in page
    errors = [json.loads(text) for text in log_lines() if '"ERROR"' in text]
    (error,) = [e for e in errors if e["logger"] == "django.request"]
    assert error["request_id"] == request_id
    assert "RuntimeError: the disk is on fire" in error["traceback"]


def test_a_scheduled_job_is_one_line_with_its_duration(db, log_lines):
    log_lines.configure("json")

    run_job(Job("tidy", lambda today: {"tidied": 3}, every=dt.timedelta(hours=1)), today=dt.date(2026, 3, 1))
    run_job(Job("breaks", lambda today: 1 / 0, every=dt.timedelta(hours=1)), today=dt.date(2026, 3, 1))

    lines = [json.loads(text) for text in log_lines()]
    ran = [line for line in lines if line.get("job") == "tidy"]
    failed = [line for line in lines if line.get("job") == "breaks"]
    assert [(line["result"], line["level"]) for line in ran] == [("ok", "INFO")]
    assert ran[0]["message"].startswith("job tidy ran in ") and ran[0]["duration_ms"] >= 0
    assert [(line["result"], line["level"]) for line in failed] == [("failed", "ERROR")]
    assert "ZeroDivisionError" in failed[0]["traceback"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ENVPLAN_LOG_FORMAT", "xml", "ENVPLAN_LOG_FORMAT must be one of text, json, not 'xml'"),
        (
            "ENVPLAN_LOG_LEVEL",
            "loud",
            "ENVPLAN_LOG_LEVEL must be one of debug, info, warning, error, not 'loud'",
        ),
    ],
)
def test_a_wrong_log_setting_stops_start_up_naming_it(monkeypatch, tmp_path, name, value, message):
    monkeypatch.setenv("ENVPLAN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv(name, value)

    with pytest.raises(ConfigError) as raised:
        load()

    assert str(raised.value) == message


def test_log_settings_are_read_in_any_case(monkeypatch, tmp_path):
    monkeypatch.setenv("ENVPLAN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ENVPLAN_LOG_FORMAT", "JSON")
    monkeypatch.setenv("ENVPLAN_LOG_LEVEL", "debug")

    config = load()

    assert (config.log_format, config.log_level) == ("json", "DEBUG")
