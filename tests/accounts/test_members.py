from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from envplan.accounts import services
from envplan.accounts.models import Membership
from envplan.core.models import AuditEntry
from tests.fixtures import assert_sent_to_login
from tests.progress.factories import World


def members_url(code: str) -> str:
    return reverse("accounts:members", args=[code])


# --- services ---------------------------------------------------------------------------------------


def test_add_member_adds_an_existing_user_and_audits(world: World):
    membership = services.add_member(
        world.ecology, username="housing-rep", role="viewer", by=world.ecology_admin
    )
    assert (membership.user.username, membership.unit.code, membership.role) == (
        "housing-rep",
        "ecology",
        "viewer",
    )
    entry = AuditEntry.objects.get(action="membership.added")
    assert (entry.actor_id, entry.after) == (
        world.ecology_admin.pk,
        {"unit": "ecology", "user": "housing-rep", "role": "viewer"},
    )


def test_add_member_refuses_an_unknown_user(world: World):
    with pytest.raises(services.MembershipError, match="no active user named nobody"):
        services.add_member(world.ecology, username="nobody", role="reporter", by=world.ecology_admin)


def test_add_member_refuses_a_second_membership(world: World):
    with pytest.raises(services.MembershipError, match="already a member"):
        services.add_member(world.ecology, username="eco-rep", role="viewer", by=world.ecology_admin)


def test_add_member_by_another_units_admin_is_refused(world: World):
    with pytest.raises(services.MembershipError, match="administrators"):
        services.add_member(world.housing, username="eco-rep", role="reporter", by=world.ecology_admin)
    assert Membership.objects.filter(unit=world.housing, user=world.ecology_reporter).count() == 0


def test_create_member_creates_a_user_who_can_log_in(world: World, client: Client):
    services.create_member(
        world.ecology,
        username="new-rep",
        password="a-long-password",
        role="reporter",
        by=world.ecology_admin,
        full_name="Li Wei",
    )
    user = User.objects.get(username="new-rep")
    assert (user.first_name, user.last_name) == ("Li", "Wei")
    assert client.login(username="new-rep", password="a-long-password")
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "user.created",
        "membership.added",
    ]


def test_create_member_refuses_a_short_password(world: World):
    with pytest.raises(services.MembershipError, match="too short"):
        services.create_member(
            world.ecology, username="x", password="short", role="reporter", by=world.ecology_admin
        )
    assert not User.objects.filter(username="x").exists()


def test_change_member_role_audits_before_and_after(world: World):
    membership = Membership.objects.get(user=world.ecology_reporter)
    services.change_member_role(membership, role="viewer", by=world.ecology_admin)
    membership.refresh_from_db()
    entry = AuditEntry.objects.get(action="membership.role_changed")
    assert (membership.role, entry.before["role"], entry.after["role"]) == ("viewer", "reporter", "viewer")


def test_change_member_role_keeps_one_admin(world: World):
    membership = Membership.objects.get(user=world.ecology_admin)
    with pytest.raises(services.MembershipError, match="no administrator left"):
        services.change_member_role(membership, role="reporter", by=world.ecology_admin)
    membership.refresh_from_db()
    assert membership.role == "admin"


def test_remove_member_deletes_the_membership_only(world: World):
    membership = Membership.objects.get(user=world.ecology_reporter)
    services.remove_member(membership, by=world.supervisor)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert User.objects.filter(username="eco-rep").exists()
    assert AuditEntry.objects.get(action="membership.removed").before == {
        "unit": "ecology",
        "user": "eco-rep",
        "role": "reporter",
    }


# --- views ------------------------------------------------------------------------------------------


def test_members_page_lists_members_for_the_unit_admin(world: World, login):
    response = login(world.ecology_admin).get(members_url("ecology"))
    assert response.status_code == 200
    assert [m.user.username for m in response.context["members"]] == ["eco-admin", "eco-rep"]


def test_members_page_is_forbidden_to_another_units_admin(world: World, login):
    client = login(world.ecology_admin)
    assert client.get(members_url("housing")).status_code == 403
    data = {"action": "add", "add-username": "eco-rep", "add-role": "admin"}
    assert client.post(members_url("housing"), data).status_code == 403
    assert not Membership.objects.filter(unit=world.housing, user=world.ecology_reporter).exists()


def test_members_page_is_forbidden_to_a_reporter(world: World, login):
    assert login(world.ecology_reporter).get(members_url("ecology")).status_code == 403


def test_members_page_redirects_anonymous(world: World, client: Client):
    response = client.get(members_url("ecology"))
    assert_sent_to_login(response)


def test_members_page_supervisor_may_manage_any_unit(world: World, login):
    data = {"action": "add", "add-username": "eco-rep", "add-role": "reporter"}
    response = login(world.supervisor).post(members_url("water"), data)
    assert response.status_code == 302
    assert Membership.objects.get(unit=world.water, user=world.ecology_reporter).role == "reporter"


def test_members_page_add_unknown_user_shows_the_error(world: World, login):
    data = {"action": "add", "add-username": "ghost", "add-role": "reporter"}
    response = login(world.ecology_admin).post(members_url("ecology"), data)
    assert response.status_code == 400
    assert response.context["add_form"].non_field_errors() == ["There is no active user named ghost."]


def test_members_page_creates_a_user(world: World, login):
    data = {
        "action": "create",
        "new-username": "field-officer",
        "new-full_name": "",
        "new-email": "",
        "new-password": "another-long-one",
        "new-role": "reporter",
    }
    response = login(world.ecology_admin).post(members_url("ecology"), data)
    assert response.status_code == 302
    assert Membership.objects.get(user__username="field-officer").unit == world.ecology


def test_member_role_and_remove_views(world: World, login):
    client = login(world.ecology_admin)
    membership = Membership.objects.get(user=world.ecology_reporter)
    client.post(reverse("accounts:member_role", args=["ecology", membership.pk]), {"role": "admin"})
    membership.refresh_from_db()
    assert membership.role == "admin"
    client.post(reverse("accounts:member_remove", args=["ecology", membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_member_views_refuse_a_membership_of_another_unit(world: World, login):
    housing_membership = Membership.objects.get(user=world.housing_reporter)
    client = login(world.ecology_admin)
    # Through its own unit's address, the admin cannot reach another unit's membership either.
    assert (
        client.post(reverse("accounts:member_remove", args=["ecology", housing_membership.pk])).status_code
        == 404
    )
    assert (
        client.post(reverse("accounts:member_remove", args=["housing", housing_membership.pk])).status_code
        == 403
    )
    assert Membership.objects.filter(pk=housing_membership.pk).exists()


def test_member_role_view_is_forbidden_to_another_units_admin(world: World, login):
    housing_membership = Membership.objects.get(user=world.housing_reporter)
    url = reverse("accounts:member_role", args=["housing", housing_membership.pk])
    assert login(world.ecology_admin).post(url, {"role": "admin"}).status_code == 403
    housing_membership.refresh_from_db()
    assert housing_membership.role == "reporter"
