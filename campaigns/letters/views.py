"""The letter page, phone first and server-rendered in steps (no script needed):

1. the postcode (a GET form, so the next step is a plain link: ?postcode=...);
2. your MP, where they stand on the campaign's tally, the campaign's guidance and talking
   points, and the letter form (which posts back here);
3. "Check your letter": exactly what will be sent, with Edit and Send buttons (the
   letter travels in hidden fields: nothing is stored before Send);
4. Send calls services.letter_write and redirects to "check your email" (or, when the
   letter is held as too like others, to a page asking for the writer's own words); or,
   beside the mailto link that sends it from the writer's own email, "I've sent it from
   my own email" (step=sent_myself) calls services.letter_sent_by_writer and redirects to
   a page asking the writer to confirm it by the emailed link, which counts it.

The emailed link comes to letter_confirm_page, which calls services.letter_confirm; the
link a writer of a held letter is emailed comes to letter_rewrite_page, which calls
services.letter_rewrite.
"""

from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from campaigns.letters import services
from campaigns.letters.forms import LetterForm, PostcodeForm, RewriteForm
from campaigns.letters.models import Letter, LetterCampaign
from campaigns.targets.models import Target
from campaigns.targets.selectors import representative_for_postcode
from core.forms import form_add_service_errors
from core.http import client_ip
from volunteers.places import PlaceError, normalise_postcode


def public_letter_campaigns():
    return LetterCampaign.objects.filter(campaign__is_published=True).select_related("campaign")


def _representative(postcode_form: PostcodeForm):
    """The writer's current MP for a valid postcode form, by the same selectors
    letter_write uses; None, with the reason on the form's postcode field, otherwise."""
    if not postcode_form.is_valid():
        return None
    try:
        representative = representative_for_postcode(postcode_form.cleaned_data["postcode"])
    except PlaceError as error:
        postcode_form.add_error("postcode", error.message)
        return None
    if representative is None:
        postcode_form.add_error(
            "postcode",
            "We don't have a current MP for that postcode, so we can't send a letter there yet.",
        )
    return representative


def _mp_context(letter_campaign: LetterCampaign, representative) -> dict:
    """Your MP: where they stand on the campaign's tally, and whether the letter is a thank
    you (services.letter_kind decides, as it does for the letter stored)."""
    target = (
        Target.objects.filter(
            campaign_id=letter_campaign.campaign_id, representative=representative
        )
        .only("status")
        .first()
    )
    kind = services.letter_kind(letter_campaign=letter_campaign, representative=representative)
    return {
        "representative": representative,
        "target": target,
        "thanks": kind == Letter.Kind.THANKS,
    }


def _render(request, template, letter_campaign, status=200, **context):
    context["letter_campaign"] = letter_campaign
    context["campaign"] = letter_campaign.campaign
    return render(request, template, context, status=status)


def _postcode_step(request, letter_campaign, form, status=200):
    return _render(request, "letters/postcode.html", letter_campaign, status, form=form)


def _writing_step(request, letter_campaign, representative, form, status=200):
    return _render(
        request,
        "letters/write.html",
        letter_campaign,
        status,
        form=form,
        talking_points=[p for p in letter_campaign.talking_points or [] if isinstance(p, str)],
        **_mp_context(letter_campaign, representative),
    )


def _preview(request, letter_campaign, representative, form):
    data = form.cleaned_data
    unsent = Letter(
        representative=representative,
        writer_name=" ".join(data["name"].split()),
        writer_address=data["address"],
        writer_postcode=normalise_postcode(data["postcode"]),
        subject=" ".join(data["subject"].split()),
        body=data["body"],
    )
    text = services.letter_text(unsent)
    mailto = ""
    if representative.email:
        # From the writer's own email: the letter without the footer saying Groundswell
        # delivered it (the last "--" signature separator and what follows).
        own = text.rpartition("\n--\n")[0] or text
        mailto = (
            f"mailto:{quote(representative.email, safe='@')}"
            f"?subject={quote(unsent.subject, safe='')}&body={quote(own, safe='')}"
        )
    return _render(
        request,
        "letters/preview.html",
        letter_campaign,
        form=form,
        letter=unsent,
        text=text,
        sender=settings.LETTER_FROM_EMAIL,
        mailto=mailto,
        **_mp_context(letter_campaign, representative),
    )


