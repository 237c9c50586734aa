"""Reads of letters: public letter campaigns, a writer's own letters, and counts per MP
and per state (for the tally, the organisers' reports and the CSV) - never bodies."""

from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from campaigns.letters.models import Letter, LetterCampaign
from campaigns.letters.replies import reply_rates
from campaigns.targets.figures import Figure
from campaigns.targets.models import Target

# Letters that reached the MP's mail server and did not come back (or that their writer
# says they sent from their own email: sent_by_writer).
SENT_STATES = [Letter.State.SENT]
# A letter its writer sent from their own email counts as sent only if letter_write would
# not have held it (services.letter_sent_by_writer): the same letters that are pressure.
COUNTED = Q(sent_by_writer=False) | Q(hold_reason="")


def public_letter_campaigns() -> QuerySet[LetterCampaign]:
    """Every letter campaign, open and closed, newest first, with its campaign (one query)."""
    return LetterCampaign.objects.select_related("campaign").order_by("-created_at", "-pk")


def writer_letters(user) -> QuerySet[Letter]:
    """The letters of the signed-in account's supporter record(s), newest first."""
    return (
        Letter.objects.filter(supporter__user=user)
        .select_related("letter_campaign", "representative__constituency")
        .order_by("-created_at", "-pk")
    )


def letter_brief(pk: int) -> Letter:
    """A letter with what its writer's view of it shows (one query)."""
    return Letter.objects.select_related("letter_campaign", "representative__constituency").get(
        pk=pk
    )


def letters_sent_per_target(*, campaign, target_ids) -> dict[int, int]:
    """{target id: letters sent to that target's MP in the campaign's letter campaigns},
    in one query however many targets; targets with none are absent. A letter its writer
    sent themselves counts only if it is pressure (COUNTED)."""
    sent = (
        Letter.objects.filter(
            COUNTED,
            letter_campaign__campaign_id=campaign.pk,
            representative_id=OuterRef("representative_id"),
            state__in=SENT_STATES,
        )
        .order_by()
        .values("representative_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        Target.objects.filter(pk__in=list(target_ids), representative__isnull=False)
        .annotate(n=Coalesce(Subquery(sent, output_field=IntegerField()), 0))
        .filter(n__gt=0)
        .values_list("pk", "n")
    )
    return dict(rows)


def letter_figures(campaign, target_ids) -> dict[int, dict[str, Figure]]:
    """The tally's figures of letters (campaigns.targets.figures provider): letters sent,
    and the MP's reply rate once LETTER_REPLY_RATE_MIN_ANSWERS writers have answered, with
    the number of answers beside it. Three queries however many targets and letters."""
    found: dict[int, dict[str, Figure]] = {
        target_id: {"letters_sent": Figure(label="Letters sent", value=n)}
        for target_id, n in letters_sent_per_target(
            campaign=campaign, target_ids=target_ids
        ).items()
    }
    rates = reply_rates(campaign=campaign)
    if rates:
        mps = Target.objects.filter(pk__in=target_ids).values_list("pk", "representative_id")
        for target_id, representative_id in mps:
            rate = rates.get(representative_id)
            if rate is not None and rate.share is not None:
                found.setdefault(target_id, {})["reply_rate"] = Figure(
                    label="Replied",
                    value=round(rate.share, 3),
                    display=f"{rate.share:.0%} of {rate.answers} answers",
                )
    return found


def counts_per_mp(letters: QuerySet[Letter] | None = None) -> list[dict]:
    """One row per MP and letter campaign: the MP, the campaign, and the number of letters
    in each state (plus total), largest total first. One query; never bodies."""
    letters = Letter.objects.all() if letters is None else letters
    states = {state: Count("pk", filter=Q(state=state)) for state in Letter.State.values}
    return list(
        letters.order_by()
        .values(
            "letter_campaign__slug",
            "representative_id",
            "representative__name",
            "representative__constituency__name",
        )
        .annotate(total=Count("pk"), **states)
        .order_by("-total", "representative__name")
    )


def counts_per_state(letters: QuerySet[Letter] | None = None) -> dict[str, int]:
    """{state: number of letters}, every state present. One query."""
    letters = Letter.objects.all() if letters is None else letters
    found = dict(letters.order_by().values_list("state").annotate(n=Count("pk")))
    return {state: found.get(state, 0) for state in Letter.State.values}


def bounce_report() -> list[dict]:
    """MPs whose address bounced letters: the MP, their address on record, the number of
    bounced letters and the latest bounce, most recent first. One query."""
    return list(
        Letter.objects.filter(state=Letter.State.BOUNCED)
        .order_by()
        .values("representative_id", "representative__name", "representative__email")
        .annotate(bounced=Count("pk"), last_bounced_at=Max("bounced_at"))
        .order_by("-last_bounced_at")
    )
