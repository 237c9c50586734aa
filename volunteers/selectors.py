"""Reads about people used by more than one caller: consent history, the volunteer
directory."""

from itertools import groupby

from volunteers.models import ConsentRecord, Supporter


def consent_history(supporter: Supporter) -> list[tuple[str, list[ConsentRecord]]]:
    """[(purpose label, its records oldest first)] for every purpose the person has
    given consent for: each record is one giving, with the words agreed to, where and
    when, and when it was withdrawn. One query."""
    labels = dict(ConsentRecord.Purpose.choices)
    records = supporter.consents.order_by("purpose", "given_at", "pk")
    return [
        (labels.get(purpose, purpose), list(group))
        for purpose, group in groupby(records, key=lambda record: record.purpose)
    ]
