"""Who answers correction requests: the members of the unit that owns the data (its administrators and
reporters), and the district office, which also answers what no unit owns, re-routes requests and assigns
the owners of public tables. Every member of a unit sees its unit's requests."""

from __future__ import annotations

from django.db.models import QuerySet

from envplan.accounts.permissions import is_supervisor, unit_ids, writer_unit_ids
from envplan.core.services import Person
from envplan.portal.models import CorrectionRequest


def can_answer(user: Person, request: CorrectionRequest) -> bool:
    if is_supervisor(user):
        return True
    return request.unit_id is not None and request.unit_id in writer_unit_ids(user)


def can_manage_owners(user: Person) -> bool:
    return is_supervisor(user)


def corrections_visible_to(user: Person) -> QuerySet[CorrectionRequest]:
    requests = CorrectionRequest.objects.select_related("unit")
    if is_supervisor(user):
        return requests
    return requests.filter(unit_id__in=unit_ids(user))
