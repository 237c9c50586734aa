"""The storm page, phone first and server-rendered (script only refreshes the counts, ticks
the countdown and copies text), in three phases:

- before: the countdown, the briefing and the pledge (a button when signed in, else an
  email confirmed by link);
- during: the supporter's hand-out (an angle with a starter post, and a target account),
  "write your post" seeded with the starter, and "Check my post" (step=check), which
  shows how the whole text counts on each network and the buttons that open each
  network's compose window with it; Mastodon opens on the supporter's own server
  (storm_mastodon); "copy" serves any other;
- after: "I took part" (step=report) and the storm's results.

A pledger is known by their account, or in this browser by a signed cookie set when they
pledge or confirm. The platform never posts: every post is made by the supporter.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from campaigns.storms import services
from campaigns.storms.forms import MastodonForm, PledgeForm, PostForm, ReportForm
from campaigns.storms.models import Phase, Pledge
from campaigns.storms.selectors import (
    published_storm,
    published_storms,
    storm_counts,
    storm_results,
)
from campaigns.targets.materials import share_material
from core.forms import form_add_service_errors

COOKIE = "storm-pledge-{pk}"
COOKIE_SALT = "storms.pledge-cookie"
COOKIE_MAX_AGE = 60 * 60 * 24 * 60
EMAIL_PLEDGE_MESSAGE = (
    "Thank you. Check your email and follow the link to confirm your pledge (on this phone, "
    "so this page knows you when the storm starts)."
)


def _pledge_for(request, storm) -> Pledge | None:
    pledges = Pledge.objects.filter(storm=storm).select_related("storm")
    if request.user.is_authenticated:
        found = pledges.filter(supporter__user=request.user).first()
        if found is not None:
            return found
    pk = request.get_signed_cookie(COOKIE.format(pk=storm.pk), default=None, salt=COOKIE_SALT)
    if pk is None or not str(pk).isdigit():
        return None
    return pledges.filter(pk=int(pk), supporter__isnull=False).first()


def _remember(request, response, storm, pledge):
    """This browser is the pledger's, for the storm: a signed cookie holding the pledge."""
    response.set_signed_cookie(
        COOKIE.format(pk=storm.pk),
        str(pledge.pk),
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


MATERIALS_TTL = 60  # seconds: newly approved share material shows within a minute


def _materials(storm) -> list:
    """The storm's share material, kept in the cache briefly: the page during a storm is
    asked for thousands of times a minute and runs one query (the counts)."""
    return cache.get_or_set(
        f"storms:materials:{storm.pk}",
        lambda: share_material(storm.campaign_id, storm_id=storm.pk),
        MATERIALS_TTL,
    )


def _render(request, storm, *, status=200, pledge=None, **context):
    phase = storm.phase()
    pledge = pledge if pledge is not None else _pledge_for(request, storm)
    context.setdefault("pledge_form", PledgeForm())
    if phase == Phase.DURING and "assignment" not in context:
        context["assignment"] = (
            services.pledge_assignment(pledge=pledge)
            if pledge is not None
            else services.assignment_next(storm=storm)
        )
    if "assignment" in context and "post_form" not in context:
        assignment = context["assignment"]
        context["post_form"] = PostForm(
            initial={
                "post": assignment.starter,
                "storm_target": assignment.storm_target_id,
                "angle": assignment.angle_id,
                "starter_index": assignment.starter_index,
            }
        )
    context.setdefault("report_form", ReportForm(networks=storm.networks))
    if phase == Phase.AFTER:
        context["results"] = storm_results(storm)
    context.update(
        storm=storm,
        campaign=storm.campaign,
        phase=phase,
        now=timezone.now(),
        counts=storm_counts(storm.pk),
        materials=_materials(storm),
        pledge=pledge,
        networks=storm.networks,
    )
    return render(request, "storms/storm.html", context, status=status)


@require_http_methods(["GET", "POST"])
def storm_page(request, slug):
    if request.method == "GET" and not request.GET and not request.COOKIES:
        page = _during_for_a_new_visitor(request, slug)
        if page is not None:
            return page
    storm = published_storm(slug=slug)
    if storm is None:
        raise Http404
    if request.method == "GET":
        if request.GET.get("step") == "check":  # a GET: it stores nothing
            return _check(request, storm, request.GET)
        return _render(request, storm)
    step = request.POST.get("step", "")
    if step == "pledge":
        return _pledge(request, storm)
    if step == "report":
        return _report(request, storm)
    return _render(request, storm, status=400, error="Choose what to do from the page.")


def _pledge(request, storm):
    """Pledge by account (known at once), or by email: then the answer is the same whether
    or not the address had pledged (whether someone took part is political opinion), and
    this browser is remembered only once the emailed link is followed."""
    try:
        if request.user.is_authenticated:
            pledge, created = services.pledge_by_account(storm=storm, user=request.user)
            messages.success(
                request,
                "Thank you: you've pledged." if created else "You've already pledged: thank you.",
            )
            return _remember(request, redirect("storms:storm", slug=storm.slug), storm, pledge)
        form = PledgeForm(request.POST)
        if not form.is_valid():
            return _render(request, storm, status=400, pledge_form=form)
        try:
            services.pledge_by_email(storm=storm, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
            return _render(request, storm, status=400, pledge_form=form)
    except ValidationError as error:  # the storm is over
        return _render(request, storm, status=400, error=error.messages[0])
    messages.success(request, EMAIL_PLEDGE_MESSAGE)
    return redirect("storms:storm", slug=storm.slug)


PAGE_TTL = 30  # seconds: the counts in a kept page may be this old (its script refreshes them)
PAGES_MAX = 2000  # pages this process keeps, at most
# This process's pages for new visitors, by (storm, snapshot version, hand-out), with the
# time each was rendered; and each storm's id by its slug.
_PAGES: dict[tuple, tuple[float, bytes]] = {}
_SLUGS: dict[str, int] = {}


def _during_for_a_new_visitor(request, slug):
    """The page during the storm for a visitor with no cookie at all (the storm's first
    minute: people arriving from a link): not signed in, no pledge, no messages, no form
    that needs a CSRF token. Its HTML depends only on the hand-out, so each hand-out's page
    is rendered once per PAGE_TTL seconds in each process and kept in memory; the hand-out
    still comes from the rotation (services.hand_out_now: one round trip to the cache).
    None when it does not apply (no such storm, or the storm is not on): the full page."""
    pk = _SLUGS.get(slug)
    if pk is None:
        storm = published_storm(slug=slug)
        if storm is None:
            return None
        pk = _SLUGS[slug] = storm.pk
    storm, snapshot, assignment = services.hand_out_now(storm_pk=pk)
    if storm is None or storm.slug != slug or storm.phase() != Phase.DURING:
        _SLUGS.pop(slug, None)
        return None
    key = (pk, snapshot.version, assignment.angle_id, assignment.starter_index,
           assignment.storm_target_id)  # fmt: skip
    kept = _PAGES.get(key)
    now = time.monotonic()
    if kept is not None and now - kept[0] < PAGE_TTL:
        return HttpResponse(kept[1])
    response = _render(request, storm, assignment=assignment, new_visitor=True)
    if len(_PAGES) >= PAGES_MAX:
        _PAGES.clear()
    _PAGES[key] = (now, response.content)
    return response


def _check(request, storm, data):
    if storm.phase() != Phase.DURING:
        return _render(request, storm, status=400, error="The storm is not on now.")
    form = PostForm(data)
    if not form.is_valid():
        return _render(request, storm, status=400, post_form=form, **_given(storm, data))
    given = _given(storm, form.cleaned_data)
    assignment = given["assignment"]
    try:
        checked = services.post_check(
            storm=storm,
            post=form.cleaned_data["post"],
            mentions=assignment.mentions,
            starter=assignment.starter,
        )
    except ValidationError as error:
        form_add_service_errors(form, error)
        return _render(request, storm, status=400, post_form=form, **given)
    mastodon_form = MastodonForm(initial={"text": checked.texts.get("mastodon", "")})
    return _render(
        request, storm, post_form=form, checked=checked, mastodon_form=mastodon_form, **given
    )


def _given(storm, data) -> dict:
    """The hand-out a post was written for (from the form's hidden fields), if it is this
    storm's; else a new one."""

    def number(name):
        value = data.get(name)
        return int(value) if str(value or "").isdigit() else None

    return {
        "assignment": services.assignment_given(
            storm=storm,
            angle_id=number("angle"),
            starter_index=number("starter_index") or 0,
            storm_target_id=number("storm_target"),
        )
    }


def _report(request, storm):
    pledge = _pledge_for(request, storm)
    form = ReportForm(request.POST, networks=storm.networks)
    if pledge is None or pledge.state != Pledge.State.CONFIRMED:
        message = (
            "Pledge first, then tell us you posted."
            if pledge is None
            else "Confirm your pledge from the email we sent you first."
        )
        return _render(request, storm, status=400, report_form=form, error=message)
    if not form.is_valid():
        return _render(request, storm, status=400, report_form=form)
    try:
        _, created = services.report_post(storm=storm, pledge=pledge, **form.cleaned_data)
    except ValidationError as error:
        form_add_service_errors(form, error)
        return _render(request, storm, status=400, report_form=form)
    messages.success(
        request,
        "Thank you for taking part: we've counted your post."
        if created
        else "You've already told us you took part: thank you.",
    )
    return redirect("storms:storm", slug=storm.slug)


@require_GET
def storm_mastodon(request, slug):
    """Open the post on the supporter's own Mastodon server's share page."""
    storm = get_object_or_404(published_storms(), slug=slug)
    form = MastodonForm(request.GET)
    if form.is_valid():
        try:
            return redirect(
                services.mastodon_share_url(
                    server=form.cleaned_data["server"], text=form.cleaned_data["text"]
                )
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
    return render(
        request,
        "storms/mastodon.html",
        {"storm": storm, "campaign": storm.campaign, "form": form},
        status=400,
    )


@require_GET
def pledge_confirm_page(request, token):
    try:
        pledge = services.pledge_confirm(token=token)
    except services.ConfirmationInvalid as error:
        return render(request, "storms/confirmed.html", {"error": error.messages[0]}, status=400)
    storm = pledge.storm
    response = render(
        request,
        "storms/confirmed.html",
        {"pledge": pledge, "storm": storm, "shown": storm.is_published},
    )
    return _remember(request, response, storm, pledge)
