"""Who may see and judge screening cases: the district office (supervisors) and the ecology bureau's
officers, the people who send inspectors. A unit's reporters and viewers never see them: a case names an
enterprise suspected of falsifying its data before anyone has checked."""

from __future__ import annotations

from envplan.accounts import permissions
from envplan.cases.models import Case
from envplan.core.services import Person
from envplan.core.viewguards import only_for


def can_see_cases(user: Person) -> bool:
    return permissions.sees_everything(user)


def can_judge_case(user: Person, case: Case) -> bool:
    return permissions.sees_everything(user)


# 403 for anyone who may not see cases (login itself is enforced by LoginRequiredMiddleware).
cases_required = only_for(can_see_cases, "screening cases are for supervisors and bureau officers")
