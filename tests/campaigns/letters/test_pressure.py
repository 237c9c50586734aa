"""Every sent letter is pressure (issue #16, part 7): one "letter" action against the
campaign's target for the MP, recorded with the sending, once."""

import pytest
from django.core import mail

from campaigns.letters import services
from campaigns.letters.models import Letter
from campaigns.pressure.models import ActionRecord
from tests.campaigns.letters.helpers import write
from tests.factories import TargetFactory


def queued(letter_campaign, **overrides):
    letter = write(letter_campaign, **overrides)
    Letter.objects.filter(pk=letter.pk).update(state=Letter.State.QUEUED)
    mail.outbox.clear()
    return letter


def test_a_sent_letter_is_recorded_once_against_the_mps_target(seats, letter_campaign):
    target = TargetFactory(campaign=letter_campaign.campaign, representative=seats["ZA1 1AA"])
    TargetFactory(campaign=letter_campaign.campaign, representative=seats["ZA2 1AA"])
    letter = queued(letter_campaign)

    assert services.letter_send(letter_id=letter.pk)
    services.letter_send(letter_id=letter.pk)  # run twice: sent and recorded once
    services.letter_pressure_record(letter=Letter.objects.get(pk=letter.pk))

    letter.refresh_from_db()
    [record] = ActionRecord.objects.all()
    assert (record.target, record.kind, record.source, record.source_id) == (
        target,
        "letter",
        "letters.letter",
        letter.pk,
    )
    assert record.supporter_id == letter.supporter_id
    assert record.occurred_at == letter.sent_at


def test_a_letter_the_campaign_does_not_target_is_sent_without_a_record(seats, letter_campaign):
    letter = queued(letter_campaign)

    assert services.letter_send(letter_id=letter.pk)

    assert ActionRecord.objects.count() == 0


@pytest.mark.smtp
def test_a_letter_the_mail_server_refuses_is_not_pressure(seats, letter_campaign, smtp_sink):
    TargetFactory(campaign=letter_campaign.campaign, representative=seats["ZA1 1AA"])
    letter = queued(letter_campaign)
    smtp_sink.refuse(seats["ZA1 1AA"].email, 550)

    assert services.letter_send(letter_id=letter.pk) is False

    assert Letter.objects.get(pk=letter.pk).state == Letter.State.FAILED
    assert ActionRecord.objects.count() == 0
