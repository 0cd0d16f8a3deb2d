"""The signed-in user's own API tokens: make one (its secret shown once), see them, revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .models import TokenScope
from .tokens import create_token, revoke_token, tokens_of


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("What it is for"), max_length=100)
    scope = forms.ChoiceField(label=gettext_lazy("Scope"), choices=TokenScope.choices,
                              initial=TokenScope.READ)


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    secret = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, secret = create_token(request.user, name=form.cleaned_data["name"],  # type: ignore[arg-type]
                                      scope=form.cleaned_data["scope"],
                                      acting_user=request.user)  # type: ignore[arg-type]
        form = TokenForm()
    # The secret is in this answer only: not stored, not in a message, not cached.
    response = render(request, "accounts/tokens.html", {
        "form": form, "secret": secret, "tokens": tokens_of(request.user)})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(tokens_of(request.user), pk=pk)
    revoke_token(token, acting_user=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Token “%(name)s” revoked: it no longer works.")
                     % {"name": token.name})
    return redirect("tokens:list")
