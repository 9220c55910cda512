"""The one logging setup: plain text lines by default, one JSON object per line with
ENVPLAN_LOG_FORMAT=json; every line carries the id of the request it belongs to.

- `logging_config(fmt, level)` is the LOGGING dictionary `settings.py` passes to Django (the format and
  level come from `envplan.config`, where the environment is read).
- `RequestLogMiddleware` (first in MIDDLEWARE) gives each request an id, logs one line per request with
  its duration (logger `envplan.request`), and returns the id in the `X-Request-ID` header; the 500 page
  shows it, so that a person's report leads to the traceback in the log.
- Expected refusals (403, 404, 400, 405, ...) are one line without a traceback (`RefusalFilter`, on
  Django's `django.request` logger); a real error (500) keeps its traceback.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # settings.py builds LOGGING from here: no Django import at the top
    from django.http import HttpRequest, HttpResponse

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("envplan_request_id", default="-")
# An id a proxy sent (X-Request-ID) is kept when it is short and plain; anything else is replaced.
ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
# The attributes every LogRecord has; anything else was passed in `extra` and goes into the JSON line.
STANDARD_ATTRIBUTES = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}

request_logger = logging.getLogger("envplan.request")


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def current_request_id() -> str:
    return REQUEST_ID.get()


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request). Django logs a 404 once the middleware
    has returned: its record carries the request, and the id is read from there."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or REQUEST_ID.get()
        return True


class RefusalFilter(logging.Filter):
    """An expected refusal (a response under 500 that Django logs with the exception that made it:
    PermissionDenied, Http404, a bad request) loses its traceback: one line is enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, the record's
    extra fields (method, path, status, duration_ms, ...) and the traceback of an error."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", REQUEST_ID.get()),
        }
        for key, value in record.__dict__.items():
            if key not in STANDARD_ATTRIBUTES and not key.startswith("_") and key not in document:
                document[key] = value
        if record.exc_info:
            document["traceback"] = self.formatException(record.exc_info)
        elif record.exc_text:
            document["traceback"] = record.exc_text
        return json.dumps(document, ensure_ascii=False, default=str)


# The operator's lines: one per request, one per job run. Written at INFO whatever ENVPLAN_LOG_LEVEL says,
# unless it asks for errors only.
OPERATIONS_LOGGERS = ("envplan.request", "envplan.worker", "envplan.jobs")


def logging_config(fmt: str = "text", level: str = "WARNING") -> dict[str, Any]:
    """The LOGGING dictionary: one console handler on stderr; our loggers (`envplan.*`) at `level`
    (the request and job lines at INFO unless `level` is ERROR), everybody else's at WARNING."""
    operations = "ERROR" if level == "ERROR" else "DEBUG" if level == "DEBUG" else "INFO"
    formatter: dict[str, Any] = (
        {"()": "envplan.core.logs.JsonFormatter"} if fmt == "json" else {"format": TEXT_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "envplan.core.logs.RequestIdFilter"},
            "refusals": {"()": "envplan.core.logs.RefusalFilter"},
        },
        "formatters": {"envplan": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "envplan",
                "filters": ["request_id", "refusals"],
            }
        },
        "root": {"handlers": ["console"], "level": "WARNING"},
        "loggers": {
            "envplan": {"level": level},
            **{name: {"level": operations} for name in OPERATIONS_LOGGERS},
            # Django logs refusals (4xx) as warnings and errors (5xx) with their traceback; the filter on
            # the logger itself drops a refusal's traceback before any handler (or a test's) sees it.
            "django.request": {"level": "WARNING", "filters": ["refusals"]},
        },
    }


class RequestLogMiddleware:
    """First of the middleware: the request's id (kept from a proxy's X-Request-ID when plain), one log
    line per request (method, path, status, duration), the id in the response's X-Request-ID, and the
    web's metrics (envplan.core.metrics)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sent = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = sent if ACCEPTED_ID.match(sent) else new_request_id()
        token = REQUEST_ID.set(request_id)
        request.request_id = request_id  # type: ignore[attr-defined]
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            response["X-Request-ID"] = request_id
            log_request(request, response.status_code, seconds)
            return response
        finally:
            REQUEST_ID.reset(token)


def log_request(request: HttpRequest, status: int, seconds: float) -> None:
    from envplan.core import metrics

    match = getattr(request, "resolver_match", None)
    route = (match.route or match.view_name) if match is not None else "unmatched"
    metrics.observe_request(request.method or "", route, status, seconds)
    request_logger.info(
        "%s %s %s %.1fms",
        request.method,
        request.path,
        status,
        seconds * 1000,
        extra={
            "method": request.method,
            "path": request.path,
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
        },
    )
