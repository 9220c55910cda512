"""The done-when of the public portal, on the demo as `envplan demo` loads it: anonymous readers get every
page and every download, the catalogue lists every download, and nothing internal or personal shows."""

from __future__ import annotations

import json

from django.contrib.auth.models import User
from django.test import Client

from envplan.cases.models import Case
from envplan.core.publication import sections, tables
from envplan.credit.models import ManualEvidence, Objection
from envplan.emergency.models import AlertChange
from envplan.inspections.models import (
    Finding,
    HazardousWasteAssessment,
    InspectionRecord,
    Inspector,
    RectificationEvent,
    RectificationTask,
    RectificationUpdate,
)
from envplan.portal.models import CorrectionRequest
from envplan.progress.models import ProgressReport, ReportEvent
from tests.wholedemo import whole_demo_fixture

living_demo = whole_demo_fixture("living_demo", "portal-demo")


def public_urls() -> list[str]:
    urls = ["/public/", "/public/data/", "/public/data/catalog.jsonld", "/public/corrections/"]
    urls += [f"/public/{section.key}/" for section in sections()]
    urls += [
        f"/public/corrections/{reference}/"
        for reference in CorrectionRequest.objects.values_list("reference", flat=True)
    ]
    for _section, table in tables():
        urls += [f"/public/data/{table.name}.{suffix}" for suffix in ("csv", "json", "schema.json")]
    return urls


def test_public_pages_and_downloads_answer_anonymous_readers(living_demo, db):
    client = Client(HTTP_HOST="127.0.0.1")

    statuses = {url: client.get(url).status_code for url in public_urls()}

    assert {url: status for url, status in statuses.items() if status != 200} == {}
    assert len(statuses) >= 4 + 4 + 4 + 3 * 9


def test_public_catalogue_lists_every_download(living_demo, db):
    client = Client(HTTP_HOST="127.0.0.1")

    catalogue = json.loads(client.get("/public/data/catalog.jsonld").content)

    assert catalogue["@type"] == "dcat:Catalog"
    datasets = catalogue["dcat:dataset"]
    listed = {d["dcat:downloadURL"]["@id"] for dataset in datasets for d in dataset["dcat:distribution"]}
    expected = {
        f"http://127.0.0.1/public/data/{table.name}.{suffix}"
        for _s, table in tables()
        for suffix in ("csv", "json")
    }
    assert listed == expected
    assert all(
        dataset["dct:license"]["@id"].startswith("https://creativecommons.org/") for dataset in datasets
    )
    assert all("dct:modified" in dataset for dataset in datasets)
    assert {client.get(url.removeprefix("http://127.0.0.1")).status_code for url in listed} == {200}


def internal_texts() -> dict[str, set[str]]:
    """What must never be public: report narratives and review comments, what correction senders wrote and
    their contact, credit evidence descriptions and objection statements, every user's name and e-mail;
    and from enforcement: inspectors' names, the notes and free-text findings of inspection records, the
    monthly progress and history comments of rectification tasks and their contact, the proposals and
    override reasons behind alerts, the notes of screening-case judgements and of waste assessments."""
    texts = {
        "narrative": set(ProgressReport.objects.exclude(narrative="").values_list("narrative", flat=True)),
        "comment": set(ReportEvent.objects.exclude(comment="").values_list("comment", flat=True)),
        "correction": set(CorrectionRequest.objects.values_list("description", flat=True))
        | set(CorrectionRequest.objects.exclude(contact="").values_list("contact", flat=True)),
        "credit": set(ManualEvidence.objects.values_list("description", flat=True))
        | set(Objection.objects.values_list("statement", flat=True)),
        "e-mail": set(User.objects.exclude(email="").values_list("email", flat=True)),
    }
    enforcement = (
        set(Inspector.objects.values_list("name", flat=True))
        | set(InspectionRecord.objects.values_list("summary", flat=True))
        | set(Finding.objects.values_list("problem", flat=True))
        | set(Finding.objects.values_list("handling", flat=True))
        | set(RectificationUpdate.objects.values_list("progress", flat=True))
        | set(RectificationUpdate.objects.values_list("problems", flat=True))
        | set(RectificationEvent.objects.values_list("comment", flat=True))
        | set(RectificationTask.objects.values_list("contact", flat=True))
        | set(AlertChange.objects.values_list("proposal", flat=True))
        | set(AlertChange.objects.values_list("override_reason", flat=True))
        | set(Case.objects.values_list("outcome_note", flat=True))
        | set(HazardousWasteAssessment.objects.values_list("note", flat=True))
    )
    # Short generic words ("generated") would be found anywhere; a narrative is longer.
    texts["enforcement"] = {text for text in enforcement if len(text) >= 12}
    # The demo's user names are ordinary words (ecology, housing …) found in unit names; those with a
    # mark of their own are searched for as they are.
    texts["user name"] = {name for name in User.objects.values_list("username", flat=True) if "-" in name}
    return texts


def test_public_pages_never_show_narratives_or_personal_data(living_demo, db):
    texts = internal_texts()
    assert all(
        texts[kind]
        for kind in ("narrative", "comment", "correction", "credit", "e-mail", "user name", "enforcement")
    )
    bodies = {}
    for language in ("en", "zh-hans", "fr"):
        client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE=language)
        for url in public_urls():
            bodies[(language, url)] = client.get(url).content.decode("utf-8")

    found = [
        (kind, text[:40], where)
        for kind, values in texts.items()
        for text in values
        for where, body in bodies.items()
        if text in body
    ]

    assert found == []
