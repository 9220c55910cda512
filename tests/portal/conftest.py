"""The portal tests: public pages are cached in memory, so every test starts with an empty cache."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from envplan.portal import caching
from envplan.portal.sections import memo
from tests.world import World, build_world

TODAY = dt.date(2025, 10, 20)


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    memo.clear()
    caching.forget_stamp()
    yield
    # A page read in Chinese or French leaves its language active in this thread: the tests after ours
    # call services directly and expect the default.
    translation.deactivate()


@pytest.fixture
def lake_folder(settings, tmp_path: Path) -> Path:
    folder = tmp_path / "lake"
    settings.LAKE_URL = str(folder)
    return folder


@pytest.fixture
def world(db: None, lake_folder: Path) -> World:
    return build_world(today=TODAY)


@pytest.fixture
def anonymous() -> Client:
    return Client(HTTP_HOST="127.0.0.1")
