"""The whole living demo (plan, activity, monitoring, enforcement, portal), loaded once for a test module:
committed, then flushed at the end even when loading failed, so that nothing leaks into later modules."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from pytest_django import DjangoDbBlocker

from envplan.demo.loader import load_demo, load_monitoring_demo
from envplan.demo.logins import demo_password_hash

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@contextmanager
def loaded_whole_demo(
    django_db_blocker: DjangoDbBlocker, tmp_path_factory: pytest.TempPathFactory, name: str
) -> Iterator[None]:
    lake: Path = tmp_path_factory.mktemp(f"{name}-lake")
    media: Path = tmp_path_factory.mktemp(f"{name}-media")
    with (
        override_settings(LAKE_URL=str(lake), MEDIA_ROOT=str(media), PASSWORD_HASHERS=FAST_HASHER),
        django_db_blocker.unblock(),
    ):
        try:
            demo = load_demo(activity=True)
            load_monitoring_demo(demo.plan)
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)
            # The demo logins' hash is cached per process: made here, it must be made again by the
            # modules after this one.
            demo_password_hash.cache_clear()
    cache.clear()


def whole_demo_fixture(fixture_name: str, folder_name: str) -> Callable[..., Iterator[None]]:
    """A module-scoped fixture named `fixture_name` that loads the whole demo for the module (its lake and
    media in folders named after `folder_name`); assign it to that name in the test module."""

    @pytest.fixture(scope="module", name=fixture_name)
    def whole_demo(
        django_db_setup: None, django_db_blocker: DjangoDbBlocker, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[None]:
        with loaded_whole_demo(django_db_blocker, tmp_path_factory, folder_name):
            yield

    return whole_demo
