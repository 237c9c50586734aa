"""Organiser's pages: the unsubscribe link every mass email carries, and the organisers'
dashboard (/organiser/, organisers only).

The unsubscribe link is RFC 8058 one-click.
A POST unsubscribes at once: that is what mail providers send when someone presses their
"Unsubscribe" button, with `List-Unsubscribe=One-Click` and no page to show. A GET only
shows a button to confirm, because mail scanners follow links and must not unsubscribe
anyone. The signed token is the authority, so the POST needs no CSRF token (a provider has
none to send).
"""

import csv
import io
from functools import wraps

from csp.decorators import csp_replace
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from campaigns.targets.models import Campaign
from core.cells import spreadsheet_safe
from organiser.dashboard import dashboard_for
from organiser.models import DashboardFigure
from organiser.rendering import unsubscribe_ids
from organiser.services import unsubscribe_by_token

SECTIONS = {
    "path": "The path to the threshold",
    "push": "Push next",
    "pressure": "Pressure per target",
    "petitions": "Petitions",
    "events": "Events",
    "volunteers": "Volunteers",
    "email": "Email",
    "abuse": "Abuse",
}

ROWS_SHOWN = 50  # a table's first rows on the page; its CSV has them all
REVIEW_LINKS = {
    "Suspect signatures": "admin:petitions_signature_changelist",
    "Letters held for review": "admin:letters_letter_changelist",
}

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
    """The campaign's dashboard: the stored tables, in sections, each with its chart (an
    image fetched from dashboard_chart), its CSV link and when it was computed."""
    campaign = get_object_or_404(Campaign, slug=slug)
    return render(
        request, "organiser/dashboard.html", dashboard_context(campaign, dashboard_for(campaign))
    )


def dashboard_context(campaign: Campaign, figures: list[DashboardFigure]) -> dict:
    """What the dashboard template shows of these figures: each with the first ROWS_SHOWN
    rows as cells, grouped by section in their order."""
    sections = {}
    for figure in figures:
        figure.shown_rows = [
            [_cell(v, c) for v, c in zip(row, figure.columns, strict=False)]
            for row in figure.rows[:ROWS_SHOWN]
        ]
        figure.hidden_rows = max(0, len(figure.rows) - ROWS_SHOWN)
        sections.setdefault(figure.section, []).append(figure)
    return {
        "campaign": campaign,
        "sections": [(key, SECTIONS[key], found) for key, found in sections.items()],
        "computed_at": min((f.computed_at for f in figures), default=None),
    }


def _cell(value, column: str):
    """A stored value as the page shows it: shares and rates as percentages, nothing as a
    dash, the review queues as links to the admin."""
    if value is None:
        return "\N{EN DASH}"
    if isinstance(value, float) and ("Share" in column or "rate" in column):
        return f"{value:.1%}"
    if value in REVIEW_LINKS:
        return {"text": value, "url": reverse(REVIEW_LINKS[value])}
    return value


def _figure(slug: str, key: str) -> DashboardFigure:
    return get_object_or_404(DashboardFigure, campaign__slug=slug, key=key)


@organiser_required
def dashboard_csv(request, slug, key):
    """One table of the dashboard as CSV: its columns, then its rows (one query)."""
    figure = _figure(slug, key)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(figure.columns)
    for row in figure.rows:
        writer.writerow([spreadsheet_safe(v) if isinstance(v, str) else v for v in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime(figure.computed_at).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{key}-{stamp}.csv"'
    return response


@organiser_required
@csp_replace({"style-src": ["'unsafe-inline'"], "script-src": ["'none'"]})
def dashboard_chart(request, slug, key):
    """One table's chart as an SVG image (its own styles inline, no script)."""
    figure = _figure(slug, key)
    if not figure.chart_svg:
        raise Http404
    response = HttpResponse(figure.chart_svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, max-age=60"
    return response
