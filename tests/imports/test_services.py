from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.contrib.auth.models import User

from envplan.core.models import AuditEntry
from envplan.imports import services
from envplan.imports.models import ImportStatus, PlanImport
from envplan.plans.models import Assignment, Plan, Target, Task, Unit, UnitAlias, normalize_unit_name
from envplan.plans.services import ensure_unit
from envplan.plantext import parse_text
from tests.imports.conftest import read_sample

pytestmark = pytest.mark.django_db


def mentions_of(imp: PlanImport, unit_id: str) -> list[tuple[int, str, str]]:
    return [
        (task["number"], mention["role"], mention["as_written"])
        for task in services.iter_tasks(imp.draft)
        for mention in task["units"]
        if mention["unit"] == unit_id
    ]


def draft_unit(imp: PlanImport, unit_id: str) -> dict[str, Any]:
    return next(unit for unit in imp.draft["units"] if unit["id"] == unit_id)


def unit_named(imp: PlanImport, name: str) -> str:
    return next(unit["id"] for unit in imp.draft["units"] if unit["name"] == name)


FINANCE = "Bureau des finances du district"


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Plan, Task, Target, Assignment, Unit, UnitAlias, PlanImport, AuditEntry)
    }


def actions(imp: PlanImport) -> list[str]:
    return list(AuditEntry.objects.for_object(imp).order_by("id").values_list("action", flat=True))


# --- create ------------------------------------------------------------------------------------------


def test_create_import_stores_the_parsers_draft_as_pending(seed: bytes, supervisor: User):
    imp, created = services.create_import(filename="kundulun.txt", content=seed, by=supervisor)

    expected = parse_text(seed.decode("utf-8")).to_dict()
    assert created is True
    assert imp.status == ImportStatus.PENDING
    assert imp.created_by == supervisor
    assert imp.draft["meta"] == expected["meta"]
    assert [unit["id"] for unit in imp.draft["units"]] == [unit["id"] for unit in expected["units"]]
    assert [unit["link"] for unit in imp.draft["units"]] == [None] * len(expected["units"])
    assert services.draft_counts(imp.draft)["tasks"] == 47
    assert actions(imp) == ["import.created"]


def test_create_import_of_the_same_bytes_returns_the_first_import(seed: bytes, supervisor: User):
    first, _ = services.create_import(filename="a.txt", content=seed, by=supervisor)
    before = row_counts()

    again, created = services.create_import(filename="b.txt", content=seed, by=supervisor)

    assert created is False
    assert again.pk == first.pk
    assert row_counts() == before


def test_create_import_reads_a_docx_sample(supervisor: User):
    content = read_sample("plan_zh.docx")
    text = read_sample("plan_zh.txt").decode("utf-8")

    imp, _ = services.create_import(filename="plan_zh.docx", content=content, by=supervisor)

    assert imp.draft["meta"] == parse_text(text).to_dict()["meta"]
    assert imp.draft["meta"]["language"] == "zh"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty.txt is empty."),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", "empty.txt is neither UTF-8 nor GB18030 text"),
        (b"caf\xe9 au lait\n" * 10, "empty.txt is neither UTF-8 nor GB18030 text"),
        (b"x" * (5 * 1024 * 1024 + 1), "empty.txt is larger than 5 MB."),
    ],
    ids=["empty", "binary", "latin1", "too-big"],
)
def test_create_import_refuses_bad_uploads_and_stores_nothing(content: bytes, message: str, supervisor: User):
    before = row_counts()

    with pytest.raises(services.PlanImportError) as caught:
        services.create_import(filename="empty.txt", content=content, by=supervisor)

    assert str(caught.value).startswith(message)
    assert row_counts() == before


def test_create_import_refuses_a_zip_that_is_not_a_word_document(supervisor: User):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data.csv", "a,b\n1,2\n")

    with pytest.raises(services.PlanImportError) as caught:
        services.create_import(filename="data.docx", content=buffer.getvalue(), by=supervisor)

    assert str(caught.value) == "data.docx is a zip archive but not a Word .docx document."
    assert PlanImport.objects.count() == 0


