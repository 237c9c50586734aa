"""Reply rates: how often each MP answered the letters their constituents sent, from the
writers' answers to the follow-up "Did your MP reply?" (services.letter_reply_record).

An MP's rate is the share of "yes" among final answers (yes and no); "not yet" is no
answer yet and is counted apart. A rate is shown only from LETTER_REPLY_RATE_MIN_ANSWERS
final answers, always with its count beside it: two answers say nothing about an MP.
Answers outlive scrubbing and erasure, so rates do not change when letters are scrubbed.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q

from campaigns.letters.models import Letter


@dataclass(frozen=True)
class ReplyRate:
    answers: int  # final answers: yes and no
    replied: int  # yes
    not_yet: int
    share: float | None  # replied / answers, None below LETTER_REPLY_RATE_MIN_ANSWERS


def reply_rates(*, letter_campaign=None, campaign=None) -> dict[int, ReplyRate]:
    """{representative id: ReplyRate} for the letters of one letter campaign, or of all
    letter campaigns of one campaign, or of all letters if neither is given. MPs with no
    answer at all are absent. One query, grouped by MP, however many letters."""
    letters = Letter.objects.exclude(reply="")
    if letter_campaign is not None:
        letters = letters.filter(letter_campaign_id=letter_campaign.pk)
    if campaign is not None:
        letters = letters.filter(letter_campaign__campaign_id=campaign.pk)
    rows = (
        letters.order_by()
        .values("representative_id")
        .annotate(
            yes=Count("pk", filter=Q(reply=Letter.Reply.YES)),
            no=Count("pk", filter=Q(reply=Letter.Reply.NO)),
            not_yet=Count("pk", filter=Q(reply=Letter.Reply.NOT_YET)),
        )
    )
    least = settings.LETTER_REPLY_RATE_MIN_ANSWERS
    found = {}
    for row in rows:
        answers = row["yes"] + row["no"]
        found[row["representative_id"]] = ReplyRate(
            answers=answers,
            replied=row["yes"],
            not_yet=row["not_yet"],
            share=row["yes"] / answers if answers and answers >= least else None,
        )
    return found
