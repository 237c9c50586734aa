from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from campaigns.petitions import services
from campaigns.petitions.forms import SignForm
from campaigns.petitions.models import Signature
from campaigns.petitions.selectors import (
    constituency_counts,
    next_milestone,
    petition_total,
    public_petitions,
)
from campaigns.targets.models import Constituency, Representative
from core.forms import column_max_length, form_add_service_errors
from core.http import client_ip

SIGNED_SALT = "petitions.signed"


def _page_context(petition, form):
    total, updated_at = petition_total(petition)
    milestone = next_milestone(petition, total)
    return {
        "petition": petition,
        "form": form,
        "total": total,
        "updated_at": updated_at,
        "milestone": milestone,
        "percent": min(100, total * 100 // milestone) if milestone else 0,
        "top_constituencies": constituency_counts(petition, limit=10),
        "share_url": settings.SITE_URL.rstrip("/") + petition_url(petition),
    }


def petition_url(petition) -> str:
    return reverse("petitions:detail", args=[petition.slug])


@require_http_methods(["GET", "POST"])
def petition_detail(request, slug):
    """The petition, its count, and the form to sign it (which posts back here)."""
    petition = get_object_or_404(public_petitions(), slug=slug)
    if request.method == "GET":
        # Tracking values from a shared link, cut to what their columns hold: a long one
        # must never stop a supporter signing.
        initial = {
            "source": request.GET.get("source", "web")[: column_max_length(Signature, "source")],
            "ref": request.GET.get("ref", "")[: column_max_length(Signature, "referred_by")],
        }
        services.petition_view_record(petition_id=petition.pk)
        return render(
            request, "petitions/detail.html", _page_context(petition, SignForm(initial=initial))
        )

    form = SignForm(request.POST)
    if form.is_bot:
        return redirect("petitions:signed", slug=slug, payload=_signed_payload("", ""))
    if form.is_valid():
        data = form.cleaned_data
        try:
            signed = services.petition_sign(
                petition=petition,
                name=data["name"],
                email=data["email"],
                postcode=data["postcode"],
                campaign_email_opt_in=data["campaign_email"],
                source=data["source"] or "web",
                referred_by=data["ref"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            payload = _signed_payload(signed.constituency_code, signed.share_code)
            return redirect("petitions:signed", slug=slug, payload=payload)
    return render(request, "petitions/detail.html", _page_context(petition, form), status=400)


def _signed_payload(constituency_code: str, share_code: str) -> str:
    return signing.dumps({"c": constituency_code, "r": share_code}, salt=SIGNED_SALT)


def petition_signed(request, slug, payload):
    """After signing: what happens next, your MP, and links to share. Built only from this
    submission, so it says nothing about whether the address had signed before."""
    petition = get_object_or_404(public_petitions(), slug=slug)
    try:
        data = signing.loads(payload, salt=SIGNED_SALT, max_age=60 * 60 * 24)
    except signing.BadSignature as error:
        raise Http404 from error
    representative = None
    if data["c"]:
        representative = (
            Representative.objects.filter(constituency__ons_code=data["c"], is_current=True)
            .select_related("party", "constituency")
            .first()
        )
    constituency = Constituency.objects.filter(ons_code=data["c"]).first() if data["c"] else None
    share_url = settings.SITE_URL.rstrip("/") + petition_url(petition)
    if data["r"]:
        share_url += f"?ref={data['r']}"
    return render(
        request,
        "petitions/signed.html",
        {
            "petition": petition,
            "representative": representative,
            "constituency": constituency,
            "share_url": share_url,
        },
    )


def petition_confirm(request, slug, token):
    """The link from the confirmation email: one tap, and the signature counts."""
    try:
        signature = services.signature_confirm(token=token)
    except services.ConfirmationInvalid as error:
        petition = get_object_or_404(public_petitions(), slug=slug)
        return render(
            request,
            "petitions/confirmed.html",
            {"petition": petition, "error": error.messages[0]},
            status=400,
        )
    if signature.petition.slug != slug:
        raise Http404
    total, _ = petition_total(signature.petition)
    return render(
        request,
        "petitions/confirmed.html",
        {"petition": signature.petition, "signature": signature, "total": total},
    )