def test_create_import_refuses_text_without_numbered_tasks(supervisor: User):
    with pytest.raises(services.PlanImportError) as caught:
        services.create_import(filename="notes.txt", content=b"Just a note.\n", by=supervisor)

    assert str(caught.value).startswith("notes.txt: no numbered tasks found")
    assert PlanImport.objects.count() == 0


# --- review ------------------------------------------------------------------------------------------


def test_rename_unit_keeps_the_old_name_as_a_spelling(seed: bytes, supervisor: User):
    imp, _ = services.create_import(filename="k.txt", content=seed, by=supervisor)
    finance = unit_named(imp, FINANCE)

    imp = services.rename_unit(imp, unit_id=finance, name="  District  Finance Bureau ", by=supervisor)

    imp.refresh_from_db()
    assert draft_unit(imp, finance)["name"] == "District Finance Bureau"
    assert draft_unit(imp, finance)["aliases"][0] == FINANCE
    assert actions(imp) == ["import.created", "import.unit_renamed"]


def test_merge_units_moves_mentions_and_spellings(seed: bytes, supervisor: User):
    imp, _ = services.create_import(filename="k.txt", content=seed, by=supervisor)
    [doubt] = imp.draft["uncertain"]  # the parser doubts one unit of the reference plan
    source_id, into_id = doubt["unit"], doubt["candidates"][0]
    source, into = draft_unit(imp, source_id), draft_unit(imp, into_id)
    expected_mentions = sorted(mentions_of(imp, into_id) + mentions_of(imp, source_id))

    services.merge_units(imp, source=source_id, into=into_id, by=supervisor)

    imp.refresh_from_db()
    assert sorted(mentions_of(imp, into_id)) == expected_mentions
    assert mentions_of(imp, source_id) == []
    assert source_id not in [unit["id"] for unit in imp.draft["units"]]
    assert draft_unit(imp, into_id)["aliases"] == [*into["aliases"], source["name"], *source["aliases"]]
    assert imp.draft["uncertain"] == []
    assert actions(imp)[-1] == "import.units_merged"


def test_merge_units_refuses_a_unit_into_itself(seed: bytes, supervisor: User):
    imp, _ = services.create_import(filename="k.txt", content=seed, by=supervisor)

    with pytest.raises(services.PlanImportError):
        services.merge_units(imp, source="u1", into="u1", by=supervisor)

    assert actions(imp) == ["import.created"]


def test_split_unit_moves_the_mentions_of_one_spelling_to_a_new_unit(seed: bytes, supervisor: User):
    imp, _ = services.create_import(filename="k.txt", content=seed, by=supervisor)
    all_mentions = mentions_of(imp, "u1")
    spelling = all_mentions[-1][2]
    written_so = [m for m in all_mentions if normalize_unit_name(m[2]) == normalize_unit_name(spelling)]
    new_id = f"u{len(imp.draft['units']) + 1}"

    services.split_unit(imp, unit_id="u1", spelling=spelling, by=supervisor)

    imp.refresh_from_db()
    assert mentions_of(imp, new_id) == written_so
    assert len(mentions_of(imp, "u1")) == len(all_mentions) - len(written_so)
    assert draft_unit(imp, new_id)["name"] == spelling
    assert normalize_unit_name(spelling) not in map(normalize_unit_name, draft_unit(imp, "u1")["aliases"])
    assert actions(imp)[-1] == "import.unit_split"


def test_split_unit_refuses_when_every_mention_has_that_spelling(seed: bytes, supervisor: User):
    imp, _ = services.create_import(filename="k.txt", content=seed, by=supervisor)
    finance = unit_named(imp, FINANCE)
    only = mentions_of(imp, finance)[0][2]

    with pytest.raises(services.PlanImportError) as caught:
        services.split_unit(imp, unit_id=finance, spelling=only, by=supervisor)

    assert str(caught.value) == "Every mention of this unit uses that spelling: rename the unit instead."


