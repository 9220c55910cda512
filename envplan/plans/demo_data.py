"""The plan of the bundled demo: the reference plan (Kundulun District, Baotou, 2025) written in our own
words, as the data `plans.services.save_plan` takes. The demo app (`envplan.demo`) loads it."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def demo_plan_data() -> dict[str, Any]:
    text = resources.files("envplan.plans.demo").joinpath("plan.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
