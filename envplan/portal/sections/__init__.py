"""The public sections the portal registers for apps that do not register their own (air, water, the
plan's progress); see envplan.core.publication. Apps on the enforcement floor register theirs from their
AppConfig.ready() (credit does: envplan/credit/public.py)."""

from __future__ import annotations


def register_all() -> None:
    from envplan.portal.sections import air, plan, water

    plan.register()
    air.register()
    water.register()
