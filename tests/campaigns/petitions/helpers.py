import re

from django.core import mail
from django.test import TestCase

from campaigns.petitions.services import petition_counts_apply, petition_sign


def committed():
    """Run what the code under test queues for after commit (such as the confirmation email
    task, eager in unit tests) when the block ends, as a real commit would."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def sign(petition, n=0, **overrides):
    values = {
        "name": f"Signer {n}",
        "email": f"signer{n}@example.org",
        "postcode": "ZA1 1AA",
    }
    values.update(overrides)
    with committed():
        return petition_sign(petition=petition, **values)


def confirmation_links(to=None) -> list[str]:
    return [
        re.search(r"https?://\S+/confirm/\S+/", message.body).group(0)
        for message in mail.outbox
        if to is None or to in message.to
    ]


def counted_total(petition) -> int:
    petition_counts_apply()
    count = getattr(type(petition).objects.get(pk=petition.pk), "count", None)
    return count.total if count else 0
