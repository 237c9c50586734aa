"""Signing under concurrency, on PostgreSQL: the database, not luck, keeps it exact."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connection

from campaigns.petitions.models import ConstituencyCount, PetitionCount, Signature
from campaigns.petitions.services import (
    petition_counts_apply,
    petition_counts_check,
    signature_confirm,
    signatures_invalidate,
    signatures_restore,
)
from tests.campaigns.petitions.helpers import confirmation_links, sign
from tests.factories import PetitionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_at_once(calls: int, work, threads: int = 25) -> list:
    """Run work(i) for i in range(calls) on `threads` threads, each with its own database
    connection, released together; returns the exceptions raised."""
    errors, start = [], threading.Barrier(threads)

    def worker(offset):
        start.wait()
        try:
            for i in range(offset, calls, threads):
                try:
                    work(i)
                except Exception as error:  # reported below
                    errors.append(error)
        finally:
            connection.close()

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(worker, range(threads)))
    return errors


def test_fifty_concurrent_signings_with_one_email_leave_one_signature(petition, seats):
    spellings = ["jo@example.org", "JO@example.org", "  Jo@Example.Org", "jo@EXAMPLE.org "]

    errors = run_at_once(50, lambda i: sign(petition, i, email=spellings[i % 4]), threads=50)

    assert errors == []
    assert Signature.objects.filter(petition=petition).count() == 1
    assert Signature.objects.get().email == "jo@example.org"


def test_a_thousand_concurrent_signatures_count_exactly_once_confirmed(petition, seats, settings):
    settings.PETITION_RATE_LIMITS = {
        k: (10**6, w) for k, (_, w) in settings.PETITION_RATE_LIMITS.items()
    }
    postcodes = list(seats)

    errors = run_at_once(
        1000,
        lambda i: sign(petition, i, postcode=postcodes[i % 3], ip=f"10.0.{i // 200}.{i % 200}"),
    )
    assert errors == []
    links = confirmation_links()
    assert len(links) == 1000
    tokens = [link.rstrip("/").rsplit("/", 1)[1] for link in links]
    errors = run_at_once(1000, lambda i: signature_confirm(token=tokens[i]))
    assert errors == []
    while petition_counts_apply():
        pass

    assert PetitionCount.objects.get(petition=petition).total == 1000
    seat_totals = ConstituencyCount.objects.filter(petition=petition).values_list(
        "total", flat=True
    )
    assert sorted(seat_totals) == [333, 333, 334]
    assert sum(seat_totals) == 1000
    assert len(mail.outbox) == 1000


def published_matches_counted(petition) -> None:
    """After folding everything: the published total and every constituency total are the
    counted signatures, exactly."""
    while petition_counts_apply():
        pass
    counted = Signature.objects.filter(petition=petition, counted=True)
    assert PetitionCount.objects.get(petition=petition).total == counted.count()
    by_seat = {}
    for code in counted.values_list("constituency_code", flat=True):
        by_seat[code] = by_seat.get(code, 0) + 1
    published = dict(
        ConstituencyCount.objects.filter(petition=petition, total__gt=0).values_list(
            "constituency_code", "total"
        )
    )
    assert published == by_seat


def test_checking_counts_while_confirming_and_folding_finds_nothing_and_keeps_them_exact(
    petition, seats, settings
):
    settings.PETITION_RATE_LIMITS = {
        k: (10**6, w) for k, (_, w) in settings.PETITION_RATE_LIMITS.items()
    }
    postcodes = list(seats)
    for i in range(300):
        sign(petition, i, postcode=postcodes[i % 3], ip=f"10.1.{i // 200}.{i % 200}")
    tokens = [link.rstrip("/").rsplit("/", 1)[1] for link in confirmation_links()]
    # Confirmations, folds and checks interleaved, all released at once.
    jobs = []
    for i, token in enumerate(tokens):
        jobs.append(("confirm", token))
        if i % 5 == 0:
            jobs += [("fold", None), ("check", None)]
    checks = []

    def work(i):
        kind, token = jobs[i]
        if kind == "confirm":
            signature_confirm(token=token)
        elif kind == "fold":
            petition_counts_apply(batch=20)
        else:
            checks.append(petition_counts_check(petition_id=petition.pk))

    errors = run_at_once(len(jobs), work)

    assert errors == []
    assert len(checks) == 60
    assert [check for check in checks if check.differs] == []
    published_matches_counted(petition)
    assert PetitionCount.objects.get(petition=petition).total == 300
    assert not petition_counts_check(petition_id=petition.pk).differs


def test_restoring_and_invalidating_the_same_signatures_at_once_keeps_counts_exact(seats, settings):
    petition = PetitionFactory(confirmation_required=False)
    postcodes = list(seats)
    for i in range(30):
        sign(petition, i, postcode=postcodes[i % 3], ip=f"10.2.0.{i}")
    settings.PETITION_RATE_LIMITS = {**settings.PETITION_RATE_LIMITS, "ip_burst": (0, 60)}
    for i in range(30, 150):
        sign(petition, i, postcode=postcodes[i % 3], ip="203.0.113.7")
    suspect = list(
        Signature.objects.filter(is_suspect=True).order_by("pk").values_list("pk", flat=True)
    )
    assert len(suspect) == 120
    # Each suspect signature restored on its own, and all but the first 20 invalidated on
    # their own; two thirds restored in bulk too, and two thirds invalidated in bulk (the
    # middle third both ways), with folds between.
    jobs = []
    for n, pk in enumerate(suspect):
        jobs += [("restore", [pk])] if n < 20 else [("restore", [pk]), ("invalidate", [pk])]
        if n % 10 == 0:
            jobs += [("restore", suspect[:80]), ("invalidate", suspect[40:]), ("fold", None)]

    def work(i):
        kind, pks = jobs[i]
        chosen = Signature.objects.filter(pk__in=pks or [])
        if kind == "restore":
            signatures_restore(signatures=chosen, reason="Genuine after all")
        elif kind == "invalidate":
            signatures_invalidate(signatures=chosen, reason="Stuffing")
        else:
            petition_counts_apply()

    errors = run_at_once(len(jobs), work)

    assert errors == []
    published_matches_counted(petition)
    states = [s.state for s in Signature.objects.filter(pk__in=suspect).order_by("pk")]
    # Whichever came first, those invalidated end so (with a -1 for each +1 they had).
    assert states == ["counted"] * 20 + ["invalidated"] * 100
    assert PetitionCount.objects.get(petition=petition).total == 30 + 20
    assert not petition_counts_check(petition_id=petition.pk).differs
