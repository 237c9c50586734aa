"""Reads of petitions and their counts: a handful of small rows, never COUNT(*)."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Q, Value, When
from django.utils import timezone

from campaigns.petitions.models import ConstituencyCount, Petition, PetitionCount, Signature
from campaigns.targets.models import Constituency, Representative
from core.db import select_sql


@dataclass(frozen=True)
class SeatCount:
    code: str
    name: str
    total: int


def public_petitions():
    return Petition.objects.exclude(state=Petition.State.DRAFT).select_related("campaign", "count")


def petition_for_signing(slug: str) -> Petition | None:
    """The petition a signature is for, if it is not a draft, with only what signing reads
    (other fields load on first use). A hand-written SELECT: signing is the hot path, and
    this costs about a third of building the same query through the ORM."""
    sql = select_sql(
        Petition,
        ("id", "campaign", "slug", "state", "opens_at", "closes_at", "confirmation_required"),
        "{slug} = %s AND {state} <> %s",
    )
    found = Petition.objects.raw(sql, [slug, Petition.State.DRAFT])
    return next(iter(found), None)


def petition_total(petition: Petition) -> tuple[int, object]:
    """(confirmed total, when it last changed), from the one PetitionCount row."""
    count = PetitionCount.objects.filter(petition=petition).values_list("total", "updated_at")
    row = count.first()
    return row if row else (0, petition.created_at)


def constituency_counts(petition: Petition, limit: int | None = None) -> list[SeatCount]:
    """Totals per constituency, largest first, with names (two queries in all)."""
    counts = ConstituencyCount.objects.filter(petition=petition, total__gt=0).order_by(
        "-total", "constituency_code"
    )
    if limit:
        counts = counts[:limit]
    rows = list(counts.values_list("constituency_code", "total"))
    names = dict(
        Constituency.objects.filter(ons_code__in=[code for code, _ in rows]).values_list(
            "ons_code", "name"
        )
    )
    return [SeatCount(code, names.get(code, code or "Unknown"), total) for code, total in rows]


def next_milestone(petition: Petition, total: int) -> int:
    """The next count worth celebrating: a milestone not yet reached, else the goal."""
    ahead = sorted(m for m in petition.milestones if isinstance(m, int) and m > total)
    return ahead[0] if ahead and ahead[0] < petition.goal else petition.goal


# Organiser reports. These COUNT and GROUP BY over one petition's signatures, so they serve
# admin pages only, never a public one; each table is one query, whatever its length.

# What Signature.state says, as filters that exclude one another, in the order it decides.
SIGNATURE_STATES = {
    "invalidated": Q(invalidated_at__isnull=False),
    "suspect": Q(invalidated_at__isnull=True, is_suspect=True),
    "counted": Q(invalidated_at__isnull=True, is_suspect=False, counted=True),
    "pending": Q(invalidated_at__isnull=True, is_suspect=False, counted=False),
}


def _state_counts() -> dict:
    """Aggregates for a group of signatures: all of them, and how many are in each state.

    Named apart from the fields ("n_counted", not "counted"): an aggregate named like a
    field would shadow the field its own filter reads. _named drops the prefix again.
    """
    return {
        "n_total": Count("pk"),
        **{f"n_{state}": Count("pk", filter=q) for state, q in SIGNATURE_STATES.items()},
    }


def _named(row: dict) -> dict:
    return {key.removeprefix("n_"): value for key, value in row.items()}


def _busiest(petition: Petition, field: str, limit: int) -> list[dict]:
    rows = (
        Signature.objects.filter(petition=petition)
        .exclude(**{field: ""})
        .values(field)
        .annotate(**_state_counts())
        .order_by("-n_total", field)[:limit]
    )
    return [_named(row) for row in rows]


def busiest_ip_hashes(petition: Petition, limit: int = 20) -> list[dict]:
    """The IP hashes with most signatures: {"ip_hash", "total", and a count per state}."""
    return _busiest(petition, "ip_hash", limit)


def busiest_email_domains(petition: Petition, limit: int = 20) -> list[dict]:
    """The email domains with most signatures: {"email_domain", "total", counts per state}."""
    return _busiest(petition, "email_domain", limit)


def repeated_canonical_emails(petition: Petition, limit: int = 20) -> list[dict]:
    """Canonical addresses behind more than one signature (plus-tags, Gmail dots), most first."""
    return [row for row in _busiest(petition, "canonical_email", limit) if row["total"] > 1]


def state_counts(signatures) -> dict[str, int]:
    """{"total", "invalidated", "suspect", "counted", "pending"} over a queryset of
    signatures, in one query."""
    return _named(signatures.aggregate(**_state_counts()))


def signature_state_counts(petition: Petition) -> dict[str, int]:
    """State counts over the petition's signatures now (the published total catches up
    with "counted" once counts are applied)."""
    return state_counts(Signature.objects.filter(petition=petition))


def signatures_by_source(petition: Petition) -> list[dict]:
    """{"source", "total", counts per state} for each source, largest first."""
    rows = (
        Signature.objects.filter(petition=petition)
        .values("source")
        .annotate(**_state_counts())
        .order_by("-n_total", "source")
    )
    return [_named(row) for row in rows]


@dataclass(frozen=True)
class Referrer:
    code: str
    name: str  # of the signer whose share link it is; blank if the code matches none
    total: int
    counted: int


def top_referrers(petition: Petition, limit: int = 20) -> list[Referrer]:
    """The share codes that brought most signatures, with whose link each is (two queries)."""
    rows = list(
        Signature.objects.filter(petition=petition)
        .exclude(referred_by="")
        .values_list("referred_by")
        .annotate(n_total=Count("pk"), n_counted=Count("pk", filter=SIGNATURE_STATES["counted"]))
        .order_by("-n_total", "referred_by")[:limit]
    )
    names = dict(
        Signature.objects.filter(
            petition=petition, share_code__in=[code for code, _, _ in rows]
        ).values_list("share_code", "name")
    )
    return [Referrer(code, names.get(code, ""), total, counted) for code, total, counted in rows]


def signatures_matching(
    petition: Petition,
    *,
    ip_hash: str = "",
    email_domain: str = "",
    canonical_email: str = "",
    postcode: str = "",
    outcode: str = "",
    signed_from=None,
    signed_before=None,
):
    """The petition's signatures that meet every criterion given (in any state)."""
    signatures = Signature.objects.filter(petition=petition)
    exact = {
        "ip_hash": ip_hash,
        "email_domain": email_domain,
        "canonical_email": canonical_email,
        "postcode": postcode,
    }
    signatures = signatures.filter(**{field: value for field, value in exact.items() if value})
    if outcode:
        signatures = signatures.filter(postcode__startswith=f"{outcode} ")
    if signed_from:
        signatures = signatures.filter(created_at__gte=signed_from)
    if signed_before:
        signatures = signatures.filter(created_at__lt=signed_before)
    return signatures


