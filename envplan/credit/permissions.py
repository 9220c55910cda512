"""Who may rate: the district office (supervisors) and the ecology bureau's officers. They compute and
notify ratings, enter evidence and objections on an enterprise's behalf (enterprises have no login), review
objections and repairs, and publish. Everyone else sees only what the public portal publishes."""

from __future__ import annotations

from envplan.accounts.permissions import is_bureau_officer, is_supervisor
from envplan.core.services import Person


def can_rate(user: Person) -> bool:
    return is_supervisor(user) or is_bureau_officer(user)
