"""The plan switcher of the top bar, on every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from envplan.plans.queries import all_plans, current_plan


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The top bar's plans: the current one and, for the switcher, all of them (lazily, so pages that do not
    show them pay nothing; the two share one query)."""
    cache: dict[str, Any] = {}

    def nav_plan() -> Any:
        if "plan" not in cache:
            cache["plan"] = current_plan(request) if request.user.is_authenticated else None
        return cache["plan"]

    def nav_plans() -> list[Any]:
        return all_plans(request) if request.user.is_authenticated else []

    return {"nav_plan": nav_plan, "nav_plans": nav_plans}
