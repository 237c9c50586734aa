"""The public events pages, phone first and server-rendered: the list (filters, and "near
me" by postcode, nearest first with the distance), an event with its shifts and places
left and a sign-up per shift, and the emailed links that confirm a sign-up, take an offered
place or cancel (cancelling asks first: mail scanners open every link)."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from campaigns.events import calendars, selectors, services
from campaigns.events.forms import (
    CheckInForm,
    EventFilterForm,
    ProposeForm,
    SignUpForm,
    WalkInForm,
)
from campaigns.events.models import RSVP, Event
from campaigns.targets.models import Campaign
from core.forms import column_max_length, form_add_service_errors
from volunteers.places import PlaceError, place_for_postcode

PAGE_SIZE = 20
COOKIE = "event-rsvps"
COOKIE_SALT = "events.rsvp-cookie"
COOKIE_MAX_AGE = 60 * 60 * 24 * 120


@require_GET
def events_list(request):
    form = EventFilterForm(request.GET or None)
    filters, status = {}, 200
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {k: data[k] for k in ("kind", "starts_from", "starts_to") if data[k]}
        if data["near"]:
            try:
                place = place_for_postcode(data["near"])
            except PlaceError as error:
                form.add_error("near", error.message)
                status = 400
            else:
                if place.latitude is None:
                    form.add_error("near", "We don't know where that postcode is on a map.")
                    status = 400
                else:
                    within = float(data["within_km"]) if data["within_km"] else None
                    filters["near"] = selectors.Near(place.latitude, place.longitude, within)
    elif form.is_bound:
        status = 400
    events = selectors.public_events(**filters) if status == 200 else selectors.public_events()
    page = Paginator(events.prefetch_related("shifts"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "events/list.html",
        {"form": form, "page": page, "near": "near" in filters},
        status=status,
    )


def _rsvp_ids(request) -> list[int]:
    raw = request.get_signed_cookie(COOKIE, default="", salt=COOKIE_SALT)
    return [int(x) for x in raw.split(",") if x.isdigit()][-50:]


def _remember(request, response, rsvp):
    ids = [*(_rsvp_ids(request)), rsvp.pk]
    response.set_signed_cookie(
        COOKIE,
        ",".join(str(pk) for pk in dict.fromkeys(ids)),
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


@require_http_methods(["GET", "POST"])
def event_page(request, slug):
    event = selectors.event_with_shifts(slug)
    if event is None:
        raise Http404
    signed_in = request.user.is_authenticated
    form = None
    if request.method == "POST":
        form = SignUpForm(request.POST, signed_in=signed_in)
        rsvp = _sign_up(request, event, form) if form.is_valid() else None
        if rsvp is not None:
            messages.success(request, _signed_up_message(rsvp, signed_in))
            response = redirect("events:event", slug=event.slug)
            return _remember(request, response, rsvp) if signed_in else response
    shows_address = selectors.shows_address(event, user=request.user, rsvp_ids=_rsvp_ids(request))
    return render(
        request,
        "events/event.html",
        {
            "event": event,
            "campaign": event.campaign,
            "shifts": event.shifts.all(),
            "form": form or SignUpForm(signed_in=signed_in, initial={"source": _source(request)}),
            "failed_shift": form.data.get("shift") if form is not None else None,
            "shows_address": shows_address,
        },
        status=400 if form is not None else 200,
    )


def _source(request) -> str:
    """Where a visitor came from, as a shared link says (?source=, else ?ref=), cut to
    what the column holds: a long one must never stop anyone signing up."""
    given = request.GET.get("source") or request.GET.get("ref") or "web"
    return given[: column_max_length(RSVP, "source")]


def _sign_up(request, event, form) -> RSVP | None:
    """Sign up from a valid form, through the service; None with the errors on the form."""
    data = form.cleaned_data
    shift = next((s for s in event.shifts.all() if s.pk == data["shift"]), None)
    if shift is None:
        form.add_error(None, "Choose one of this event's shifts.")
        return None
    shift.event = event
    user = request.user if request.user.is_authenticated else None
    name = data["name"] or (user.name or user.email if user else "")
    try:
        rsvp, _ = services.rsvp_create(
            shift=shift,
            name=name,
            email="" if user else data["email"],
            phone=data["phone"],
            share_contact=data["share_contact"],
            user=user,
            source=data["source"] or "web",
        )
    except ValidationError as error:
        form_add_service_errors(form, error)
        return None
    return rsvp


def _signed_up_message(rsvp, signed_in) -> str:
    if not signed_in:
        return "Thank you. Check your email and follow the link to confirm your place."
    if rsvp.state == RSVP.State.WAITING:
        return (
            "This shift is full, so you're on its waiting list: we'll email you if a place frees."
        )
    return "You're signed up. We've emailed you your check-in code."


ACTIONS = {
    "confirm": services.rsvp_confirm,
    "accept": services.rsvp_offer_accept,
}


@require_http_methods(["GET", "POST"])
def rsvp_link_page(request, token, action):
    """The emailed links: "confirm" and "accept" act on opening; "cancel" asks first."""
    if action not in ("confirm", "accept", "cancel"):
        raise Http404
    try:
        if action == "cancel":
            if request.method != "POST":
                return render(request, "events/rsvp.html", {"action": "cancel", "ask": True})
            rsvp = services.rsvp_cancel_by_token(token=token)
        else:
            rsvp = ACTIONS[action](token=token)
    except ValidationError as error:
        return render(
            request, "events/rsvp.html", {"action": action, "error": error.messages[0]}, status=400
        )
    rsvp = RSVP.objects.select_related("shift__event").get(pk=rsvp.pk)
    response = render(
        request,
        "events/rsvp.html",
        {"action": action, "rsvp": rsvp, "event": rsvp.shift.event, "shift": rsvp.shift},
    )
    return response if action == "cancel" else _remember(request, response, rsvp)


CALENDAR = "text/calendar; charset=utf-8"


@require_GET
def event_ics(request, slug):
    event = selectors.event_with_shifts(slug)
    if event is None:
        raise Http404
    response = HttpResponse(calendars.event_calendar(event), content_type=CALENDAR)
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


@require_GET
def campaign_feed(request, campaign_slug):
    campaign = Campaign.objects.filter(slug=campaign_slug, is_published=True).first()
    if campaign is None:
        raise Http404
    response = HttpResponse(calendars.campaign_feed(campaign), content_type=CALENDAR)
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_http_methods(["GET", "POST"])
def check_in_page(request, slug):
    """The host's (or an organiser's) check-in page, on a phone: a code typed or scanned
    (the QR opens this page with ?code=), walk-ins with their email and consent, and
    no-shows marked at the end."""
    event = Event.objects.filter(slug=slug).select_related("host").first()
    if event is None:
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not services.check_in_allowed(event=event, user=request.user):
        raise PermissionDenied
    shifts = list(event.shifts.order_by("starts_at", "pk").prefetch_related("rsvps"))
    code_form = CheckInForm(initial={"code": request.GET.get("code", "")})
    walk_in_form, status = WalkInForm(shifts=shifts), 200
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "code":
                code_form = CheckInForm(request.POST)
                if code_form.is_valid():
                    rsvp = services.check_in_by_code(
                        event=event, code=code_form.cleaned_data["code"]
                    )
                    messages.success(request, f"Checked in: {rsvp.name} ({rsvp.code}).")
                    return redirect("events:check-in", slug=event.slug)
            elif step == "walk_in":
                walk_in_form = WalkInForm(request.POST, shifts=shifts)
                if walk_in_form.is_valid():
                    shift = next(s for s in shifts if s.pk == walk_in_form.cleaned_data["shift"])
                    shift.event = event
                    data = walk_in_form.cleaned_data
                    rsvp = services.walk_in(
                        shift=shift, name=data["name"], email=data["email"], consent=data["consent"]
                    )
                    messages.success(request, f"Checked in: {rsvp.name} (walk-in).")
                    return redirect("events:check-in", slug=event.slug)
            elif step == "no_shows":
                chosen = request.POST.get("shift", "")
                shift = next((s for s in shifts if str(s.pk) == chosen), None)
                if shift is None:
                    raise Http404
                marked = services.no_shows_mark(shift=shift)
                messages.success(
                    request, f"{marked} marked as no-show{'s' if marked != 1 else ''}."
                )
                return redirect("events:check-in", slug=event.slug)
        except ValidationError as error:
            if step == "no_shows":
                messages.error(request, error.messages[0])
                return redirect("events:check-in", slug=event.slug)
            form_add_service_errors(code_form if step == "code" else walk_in_form, error)
        status = 400
    return render(
        request,
        "events/check_in.html",
        {
            "event": event,
            "shifts": shifts,
            "code_form": code_form,
            "walk_in_form": walk_in_form,
            "now": timezone.now(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def propose_page(request):
    """A signed-in volunteer proposes an event they will host; organisers approve it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_propose(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Thank you: your event is with our organisers. We'll email you when it's "
                "approved and open for sign-ups.",
            )
            return redirect("events:list")
    return render(
        request, "events/propose.html", {"form": form}, status=400 if form.errors else 200
    )
