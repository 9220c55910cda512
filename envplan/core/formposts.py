"""The shape of most small write views: a POSTed form, one service call, a message, a redirect.

`act_on_form` does the middle part; the view builds the form, says what to call and where to go next.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest

T = TypeVar("T")


def act_on_form(
    request: HttpRequest,
    form: forms.Form,
    act: Callable[[dict[str, Any]], T],
    *,
    refused: type[Exception],
    invalid: str,
    done: str = "",
) -> T | None:
    """Call `act` with the valid form's cleaned data (django-stubs types it dict[str, Any]) and say `done`
    when it is not empty; a refusal (a `refused` error) becomes an error message with the error's text.
    A form that does not validate says `invalid` and calls nothing. Returns what `act` returned, or None
    when it was not called or was refused."""
    if not form.is_valid():
        messages.error(request, invalid)
        return None
    try:
        result = act(form.cleaned_data)
    except refused as error:
        messages.error(request, str(error))
        return None
    if done:
        messages.success(request, done)
    return result
