"""A signed-in person's own data: download all of it, or delete themselves."""

import json

from django import forms
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.forms import form_add_service_errors
from volunteers import services


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
