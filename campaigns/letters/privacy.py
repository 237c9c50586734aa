"""Personal data in letters: the writer's name, email, postcode, postal address, IP hash,
the keyed hash of their email (for the other-constituency check), the letter itself and
their answer to "Did your MP reply?".

Erasure keeps each letter's row, without anything about its writer: it counts towards
"letters sent to this MP" and the MP's reply rate, which are public facts about the MP
and must not change when a writer leaves. Subject and body are removed with the rest (a
letter in someone's own words identifies them), and so are its similarity signature and
bands, a fingerprint of the text. The reply answer stays, with no one behind it: the MP's
reply rate is a public fact about the MP. The MP's own copy, already delivered, is out of
reach. (Scrubbing after LETTER_RETENTION_DAYS, services.letters_scrub, removes the text and
address of every letter in the same way, keeping the writer's name and email.)
"""

from campaigns.letters.models import Letter, LetterBand
from volunteers.privacy import PrivacyProvider


def _when(moment):
    return moment.isoformat() if moment else None


def _export(supporter) -> dict:
    letters = Letter.objects.filter(supporter=supporter).select_related(
        "letter_campaign", "representative"
    )
    return {
        "letters": [
            {
                "letter_campaign": letter.letter_campaign.slug,
                "to": letter.representative.name,
                "name": letter.writer_name,
                "email": letter.writer_email,
                "postcode": letter.writer_postcode,
                "address": letter.writer_address,
                "subject": letter.subject,
                "body": letter.body,
                "kind": letter.kind,
                "state": letter.state,
                "sent_from_your_own_email": letter.sent_by_writer,
                "written_at": letter.created_at.isoformat(),
                "confirmed_at": _when(letter.confirmed_at),
                "sent_at": _when(letter.sent_at),
                "bounced_at": _when(letter.bounced_at),
                "expired_at": _when(letter.expired_at),
                "reminded_at": _when(letter.reminded_at),
                "follow_up_sent_at": _when(letter.follow_up_sent_at),
                "did_your_mp_reply": letter.reply,
                "replied_at": _when(letter.replied_at),
                "scrubbed_at": _when(letter.scrubbed_at),
                "not_sent_because": letter.rejection_reason,
            }
            for letter in letters.order_by("pk")
        ]
    }


def _erase(supporter) -> None:
    ids = list(Letter.objects.filter(supporter=supporter).values_list("pk", flat=True))
    LetterBand.objects.filter(letter_id__in=ids).delete()
    for pk in ids:
        Letter.objects.filter(pk=pk).update(
            supporter=None,
            writer_name="",
            writer_email=f"erased-letter-{pk}@erased.invalid",
            writer_postcode="",
            writer_address="",
            subject="",
            body="",
            ip_hash="",
            email_hash="",
            signature=[],
            rejection_reason="",
        )


letters_provider = PrivacyProvider(
    name="letters",
    covers=("letters.Letter",),
    export=_export,
    erase=_erase,
)
