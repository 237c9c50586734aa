"""A brief's page (claim it, submit work, withdraw) and approved images."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from campaigns.briefs import services
from campaigns.briefs.forms import SubmitForm
from campaigns.briefs.models import Brief, Submission
from core.forms import form_add_service_errors


def _mine(brief, user):
    return (
        brief.submissions.filter(supporter__user=user)
        .exclude(state=Submission.State.WITHDRAWN)
        .first()
    )


@login_required
@require_http_methods(["GET", "POST"])
def brief_page(request, pk):
    brief = get_object_or_404(
        Brief.objects.select_related("campaign").prefetch_related("skills"),
        pk=pk,
        campaign__is_published=True,
    )
    mine = _mine(brief, request.user)
    form = SubmitForm(brief=brief)
    error = ""
    status = 200
    if request.method == "POST" and request.POST.get("do") == "claim":
        try:
            services.brief_claim(brief=brief, user=request.user)
        except ValidationError as refusal:
            error, status = " ".join(refusal.messages), 400
        else:
            messages.success(request, "It is yours: send your work before it is due.")
            return redirect("briefs:brief", pk=brief.pk)
    elif request.method == "POST" and mine is not None:
        form = SubmitForm(request.POST, request.FILES, brief=brief)
        if form.is_valid():
            try:
                services.submission_submit(submission=mine, user=request.user, **form.cleaned_data)
            except ValidationError as refusal:
                form_add_service_errors(form, refusal)
            else:
                messages.success(request, "Sent: an organiser will look at it.")
                return redirect("briefs:brief", pk=brief.pk)
        status = 400
    taken = brief.submissions.filter(state__in=Submission.HOLDING).count()
    return render(
        request,
        "briefs/brief.html",
        {
            "brief": brief,
            "mine": mine,
            "form": form,
            "error": error,
            "places_left": max(0, brief.places - taken),
            "takes_claims": services.brief_takes_claims(brief),
            "can_submit": mine is not None
            and mine.state in (Submission.State.CLAIMED, Submission.State.RETURNED),
        },
        status=status,
    )


@login_required
@require_POST
def withdraw(request, pk):
    brief = get_object_or_404(Brief, pk=pk)
    mine = _mine(brief, request.user)
    if mine is None:
        raise Http404
    try:
        services.submission_withdraw(submission=mine, user=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        messages.success(request, "You have given your place back.")
    return redirect("briefs:brief", pk=brief.pk)


def image(request, pk):
    """An image sent for a brief: to anyone once approved; before that only to the person
    who sent it and to organisers who review briefs. Everyone else: 404."""
    submission = get_object_or_404(Submission.objects.select_related("supporter"), pk=pk)
    if not submission.image:
        raise Http404
    user = request.user
    allowed = submission.state == Submission.State.APPROVED and submission.supporter_id
    allowed = allowed or (user.is_authenticated and user.has_perm("briefs.view_submission"))
    allowed = allowed or (
        user.is_authenticated
        and submission.supporter is not None
        and submission.supporter.user_id == user.pk
    )
    if not allowed:
        raise Http404
    response = FileResponse(submission.image.open("rb"))
    response["Cache-Control"] = (
        "public, max-age=3600"
        if submission.state == Submission.State.APPROVED
        else "private, no-store"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
