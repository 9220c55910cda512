"""Guessing passwords on the login page: the user name is locked out from that address, and it is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from envplan.accounts import services
from envplan.core.models import AuditEntry
from envplan.demo.loader import load_demo
from envplan.demo.logins import DEMO_PASSWORD
from tests.progress.factories import PASSWORD, World

pytestmark = pytest.mark.django_db

START = dt.datetime(2025, 6, 10, 9, 0, tzinfo=dt.UTC)
LOGIN = "/accounts/login/"


def try_login(client: Client, username: str, password: str, **extra: Any):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def logged_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_login_fifty_wrong_passwords_then_the_right_one_is_still_refused(world: World, client: Client):
    user = world.supervisor
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(50):
            try_login(client, user.username, "not-the-password")
            clock.shift(dt.timedelta(seconds=1))

        response = try_login(client, user.username, PASSWORD)

        assert response.status_code == 429
        assert b'data-testid="locked-out"' in response.content
        assert "Logging in is blocked for 15 minutes after the last try." in response.content.decode()
        assert logged_in_as(client) is None
        lockouts = AuditEntry.objects.filter(action="login.locked_out")
        assert [(e.target_repr, e.after["failures"], e.after["address"]) for e in lockouts] == [
            (user.username, 10, "127.0.0.1")
        ]

        clock.shift(dt.timedelta(minutes=14))  # the refused right password restarted the wait
        assert try_login(client, user.username, PASSWORD).status_code == 429

        clock.shift(dt.timedelta(minutes=16))
        response = try_login(client, user.username, PASSWORD)

        assert (response.status_code, response["Location"]) == (302, reverse("plans:home"))
        assert logged_in_as(client) == str(user.pk)


def test_login_nine_wrong_passwords_do_not_lock_and_success_starts_the_count_again(
    world: World, client: Client
):
    user = world.housing_reporter
    with time_machine.travel(START, tick=False):
        for _ in range(9):
            assert try_login(client, user.username, "wrong-guess").status_code == 200
        assert try_login(client, user.username, PASSWORD).status_code == 302
        client.logout()
        for _ in range(9):
            try_login(client, user.username, "wrong-guess")
        response = try_login(client, user.username, PASSWORD)

    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="login.locked_out").count() == 0


def test_login_lockout_is_per_user_name_and_address(world: World, client: Client):
    target = world.supervisor
    with time_machine.travel(START, tick=False):
        for _ in range(10):
            try_login(client, target.username, "guess", REMOTE_ADDR="203.0.113.9")

        from_attacker = try_login(client, target.username, PASSWORD, REMOTE_ADDR="203.0.113.9")
        other_user_same_address = try_login(
            Client(), world.housing_reporter.username, PASSWORD, REMOTE_ADDR="203.0.113.9"
        )
        same_user_elsewhere = try_login(Client(), target.username, PASSWORD, REMOTE_ADDR="198.51.100.4")

    assert [r.status_code for r in (from_attacker, other_user_same_address, same_user_elsewhere)] == [
        429,
        302,
        302,
    ]


def test_login_lockout_of_an_unknown_user_name_is_audited_too(db: None, client: Client):
    with time_machine.travel(START, tick=False):
        for _ in range(12):
            response = try_login(client, "admin", "admin")

    assert response.status_code == 429
    entry = AuditEntry.objects.get(action="login.locked_out")
    assert (entry.actor_label, entry.after["username"], entry.target_type.model) == (
        "system",
        "admin",
        "accessattempt",
    )


def test_login_behind_the_proxy_counts_the_address_the_proxy_appended(
    world: World, client: Client, settings: Settings
):
    settings.ENVPLAN_BEHIND_PROXY = True
    user = world.supervisor
    with time_machine.travel(START, tick=False):
        for attempt in range(10):
            # The client forges a new left-most address each time; the proxy appends the real one.
            forwarded = f"10.0.0.{attempt}, 203.0.113.9"
            try_login(client, user.username, "guess", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

        forged_again = try_login(
            client,
            user.username,
            PASSWORD,
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.9",
        )
        someone_else = try_login(
            Client(), user.username, PASSWORD, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4"
        )

    assert (forged_again.status_code, someone_else.status_code) == (429, 302)


def test_login_demo_password_still_works_on_the_login_page(db: None, client: Client):
    # The demo sets its one public password itself (validators judge passwords people choose).
    load_demo()

    response = try_login(client, "ecology-admin", DEMO_PASSWORD)

    assert (response.status_code, response["Location"]) == (302, reverse("plans:home"))


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short-pw", "too short"),
        ("password123", "too common"),
        ("12345678901234", "entirely numeric"),
        ("newreporter1", "too similar"),
    ],
)
def test_create_member_refuses_weak_passwords(world: World, password: str, reason: str):
    with pytest.raises(services.MembershipError) as refused:
        services.create_member(
            world.housing, username="newreporter", password=password, role="reporter", by=world.supervisor
        )

    assert reason in str(refused.value)
    assert not User.objects.filter(username="newreporter").exists()


def test_login_password_validators_refuse_through_django_too():
    with pytest.raises(ValidationError):
        validate_password("qwertyuiop")
