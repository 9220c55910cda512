"""Writes of plan imports: upload, review of the draft's units, accept or discard.

Every function runs in one transaction and leaves an audit entry. Review operations change only the
pending draft (JSON); the plan and the unit registry change only on accept, through
`envplan.plans.services.save_plan`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from envplan.core.services import Actor, person, record_audit
from envplan.core.uploads import archive_message, upload_limit_bytes
from envplan.imports.models import ImportStatus, PlanImport
from envplan.plans.models import Plan, Unit, UnitAlias, normalize_unit_name
from envplan.plans.queries import latest_revision_number
from envplan.plans.services import PlanDataError, find_existing_plan, save_plan
from envplan.plantext import KnownUnit, PlanTextError, UnreadableDocument, parse_text, plan_text
from envplan.problems import ProblemList

TITLE_LIMIT = 80


class PlanImportError(ValueError):
    """The upload or the review step cannot be done; the message says why. Nothing was stored."""


# --- reading the upload -----------------------------------------------------------------------------


def upload_text(filename: str, content: bytes) -> str:
    """The text of an upload, under the reading rule of `plan parse` (`envplan.plantext.plan_text`)."""
    if not content:
        raise PlanImportError(_("%(name)s is empty.") % {"name": filename})
    limit = upload_limit_bytes("plan")
    if len(content) > limit:
        raise PlanImportError(
            _("%(name)s is larger than %(limit)d MB.") % {"name": filename, "limit": limit // (1024 * 1024)}
        )
    try:
        return plan_text(content, name=filename)
    except UnreadableDocument as error:
        raise PlanImportError(_unreadable(error)) from error


def _unreadable(error: UnreadableDocument) -> str:
    if error.reason.startswith("archive_"):
        return archive_message(
            error.reason.removeprefix("archive_"), name=error.name, params=dict(error.params)
        )
    messages = {
        "not_text": _("%(name)s is neither UTF-8 nor GB18030 text: upload UTF-8 text or a Word .docx file."),
        "old_word": _("%(name)s is an old Word .doc file: save it as .docx or as text and upload that."),
        "not_docx": _("%(name)s is a zip archive but not a Word .docx document."),
        "damaged_docx": _("%(name)s is a damaged zip archive."),
        "not_pdf": _("%(name)s is not a readable PDF file."),
        "no_text_layer": _(
            "%(name)s is a PDF without a text layer (a scanned image?): run OCR on it, or upload the Word or "
            "text version of the plan."
        ),
    }
    return messages[error.reason] % {"name": error.name}


def registry_known_units() -> list[KnownUnit]:
    """The unit registry as the parser's known units: names plus the spellings people confirmed."""
    spellings: dict[int, list[str]] = {}
    for unit_id, text in UnitAlias.objects.filter(confirmed=True).values_list("unit_id", "text"):
        spellings.setdefault(unit_id, []).append(text)
    return [
        KnownUnit(
            id=unit.code, name=unit.name, aliases=tuple(spellings.get(unit.pk, [])), group=unit.is_group
        )
        for unit in Unit.objects.order_by("code")
    ]


def draft_counts(draft: dict[str, Any]) -> dict[str, int]:
    tasks = list(iter_tasks(draft))
    return {
        "chapters": len(draft.get("chapters", [])),
        "sections": sum(len(chapter.get("sections", [])) for chapter in draft.get("chapters", [])),
        "tasks": len(tasks),
        "targets": len(draft.get("goals", [])) + sum(len(task.get("targets", [])) for task in tasks),
        "units": len(draft.get("units", [])),
        "warnings": draft.get("warnings_total", len(draft.get("warnings", []))),
    }


