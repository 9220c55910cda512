"""The site's pages plus two that fail on purpose, for the logging tests (ROOT_URLCONF overridden)."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from envplan.urls import handler500
from envplan.urls import urlpatterns as site_patterns


@login_not_required
def refuses(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("not yours")


@login_not_required
def crashes(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the disk is on fire")


urlpatterns = [path("refuses/", refuses), path("crashes/", crashes), *site_patterns]
__all__ = ["handler500", "urlpatterns"]
