from __future__ import annotations

import re

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


def test_token_page_revoke_my_token(world, client):
    issued = create_token(world.housing_reporter)
    client.force_login(world.housing_reporter)

    response = client.post(f"/api/tokens/{issued.token.pk}/revoke/")

    issued.token.refresh_from_db()
    assert response.status_code == 302
    assert issued.token.revoked is True


def test_token_page_revoking_someone_elses_token_is_403(world, client):
    issued = create_token(world.water_admin)
    client.force_login(world.housing_reporter)

    response = client.post(f"/api/tokens/{issued.token.pk}/revoke/")

    issued.token.refresh_from_db()
    assert response.status_code == 403
    assert issued.token.revoked is False


def test_token_page_revoke_needs_post(world, client):
    issued = create_token(world.housing_reporter)
    client.force_login(world.housing_reporter)

    response = client.get(f"/api/tokens/{issued.token.pk}/revoke/")

    assert response.status_code == 405
