"""Who may see or change what. Views and the API ask these functions; nothing else decides.

- District supervisors (group `supervisors`, or superusers) see and review everything.
- Bureau officers see everything, manage the monitoring registries and imports, and change nothing of
  the plan's workflow.
- A unit's administrators and reporters write their unit's reports; viewers only read them.
The rules of each app's own objects build on these roles in that app's `permissions.py` (reports and
tasks: `envplan.progress.permissions`).
"""

from __future__ import annotations

from typing import Any

from envplan.accounts.models import BUREAU_OFFICERS_GROUP, SUPERVISORS_GROUP, MemberRole, Membership
from envplan.core.services import Person, person
from envplan.core.viewguards import only_for

WRITER_ROLES = (MemberRole.ADMIN, MemberRole.REPORTER)

# Who asks is a `Person` (core.services): a logged-in person or an anonymous visitor, as request.user is.


def group_names(user: Person) -> set[str]:
    logged_in = person(user)
    if logged_in is None:
        return set()
    # Cached on the user object for the request: several rules ask on one page.
    cached: set[str] | None = getattr(logged_in, "_envplan_groups", None)
    if cached is None:
        cached = set(logged_in.groups.values_list("name", flat=True))
        setattr(logged_in, "_envplan_groups", cached)  # noqa: B010  # a per-request cache, not a model field
    return cached


def is_supervisor(user: Person) -> bool:
    return bool(getattr(user, "is_superuser", False)) or SUPERVISORS_GROUP in group_names(user)


def is_bureau_officer(user: Person) -> bool:
    return BUREAU_OFFICERS_GROUP in group_names(user)


def sees_everything(user: Person) -> bool:
    return is_supervisor(user) or is_bureau_officer(user)


def can_manage_monitoring(user: Person) -> bool:
    """Monitoring registries and imports (stations, sections, enterprises and devices, data files) are
    the district office's and the bureau's: supervisors and bureau officers. Everyone else reads."""
    return sees_everything(user)


def memberships(user: Person) -> dict[int, str]:
    """unit id -> role, for the user's units (cached on the user object for the request)."""
    logged_in = person(user)
    if logged_in is None:
        return {}
    cached: dict[int, str] | None = getattr(logged_in, "_envplan_memberships", None)
    if cached is None:
        cached = dict(Membership.objects.filter(user=logged_in).values_list("unit_id", "role"))
        setattr(logged_in, "_envplan_memberships", cached)  # noqa: B010  # a per-request cache
    return cached


def unit_ids(user: Person, *, roles: tuple[str, ...] | None = None) -> set[int]:
    return {unit_id for unit_id, role in memberships(user).items() if roles is None or role in roles}


def writer_unit_ids(user: Person) -> set[int]:
    return unit_ids(user, roles=tuple(WRITER_ROLES))


def admin_unit_ids(user: Person) -> set[int]:
    return unit_ids(user, roles=(MemberRole.ADMIN,))


def can_write_for_unit(user: Person, unit_id: int) -> bool:
    return unit_id in writer_unit_ids(user)


def can_manage_unit(user: Person, unit_id: int) -> bool:
    return is_supervisor(user) or unit_id in admin_unit_ids(user)


def can_view_job(user: Person, job: Any) -> bool:
    """A queued job (an upload being parsed) is its sender's business, and the district office's."""
    if not getattr(user, "is_authenticated", False):
        return False
    return job.created_by_id == user.pk or is_supervisor(user)


# 403 for anyone but supervisors (login itself is enforced by LoginRequiredMiddleware).
supervisor_required = only_for(is_supervisor, "for the district office only")