def test_link_unit_ties_the_draft_unit_to_the_registry_on_accept(seed: bytes, supervisor: User):
    treasury = ensure_unit(code="treasury", name="Treasury Office", by=supervisor)
    imp, _ = services.create_import(filename="k.txt", content=seed, by=supervisor)
    finance = unit_named(imp, FINANCE)

    services.link_unit(imp, unit_id=finance, code="treasury", by=supervisor)
    plan = services.accept_import(imp, by=supervisor)

    imp.refresh_from_db()
    expected = sorted({number for number, _, _ in mentions_of(imp, finance)})
    linked = sorted(set(plan.tasks.filter(assignments__unit=treasury).values_list("number", flat=True)))
    assert linked == expected
    assert Unit.objects.filter(name=FINANCE).count() == 0
    assert UnitAlias.objects.get(normalized=normalize_unit_name(FINANCE)).unit == treasury


def test_link_unit_refuses_an_unknown_registry_code(seed: bytes, supervisor: User):
    imp, _ = services.create_import(filename="k.txt", content=seed, by=supervisor)

    with pytest.raises(services.PlanImportError):
        services.link_unit(imp, unit_id="u1", code="no-such-unit", by=supervisor)


def test_set_group_makes_the_accepted_unit_a_group(seed: bytes, supervisor: User):
    imp, _ = services.create_import(filename="k.txt", content=seed, by=supervisor)
    name = "Brigade de gestion de la circulation routière de Hexi"

    services.set_group(imp, unit_id=unit_named(imp, name), is_group=True, by=supervisor)
    services.accept_import(imp, by=supervisor)

    assert Unit.objects.get(name=name).is_group is True


def test_review_refuses_an_accepted_import(seed: bytes, supervisor: User):
    imp, _ = services.create_import(filename="k.txt", content=seed, by=supervisor)
    services.accept_import(imp, by=supervisor)

    with pytest.raises(services.PlanImportError):
        services.rename_unit(imp, unit_id="u1", name="Other", by=supervisor)


# --- accept / discard --------------------------------------------------------------------------------


def test_accept_import_stores_the_plan_with_its_units_and_tasks(seed: bytes, supervisor: User):
    imp, _ = services.create_import(filename="k.txt", content=seed, by=supervisor)
    draft = imp.draft
    draft_tasks = list(services.iter_tasks(draft))

    plan = services.accept_import(imp, by=supervisor)

    imp.refresh_from_db()
    assert imp.status == ImportStatus.ACCEPTED
    assert imp.plan == plan
    assert plan.content_hash == imp.source_sha256
    assert (plan.title, plan.doc_number, plan.year) == (
        draft["meta"]["title"],
        draft["meta"]["doc_number"],
        2025,
    )
    assert plan.tasks.count() == len(draft_tasks) == 47
    assert plan.chapters.count() == len(draft["chapters"])
    assert Unit.objects.count() == len(draft["units"])
    first = plan.tasks.get(position=1)
    assert first.summary == draft_tasks[0]["text"]
    assert first.title == services.short_title(draft_tasks[0]["text"])
    assert plan.targets.count() == services.draft_counts(draft)["targets"]
    assert UnitAlias.objects.filter(confirmed=False).count() == 0
    assert actions(imp) == ["import.created", "import.accepted"]


def test_accept_import_twice_changes_nothing(seed: bytes, supervisor: User):
    imp, _ = services.create_import(filename="k.txt", content=seed, by=supervisor)
    plan = services.accept_import(imp, by=supervisor)
    before = row_counts()

    again = services.accept_import(imp, by=supervisor)
    reimported, created = services.create_import(filename="k.txt", content=seed, by=supervisor)
    third = services.accept_import(reimported, by=supervisor)

    assert (again.pk, third.pk, reimported.pk, created) == (plan.pk, plan.pk, imp.pk, False)
    assert row_counts() == before


def test_accept_import_that_fails_changes_nothing(seed: bytes, supervisor: User):
    imp, _ = services.create_import(filename="k.txt", content=seed, by=supervisor)
    last_task = list(services.iter_tasks(imp.draft))[-1]
    last_task["units"].append({"unit": "u1", "role": "boss", "as_written": "x"})
    imp.save()
    before = row_counts()

    with pytest.raises(services.PlanImportError) as caught:
        services.accept_import(imp, by=supervisor)

    imp.refresh_from_db()
    assert "unknown role 'boss'" in str(caught.value)
    assert row_counts() == before
    assert imp.status == ImportStatus.PENDING
    assert imp.plan is None


