"""Who may change the water app's data; decided from envplan.accounts.permissions."""

from __future__ import annotations

from envplan.accounts import permissions


def can_manage_water(user: object) -> bool:
    """Supervisors and bureau officers import samples and edit sections; every other user only reads."""
    return permissions.sees_everything(user)