SIGNATURE_EXPORT_COLUMNS = [
    "name",
    "email",
    "postcode",
    "constituency code",
    "constituency name",
    "signed at",
    "confirmed at",
    "state",
    "source",
    "referred by",
]


def signature_export_rows(petition: Petition) -> Iterator[list]:
    """Every signature of the petition as a row in SIGNATURE_EXPORT_COLUMNS order, oldest
    first, read in chunks (two queries, however many rows): fit for 100,000 signatures."""
    names = dict(
        Constituency.objects.filter(
            ons_code__in=Signature.objects.filter(petition=petition).values("constituency_code")
        ).values_list("ons_code", "name")
    )
    state = Case(
        *[When(q, then=Value(name)) for name, q in SIGNATURE_STATES.items()],
        output_field=CharField(),
    )
    rows = (
        Signature.objects.filter(petition=petition)
        .annotate(state_name=state)
        .order_by("created_at", "pk")
        .values_list(
            "name",
            "email",
            "postcode",
            "constituency_code",
            "created_at",
            "confirmed_at",
            "state_name",
            "source",
            "referred_by",
        )
    )
    for name, email, postcode, code, signed, confirmed, state_name, source, ref in rows.iterator(
        chunk_size=2000
    ):
        yield [
            name,
            email,
            postcode,
            code,
            names.get(code, ""),
            _when(signed),
            _when(confirmed),
            state_name,
            source,
            ref,
        ]


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


@dataclass(frozen=True)
class Delivery:
    """One constituency's published count and who to deliver it to."""

    code: str
    name: str
    mp_name: str
    mp_email: str
    total: int


def constituency_deliveries(petition: Petition) -> list[Delivery]:
    """The published count per constituency (ConstituencyCount, exactly what pages show),
    largest first, with each seat's current MP (three queries in all)."""
    seats = constituency_counts(petition)
    mps = {
        code: (name, email)
        for code, name, email in Representative.objects.filter(
            is_current=True, constituency__ons_code__in=[seat.code for seat in seats if seat.code]
        ).values_list("constituency__ons_code", "name", "email")
    }
    return [
        Delivery(seat.code, seat.name, *mps.get(seat.code, ("", "")), seat.total) for seat in seats
    ]
