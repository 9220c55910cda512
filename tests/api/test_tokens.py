from __future__ import annotations

import hashlib
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from envplan.api.models import ApiToken
from envplan.api.tokens import create_token, hash_token, revoke_token, user_for_token
from envplan.core.models import AuditEntry


def test_token_only_its_sha256_is_stored(world):
    issued = create_token(world.housing_reporter, name="laptop")

    stored = ApiToken.objects.get()
    assert stored.token_hash == hashlib.sha256(issued.raw.encode()).hexdigest()
    assert issued.raw not in {stored.token_hash, stored.prefix, stored.name}
    assert stored.prefix == issued.raw[:10]


def test_token_raw_value_never_reaches_the_audit_log(world):
    issued = create_token(world.housing_reporter, name="laptop")

    entry = AuditEntry.objects.get(action="api_token.created")
    assert issued.raw not in str(entry.after)


def test_token_resolves_to_its_user_until_revoked(world):
    issued = create_token(world.housing_reporter)
    assert user_for_token(issued.raw) == world.housing_reporter

    revoke_token(issued.token, by=world.housing_reporter)

    assert user_for_token(issued.raw) is None


def test_token_of_an_inactive_user_is_refused(world):
    issued = create_token(world.housing_reporter)
    world.housing_reporter.is_active = False
    world.housing_reporter.save()

    assert user_for_token(issued.raw) is None


def test_token_tokens_differ_and_guesses_fail(world):
    first = create_token(world.housing_reporter)
    second = create_token(world.housing_reporter)

    assert first.raw != second.raw
    assert user_for_token(first.raw[:-1] + ("A" if first.raw[-1] != "A" else "B")) is None
    assert user_for_token(hash_token(first.raw)) is None


def test_token_command_prints_a_working_token_once(world):
    out, err = StringIO(), StringIO()

    call_command("token", "create", world.housing_reporter.username, "--name", "ci", stdout=out, stderr=err)

    raw = out.getvalue().strip()
    assert ApiToken.objects.get().name == "ci"
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/plans").status_code == 200
    assert raw not in err.getvalue()


def test_token_command_unknown_user_or_prefix_exits_2(world):
    with pytest.raises(CommandError, match="nobody") as user:
        call_command("token", "create", "nobody", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="ep_nothing") as prefix:
        call_command("token", "revoke", "ep_nothing", stdout=StringIO(), stderr=StringIO())

    assert (user.value.returncode, prefix.value.returncode) == (2, 2)


def test_token_command_lists_tokens_as_json(world):
    kept = create_token(world.housing_reporter, name="ci")
    gone = create_token(world.housing_reporter, name="old")
    revoke_token(gone.token, by=None)
    out = StringIO()

    call_command("token", "list", world.housing_reporter.username, "--json", stdout=out)

    document = json.loads(out.getvalue())
    assert document["user"] == world.housing_reporter.username
    assert sorted(
        (t["prefix"], t["name"], t["revoked"], t["last_used"]) for t in document["tokens"]
    ) == sorted([(kept.token.prefix, "ci", False, None), (gone.token.prefix, "old", True, None)])


def test_token_command_revokes_by_prefix(world):
    issued = create_token(world.housing_reporter)

    call_command("token", "revoke", issued.token.prefix, stdout=StringIO())

    assert Client(HTTP_AUTHORIZATION=f"Bearer {issued.raw}").get("/api/plans").status_code == 401
