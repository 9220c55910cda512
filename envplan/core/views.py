from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse


@login_not_required
def health(request: HttpRequest) -> JsonResponse:
    """For a load balancer or `make run` to know the server is up; says nothing about the data."""
    return JsonResponse({"status": "ok"})
