from __future__ import annotations

import re

import pytest
from django.test import Client

from envplan.api.models import ApiToken
from envplan.api.tokens import create_token, hash_token


def test_token_page_needs_a_login(world):
    response = Client().get("/api/tokens/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_token_page_lists_only_my_tokens(world, client):
    create_token(world.housing_reporter, name="mine")
    create_token(world.water_admin, name="theirs")
    client.force_login(world.housing_reporter)

    html = client.get("/api/tokens/").content.decode()

    assert "mine" in html
    assert "theirs" not in html


def test_token_page_create_shows_the_token_once_and_stores_its_hash(world, client):
    client.force_login(world.housing_reporter)

    response = client.post("/api/tokens/new/", {"name": "script"})

    raw = re.search(r'data-testid="new-token">([^<]+)<', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=world.housing_reporter)
    assert response["Cache-Control"] == "no-store"
    assert (token.name, token.token_hash) == ("script", hash_token(raw))
    assert raw not in client.get("/api/tokens/").content.decode()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/plans").status_code == 200


def test_token_page_create_refuses_an_overlong_name(world, client):
    client.force_login(world.housing_reporter)

    response = client.post("/api/tokens/new/", {"name": "x" * 101})

    assert response.status_code == 400
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("owner", "status", "revoked"), [("housing_reporter", 302, True), ("water_admin", 403, False)]
)
def test_token_page_revokes_my_token_and_refuses_someone_elses(world, client, owner, status, revoked):
    issued = create_token(getattr(world, owner))
    client.force_login(world.housing_reporter)

    response = client.post(f"/api/tokens/{issued.token.pk}/revoke/")

    issued.token.refresh_from_db()
    assert response.status_code == status
    assert issued.token.revoked is revoked


def test_token_page_revoke_needs_post(world, client):
    issued = create_token(world.housing_reporter)
    client.force_login(world.housing_reporter)

    response = client.get(f"/api/tokens/{issued.token.pk}/revoke/")

    assert response.status_code == 405
