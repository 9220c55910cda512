"""The current plan: chosen by the person (switcher, a plan's page, `?plan=`), else the plan of the calendar
year, else the latest year; never the plan imported last."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from envplan.core.models import DemoClock
from envplan.plans.models import Plan
from envplan.plans.queries import PLAN_SESSION_KEY, current_plan
from tests.fixtures import assert_sent_to_login

pytestmark = pytest.mark.django_db


def make_plan(year: int, title: str = "") -> Plan:
    title = title or f"Action plan {year}"
    return Plan.objects.create(title=title, year=year, content_hash=f"{year}-{title}".ljust(64, "0"))


def pin(day: dt.date) -> None:
    DemoClock.objects.all().delete()
    DemoClock.objects.create(today=day, note="tests")


@pytest.fixture
def viewer(client: Client) -> Client:
    client.force_login(User.objects.create_user("viewer"))
    return client


def test_current_plan_defaults_to_the_plan_of_the_calendar_year():
    pin(dt.date(2025, 3, 1))
    make_plan(2024)
    this_year = make_plan(2025)
    make_plan(2026)  # next year's plan, imported last

    assert current_plan() == this_year


def test_current_plan_without_a_plan_for_this_year_is_the_one_of_the_latest_year():
    pin(dt.date(2027, 1, 5))
    make_plan(2026)
    make_plan(2024)  # an old plan, imported last

    assert current_plan() == Plan.objects.get(year=2026)


def test_current_plan_of_a_year_with_two_plans_goes_by_title_not_by_import_order():
    pin(dt.date(2025, 3, 1))
    make_plan(2025, "Water plan 2025")
    air = make_plan(2025, "Air plan 2025")

    assert current_plan() == air
    make_plan(2025, "Soil plan 2025")
    assert current_plan() == air


def test_current_plan_is_none_without_plans():
    assert current_plan() is None


def test_importing_a_plan_does_not_move_anyones_current_plan(viewer: Client):
    pin(dt.date(2025, 3, 1))
    this_year = make_plan(2025)
    assert viewer.get("/")["Location"] == this_year.get_absolute_url()

    make_plan(2026)
    make_plan(2024)

    assert viewer.get("/")["Location"] == this_year.get_absolute_url()


def test_plan_query_parameter_chooses_the_plan_and_sticks(viewer: Client):
    pin(dt.date(2025, 3, 1))
    make_plan(2025)
    old = make_plan(2024)

    chosen = viewer.get(reverse("plans:units"), {"plan": old.pk})
    later = viewer.get(reverse("plans:units"))

    assert (chosen.context["plan"], later.context["plan"]) == (old, old)
    assert viewer.get("/")["Location"] == old.get_absolute_url()
    assert viewer.session[PLAN_SESSION_KEY] == old.pk


def test_an_unknown_plan_parameter_is_ignored(viewer: Client):
    pin(dt.date(2025, 3, 1))
    this_year = make_plan(2025)

    response = viewer.get(reverse("plans:units"), {"plan": "nonsense"})

    assert response.context["plan"] == this_year


def test_a_plans_page_shows_that_plan_without_changing_the_current_plan(viewer: Client):
    pin(dt.date(2025, 3, 1))
    this_year = make_plan(2025)
    old = make_plan(2024)

    page = viewer.get(reverse("plans:plan", args=[old.pk])).content.decode()

    assert f'<option value="{old.pk}" selected>' in page
    assert f'href="{reverse("plans:units")}?plan={old.pk}"' in page  # the top bar goes on with this plan
    assert viewer.get("/")["Location"] == this_year.get_absolute_url()
    assert PLAN_SESSION_KEY not in viewer.session


def test_switcher_is_shown_only_when_there_are_several_plans(viewer: Client):
    pin(dt.date(2025, 3, 1))
    this_year = make_plan(2025)
    single = viewer.get(reverse("plans:units")).content.decode()
    old = make_plan(2024)

    several = viewer.get(reverse("plans:units")).content.decode()

    assert 'data-testid="plan-switcher"' not in single
    assert 'data-testid="plan-switcher"' in several
    assert f'<option value="{this_year.pk}" selected>' in several
    assert f'<option value="{old.pk}">' in several


def test_switch_shows_the_same_page_for_the_chosen_plan(viewer: Client):
    pin(dt.date(2025, 3, 1))
    this_year = make_plan(2025)
    old = make_plan(2024)
    switch = reverse("plans:switch")

    dashboard = viewer.post(switch, {"plan": old.pk, "next": reverse("dashboard:plan", args=[this_year.pk])})
    task = viewer.post(switch, {"plan": old.pk, "next": reverse("plans:task", args=[this_year.pk, 3])})
    units = viewer.post(switch, {"plan": old.pk, "next": f"{reverse('plans:units')}?plan={this_year.pk}&x=1"})
    elsewhere = viewer.post(switch, {"plan": old.pk, "next": "https://example.org/"})

    assert dashboard["Location"] == reverse("dashboard:plan", args=[old.pk])
    assert task["Location"] == old.get_absolute_url()
    assert units["Location"] == f"{reverse('plans:units')}?x=1"
    assert elsewhere["Location"] == old.get_absolute_url()
    assert viewer.get(reverse("plans:units")).context["plan"] == old


def test_switch_refuses_an_unknown_plan_and_a_get(viewer: Client):
    make_plan(2025)

    assert viewer.post(reverse("plans:switch"), {"plan": "999999"}).status_code == 404
    assert viewer.get(reverse("plans:switch")).status_code == 405


def test_switch_requires_login(client: Client):
    plan = make_plan(2025)

    response = client.post(reverse("plans:switch"), {"plan": plan.pk})

    assert_sent_to_login(response)