def test_a_spelling_confirmed_in_one_import_resolves_in_the_next(supervisor: User):
    text = read_sample("plan_en.txt").decode("utf-8")
    first, _ = services.create_import(filename="en.txt", content=text.encode(), by=supervisor)
    names = {unit["name"]: unit["id"] for unit in first.draft["units"]}
    transport, police = (
        names["County Transport Bureau"],
        names["Traffic Police Brigade of the County Public Security Bureau"],
    )
    services.merge_units(first, source=police, into=transport, by=supervisor)
    services.accept_import(first, by=supervisor)
    transport_code = Unit.objects.get(name="County Transport Bureau").code
    units_before = Unit.objects.count()
    doc_number = first.draft["meta"]["doc_number"]
    # A new document where the police brigade's spelling stands alone (and a new document number).
    second_text = text.replace(doc_number, doc_number.replace("12", "13")).replace(
        "Responsible units: County Transport Bureau, Traffic", "Responsible units: Traffic"
    )
    assert second_text.count("County Transport Bureau") == 0

    second, _ = services.create_import(filename="en2.txt", content=second_text.encode(), by=supervisor)

    police_mentions = [
        mention
        for mention in services.iter_mentions(second.draft)
        if mention["as_written"].startswith("Traffic Police Brigade")
    ]
    assert police_mentions
    assert {mention["unit"] for mention in police_mentions} == {transport_code}
    assert draft_unit(second, transport_code)["link"] == transport_code
    services.accept_import(second, by=supervisor)
    assert Unit.objects.count() == units_before
    assert Plan.objects.count() == 2


def test_accept_links_a_unit_whose_spelling_is_already_an_alias(supervisor: User):
    text = read_sample("plan_en.txt").decode("utf-8")
    imp, _ = services.create_import(filename="en.txt", content=text.encode(), by=supervisor)
    name = imp.draft["units"][0]["name"]
    known = ensure_unit(code="ecology", name="Ecology Bureau", aliases=[name], confirmed=False, by=supervisor)
    assert imp.draft["units"][0]["link"] is None

    plan = services.accept_import(imp, by=supervisor)

    assert plan.tasks.filter(assignments__unit=known).exists()
    assert UnitAlias.objects.get(normalized=normalize_unit_name(name)).confirmed is True


def test_discard_import_lets_the_same_file_be_imported_again(seed: bytes, supervisor: User):
    imp, _ = services.create_import(filename="k.txt", content=seed, by=supervisor)

    services.discard_import(imp, by=supervisor)
    again, created = services.create_import(filename="k.txt", content=seed, by=supervisor)

    imp.refresh_from_db()
    assert imp.status == ImportStatus.DISCARDED
    assert created is True
    assert again.pk != imp.pk
    assert actions(imp) == ["import.created", "import.discarded"]


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Close the old boilers, and report monthly.", "Close the old boilers"),
        ("全面淘汰燃煤小锅炉，按月报告进度。", "全面淘汰燃煤小锅炉"),
        ("Keep PM2.5 below 35 µg/m³ by 2025. Then more.", "Keep PM2.5 below 35 µg/m³ by 2025"),
    ],
)
def test_short_title_is_the_first_clause(text: str, title: str):
    assert services.short_title(text) == title


def test_short_title_cuts_a_long_clause_at_a_word():
    text = " ".join(["word"] * 40)

    title = services.short_title(text)

    assert title.endswith("word…")
    assert len(title) <= services.TITLE_LIMIT + 1


def test_plan_year_comes_from_the_date_else_the_title():
    assert services.plan_year({"date": "2024-12-30", "title": "Plan 2025"}) == 2024
    assert services.plan_year({"date": None, "title": "Plan 2025"}) == 2025
    with pytest.raises(services.PlanImportError):
        services.plan_year({"date": None, "title": "Plan"})
