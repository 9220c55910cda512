"""Unit administration: a unit's administrators (or the district office) manage its members."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from envplan.accounts import permissions, services
from envplan.accounts.forms import AddMemberForm, CreateMemberForm, RoleForm
from envplan.accounts.models import Membership
from envplan.plans.models import Unit


def managed_unit(request: HttpRequest, code: str) -> Unit:
    unit = get_object_or_404(Unit, code=code)
    if not permissions.can_manage_unit(request.user, unit.pk):
        raise PermissionDenied("only the unit's administrators manage its members")
    return unit


@require_http_methods(["GET", "POST"])
def unit_members(request: HttpRequest, code: str) -> HttpResponse:
    unit = managed_unit(request, code)
    add_form = AddMemberForm(prefix="add")
    create_form = CreateMemberForm(prefix="new")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                add_form = AddMemberForm(request.POST, prefix="add")
                if add_form.is_valid():
                    services.add_member(
                        unit,
                        username=add_form.cleaned_data["username"],
                        role=add_form.cleaned_data["role"],
                        by=request.user,
                    )
                    messages.success(request, _("The member was added."))
                    return redirect("accounts:members", code=unit.code)
            elif action == "create":
                create_form = CreateMemberForm(request.POST, prefix="new")
                if create_form.is_valid():
                    data = create_form.cleaned_data
                    services.create_member(
                        unit,
                        username=data["username"],
                        password=data["password"],
                        role=data["role"],
                        full_name=data["full_name"],
                        email=data["email"],
                        by=request.user,
                    )
                    messages.success(request, _("The user was created and added to the unit."))
                    return redirect("accounts:members", code=unit.code)
            else:
                messages.error(request, _("Unknown action."))
        except services.MembershipError as error:
            form = add_form if action == "add" else create_form
            form.add_error(None, str(error))
    members = Membership.objects.filter(unit=unit).select_related("user").order_by("user__username")
    context = {
        "unit": unit,
        "members": members,
        "add_form": add_form,
        "create_form": create_form,
        "role_form": RoleForm(),
    }
    status = 400 if add_form.errors or create_form.errors else 200
    return render(request, "accounts/unit_members.html", context, status=status)


def unit_membership(request: HttpRequest, code: str, membership_id: int) -> Membership:
    unit = managed_unit(request, code)
    return get_object_or_404(Membership.objects.select_related("user", "unit"), pk=membership_id, unit=unit)


@require_POST
def member_role(request: HttpRequest, code: str, membership_id: int) -> HttpResponse:
    membership = unit_membership(request, code, membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
    else:
        try:
            services.change_member_role(membership, role=form.cleaned_data["role"], by=request.user)
        except services.MembershipError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The role was changed."))
    return redirect("accounts:members", code=code)


@require_POST
def member_remove(request: HttpRequest, code: str, membership_id: int) -> HttpResponse:
    membership = unit_membership(request, code, membership_id)
    try:
        services.remove_member(membership, by=request.user)
    except services.MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The member was removed from the unit."))
    return redirect("accounts:members", code=code)
