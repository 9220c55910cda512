import time

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from envplan.accounts.permissions import can_view_job, is_supervisor
from envplan.core.jobs import kind_label
from envplan.core.models import Job
from envplan.site.health import all_parts


@login_not_required
def health(request: HttpRequest) -> JsonResponse:
    """For a load balancer or `make run` to know the server is up; says nothing about the data."""
    return JsonResponse({"status": "ok"})


@login_not_required
def health_parts(request: HttpRequest) -> JsonResponse:
    """Each part of the deployment (database, worker, receivers, lake): 200 when none fails, else 503.

    Anyone gets each part's state; the district office also gets the detail (process names, ages, the
    lake's URL), which tells an outsider more about the installation than it needs to know."""
    parts = all_parts(now=timezone.now(), now_epoch=time.time())
    failing = any(part.failing for part in parts.values())
    body: dict[str, object] = {
        "status": "failing" if failing else "ok",
        "parts": {name: part.state for name, part in parts.items()},
    }
    if request.user.is_authenticated and is_supervisor(request.user):
        body["detail"] = {name: part.detail for name, part in parts.items()}
    return JsonResponse(body, status=503 if failing else 200)


def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """A queued job's page: its progress while it runs (the page reloads itself), then what it found."""
    job = get_object_or_404(Job.objects.select_related("created_by"), pk=job_id)
    if not can_view_job(request.user, job):
        raise PermissionDenied("a job is for the person who queued it and the district office")
    context = {
        "job": job,
        "label": kind_label(job.kind),
        "errors": job.result.get("errors", []),
        "errors_total": job.result.get("errors_total", 0),
        "refresh_seconds": 2,
    }
    return render(request, "site/job.html", context)


def server_error(request: HttpRequest) -> HttpResponse:
    """The page of a real error (500): a plain page that needs neither the database nor the session, with
    the request's id, which the error's log line carries too."""
    from django.template import loader

    from envplan.core.logs import current_request_id

    request_id = getattr(request, "request_id", None) or current_request_id()
    body = loader.get_template("500.html").render({"request_id": request_id})
    return HttpResponse(body, status=500)
