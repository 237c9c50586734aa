"""Current MPs from the UK Parliament Members API, read in full and then written at once.

Reading and writing are two steps. `current_members_read` (in members_api.py) makes every
request and checks every answer; only when all of it has been read does
`representatives_apply` write, inside one transaction. So a network failure, an HTTP error
or a malformed answer leaves the database exactly as it was.
"""

from dataclasses import dataclass, field

from django.db import transaction

from campaigns.targets.importers.members_api import (
    ConstituencyRecord,
    MemberRecord,
    ParliamentImportError,
    PartyRecord,
    Source,
    current_members_read,
    fit_to_field,
)
from campaigns.targets.models import Constituency, Party, Representative


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self):
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class ImportResult:
    """What an import changed, by kind of row."""

    representatives: Counts = field(default_factory=Counts)
    no_longer_current: int = 0
    parties: Counts = field(default_factory=Counts)
    constituencies: Counts = field(default_factory=Counts)

    def __str__(self):
        return (
            f"Representatives: {self.representatives}, "
            f"{self.no_longer_current} marked no longer current. "
            f"Parties: {self.parties}. Constituencies: {self.constituencies}."
        )


def representatives_import(*, source: Source) -> ImportResult:
    """Read every current MP from `source`, then bring the database in line with it in one
    transaction (see representatives_apply). Raises ParliamentImportError, having written
    nothing, if anything cannot be read or used."""
    return representatives_apply(members=current_members_read(source=source))


@transaction.atomic
def representatives_apply(*, members: list[MemberRecord]) -> ImportResult:
    """Make the database's parties, constituencies and current MPs match `members`, a
    complete listing of current MPs from current_members_read.

    Rows are matched by Parliament id; a party or constituency without one is adopted when
    its name matches (ignoring case) instead of being duplicated. Representatives with a
    Parliament id who are current but not listed are marked no longer current, before anyone
    takes their seat. Only rows whose values differ are saved, so applying the same listing
    twice writes nothing the second time. Representatives without a Parliament id (demo or
    hand-made rows) are never touched; if one is current in a listed MP's seat, this raises
    ParliamentImportError. All or nothing.
    """
    result = ImportResult()
    parties = _parties_apply(records=[m.party for m in members if m.party], counts=result.parties)
    constituencies = _constituencies_apply(
        records=[m.constituency for m in members], counts=result.constituencies
    )
    _refuse_seats_held_by_unlinked(constituencies)

    existing = {
        r.parliament_id: r for r in Representative.objects.filter(parliament_id__isnull=False)
    }
    listed = {m.parliament_id: m for m in members}
    leavers = [r.pk for pid, r in existing.items() if r.is_current and pid not in listed]
    if leavers:
        Representative.objects.filter(pk__in=leavers).update(is_current=False)
    result.no_longer_current = len(leavers)
    # Sitting MPs who changed seat leave their old seat first, so that a swap of seats
    # never has two current MPs in one constituency, even for a moment.
    movers = [
        existing[m.parliament_id]
        for m in members
        if m.parliament_id in existing
        and existing[m.parliament_id].is_current
        and existing[m.parliament_id].constituency_id
        != constituencies[m.constituency.parliament_id].pk
    ]
    if movers:
        Representative.objects.filter(pk__in=[r.pk for r in movers]).update(is_current=False)
        for representative in movers:
            representative.is_current = False

    for member in members:
        party = parties[member.party.parliament_id] if member.party else None
        _save_if_changed(
            existing.get(member.parliament_id) or Representative(),
            {
                "parliament_id": member.parliament_id,
                "name": member.name[:150],
                "address_as": fit_to_field(Representative, "address_as", member.address_as),
                "party_id": party.pk if party else None,
                "constituency_id": constituencies[member.constituency.parliament_id].pk,
                "email": member.contact.email,
                "phone": member.contact.phone,
                "x_handle": member.contact.x_handle,
                "social_links": member.contact.social_links,
                "website": member.contact.website,
                "postal_address": member.contact.postal_address,
                "photo_url": member.photo_url,
                "is_current": True,
            },
            counts=result.representatives,
        )
    return result


def _parties_apply(*, records: list[PartyRecord], counts: Counts) -> dict[int, Party]:
    by_id = {p.parliament_id: p for p in Party.objects.filter(parliament_id__isnull=False)}
    unlinked = _by_folded_name(Party.objects.filter(parliament_id__isnull=True))
    parties = {}
    for record in {r.parliament_id: r for r in records}.values():
        party = by_id.get(record.parliament_id) or unlinked.pop(record.name.casefold(), Party())
        parties[record.parliament_id] = _save_if_changed(
            party,
            {
                "parliament_id": record.parliament_id,
                "name": record.name,
                "abbreviation": fit_to_field(Party, "abbreviation", record.abbreviation),
                "colour": record.colour,
            },
            counts=counts,
        )
    return parties


def _constituencies_apply(
    *, records: list[ConstituencyRecord], counts: Counts
) -> dict[int, Constituency]:
    by_id = {c.parliament_id: c for c in Constituency.objects.filter(parliament_id__isnull=False)}
    unlinked = _by_folded_name(Constituency.objects.filter(parliament_id__isnull=True))
    constituencies = {}
    for record in records:
        constituency = by_id.get(record.parliament_id) or unlinked.pop(
            record.name.casefold(), Constituency()
        )
        constituencies[record.parliament_id] = _save_if_changed(
            constituency,
            {
                "parliament_id": record.parliament_id,
                "name": record.name[:100],
                "electorate": record.electorate,
                "turnout": record.turnout,
                "majority": record.majority,
            },
            counts=counts,
        )
    return constituencies


def _by_folded_name(queryset) -> dict:
    """Rows by case-folded name; of two rows with one name, the older is kept."""
    rows = {}
    for row in queryset.order_by("-pk"):
        rows[row.name.casefold()] = row
    return rows


def _refuse_seats_held_by_unlinked(constituencies: dict[int, Constituency]) -> None:
    seats = {c.pk for c in constituencies.values()}
    for holder in Representative.objects.filter(
        is_current=True, parliament_id__isnull=True, constituency__isnull=False
    ).select_related("constituency"):
        if holder.constituency_id in seats:
            raise ParliamentImportError(
                f"{holder.constituency} is held by representative {holder.pk} ({holder.name}), "
                "who has no Parliament id: mark them not current, or set their Parliament "
                "id, and run the import again"
            )


def _save_if_changed(instance, values: dict, *, counts: Counts):
    """Save `instance` with `values` (field attnames) only if it is new or differs."""
    if instance.pk is None:
        for name, value in values.items():
            setattr(instance, name, value)
        instance.save()
        counts.created += 1
        return instance
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if not changed:
        counts.unchanged += 1
        return instance
    for name in changed:
        setattr(instance, name, values[name])
    instance.save(update_fields=changed)
    counts.updated += 1
    return instance
