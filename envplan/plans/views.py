from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from envplan.accounts.permissions import supervisor_required
from envplan.core.uploads import XLSX, UploadRejected, check_upload, max_upload_bytes, upload_limit
from envplan.plans import queries, services, translation_sheet
from envplan.plans.content import CONTENT_LANGUAGES
from envplan.plans.models import Chapter, Plan, Unit, language_key


def home(request: HttpRequest) -> HttpResponse:
    plan = queries.current_plan(request)
    if plan is None:
        return render(request, "plans/no_plan.html")
    return redirect(plan)


def plan_overview(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    chapters = list(queries.chapters_with_counts(plan))
    context = {
        "plan": plan,
        "chapters": chapters,
        "goals": queries.plan_goals(plan),
        # task_count is annotated by chapters_with_counts (the stubs do not see annotations).
        "task_total": sum(getattr(chapter, "task_count", 0) for chapter in chapters),
        "target_total": plan.targets.count(),
        "revision_number": queries.latest_revision_number(plan),
    }
    return render(request, "plans/plan_overview.html", context)


def plan_revisions(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    context = {
        "plan": plan,
        "revisions": queries.plan_revisions(plan),
        "archived_tasks": queries.archived_tasks(plan),
    }
    return render(request, "plans/plan_revisions.html", context)


def task_list(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    unit = None
    chapter = None
    if request.GET.get("unit"):
        unit = Unit.objects.filter(code=request.GET["unit"]).first()
    if request.GET.get("chapter", "").isdigit():
        chapter = Chapter.objects.filter(plan=plan, position=int(request.GET["chapter"])).first()
    context = {
        "plan": plan,
        "tasks": queries.filtered_tasks(plan, unit=unit, chapter=chapter),
        "units": queries.units_in_plan(plan),
        "chapters": plan.chapters.order_by("position"),
        "selected_unit": unit,
        "selected_chapter": chapter,
    }
    return render(request, "plans/task_list.html", context)


def task_detail(request: HttpRequest, plan_id: int, number: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    task = queries.tasks_with_details(plan).filter(number=number).first()
    if task is None:
        raise Http404("no such task")
    context = {
        "plan": plan,
        "task": task,
        "assignments": task.assignments.all(),
        "targets": task.targets.all(),
        "archived_targets": list(queries.archived_targets_of(task)),
    }
    return render(request, "plans/task_detail.html", context)


def archived_task_detail(request: HttpRequest, plan_id: int, task_id: int) -> HttpResponse:
    """A task a revision removed: its text, units and targets as they were, and its reports."""
    plan = get_object_or_404(Plan, pk=plan_id)
    task = queries.archived_task(plan, task_id)
    if task is None:
        raise Http404("no such archived task")
    context = {
        "plan": plan,
        "task": task,
        "archived": True,
        "assignments": task.all_assignments,  # type: ignore[attr-defined]  # prefetched to this name
        "targets": task.all_targets,  # type: ignore[attr-defined]  # prefetched to this name
    }
    return render(request, "plans/task_detail.html", context)


@require_POST
def switch_plan(request: HttpRequest) -> HttpResponse:
    """Make the chosen plan the current one, then show the same page for it.

    A page of one plan (its URL names the plan and nothing more, e.g. the dashboard) becomes that page of
    the chosen plan; a page within a plan (a task) becomes the chosen plan's overview; any other page is
    shown again."""
    plans = {plan.pk: plan for plan in queries.all_plans(request)}
    plan = plans.get(queries.as_id(request.POST.get("plan")))
    if plan is None:
        raise Http404("no such plan")
    request.session[queries.PLAN_SESSION_KEY] = plan.pk
    following = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        following, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(plan)
    try:
        match = resolve(following.split("?", 1)[0])
    except Resolver404:
        return redirect(plan)
    if "plan_id" not in match.kwargs:
        return redirect(without_plan_parameter(following))
    if set(match.kwargs) != {"plan_id"}:
        return redirect(plan)
    try:
        return redirect(reverse(match.view_name, kwargs={"plan_id": plan.pk}))
    except NoReverseMatch:
        return redirect(plan)


def without_plan_parameter(url: str) -> str:
    """The URL without `?plan=`, which would otherwise choose the previous plan again."""
    parts = urlsplit(url)
    query = urlencode(
        [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "plan"]
    )
    return urlunsplit(parts._replace(query=query))


def unit_list(request: HttpRequest) -> HttpResponse:
    plan = queries.current_plan(request)
    units = queries.units_in_plan(plan) if plan else Unit.objects.none()
    return render(request, "plans/unit_list.html", {"plan": plan, "units": units})


def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.prefetch_related("aliases", "members", "groups"), code=code)
    plan = queries.current_plan(request)
    unit_tasks = queries.unit_tasks_by_role(unit, plan) if plan else None
    return render(request, "plans/unit_detail.html", {"plan": plan, "unit": unit, "unit_tasks": unit_tasks})


@upload_limit(max_upload_bytes)
@supervisor_required
@require_http_methods(["GET", "POST"])
def plan_translations(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The district office translates the plan's content: by hand, one language at a time, or by sending
    back the Excel sheet this page gives (`?format=xlsx`)."""
    plan = get_object_or_404(Plan, pk=plan_id)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            translation_sheet.write_sheet(plan),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}-translations.xlsx"'
        return response
    language = language_key(request.GET.get("lang") or request.POST.get("lang") or get_language())
    if language not in CONTENT_LANGUAGES:
        language = CONTENT_LANGUAGES[0]
    rows = translation_sheet.content_rows(plan)
    problems: list[str] = []
    status = 200
    if request.method == "POST" and request.POST.get("action") == "import":
        upload = request.FILES.get("sheet")
        try:
            if upload is None:
                raise UploadRejected(_("Choose the filled .xlsx sheet to send."))
            check_upload(upload, allowed=(XLSX,))
            counts = services.import_translations(
                plan, upload.read(), name=upload.name or "sheet", by=request.user
            )
        except UploadRejected as error:
            problems, status = [str(error)], 400
        except translation_sheet.TranslationSheetError as error:
            problems, status = [str(problem) for problem in error.problems[:50]], 400
        except services.TranslationError as error:
            problems, status = [str(error)], 400
        else:
            messages.success(
                request,
                _("Sheet read: %(objects)d items, %(changed)d changed.") % counts,
            )
            return redirect(f"{reverse('plans:translations', args=[plan.pk])}?lang={language}")
    elif request.method == "POST":
        changed = 0
        try:
            with transaction.atomic():
                for row in rows:
                    if row.original_language == language or f"t-{row.key}" not in request.POST:
                        continue
                    texts = {language: {row.field: request.POST[f"t-{row.key}"]}}
                    if services.set_translations(row.obj, texts, by=request.user):  # type: ignore[arg-type]
                        changed += 1
        except services.TranslationError as error:
            problems, status = [str(error)], 400
        else:
            messages.success(request, _("%(count)d translations saved.") % {"count": changed})
            return redirect(f"{reverse('plans:translations', args=[plan.pk])}?lang={language}")
    missing = sum(1 for row in rows if row.original_language != language and not row.translation(language))
    context = {
        "plan": plan,
        "entries": [{"row": row, "text": row.translation(language)} for row in rows],
        "language": language,
        "content_languages": [(code, name) for code, name in settings.LANGUAGES if code in CONTENT_LANGUAGES],
        "missing": missing,
        "problems": problems,
    }
    return render(request, "plans/plan_translations.html", context, status=status)
