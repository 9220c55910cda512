"""Writes to unit membership: who belongs to a unit and as what. Each change is audited.

Only the unit's administrators and the district office may change a unit's members (the callers' rights
are checked here too, so no view can forget them).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from envplan.accounts import permissions
from envplan.accounts.models import MemberRole, Membership
from envplan.core.services import Person, record_audit, snapshot
from envplan.plans.models import Unit


class MembershipError(Exception):
    """A membership change that is not allowed or not possible; the message is shown to the person."""


def check_manager(unit: Unit, by: Person) -> None:
    if not permissions.can_manage_unit(by, unit.pk):
        raise MembershipError(
            _("Only the unit's administrators or the district office can change its members.")
        )


def check_role(role: str) -> None:
    if role not in MemberRole.values:
        raise MembershipError(_("Unknown role %(role)r.") % {"role": role})


@transaction.atomic
def add_member(unit: Unit, *, username: str, role: str, by: Person) -> Membership:
    """Add an existing user to the unit. Side effects: audit `membership.added`."""
    check_manager(unit, by)
    check_role(role)
    user = get_user_model().objects.filter(username=username.strip(), is_active=True).first()
    if user is None:
        raise MembershipError(_("There is no active user named %(name)s.") % {"name": username.strip()})
    if Membership.objects.filter(unit=unit, user=user).exists():
        raise MembershipError(_("%(name)s is already a member of this unit.") % {"name": user.get_username()})
    membership = Membership.objects.create(unit=unit, user=user, role=role)
    record_audit(
        membership,
        action="membership.added",
        actor=by,
        after={"unit": unit.code, "user": user.get_username(), "role": role},
    )
    return membership


@transaction.atomic
def create_member(
    unit: Unit,
    *,
    username: str,
    password: str,
    role: str,
    by: Person,
    full_name: str = "",
    email: str = "",
) -> Membership:
    """Create a new user and make them a member of the unit.

    Side effects: audit `user.created` and `membership.added`.
    """
    check_manager(unit, by)
    check_role(role)
    user_model = get_user_model()
    username = username.strip()
    if not username:
        raise MembershipError(_("Give the new user a user name."))
    if user_model.objects.filter(username=username).exists():
        raise MembershipError(_("The user name %(name)s is taken.") % {"name": username})
    user = user_model(username=username, email=email.strip())
    first, _sep, last = full_name.strip().partition(" ")
    user.first_name, user.last_name = first[:150], last[:150]
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise MembershipError(" ".join(error.messages)) from None
    user.set_password(password)
    user.save()
    record_audit(user, action="user.created", actor=by, after={"username": username, "unit": unit.code})
    membership = Membership.objects.create(unit=unit, user=user, role=role)
    record_audit(
        membership,
        action="membership.added",
        actor=by,
        after={"unit": unit.code, "user": username, "role": role},
    )
    return membership


@transaction.atomic
def change_member_role(membership: Membership, *, role: str, by: Person) -> Membership:
    """Change a member's role. A unit keeps at least one administrator unless the district office acts.

    Side effects: audit `membership.role_changed`.
    """
    membership = Membership.objects.select_for_update().select_related("unit", "user").get(pk=membership.pk)
    check_manager(membership.unit, by)
    check_role(role)
    if membership.role == MemberRole.ADMIN and role != MemberRole.ADMIN:
        check_not_last_admin(membership, by)
    before = snapshot(membership, ("role",))
    membership.role = role
    membership.save(update_fields=["role"])
    record_audit(
        membership,
        action="membership.role_changed",
        actor=by,
        before={**before, "unit": membership.unit.code, "user": membership.user.get_username()},
        after={"role": role, "unit": membership.unit.code, "user": membership.user.get_username()},
    )
    return membership


@transaction.atomic
def remove_member(membership: Membership, *, by: Person) -> None:
    """Remove a member from the unit (the user account stays). Side effects: audit `membership.removed`."""
    membership = Membership.objects.select_for_update().select_related("unit", "user").get(pk=membership.pk)
    check_manager(membership.unit, by)
    if membership.role == MemberRole.ADMIN:
        check_not_last_admin(membership, by)
    before = {"unit": membership.unit.code, "user": membership.user.get_username(), "role": membership.role}
    record_audit(membership, action="membership.removed", actor=by, before=before)
    membership.delete()


def check_not_last_admin(membership: Membership, by: Person) -> None:
    """A unit administrator cannot leave their unit without one; the district office may."""
    if permissions.is_supervisor(by):
        return
    others = Membership.objects.filter(unit_id=membership.unit_id, role=MemberRole.ADMIN).exclude(
        pk=membership.pk
    )
    if not others.exists():
        raise MembershipError(_("The unit would have no administrator left; name another one first."))


@transaction.atomic
def record_login_lockout(*, username: str, address: str, failures: int) -> None:
    """Record that a user name was locked out after `failures` wrong passwords from `address`.

    The entry is on the user when the name exists, else on django-axes' record of the attempts (a guessed
    name still leaves a trace). Side effect: audit `login.locked_out`.
    """
    from axes.models import AccessAttempt

    user = get_user_model().objects.filter(username=username).first()
    target = user or AccessAttempt.objects.filter(username=username, ip_address=address or None).first()
    if target is None:
        return
    record_audit(
        target,
        action="login.locked_out",
        actor=None,
        after={"username": username, "address": address, "failures": failures},
    )