def iter_tasks(draft: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for chapter in draft.get("chapters", []):
        for section in chapter.get("sections", []):
            yield from section.get("tasks", [])


def iter_mentions(draft: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for task in iter_tasks(draft):
        yield from task.get("units", [])


# --- create ------------------------------------------------------------------------------------------


@transaction.atomic
def create_import(*, filename: str, content: bytes, by: Actor) -> tuple[PlanImport, bool]:
    """Parse an uploaded plan document into a pending import. Returns (import, created).

    The same bytes already imported (pending or accepted) return that import unchanged, so uploading a
    document twice changes nothing. Raises PlanImportError, storing nothing, for unusable input.
    Side effect: audit entry `import.created`.
    """
    name = Path(filename or "").name[:255] or "upload"
    digest = hashlib.sha256(content).hexdigest()
    existing = PlanImport.objects.filter(source_sha256=digest).exclude(status=ImportStatus.DISCARDED).first()
    if existing is not None:
        return existing, False
    text = upload_text(name, content)
    try:
        parsed = parse_text(text, lang="auto", known_units=registry_known_units())
    except PlanTextError as error:
        raise PlanImportError(f"{name}: {error}") from error
    draft = parsed.to_dict()
    warnings = ProblemList.collect(draft["warnings"])
    draft["warnings"], draft["warnings_total"] = list(warnings.kept), warnings.total
    codes = set(Unit.objects.values_list("code", flat=True))
    for unit in draft["units"]:
        unit["link"] = unit["id"] if unit["id"] in codes else None
    imp = PlanImport.objects.create(
        source_name=name, source_sha256=digest, draft=draft, created_by=person(by)
    )
    record_audit(
        imp,
        action="import.created",
        actor=by,
        after={"file": name, "sha256": digest, **draft_counts(draft)},
    )
    return imp, True


# --- review ------------------------------------------------------------------------------------------


def _locked_pending(imp: PlanImport) -> PlanImport:
    locked = PlanImport.objects.select_for_update().get(pk=imp.pk)
    if locked.status != ImportStatus.PENDING:
        raise PlanImportError(_("This import is no longer pending review."))
    return locked


def _draft_unit(draft: dict[str, Any], unit_id: str) -> dict[str, Any]:
    units: list[dict[str, Any]] = draft["units"]
    for unit in units:
        if unit["id"] == unit_id:
            return unit
    raise PlanImportError(_("The draft has no unit %(unit)s.") % {"unit": unit_id})


def _unique_spellings(spellings: list[str], *, besides: str = "") -> list[str]:
    seen = {normalize_unit_name(besides)} if besides else set()
    result = []
    for spelling in spellings:
        key = normalize_unit_name(spelling)
        if key and key not in seen:
            seen.add(key)
            result.append(spelling)
    return result


def _resolve_doubts(draft: dict[str, Any], *unit_ids: str) -> None:
    """A person decided about these units: they are no longer uncertain."""
    draft["uncertain"] = [item for item in draft.get("uncertain", []) if item["unit"] not in unit_ids]


def _store(imp: PlanImport, *, action: str, by: Actor, before: dict[str, Any], after: dict[str, Any]) -> None:
    imp.save(update_fields=["draft", "updated_at"])
    record_audit(imp, action=action, actor=by, before=before, after=after)


def _unit_state(unit: dict[str, Any]) -> dict[str, Any]:
    return {key: unit.get(key) for key in ("id", "name", "aliases", "group", "link")}


@transaction.atomic
def rename_unit(imp: PlanImport, *, unit_id: str, name: str, by: Actor) -> PlanImport:
    """Give a draft unit a new name; the old name stays as one of its spellings."""
    imp = _locked_pending(imp)
    new_name = " ".join(name.split())
    if not new_name:
        raise PlanImportError(_("A unit needs a name."))
    unit = _draft_unit(imp.draft, unit_id)
    before = _unit_state(unit)
    unit["aliases"] = _unique_spellings([unit["name"], *unit["aliases"]], besides=new_name)
    unit["name"] = new_name
    _store(imp, action="import.unit_renamed", by=by, before=before, after=_unit_state(unit))
    return imp


@transaction.atomic
def merge_units(imp: PlanImport, *, source: str, into: str, by: Actor) -> PlanImport:
    """Fold draft unit `source` into `into`: its mentions move and its spellings become aliases."""
    imp = _locked_pending(imp)
    if source == into:
        raise PlanImportError(_("A unit cannot be merged into itself."))
    draft = imp.draft
    gone = _draft_unit(draft, source)
    kept = _draft_unit(draft, into)
    before = {"source": _unit_state(gone), "into": _unit_state(kept)}
    moved = 0
    for mention in iter_mentions(draft):
        if mention["unit"] == source:
            mention["unit"] = into
            moved += 1
    kept["aliases"] = _unique_spellings(
        [*kept["aliases"], gone["name"], *gone["aliases"]], besides=kept["name"]
    )
    kept["group"] = bool(kept.get("group") or gone.get("group"))
    kept["link"] = kept.get("link") or gone.get("link")
    draft["units"] = [unit for unit in draft["units"] if unit["id"] != source]
    _resolve_doubts(draft, source, into)
    for item in draft.get("uncertain", []):
        item["candidates"] = [into if code == source else code for code in item.get("candidates", [])]
    _store(
        imp, action="import.units_merged", by=by, before=before, after={**_unit_state(kept), "moved": moved}
    )
    return imp


@transaction.atomic
def split_unit(imp: PlanImport, *, unit_id: str, spelling: str, by: Actor) -> PlanImport:
    """Move the mentions of `unit_id` written as `spelling` to a new draft unit named by that spelling."""
    imp = _locked_pending(imp)
    draft = imp.draft
    unit = _draft_unit(draft, unit_id)
    key = normalize_unit_name(spelling)
    mentions = [mention for mention in iter_mentions(draft) if mention["unit"] == unit_id]
    matching = [mention for mention in mentions if normalize_unit_name(mention["as_written"]) == key]
    if not matching:
        raise PlanImportError(
            _("No mention of %(unit)s is written as “%(spelling)s”.")
            % {"unit": unit["name"], "spelling": spelling}
        )
    if len(matching) == len(mentions):
        raise PlanImportError(_("Every mention of this unit uses that spelling: rename the unit instead."))
    taken = {item["id"] for item in draft["units"]}
    number = len(taken) + 1
    while f"u{number}" in taken:
        number += 1
    new_id = f"u{number}"
    for mention in matching:
        mention["unit"] = new_id
    before = _unit_state(unit)
    if normalize_unit_name(unit["name"]) == key:
        remaining = [mention["as_written"] for mention in mentions if mention not in matching]
        unit["name"] = remaining[0]
    unit["aliases"] = [
        alias
        for alias in _unique_spellings(unit["aliases"], besides=unit["name"])
        if normalize_unit_name(alias) != key
    ]
    created = {
        "id": new_id,
        "name": matching[0]["as_written"],
        "aliases": _unique_spellings([m["as_written"] for m in matching], besides=matching[0]["as_written"]),
        "group": bool(unit.get("group")),
        "link": None,
    }
    position = draft["units"].index(unit) + 1
    draft["units"].insert(position, created)
    _resolve_doubts(draft, unit_id)
    _store(
        imp,
        action="import.unit_split",
        by=by,
        before=before,
        after={"unit": _unit_state(unit), "new": _unit_state(created), "moved": len(matching)},
    )
    return imp


@transaction.atomic
def link_unit(imp: PlanImport, *, unit_id: str, code: str | None, by: Actor) -> PlanImport:
    """Tie a draft unit to a unit of the registry (by code), or untie it (code None: a new unit)."""
    imp = _locked_pending(imp)
    unit = _draft_unit(imp.draft, unit_id)
    if code and not Unit.objects.filter(code=code).exists():
        raise PlanImportError(_("The registry has no unit %(code)s.") % {"code": code})
    before = _unit_state(unit)
    unit["link"] = code or None
    _resolve_doubts(imp.draft, unit_id)
    _store(imp, action="import.unit_linked", by=by, before=before, after=_unit_state(unit))
    return imp


@transaction.atomic
def set_group(imp: PlanImport, *, unit_id: str, is_group: bool, by: Actor) -> PlanImport:
    """Mark a draft unit as a group unit (a collective mention such as "all towns") or not."""
    imp = _locked_pending(imp)
    unit = _draft_unit(imp.draft, unit_id)
    before = _unit_state(unit)
    unit["group"] = bool(is_group)
    _store(imp, action="import.unit_group_set", by=by, before=before, after=_unit_state(unit))
    return imp


# --- accept / discard --------------------------------------------------------------------------------


def short_title(text: str, limit: int = TITLE_LIMIT) -> str:
    """A task's title: the first clause of its text, cut at a word boundary when long."""
    clean = " ".join(text.split())
    first = re.split(r"[，；：。;:！？]|,\s|\.\s|\.$", clean, maxsplit=1)[0].strip()
    if not first:
        first = clean
    if len(first) <= limit:
        return first
    cut = first[:limit]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "…"


def plan_year(meta: dict[str, Any]) -> int:
    date = meta.get("date") or ""
    if re.match(r"\d{4}-", date):
        return int(date[:4])
    found = re.search(r"(?<!\d)(19|20)\d{2}(?!\d)", meta.get("title") or "")
    if found:
        return int(found.group(0))
    raise PlanImportError(_("The plan's year cannot be found: neither its date nor its title gives one."))


def _new_code(name: str, taken: set[str]) -> str:
    base = slugify(name)[:70].strip("-")
    if not base:
        base = "unit-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]
    code, suffix = base, 2
    while code in taken:
        code = f"{base}-{suffix}"
        suffix += 1
    taken.add(code)
    return code


def plan_data_from_draft(draft: dict[str, Any]) -> dict[str, Any]:
    """The reviewed draft in the schema of `save_plan` (envplan/plans/demo/plan.json).

    A draft unit linked by the reviewer keeps that link; otherwise one whose name or spelling is already a
    registry alias links to that unit; otherwise it becomes a new unit with a fresh slug code.
    """
    meta = draft["meta"]
    language = meta.get("language") or "en"
    registry_names = dict(Unit.objects.values_list("code", "name"))
    owner_of = dict(UnitAlias.objects.values_list("normalized", "unit__code"))
    taken = set(registry_names)
    spellings_of: dict[str, list[str]] = {}
    code_of: dict[str, str] = {}
    new_units: dict[str, dict[str, Any]] = {}
    for unit in draft["units"]:
        spellings = [unit["name"], *unit.get("aliases", [])]
        code = unit.get("link")
        if not code:
            code = next(
                (owner_of[key] for key in map(normalize_unit_name, spellings) if key in owner_of), None
            )
        if not code:
            code = _new_code(unit["name"], taken)
            name = unit["name"][:200]
            new_units[code] = {
                "code": code,
                "name": name,
                "name_fr": name if language == "fr" else "",
                "name_zh": name if language == "zh" else "",
                "is_group": bool(unit.get("group")),
                "members": [],
            }
        code_of[unit["id"]] = code
        spellings_of.setdefault(code, []).extend(spellings)
    for mention in iter_mentions(draft):
        if mention["unit"] in code_of:
            spellings_of[code_of[mention["unit"]]].append(mention.get("as_written", ""))

    units = []
    claimed: dict[str, str] = {}
    for code, spellings in spellings_of.items():
        aliases = []
        for spelling in _unique_spellings(spellings):
            key = normalize_unit_name(spelling)
            owner = owner_of.get(key, claimed.get(key, code))
            if owner != code or len(spelling) > 400:
                continue  # a spelling names one unit: one already held elsewhere stays there
            claimed[key] = code
            aliases.append(spelling)
        if code in new_units:
            units.append({**new_units[code], "aliases": aliases})
        else:
            units.append({"code": code, "name": registry_names[code], "aliases": aliases, "members": []})

    def task_data(task: dict[str, Any]) -> dict[str, Any]:
        mentions = []
        for mention in task.get("units", []):
            if mention["unit"] not in code_of:
                raise PlanImportError(
                    _("Task %(number)s names unit %(unit)s, which the draft does not list.")
                    % {"number": task["number"], "unit": mention["unit"]}
                )
            mentions.append(
                {
                    "unit": code_of[mention["unit"]],
                    "role": mention["role"],
                    "as_written": mention.get("as_written", "")[:400],
                }
            )
        return {
            "number": task["number"],
            "title": short_title(task["text"]),
            "summary": task["text"],
            "units": mentions,
            "targets": [_target(target) for target in task.get("targets", [])],
        }

    return {
        "plan": {
            "title": (meta.get("title") or "")[:300],
            "issuer": (meta.get("issuer") or "")[:200],
            "doc_number": (meta.get("doc_number") or "")[:100],
            "date": meta.get("date"),
            "year": plan_year(meta),
            "language": language,
            "summary": "",
        },
        "units": units,
        "goals": [_target(goal) for goal in draft.get("goals", [])],
        "chapters": [
            {
                "number": chapter["number"][:16],
                "title": chapter["title"][:300],
                "sections": [
                    {
                        "number": section["number"][:16],
                        "title": section["title"][:300],
                        "tasks": [task_data(task) for task in section.get("tasks", [])],
                    }
                    for section in chapter.get("sections", [])
                ],
            }
            for chapter in draft["chapters"]
        ],
    }


def _target(target: dict[str, Any]) -> dict[str, Any]:
    return {
        **target,
        "indicator": (target.get("indicator") or "")[:300],
        "unit_of_measure": (target.get("unit_of_measure") or "")[:40],
    }


@transaction.atomic
def accept_import(imp: PlanImport, *, by: Actor, expected_revision: int | None = None) -> Plan:
    """Store the reviewed draft as a plan (via save_plan, content hash = the file's SHA-256).

    A document with the issuer and number of a stored plan is that plan's next revision: nothing of its
    history is deleted (see save_plan). `expected_revision` is the stored plan's revision the review page
    showed the difference against (0: no stored plan); if the plan has changed since, PlanImportError, so
    what is accepted is what was shown. The spellings of its units become confirmed aliases, so the next
    import recognises them. Accepting an accepted import again returns its plan and changes nothing.
    Raises PlanImportError and leaves the database as it was when the draft cannot be stored. Side
    effects: `import.accepted`, and the audit entries of save_plan.
    """
    locked = PlanImport.objects.select_for_update().get(pk=imp.pk)
    accepted: Plan | None = locked.plan
    if locked.status == ImportStatus.ACCEPTED and accepted is not None:
        return accepted
    if locked.status != ImportStatus.PENDING:
        raise PlanImportError(_("This import is no longer pending review."))
    data = plan_data_from_draft(locked.draft)
    if expected_revision is not None:
        stored = find_existing_plan(
            issuer=data["plan"]["issuer"],
            doc_number=data["plan"]["doc_number"],
            content_hash=locked.source_sha256,
        )
        if stored is not None:  # locked, so no other revision slips in between the check and the change
            stored = Plan.objects.select_for_update().get(pk=stored.pk)
        revision = latest_revision_number(stored) if stored is not None else 0
        if revision != expected_revision:
            raise PlanImportError(
                _(
                    "The stored plan changed after this page was shown (it is now at revision %(number)d): "
                    "look at the changes again before accepting."
                )
                % {"number": revision}
            )
    try:
        plan, changed = save_plan(
            data, by=by, content_hash=locked.source_sha256, source_name=locked.source_name
        )
    except (PlanDataError, KeyError, ValueError, ArithmeticError) as error:
        raise PlanImportError(_("The draft cannot be stored: %(reason)s") % {"reason": error}) from error
    confirmed = 0
    if changed:
        for unit in data["units"]:
            keys = [normalize_unit_name(alias) for alias in [unit["name"], *unit["aliases"]]]
            confirmed += UnitAlias.objects.filter(
                unit__code=unit["code"], normalized__in=keys, confirmed=False
            ).update(confirmed=True)
    locked.status = ImportStatus.ACCEPTED
    locked.plan = plan
    locked.save(update_fields=["status", "plan", "updated_at"])
    record_audit(
        locked,
        action="import.accepted",
        actor=by,
        before={"status": ImportStatus.PENDING.value},
        after={
            "status": locked.status,
            "plan": plan.pk,
            "plan_changed": changed,
            "aliases_confirmed": confirmed,
        },
        plan_id=plan.pk,
    )
    return plan


@transaction.atomic
def discard_import(imp: PlanImport, *, by: Actor) -> PlanImport:
    """Drop a pending import; the same file may be uploaded again afterwards."""
    locked = _locked_pending(imp)
    locked.status = ImportStatus.DISCARDED
    locked.save(update_fields=["status", "updated_at"])
    record_audit(
        locked,
        action="import.discarded",
        actor=by,
        before={"status": ImportStatus.PENDING.value},
        after={"status": locked.status},
    )
    return locked
