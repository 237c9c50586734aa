"""Organiser's pages: the unsubscribe link every mass email carries, and the organisers'
dashboard (/organiser/, organisers only).

The unsubscribe link is RFC 8058 one-click.
A POST unsubscribes at once: that is what mail providers send when someone presses their
"Unsubscribe" button, with `List-Unsubscribe=One-Click` and no page to show. A GET only
shows a button to confirm, because mail scanners follow links and must not unsubscribe
anyone. The signed token is the authority, so the POST needs no CSRF token (a provider has
none to send).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from campaigns.targets.models import Campaign
from organiser.dashboard import WEIGHTS, dashboard_for
from organiser.rendering import unsubscribe_ids
from organiser.services import unsubscribe_by_token

INVALID = (
    "This unsubscribe link is not one of ours, or it was cut short. "
    "Copy the whole link from the email."
)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    if request.method == "GET":
        try:
            unsubscribe_ids(token)
        except (signing.BadSignature, ValueError):
            return render(request, "organiser/unsubscribe.html", {"error": INVALID}, status=404)
        return render(request, "organiser/unsubscribe.html", {"token": token})
    if not unsubscribe_by_token(token=token):
        if request.POST.get("from_page"):
            return render(request, "organiser/unsubscribe.html", {"error": INVALID}, status=400)
        return HttpResponse("Not a valid unsubscribe link.", status=400, content_type="text/plain")
    if request.POST.get("from_page"):
        return render(request, "organiser/unsubscribe.html", {"done": True})
    return HttpResponse("Unsubscribed.", content_type="text/plain")


def organiser_required(view):
    """Organisers only: signed-out people go to the sign-in page, signed-in people who
    are not organisers get 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@organiser_required
def dashboards(request):
    return render(
        request,
        "organiser/dashboards.html",
        {"campaigns": Campaign.objects.order_by("-created_at")},
    )


@organiser_required
def dashboard(request, slug):
    campaign = get_object_or_404(Campaign, slug=slug)
    board = dashboard_for(campaign)
    return render(
        request,
        "organiser/dashboard.html",
        {"campaign": campaign, "board": board, "weights": WEIGHTS},
    )
