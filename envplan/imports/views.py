"""Plan import pages, for supervisors: upload, review the draft's units, accept or discard."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from envplan.accounts.permissions import supervisor_required
from envplan.core.formposts import upload_to_job
from envplan.core.uploads import upload_limit, upload_limit_bytes
from envplan.imports import queries, services
from envplan.imports.forms import UploadForm
from envplan.imports.jobs import PLAN_KIND
from envplan.imports.models import PlanImport


@upload_limit(lambda: upload_limit_bytes("plan"))
@supervisor_required
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        # Parsing a long plan outlasts a request: the worker does it (envplan.imports.jobs), once the text
        # is known readable (not empty, binary, not UTF-8, not a .docx).
        job = upload_to_job(
            request,
            form,
            PLAN_KIND,
            check=lambda upload: services.upload_text(upload.name or "", upload.read()),
            refused=services.PlanImportError,
        )
        if job is not None:
            return redirect(job)
    status = 400 if form.errors else 200
    context = {"form": form, "imports": queries.recent_imports()}
    return render(request, "imports/import_list.html", context, status=status)


@supervisor_required
def review(request: HttpRequest, import_id: int) -> HttpResponse:
    imp = get_object_or_404(PlanImport.objects.select_related("plan", "created_by"), pk=import_id)
    context = queries.review_context(
        imp, query=request.GET.get("q", "")[:200], show=request.GET.get("show", "all")
    )
    return render(request, "imports/review.html", context)


@supervisor_required
@require_POST
def unit_action(request: HttpRequest, import_id: int, action: str) -> HttpResponse:
    imp = get_object_or_404(PlanImport, pk=import_id)
    unit_id = request.POST.get("unit", "")
    try:
        if action == "rename":
            services.rename_unit(imp, unit_id=unit_id, name=request.POST.get("name", ""), by=request.user)
        elif action == "merge":
            services.merge_units(imp, source=unit_id, into=request.POST.get("into", ""), by=request.user)
        elif action == "split":
            services.split_unit(
                imp, unit_id=unit_id, spelling=request.POST.get("spelling", ""), by=request.user
            )
        elif action == "link":
            code = request.POST.get("code", "") or None
            services.link_unit(imp, unit_id=unit_id, code=code, by=request.user)
        elif action == "group":
            services.set_group(
                imp, unit_id=unit_id, is_group=request.POST.get("group") == "1", by=request.user
            )
        else:
            messages.error(request, _("Unknown review action."))
            return redirect(imp)
    except services.PlanImportError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The draft was updated."))
    return redirect(
        f"{imp.get_absolute_url()}#unit-{unit_id}" if action != "merge" else imp.get_absolute_url()
    )


@supervisor_required
@require_POST
def accept(request: HttpRequest, import_id: int) -> HttpResponse:
    imp = get_object_or_404(PlanImport, pk=import_id)
    revision = request.POST.get("revision", "")
    try:
        plan = services.accept_import(
            imp, by=request.user, expected_revision=int(revision) if revision.isdigit() else None
        )
    except services.PlanImportError as error:
        messages.error(request, str(error))
        return redirect(imp)
    messages.success(request, _("The plan was imported."))
    return redirect(plan)


@supervisor_required
@require_POST
def discard(request: HttpRequest, import_id: int) -> HttpResponse:
    imp = get_object_or_404(PlanImport, pk=import_id)
    try:
        services.discard_import(imp, by=request.user)
    except services.PlanImportError as error:
        messages.error(request, str(error))
        return redirect(imp)
    messages.success(request, _("The import was discarded."))
    return redirect("imports:list")
