"""Forms of the unit membership pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from envplan.accounts.models import MemberRole


class AddMemberForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.REPORTER)


class CreateMemberForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=300, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, min_length=8)
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.REPORTER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)
