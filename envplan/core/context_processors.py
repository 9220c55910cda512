from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from envplan.core.clock import pinned_today


def demo_clock(request: HttpRequest) -> dict[str, Any]:
    return {"demo_today": pinned_today()}
