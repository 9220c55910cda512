from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from envplan.demo.loader import DemoResult, load_demo
from envplan.demo.logins import DEMO_PASSWORD


@pytest.fixture
def demo(db: None) -> DemoResult:
    return load_demo()


@pytest.fixture
def supervisor_client(demo: DemoResult, client: Client) -> Client:
    assert client.login(username="supervisor", password=DEMO_PASSWORD)
    return client


@pytest.fixture
def supervisor(demo: DemoResult) -> User:
    return User.objects.get(username="supervisor")
