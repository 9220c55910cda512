"""Plan content in the reader's language.

A plan's title and summary, its chapters, sections, tasks and targets keep the text of their document (the
original, in `Plan.language`) and may carry translations beside it in a `translations` field shaped
`{language: {field: text}}`; language keys are the site's language codes (`zh-hans`, `fr`, `en`). A unit's
name has its translations in `name_zh` and `name_fr`.

`content_of(obj, field)` gives the text to show a reader: the translation into the active language when
there is one, else the original, saying which language that original is in so that pages can mark it
(`{% content obj "title" %}` in `envplan.plans.templatetags.plan_content`). Writes are in
`envplan.plans.services.set_translations`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import get_language

from envplan.plans.models import Chapter, Plan, Section, Target, Task, Unit, language_key

# The site's languages, in the order columns and forms show them.
CONTENT_LANGUAGES = ("zh-hans", "fr", "en")

# Which fields of which model are plan content that may be translated.
TRANSLATABLE: dict[type[models.Model], tuple[str, ...]] = {
    Plan: ("title", "summary", "issuer", "doc_number"),
    Chapter: ("title",),
    Section: ("title",),
    Task: ("title", "summary"),
    Target: ("indicator", "as_written"),
    Unit: ("name",),
}


def has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


@dataclass(frozen=True)
class Content:
    text: str
    language: str  # the language `text` is in
    fallback: bool  # the reader's language was wanted but only the original (in another language) exists


def original_language(obj: models.Model, plan: Plan | None = None) -> str:
    """The language an object's own text is written in.

    A plan's content is in `Plan.language`; the plan is taken from the object when already loaded, else
    from `plan` (the page's plan), so that no query is made. A unit's name is Chinese when written in
    Chinese characters, else English (the registry's convention)."""
    if isinstance(obj, Plan):
        return language_key(obj.language)
    if isinstance(obj, Unit):
        return "zh-hans" if has_cjk(obj.name) else "en"
    owner = loaded_plan(obj)
    if owner is None and plan is not None:
        owner = plan
    if owner is not None:
        return language_key(owner.language)
    text = " ".join(str(getattr(obj, name, "")) for name in TRANSLATABLE.get(type(obj), ()))
    return "zh-hans" if has_cjk(text) else "en"


def loaded_plan(obj: models.Model) -> Plan | None:
    cache: dict[str, Any] = obj._state.fields_cache
    plan = cache.get("plan")
    if isinstance(plan, Plan):
        return plan
    chapter = cache.get("chapter")
    if isinstance(chapter, Chapter):
        chapter_plan = chapter._state.fields_cache.get("plan")
        return chapter_plan if isinstance(chapter_plan, Plan) else None
    return None


def translation_of(obj: models.Model, field: str, language: str) -> str:
    """The stored translation of `field` into `language`, or "" when there is none."""
    language = language_key(language)
    if isinstance(obj, Unit):
        return obj.name_in(language) if field == "name" else ""
    translations = getattr(obj, "translations", None) or {}
    value = translations.get(language, {}).get(field, "")
    return value if isinstance(value, str) else ""


def content_of(
    obj: models.Model, field: str, language: str | None = None, *, plan: Plan | None = None
) -> Content:
    wanted = language_key(language or get_language())
    original = str(getattr(obj, field, "") or "")
    source = original_language(obj, plan)
    if wanted == source:
        return Content(original, source, False)
    translated = translation_of(obj, field, wanted)
    if translated:
        return Content(translated, wanted, False)
    return Content(original, source, bool(original))


def content_text(obj: models.Model, field: str, language: str | None = None) -> str:
    return content_of(obj, field, language).text
