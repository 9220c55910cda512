from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from envplan.core.clock import pinned_today


def demo_clock(request: HttpRequest) -> dict[str, Any]:
    return {"demo_today": pinned_today()}


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The plan the top bar links to: the current one (lazily, so pages that do not show it pay nothing)."""
    from envplan.plans.queries import current_plan

    cache: dict[str, Any] = {}

    def nav_plan() -> Any:
        if "plan" not in cache:
            cache["plan"] = current_plan() if request.user.is_authenticated else None
        return cache["plan"]

    return {"nav_plan": nav_plan}
