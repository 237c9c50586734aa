"""Signing under concurrency, on PostgreSQL: the database, not luck, keeps it exact."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connection

from campaigns.petitions.models import ConstituencyCount, PetitionCount, Signature
from campaigns.petitions.services import petition_counts_apply, signature_confirm
from tests.campaigns.petitions.helpers import confirmation_links, sign

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
