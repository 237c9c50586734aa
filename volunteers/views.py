"""A signed-in person's own pages: /me/ (what to do next, what they have done, their
consents), their profile, and their data (download all of it, or delete themselves)."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.forms import form_add_service_errors
from volunteers import activity, selectors, services
from volunteers.forms import MyProfileForm


@login_required
def me(request):
    supporter = services.supporter_link_user(user=request.user)
    person = activity.Person.of(supporter)
    return render(
        request,
        "volunteers/me.html",
        {
            "person": person,
            "next_actions": activity.next_actions(person),
            "history": activity.history(supporter),
            "consents": selectors.consent_history(supporter),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    if request.method == "POST":
        form = MyProfileForm(request.POST)
        if form.is_valid():
            try:
                services.volunteer_profile_update(user=request.user, details=form.details())
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, "Your profile is saved.")
                return redirect("volunteers:me")
    else:
        form = MyProfileForm(initial=MyProfileForm.initial_for(request.user))
    return render(
        request, "volunteers/profile.html", {"form": form}, status=400 if form.errors else 200
    )


class EraseForm(forms.Form):
    password = forms.CharField(
        label="Your password, to confirm it is you",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request):
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_erase(user=request.user, password=form.cleaned_data["password"])
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            logout(request)
            return redirect("volunteers:erased")
    return render(
        request, "volunteers/my_data.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def my_data_download(request):
    data = services.account_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


def erased(request):
    return render(request, "volunteers/erased.html")
