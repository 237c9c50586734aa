"""A signature's confirmation email goes through Redis to a real worker and out to a real
SMTP server; the beat task's counting runs on the worker too."""

import time
from urllib.parse import urlsplit

import pytest

from campaigns.petitions.models import PetitionCount
from campaigns.petitions.tasks import petition_counts_apply
from tests.campaigns.petitions.helpers import sign
from tests.factories import ConstituencyFactory, PetitionFactory, PostcodeFallbackFactory
from tests.harness.smtp import links_in

pytestmark = [pytest.mark.redis, pytest.mark.celery_worker, pytest.mark.smtp]


def wait_for(condition, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_confirmation_mail_arrives_and_the_worker_counts_the_signature(
    celery_worker, smtp_sink, client
):
    seat = ConstituencyFactory(ons_code="E14000001")
    PostcodeFallbackFactory(code="ZA1 1AA", constituency_code=seat.ons_code)
    petition = PetitionFactory()

    sign(petition, email="jo@example.org")
    message = smtp_sink.wait_for(to="jo@example.org")
    link = next(url for url in links_in(message) if "/confirm/" in url)
    assert client.get(urlsplit(link).path).status_code == 200
    petition_counts_apply.delay()

    assert wait_for(lambda: PetitionCount.objects.filter(petition=petition, total=1).exists()), (
        "the worker did not count the confirmed signature"
    )
