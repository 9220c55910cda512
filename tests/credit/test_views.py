"""The credit pages: for the district office and the bureau's officers only; a rating explained line by line;
the objection entered and decided through the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from envplan.credit import services
from envplan.credit.models import CreditRating
from tests.credit.conftest import evidence, pdf
from tests.world import PASSWORD


def client_for(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def rating(world, enterprise) -> CreditRating:
    """A 2025 national rating: a penalty and a one-vote veto, notified on 1 October (objections until 16)."""
    evidence(
        world,
        enterprise,
        "penalty",
        20000,
        on=dt.date(2025, 3, 1),
        reference="昆环罚〔2025〕4号",
        description="dust",
    )
    evidence(
        world,
        enterprise,
        "veto_no_eia",
        1,
        on=dt.date(2025, 4, 1),
        reference="昆环罚〔2025〕5号",
        description="new kiln built before its EIA was approved",
    )
    created = services.create_round(
        title="2025 national",
        scheme_id="national-2013",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        by=world.officer,
    )
    found = services.compute_rating(created, enterprise, by=world.officer, today=dt.date(2025, 10, 1))
    services.issue_notice(found, by=world.officer, today=dt.date(2025, 10, 1))
    return CreditRating.objects.get(pk=found.pk)


def test_credit_pages_are_refused_to_a_unit_reporter(world, rating):
    client = client_for(world.ecology_reporter)

    responses = [client.get("/credit/"), client.get(rating.get_absolute_url()), client.get("/credit/lists/")]

    assert [r.status_code for r in responses] == [403, 403, 403]


def test_credit_index_and_schemes_open_to_an_officer(world, rating):
    client = client_for(world.officer)

    index = client.get("/credit/")
    schemes = client.get("/credit/schemes/")

    assert (index.status_code, schemes.status_code) == (200, 200)
    assert "2025 national" in index.content.decode()
    page = schemes.content.decode()
    assert "环发〔2013〕150号" in page
    assert "The Inner Mongolia scoring table was not found" in page


def test_rating_page_explains_each_record_and_names_the_veto(world, rating):
    page = client_for(world.officer).get(rating.get_absolute_url()).content.decode()

    assert "昆环罚〔2025〕4号" in page  # the penalty's line
    assert "One-vote veto" in page
    assert "built without an approved EIA" in page
    assert 'data-testid="rating-grade">environmentally untrustworthy (red)' in page


def test_objection_entered_and_upheld_through_the_pages_changes_the_grade(world, rating):
    client = client_for(world.officer)
    veto = next(r["record"] for r in rating.evidence if r["code"] == "veto_no_eia")

    entered = client.post(
        f"/credit/ratings/{rating.pk}/objection/",
        {
            "received_on": "2025-10-10",
            "records": [veto],
            "statement": "the EIA was approved in 2024",
            "file": pdf(),
        },
    )
    objection = rating.objections.get()
    decided = client.post(
        f"/credit/objections/{objection.pk}/review/",
        {"decision": "uphold", "reason": "approval of 2024-11-02 found in the archive"},
    )

    rating.refresh_from_db()
    assert (entered.status_code, decided.status_code) == (302, 302)
    assert (rating.state, rating.grade, rating.vetoed) == ("noticed", "blue", False)
    page = client.get(rating.get_absolute_url()).content.decode()
    assert "credit.objection_upheld" in page


def test_notice_document_is_served_as_issued(world, rating):
    notice = rating.notices.get()

    response = client_for(world.officer).get(f"/credit/notices/{notice.pk}/?download=1")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{notice.number}.html"'
    assert response.content.decode() == notice.document
