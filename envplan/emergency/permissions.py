"""Who may do what with alerts, reduction lists, grades and neighbours' feeds.

Built on the roles of envplan.accounts.permissions: the ecology and environment bureau's officers and the
district office's supervisors manage alerts, lists, grades and feeds; everyone else who is logged in reads.
(Enterprises' own users are not a role yet.)
"""

from __future__ import annotations

from envplan.accounts.permissions import is_bureau_officer, is_supervisor
from envplan.core.services import Person
from envplan.core.viewguards import only_for


def can_manage_emergency(user: Person) -> bool:
    return is_supervisor(user) or is_bureau_officer(user)


def can_view_emergency(user: Person) -> bool:
    return bool(getattr(user, "is_authenticated", False))


# 403 for anyone who may not manage alerts and lists (login is enforced by the middleware).
manager_required = only_for(can_manage_emergency, "for the ecology bureau and the district office only")
