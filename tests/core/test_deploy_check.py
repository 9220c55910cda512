"""`envplan check --deploy` is clean once ENVPLAN_HTTPS=1, and names what is missing without it."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

HTTPS_WARNINGS = ("security.W004", "security.W008", "security.W012", "security.W016")


def run_envplan(*args: str, env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Not the test run's own settings either: its DJANGO_ALLOW_ASYNC_UNSAFE is an error in deployment.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENVPLAN_", "DJANGO_"))}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "envplan", *args], capture_output=True, text=True, env=env, timeout=120
    )


def production_env(data_dir: Path, **extra: str) -> dict[str, str]:
    return {
        "ENVPLAN_DATA_DIR": str(data_dir),
        "ENVPLAN_DEBUG": "0",
        "ENVPLAN_SECRET_KEY": secrets.token_urlsafe(50),
        "ENVPLAN_ALLOWED_HOSTS": "plan.example.org",
        **extra,
    }


def test_deploy_check_with_https_reports_nothing(tmp_path: Path):
    result = run_envplan(
        "check", "--deploy", "--fail-level", "WARNING", env_extra=production_env(tmp_path, ENVPLAN_HTTPS="1")
    )

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_deploy_check_without_https_names_the_cookies_hsts_and_redirect(tmp_path: Path):
    result = run_envplan("check", "--deploy", "--fail-level", "WARNING", env_extra=production_env(tmp_path))

    assert result.returncode == 1
    found = sorted(code for code in HTTPS_WARNINGS if code in result.stderr)
    assert found == sorted(HTTPS_WARNINGS)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "ENVPLAN_HSTS_SECONDS",
            "a year",
            "envplan: ENVPLAN_HSTS_SECONDS must be a whole number, not 'a year'",
        ),
        ("ENVPLAN_MAX_UPLOAD_MB", "0", "envplan: ENVPLAN_MAX_UPLOAD_MB must be at least 1, not 0"),
        (
            "ENVPLAN_LOGIN_FAILURE_LIMIT",
            "ten",
            "envplan: ENVPLAN_LOGIN_FAILURE_LIMIT must be a whole number, not 'ten'",
        ),
    ],
)
def test_bad_number_in_the_environment_stops_with_one_line(
    tmp_path: Path, variable: str, value: str, message: str
):
    result = run_envplan("check", env_extra=production_env(tmp_path, ENVPLAN_HTTPS="1", **{variable: value}))

    assert (result.returncode, result.stderr.strip()) == (2, message)


def test_https_settings_redirect_plain_http_and_send_hsts_behind_the_proxy(tmp_path: Path):
    probe = (
        "from django.test import Client\n"
        "plain = Client().get('/accounts/login/')\n"
        "proxied = Client().get('/accounts/login/', headers={'X-Forwarded-Proto': 'https'})\n"
        "print(plain.status_code, plain['Location'])\n"
        "print(proxied.status_code, proxied['Strict-Transport-Security'])\n"
        "print(proxied.cookies['csrftoken']['secure'])\n"
    )
    env = production_env(tmp_path, ENVPLAN_HTTPS="1", ENVPLAN_ALLOWED_HOSTS="testserver")
    assert run_envplan("migrate", "-v0", env_extra=env).returncode == 0

    result = run_envplan("shell", "-v0", "-c", probe, env_extra=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "301 https://testserver/accounts/login/",
        "200 max-age=31536000; includeSubDomains; preload",
        "True",
    ]
