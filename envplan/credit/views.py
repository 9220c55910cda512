"""Credit pages, for the district office and the bureau's officers: rounds, ratings explained line by line,
the cycle's actions, hand-entered evidence, schemes, and the sanctions and incentives lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from envplan.core import clock
from envplan.core.formposts import act_on_form, act_on_shown_form
from envplan.core.models import AuditEntry
from envplan.core.uploads import max_upload_bytes, upload_limit
from envplan.core.viewguards import only_for
from envplan.credit import queries, registry, services
from envplan.credit.errors import CreditError
from envplan.credit.forms import DecisionForm, EvidenceForm, RecordsForm, RoundForm, WithdrawForm
from envplan.credit.labels import CODE_LABELS, PROVIDER_LABELS, UNIT_LABELS
from envplan.credit.models import (
    Attachment,
    CreditNotice,
    CreditRating,
    CreditRound,
    Decision,
    ManualEvidence,
    Objection,
    RatingState,
    RepairRequest,
)
from envplan.credit.permissions import can_rate
from envplan.credit.schemes import available
from envplan.sources.models import Enterprise
from envplan.standards.credit import CODES, SchemeError

rater_required = only_for(can_rate, "credit rating is for the district office and the bureau's officers")


def _fail(request: HttpRequest, error: CreditError) -> None:
    messages.error(request, error.message)


@rater_required
def index(request: HttpRequest) -> HttpResponse:
    form = RoundForm(request.POST or None)
    created = act_on_shown_form(
        request,
        form,
        lambda data: services.create_round(**data, by=request.user),
        refused=CreditError,
        done=_("Round created."),
    )
    if created is not None:
        return created
    rounds = CreditRound.objects.annotate(
        rating_count=Count("ratings"),
        published_count=Count("ratings", filter=Q(ratings__state=RatingState.PUBLISHED)),
    )
    enterprises = Enterprise.objects.annotate(entries=Count("credit_evidence")).order_by("name")
    return render(request, "credit/index.html", {"rounds": rounds, "form": form, "enterprises": enterprises})


@rater_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rating_round = get_object_or_404(CreditRound, pk=pk)
    scheme = rating_round.scheme
    language = get_language() or "en"
    ratings = rating_round.ratings.select_related("enterprise").order_by("enterprise__name")
    rows = [(rating, scheme.grade(rating.grade).label.get(language)) for rating in ratings]
    context = {"round": rating_round, "scheme": scheme, "rows": rows, "today": clock.today()}
    return render(request, "credit/round_detail.html", context)


@require_POST
@rater_required
def round_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    rating_round = get_object_or_404(CreditRound, pk=pk)
    try:
        if action == "compute":
            done = services.compute_round(rating_round, by=request.user)
            messages.success(request, _("%(n)d drafts computed.") % {"n": len(done)})
        elif action == "notify":
            count = services.notify_round(rating_round, by=request.user)
            messages.success(request, _("%(n)d notices issued.") % {"n": count})
        elif action == "publish":
            count = services.publish_round(rating_round, by=request.user)
            messages.success(request, _("%(n)d ratings published.") % {"n": count})
        else:
            raise Http404
    except CreditError as error:
        _fail(request, error)
    return redirect(rating_round)


def _record_choices(rating: CreditRating) -> list[tuple[str, str]]:
    return [
        (row["record"], f"{CODE_LABELS.get(row['code'], row['code'])}: {row['label']}")
        for row in rating.evidence
    ]


@rater_required
def rating_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rating = get_object_or_404(CreditRating.objects.select_related("round", "enterprise"), pk=pk)
    today = clock.today()
    choices = _record_choices(rating)
    notice = services.current_notice(rating)
    pending_objection = rating.objections.filter(decision=Decision.PENDING).first()
    pending_repair = rating.repairs.filter(decision=Decision.PENDING).first()
    ready, why_not = services.publishable(rating, today)
    opens = services.repair_opens_on(rating)
    objection_ids = list(rating.objections.values_list("pk", flat=True))
    repair_ids = list(rating.repairs.values_list("pk", flat=True))
    audit = AuditEntry.objects.filter(
        Q(target_type__model="creditrating", target_id=str(rating.pk))
        | Q(target_type__model="objection", target_id__in=[str(i) for i in objection_ids])
        | Q(target_type__model="repairrequest", target_id__in=[str(i) for i in repair_ids])
    ).order_by("created_at", "pk")
    context = {
        "rating": rating,
        "view": queries.explanation_view(rating),
        "notice": notice,
        "notices": rating.notices.all(),
        "objections": rating.objections.all(),
        "repairs": rating.repairs.all(),
        "pending_objection": pending_objection,
        "pending_repair": pending_repair,
        "objection_form": RecordsForm(records=choices, initial={"received_on": today}),
        "repair_form": RecordsForm(records=choices, initial={"received_on": today}),
        "decision_form": DecisionForm(),
        "can_object": rating.state == RatingState.NOTICED and notice and today <= notice.objection_deadline,
        "publishable": ready,
        "why_not_publishable": why_not,
        "repair_opens": opens,
        "can_repair": rating.state == RatingState.PUBLISHED
        and not pending_repair
        and opens
        and today >= opens,
        "audit": audit,
        "today": today,
    }
    return render(request, "credit/rating_detail.html", context)


@require_POST
@rater_required
def rating_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    rating = get_object_or_404(CreditRating.objects.select_related("round", "enterprise"), pk=pk)
    try:
        if action == "compute":
            services.compute_rating(rating.round, rating.enterprise, by=request.user)
            messages.success(request, _("Draft recomputed."))
        elif action == "notice":
            notice = services.issue_notice(rating, by=request.user)
            messages.success(request, _("Notice %(number)s issued.") % {"number": notice.number})
        elif action == "publish":
            services.publish_rating(rating, by=request.user)
            messages.success(request, _("Published."))
        else:
            raise Http404
    except CreditError as error:
        _fail(request, error)
    return redirect(rating)


@require_POST
@rater_required
@upload_limit(max_upload_bytes)
def record_objection(request: HttpRequest, pk: int) -> HttpResponse:
    return _records_form(request, pk, kind="objection")


@require_POST
@rater_required
@upload_limit(max_upload_bytes)
def apply_for_repair(request: HttpRequest, pk: int) -> HttpResponse:
    return _records_form(request, pk, kind="repair")


def _records_form(request: HttpRequest, pk: int, *, kind: str) -> HttpResponse:
    rating = get_object_or_404(CreditRating, pk=pk)
    form = RecordsForm(request.POST, request.FILES, records=_record_choices(rating))
    if form.is_valid():
        data = form.cleaned_data
        receive, done = {
            "objection": (
                services.record_objection,
                _("Objection recorded; the rating is under review."),
            ),
            "repair": (services.apply_for_repair, _("Credit repair application recorded.")),
        }[kind]
        try:
            receive(
                rating,
                statement=data["statement"],
                records=data["records"],
                upload=data["file"],
                received_on=data["received_on"],
                by=request.user,
            )
            messages.success(request, done)
        except CreditError as error:
            _fail(request, error)
    else:
        for field, problems in form.errors.items():
            for problem in problems:
                messages.error(
                    request, f"{form.fields[field].label if field in form.fields else ''}: {problem}"
                )
    return redirect(rating)


def _decide(
    request: HttpRequest, decided: Objection | RepairRequest, review: Callable[[bool, str], str]
) -> HttpResponse:
    """Decide an objection or a repair application from the decision form; `review` takes whether it is
    upheld and the reasons, calls the service and says what was done."""

    def act(data: dict[str, Any]) -> None:
        messages.success(request, review(data["decision"] == "uphold", data["reason"]))

    act_on_form(
        request,
        DecisionForm(request.POST),
        act,
        refused=CreditError,
        invalid=_("Choose a decision and give the reasons."),
    )
    return redirect(decided.rating)


@require_POST
@rater_required
def review_objection(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(Objection.objects.select_related("rating"), pk=pk)

    def review(uphold: bool, reason: str) -> str:
        before = objection.rating.grade
        rating = services.review_objection(objection, uphold=uphold, reason=reason, by=request.user)
        return _("Objection decided; grade %(before)s → %(after)s.") % {
            "before": before,
            "after": rating.grade,
        }

    return _decide(request, objection, review)


@require_POST
@rater_required
def review_repair(request: HttpRequest, pk: int) -> HttpResponse:
    repair = get_object_or_404(RepairRequest.objects.select_related("rating"), pk=pk)

    def review(accept: bool, reason: str) -> str:
        services.review_repair(repair, accept=accept, reason=reason, by=request.user)
        return _("Credit repair decided.")

    return _decide(request, repair, review)


@rater_required
def notice_document(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(CreditNotice, pk=pk)
    response = HttpResponse(notice.document, content_type="text/html; charset=utf-8")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{notice.number}.html"'
    return response


@rater_required
@upload_limit(max_upload_bytes)
def enterprise_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = get_object_or_404(Enterprise, pk=pk)
    form = EvidenceForm(request.POST or None, request.FILES or None, initial={"on": clock.today()})

    def enter(data: dict[str, Any]) -> str:
        services.add_evidence(enterprise, **form.entry(), by=request.user)
        return reverse("credit:evidence", args=[enterprise.pk])

    entered = act_on_shown_form(request, form, enter, refused=CreditError, done=_("Evidence entered."))
    if entered is not None:
        return entered
    manual = set(registry.manual_codes())
    entries = [
        (entry, entry.code in manual)
        for entry in ManualEvidence.objects.filter(enterprise=enterprise).order_by("-on")
    ]
    context = {
        "enterprise": enterprise,
        "form": form,
        "entries": entries,
        "withdraw_form": WithdrawForm(),
        "code_labels": CODE_LABELS,
        "unit_labels": UNIT_LABELS,
        "computed": registry.computed_codes(),
    }
    return render(request, "credit/evidence.html", context)


@require_POST
@rater_required
def withdraw_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(ManualEvidence, pk=pk)
    act_on_form(
        request,
        WithdrawForm(request.POST),
        lambda data: services.withdraw_evidence(entry, reason=data["reason"], by=request.user),
        refused=CreditError,
        invalid=_("Say why the entry is withdrawn."),
        done=_("Withdrawn."),
    )
    return redirect("credit:evidence", pk=entry.enterprise_id)


def _file(obj: Attachment) -> FileResponse:
    if not obj.file:
        raise Http404
    return FileResponse(
        obj.file.open("rb"), as_attachment=True, filename=obj.original_name, content_type=obj.content_type
    )


@rater_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    return _file(get_object_or_404(ManualEvidence, pk=pk))


@rater_required
def objection_file(request: HttpRequest, pk: int) -> FileResponse:
    return _file(get_object_or_404(Objection, pk=pk))


@rater_required
def repair_file(request: HttpRequest, pk: int) -> FileResponse:
    return _file(get_object_or_404(RepairRequest, pk=pk))


@rater_required
def scheme_list(request: HttpRequest) -> HttpResponse:
    language = get_language() or "en"
    try:
        schemes = sorted(available().values(), key=lambda s: s.id)
        problem = ""
    except SchemeError as error:
        schemes, problem = [], str(error)
    catalogue = [
        (code, CODE_LABELS.get(code, code), UNIT_LABELS.get(item.unit, item.unit), item.provider)
        for code, item in CODES.items()
    ]
    computed = registry.computed_codes()
    context = {
        "schemes": schemes,
        "problem": problem,
        "language": language,
        "catalogue": [
            (code, label, unit, PROVIDER_LABELS.get(provider, provider), computed.get(code, ""))
            for code, label, unit, provider in catalogue
        ],
    }
    return render(request, "credit/schemes.html", context)


@rater_required
def lists(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    context = {
        "today": today,
        "sanctions": queries.sanctions_list(today),
        "incentives": queries.incentives_list(today),
        "grades": queries.grades_in_force(today),
    }
    return render(request, "credit/lists.html", context)
