"""The web's and the worker's metrics, in Prometheus' text format (prometheus_client), served at
`/metrics` to a scraper holding ENVPLAN_METRICS_TOKEN, or to a scraper on this machine when no token is
set.

Names follow Prometheus' conventions: `envplan_` first, `_total` for counters, `_seconds` for durations.
The receiver's own metrics (frames, connections, landing fsync, backlog) are served on its metrics port
(`envplan sources serve --metrics-port`, see envplan.hj212.metrics).

Each process keeps its own figures; under gunicorn with several workers, set PROMETHEUS_MULTIPROC_DIR
(prometheus_client's multi-process mode) so that `/metrics` adds up all workers.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

REQUESTS = Counter(
    "envplan_http_requests_total",
    "Requests answered by the web, by method, route and status",
    ["method", "route", "status"],
)
REQUEST_SECONDS = Histogram(
    "envplan_http_request_duration_seconds",
    "Time from a request's arrival to its response, by route",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
JOB_RUNS = Counter(
    "envplan_job_runs_total",
    "Runs of the worker's scheduled jobs and of queued jobs, by job and result",
    ["job", "result"],
)
JOB_SECONDS = Histogram(
    "envplan_job_duration_seconds",
    "How long each job ran, by job",
    ["job"],
    buckets=(0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600),
)
JOB_FAILURES = Counter("envplan_job_failures_total", "Job runs that failed, by job", ["job"])
LOCAL_ADDRESSES = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method=method, route=route, status=str(status)).inc()
    REQUEST_SECONDS.labels(route=route).observe(seconds)


def observe_job(job: str, *, result: str, seconds: float) -> None:
    """One run of `job`: `result` ok, rejected (its input refused, an expected end) or failed."""
    JOB_RUNS.labels(job=job, result=result).inc()
    JOB_SECONDS.labels(job=job).observe(seconds)
    if result == "failed":
        JOB_FAILURES.labels(job=job).inc()


def allowed(request: HttpRequest) -> bool:
    """The configured token as a bearer; without a token, only a client on this machine (not through
    the proxy, which would make every client look local)."""
    token = settings.ENVPLAN_METRICS_TOKEN
    if token:
        sent = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, value = sent.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode())
    if settings.ENVPLAN_BEHIND_PROXY or request.META.get("HTTP_X_FORWARDED_FOR"):
        return False
    return request.META.get("REMOTE_ADDR", "") in LOCAL_ADDRESSES


def exposition() -> bytes:
    """Every metric of this process (of all processes in prometheus_client's multi-process mode)."""
    if settings.ENVPLAN_METRICS_MULTIPROCESS:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)


@never_cache
@login_not_required
def metrics_view(request: HttpRequest) -> HttpResponse:
    """`/metrics`: 403 without the token (or from elsewhere than this machine when none is set)."""
    if not allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
