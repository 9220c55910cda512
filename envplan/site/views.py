from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from envplan.accounts.permissions import can_view_job
from envplan.core.jobs import kind_label
from envplan.core.models import Job


@login_not_required
def health(request: HttpRequest) -> JsonResponse:
    """For a load balancer or `make run` to know the server is up; says nothing about the data."""
    return JsonResponse({"status": "ok"})


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
