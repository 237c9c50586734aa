"""The published total follows confirmations through the real Celery beat: its database
scheduler sends the counting task every PETITION_COUNT_INTERVAL seconds, through Redis, to
the real worker. Nothing here calls the counting itself, so without beat nothing counts."""

import time
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from tests.factories import ConstituencyFactory, PetitionFactory, PostcodeFallbackFactory
from tests.harness.smtp import links_in

pytestmark = [pytest.mark.redis, pytest.mark.celery_worker, pytest.mark.smtp]

DEADLINE = 5  # seconds from a confirmation to the published total


def published_total(client, petition) -> int:
    response = client.get(reverse("api:petition-count", args=[petition.slug]))
    assert response.status_code == 200
    return response.json()["total"]


def total_reaches(client, petition, total, *, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if published_total(client, petition) == total:
            return True
        time.sleep(0.1)
    return published_total(client, petition) == total


def total_stays(client, petition, total, *, for_seconds: float) -> bool:
    deadline = time.monotonic() + for_seconds
    while time.monotonic() < deadline:
        if published_total(client, petition) != total:
            return False
        time.sleep(0.2)
    return True


def sign(client, petition, email) -> None:
    response = client.post(
        reverse("api:petition-sign", args=[petition.slug]),
        {"name": "Ada Signer", "email": email, "postcode": "ZA1 1AA"},
        content_type="application/json",
    )
    assert response.status_code == 202
    assert response.json()["confirmation_required"] is True


def confirmation_path(smtp_sink, email) -> str:
    """The path of the confirmation link the worker mailed to `email`."""
    message = smtp_sink.wait_for(to=email)
    return urlsplit(next(url for url in links_in(message) if "/confirm/" in url)).path


def test_beat_brings_a_confirmed_signature_into_the_published_total_within_five_seconds(
    celery_worker, celery_beat, smtp_sink, client
):
    seat = ConstituencyFactory(ons_code="E14000001")
    PostcodeFallbackFactory(code="ZA1 1AA", constituency_code=seat.ons_code)
    petition = PetitionFactory(confirmation_required=True)
    sign(client, petition, "ada@example.org")
    sign(client, petition, "bo@example.org")
    ada_link = confirmation_path(smtp_sink, "ada@example.org")  # the worker is running
    bo_link = confirmation_path(smtp_sink, "bo@example.org")

    assert client.get(ada_link).status_code == 200
    # Confirmed, and the worker is idle beside it, but with no beat nothing counts it.
    assert total_stays(client, petition, 0, for_seconds=3)

    celery_beat.start()
    assert total_reaches(client, petition, 1, within=DEADLINE), (
        "beat did not bring the confirmed signature into the total within 5 s of starting"
    )

    assert client.get(bo_link).status_code == 200
    assert total_reaches(client, petition, 2, within=DEADLINE), (
        "a signature confirmed while beat runs was not in the total within 5 s"
    )

    celery_beat.stop()
    # The schedule came from settings into the database, where organisers see it in the
    # admin, and beat recorded sending it at least once for each total above.
    entry = PeriodicTask.objects.get(task="campaigns.petitions.tasks.petition_counts_apply")
    assert entry.enabled
    assert entry.total_run_count >= 2
    assert published_total(client, petition) == 2
