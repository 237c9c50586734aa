"""A mail server's refusals of a petition's confirmation email, through Redis, a real
worker and a real SMTP server: a final refusal (5xx) is recorded and never retried, passing
trouble (4xx) is retried with back-off until the mail goes."""

import queue

import pytest
from celery.exceptions import Retry
from celery.signals import task_retry, task_success

from campaigns.petitions.models import Signature
from campaigns.petitions.tasks import signature_confirmation_send
from tests.campaigns.petitions.helpers import sign
from tests.factories import ConstituencyFactory, PetitionFactory, PostcodeFallbackFactory
from volunteers.mail import email_is_suppressed
from volunteers.models import EmailSuppression

pytestmark = [pytest.mark.smtp]

JO = "jo@example.org"
TASK = signature_confirmation_send.name


@pytest.fixture
def petition(db):
    seat = ConstituencyFactory(ons_code="E14000001")
    PostcodeFallbackFactory(code="ZA1 1AA", constituency_code=seat.ons_code)
    return PetitionFactory()


@pytest.fixture
def task_events():
    """What became of each run of the confirmation task, in order: "retry" or the value it
    returned. The signals fire in the worker's thread, in this process."""
    events: queue.Queue = queue.Queue()

    def retried(sender=None, **kwargs):
        if sender.name == TASK:
            events.put("retry")

    def succeeded(sender=None, result=None, **kwargs):
        if sender.name == TASK:
            events.put(result)

    task_retry.connect(retried, weak=False)
    task_success.connect(succeeded, weak=False)
    yield events
    task_retry.disconnect(retried)
    task_success.disconnect(succeeded)


def outcomes(events: queue.Queue, until, timeout: float = 30) -> list:
    """Events up to and including the first that is `until`."""
    seen = []
    while not seen or seen[-1] != until:
        seen.append(events.get(timeout=timeout))
    return seen


@pytest.mark.redis
@pytest.mark.celery_worker
def test_a_recipient_refused_for_good_is_tried_once_and_suppressed(
    celery_worker, smtp_sink, petition, task_events
):
    smtp_sink.refuse(JO, 550)

    sign(petition, email=JO)

    assert outcomes(task_events, until=False) == [False]
    assert smtp_sink.attempts(JO) == 1
    assert email_is_suppressed(email=JO)
    assert EmailSuppression.objects.get().source == f"petition:{petition.slug}"


@pytest.mark.redis
@pytest.mark.celery_worker
def test_a_recipient_deferred_is_retried_and_the_mail_then_arrives(
    celery_worker, smtp_sink, petition, task_events
):
    smtp_sink.refuse(JO, 451, times=1)

    sign(petition, email=JO)

    assert outcomes(task_events, until=True) == ["retry", True]
    assert smtp_sink.wait_for(to=JO)
    assert smtp_sink.attempts(JO) == 2
    assert not EmailSuppression.objects.exists()


@pytest.mark.redis
@pytest.mark.celery_worker
def test_a_later_signing_sends_nothing_to_a_suppressed_address(
    celery_worker, smtp_sink, petition, task_events
):
    smtp_sink.refuse(JO, 550)
    sign(petition, email=JO)
    outcomes(task_events, until=False)

    sign(PetitionFactory(), email=JO)

    assert outcomes(task_events, until=False) == [False]
    assert smtp_sink.attempts(JO) == 1


# The same decisions without a worker: the task run in-process (eagerly, as unit tests run
# it), where Celery raises Retry out of the signing instead of scheduling the retry.


@pytest.mark.django_db
def test_in_process_a_refusal_for_good_is_not_retried(smtp_sink, petition):
    smtp_sink.refuse(JO, 550)

    sign(petition, email=JO)  # runs the task: Retry would propagate from here

    assert smtp_sink.attempts(JO) == 1
    assert email_is_suppressed(email=JO)
    assert signature_confirmation_send.apply(args=[Signature.objects.get().pk]).result is False
    assert smtp_sink.attempts(JO) == 1


@pytest.mark.django_db
def test_in_process_a_deferral_is_retried(smtp_sink, petition):
    smtp_sink.refuse(JO, 451)

    with pytest.raises(Retry):
        sign(petition, email=JO)

    assert smtp_sink.attempts(JO) == 1
    assert not EmailSuppression.objects.exists()
