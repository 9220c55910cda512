"""Helpers of the browser tests (Playwright pages against the live server)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from envplan.demo.logins import DEMO_PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page

PHONE = {"width": 390, "height": 844}  # a phone's screen, in CSS pixels


def log_in(page: Page, server_url: str, username: str, password: str = DEMO_PASSWORD) -> Page:
    """Sign in through the login form (a demo user unless another password is given), and wait until the
    page it leads to has loaded."""
    page.goto(f"{server_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    return page
