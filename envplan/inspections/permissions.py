"""Who may do what in enforcement; views, services and commands ask these functions, nothing else decides.

Built on the roles of envplan.accounts.permissions:
- The district office (supervisors) and the ecology bureau's officers run enforcement: the registers,
  the tasks and their draws, the assessment rounds, the rectification register; they read everything.
- An inspector (a login with an entry in the inspector register) writes the records of the targets they
  were drawn for; the office completes and publishes them.
- A draw stays confidential until published: only the office sees its targets, and each inspector their
  own. Its commitment (hashes) and, once published, the whole draw are public, without login.
- A rectification task's accepting unit reports on it: its administrators and reporters write progress,
  add evidence and apply for acceptance; its administrators (or the district office) accept it. Closure
  notices (销号公示) are public. Every logged-in user reads the rectification register; evidence files
  are for the accepting unit and the office.
"""

from __future__ import annotations

from envplan.accounts.permissions import (
    admin_unit_ids,
    can_write_for_unit,
    is_supervisor,
    sees_everything,
    unit_ids,
)
from envplan.core.services import Person, person
from envplan.inspections.models import (
    Draw,
    DrawState,
    InspectionRecord,
    Inspector,
    RecordState,
    RectificationTask,
)


def is_authenticated(user: Person) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can_run_enforcement(user: Person) -> bool:
    """The registers, tasks, draws, assessment rounds and the rectification register."""
    return sees_everything(user)


def inspector_of(user: Person) -> Inspector | None:
    account = person(user)
    if account is None:
        return None
    # Cached on the user object for the request: several rules ask on one page.
    if not hasattr(account, "_envplan_inspector"):
        found = Inspector.objects.filter(user_id=account.pk, active=True).first()
        setattr(account, "_envplan_inspector", found)  # noqa: B010  # a per-request cache
    cached: Inspector | None = getattr(account, "_envplan_inspector")  # noqa: B009  # set just above
    return cached


def can_view_draw(user: Person, draw: Draw) -> bool:
    """The internal page of a draw (targets, teams, seed before publication)."""
    return can_run_enforcement(user)


def can_see_public_draw(draw: Draw) -> bool:
    return draw.state != DrawState.PLANNED


def is_record_inspector(user: Person, record: InspectionRecord) -> bool:
    inspector = inspector_of(user)
    return inspector is not None and record.inspectors.filter(pk=inspector.pk).exists()


def can_view_record(user: Person, record: InspectionRecord) -> bool:
    if can_run_enforcement(user) or is_record_inspector(user, record):
        return True
    return is_authenticated(user) and record.state == RecordState.PUBLISHED


def can_edit_record(user: Person, record: InspectionRecord) -> bool:
    """Who may change a record's content; whether it is still open is the service's call."""
    return can_run_enforcement(user) or is_record_inspector(user, record)


def can_publish_record(user: Person, record: InspectionRecord) -> bool:
    return can_run_enforcement(user)


def can_view_rectifications(user: Person) -> bool:
    return is_authenticated(user)


def can_manage_rectifications(user: Person) -> bool:
    """Register, import and export tasks, publish closure notices, close, look back."""
    return can_run_enforcement(user)


def can_report_rectification(user: Person, task: RectificationTask) -> bool:
    """Progress, evidence, the application for acceptance: the accepting unit's administrators and
    reporters."""
    return can_write_for_unit(user, task.accepting_unit_id)


def can_accept_rectification(user: Person, task: RectificationTask) -> bool:
    """Whoever accepts answers for it (谁验收、谁负责): the accepting unit's administrators, or the office."""
    return is_supervisor(user) or task.accepting_unit_id in admin_unit_ids(user)


def can_view_rectification_evidence(user: Person, task: RectificationTask) -> bool:
    return can_run_enforcement(user) or task.accepting_unit_id in unit_ids(user)


def can_assess_hazardous_waste(user: Person) -> bool:
    return can_run_enforcement(user)