@require_http_methods(["GET", "POST"])
def letter_page(request, slug):
    letter_campaign = get_object_or_404(public_letter_campaigns(), slug=slug)
    if not letter_campaign.is_open():
        return _render(
            request,
            "letters/closed.html",
            letter_campaign,
            status=200 if request.method == "GET" else 400,
        )

    if request.method == "GET":
        if "postcode" not in request.GET:
            return _postcode_step(request, letter_campaign, PostcodeForm())
        postcode_form = PostcodeForm(request.GET)
        representative = _representative(postcode_form)
        if representative is None:
            return _postcode_step(request, letter_campaign, postcode_form, status=400)
        form = LetterForm(
            initial={"postcode": postcode_form.cleaned_data["postcode"]},
            subject_suggestion=letter_campaign.subject_suggestion,
        )
        return _writing_step(request, letter_campaign, representative, form)

    postcode_form = PostcodeForm({"postcode": request.POST.get("postcode", "")})
    representative = _representative(postcode_form)
    if representative is None:
        return _postcode_step(request, letter_campaign, postcode_form, status=400)
    form = LetterForm(request.POST, subject_suggestion=letter_campaign.subject_suggestion)
    step = request.POST.get("step", "preview")
    if step == "edit":
        form = LetterForm(
            initial=request.POST.dict(), subject_suggestion=letter_campaign.subject_suggestion
        )
        return _writing_step(request, letter_campaign, representative, form)
    if not form.is_valid():
        return _writing_step(request, letter_campaign, representative, form, status=400)
    if step not in ("send", "sent_myself"):
        return _preview(request, letter_campaign, representative, form)

    data = form.cleaned_data
    service = services.letter_sent_by_writer if step == "sent_myself" else services.letter_write
    try:
        letter = service(
            letter_campaign=letter_campaign,
            name=data["name"],
            email=data["email"],
            postcode=data["postcode"],
            address=data["address"],
            subject=data["subject"],
            body=data["body"],
            ip=client_ip(request),
        )
    except ValidationError as error:
        form_add_service_errors(form, error)
        return _writing_step(request, letter_campaign, representative, form, status=400)
    if letter.sent_by_writer:
        return redirect("letters:sent-myself", slug=slug)
    if letter.state == Letter.State.HELD_FOR_REVIEW:
        return redirect("letters:held", slug=slug)
    return redirect("letters:check-email", slug=slug)


@require_GET
def letter_check_email(request, slug):
    letter_campaign = get_object_or_404(public_letter_campaigns(), slug=slug)
    return _render(request, "letters/check_email.html", letter_campaign)


@require_GET
def letter_held(request, slug):
    letter_campaign = get_object_or_404(public_letter_campaigns(), slug=slug)
    return _render(request, "letters/held.html", letter_campaign)


@require_GET
def letter_sent_myself(request, slug):
    letter_campaign = get_object_or_404(public_letter_campaigns(), slug=slug)
    return _render(
        request,
        "letters/sent_myself.html",
        letter_campaign,
        follow_up_days=settings.LETTER_FOLLOW_UP_DAYS,
    )


@require_GET
def letter_confirm_page(request, token):
    """The link from the confirmation email: one tap, and the letter goes to the MP."""
    try:
        letter = services.letter_confirm(token=token)
    except services.ConfirmationInvalid as error:
        return render(request, "letters/confirmed.html", {"error": error.messages[0]}, status=400)
    return _confirmed(request, letter)


def _confirmed(request, letter):
    """ "Your letter is on its way" (or, sent from the writer's own email, "counted")."""
    letter = Letter.objects.select_related("representative", "letter_campaign__campaign").get(
        pk=letter.pk
    )
    campaign = letter.letter_campaign.campaign
    return render(
        request,
        "letters/confirmed.html",
        {
            "letter": letter,
            "letter_campaign": letter.letter_campaign,
            "campaign": campaign,
            "tally_url": reverse("targets:campaign", args=[campaign.slug])
            if campaign.is_published
            else "",
        },
    )


@require_http_methods(["GET", "POST"])
def letter_rewrite_page(request, token):
    """The link emailed to the writer of a letter held as too like others: their letter,
    to say again in their own words; sent once it passes (services.letter_rewrite)."""
    try:
        letter = services.letter_for_rewrite(token=token)
    except services.RewriteInvalid as error:
        return render(request, "letters/rewrite.html", {"error": error.messages[0]}, status=400)
    if request.method == "POST":
        form = RewriteForm(request.POST)
        if form.is_valid():
            try:
                letter = services.letter_rewrite(token=token, **form.cleaned_data)
            except services.RewriteInvalid as error:
                context = {"error": error.messages[0]}
                return render(request, "letters/rewrite.html", context, status=400)
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                return _confirmed(request, letter)
        status = 400
    else:
        form = RewriteForm(initial={"subject": letter.subject, "body": letter.body})
        status = 200
    letter_campaign = letter.letter_campaign
    return render(
        request,
        "letters/rewrite.html",
        {
            "form": form,
            "letter": letter,
            "letter_campaign": letter_campaign,
            "campaign": letter_campaign.campaign,
            "representative": letter.representative,
            "talking_points": [
                p for p in letter_campaign.talking_points or [] if isinstance(p, str)
            ],
        },
        status=status,
    )


REPLY_WORDS = {"yes": "Yes, my MP replied", "no": "No reply", "not_yet": "Not yet"}


@require_http_methods(["GET", "POST"])
def letter_reply_page(request, token, answer):
    """The follow-up's "Did your MP reply?" links. Opening one only asks (mail scanners
    open every link in an email); the button records the answer."""
    if answer not in REPLY_WORDS:
        return render(
            request, "letters/reply.html", {"error": "Answer yes, no or not yet."}, status=400
        )
    context = {"answer": answer, "answer_words": REPLY_WORDS[answer]}
    if request.method == "POST":
        try:
            letter = services.letter_reply_record(token=token, answer=answer)
        except ValidationError as error:
            return render(request, "letters/reply.html", {"error": error.messages[0]}, status=400)
        context.update(recorded=True, letter=letter, recorded_words=REPLY_WORDS[letter.reply])
    return render(request, "letters/reply.html", context)
