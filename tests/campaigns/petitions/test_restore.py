"""Suspect signatures are not a dead end: organisers review them and restore genuine ones."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.petitions.models import CountChange, Signature
from campaigns.petitions.services import (
    Restoration,
    signature_confirm,
    signatures_invalidate,
    signatures_restore,
)
from core.http import client_ip_hash
from tests.campaigns.petitions.helpers import (
    committed,
    confirmation_links,
    counted_total,
    sign,
)
from tests.factories import OrganiserFactory, PetitionFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:petitions_signature_changelist"
CROWDED_IP = "203.0.113.7"


@pytest.fixture
def one_per_ip(settings):
    """The per-IP burst limit at one: a second signature from an IP is suspect."""
    settings.PETITION_RATE_LIMITS = {**settings.PETITION_RATE_LIMITS, "ip_burst": (1, 60)}


@pytest.fixture
def instant(db):
    return PetitionFactory(confirmation_required=False)


def suspects():
    return Signature.objects.filter(is_suspect=True)


def restore(signatures, reason="Signed at our stall", by=None):
    with committed():
        return signatures_restore(signatures=signatures, reason=reason, by=by)


def token(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


def test_a_restored_confirmed_suspect_signature_counts_once(instant, seats, one_per_ip):
    for n in range(3):
        sign(instant, n, ip=CROWDED_IP)
    assert suspects().count() == 2
    assert counted_total(instant) == 1
    organiser = OrganiserFactory()

    done = restore(suspects(), by=organiser)
    again = restore(Signature.objects.all(), reason="Twice")

    assert done == Restoration(restored=2, counted=2, emailed=0)
    assert again == Restoration(restored=0, counted=0, emailed=0)
    assert counted_total(instant) == 3
    assert instant.constituency_counts.get().total == 3
    restored = Signature.objects.get(email="signer1@example.org")
    assert (restored.state, restored.restoration_reason, restored.restored_by) == (
        "counted", "Signed at our stall", organiser,
    )  # fmt: skip
    assert restored.restored_at is not None
    assert mail.outbox == []


def test_a_restored_unconfirmed_signature_gets_its_email_and_counts_once_confirmed(
    client, petition, seats, one_per_ip
):
    sign(petition, 1, ip=CROWDED_IP)
    sign(petition, 2, ip=CROWDED_IP)
    assert confirmation_links("signer2@example.org") == []  # suspect: no email, as before

    done = restore(suspects())

    assert done == Restoration(restored=1, counted=0, emailed=1)
    assert counted_total(petition) == 0
    [link] = confirmation_links("signer2@example.org")
    assert client.get(link).status_code == 200
    signature_confirm(token=token(link))  # followed twice
    assert counted_total(petition) == 1
    assert CountChange.objects.count() == 0
    assert Signature.objects.get(email="signer2@example.org").state == "counted"


def test_restoring_respects_the_cap_on_emails_to_one_address(petition, seats, settings):
    settings.PETITION_RATE_LIMITS = {**settings.PETITION_RATE_LIMITS, "ip_burst": (0, 60)}
    settings.PETITION_CONFIRMATION_EMAILS = (0, 86400)
    sign(petition, 1, ip=CROWDED_IP)

    done = restore(suspects())

    assert done == Restoration(restored=1, counted=0, emailed=0)
    assert mail.outbox == []
    assert not Signature.objects.get().is_suspect


def test_restoring_needs_a_reason(instant, seats, one_per_ip):
    sign(instant, 1, ip=CROWDED_IP)
    sign(instant, 2, ip=CROWDED_IP)

    with pytest.raises(ValidationError) as error:
        restore(suspects(), reason="  ")

    assert "reason" in error.value.message_dict
    assert suspects().count() == 1
    assert counted_total(instant) == 1


def test_an_invalidated_suspect_signature_is_not_restored(instant, seats, one_per_ip):
    sign(instant, 1, ip=CROWDED_IP)
    sign(instant, 2, ip=CROWDED_IP)
    signatures_invalidate(signatures=suspects(), reason="Stuffing")

    done = restore(Signature.objects.all())

    assert done.restored == 0
    assert Signature.objects.get(email="signer2@example.org").state == "invalidated"
    assert counted_total(instant) == 1


# The admin: reviewing suspect signatures and restoring them


@pytest.fixture
def organiser_client(client):
    client.force_login(OrganiserFactory())
    return client


def test_the_bulk_restore_action_asks_for_a_reason_then_restores(
    organiser_client, instant, seats, one_per_ip
):
    for n in range(4):
        sign(instant, n, ip=CROWDED_IP)
    assert counted_total(instant) == 1
    selected = {
        "action": "restore_selected",
        "_selected_action": list(Signature.objects.values_list("pk", flat=True)),
    }

    asked = organiser_client.post(reverse(CHANGELIST), selected)
    assert asked.status_code == 200
    assert "Restore 3 suspect signatures" in asked.content.decode()
    assert suspects().count() == 3

    done = organiser_client.post(
        reverse(CHANGELIST), {**selected, "apply": "1", "reason": "Our stall"}, follow=True
    )

    html = done.content.decode()
    assert "3 signatures restored: 3 count as soon as the counts are next applied" in html
    assert "1 not suspect (or invalidated), left as they were" in html
    assert counted_total(instant) == 4
    assert set(Signature.objects.values_list("restoration_reason", flat=True)) == {
        "", "Our stall",
    }  # fmt: skip


def test_the_bulk_restore_action_without_a_reason_changes_nothing(
    organiser_client, instant, seats, one_per_ip
):
    sign(instant, 1, ip=CROWDED_IP)
    sign(instant, 2, ip=CROWDED_IP)

    response = organiser_client.post(
        reverse(CHANGELIST),
        {"action": "restore_selected", "apply": "1", "reason": " ",
         "_selected_action": list(Signature.objects.values_list("pk", flat=True))},
    )  # fmt: skip

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert suspects().count() == 1


def _suspects_at_scale(petition, how_many):
    """`how_many` suspect signatures matching the review filters below, and others that
    each miss one filter."""
    for n in range(how_many):
        sign(petition, n, email=f"bulk{n}@bulk.example", ip=CROWDED_IP, postcode="ZA2 1AA")
    sign(petition, 100, email="x@other.example", ip=CROWDED_IP, postcode="ZA2 1AA")
    sign(petition, 101, email="y@bulk.example", ip=CROWDED_IP, postcode="ZA3 1AA")
    sign(petition, 102, email="z@bulk.example", ip="198.51.100.1", postcode="ZA2 1AA")
    Signature.objects.filter(email="z@bulk.example").update(is_suspect=True, counted=False)
    Signature.objects.filter(email="bulk0@bulk.example").update(
        created_at=timezone.now() - timedelta(days=10)
    )


def test_the_suspect_review_list_filters_and_takes_the_same_queries_however_many_match(
    organiser_client, seats, settings, django_assert_max_num_queries
):
    settings.PETITION_RATE_LIMITS = {**settings.PETITION_RATE_LIMITS, "ip_burst": (0, 60)}
    counts = []
    for how_many in (3, 30):
        petition = PetitionFactory(confirmation_required=False)
        _suspects_at_scale(petition, how_many)
        query = {
            "petition__id__exact": petition.pk,
            "state": "suspect",
            "email_domain": "Bulk.Example",
            "ip_hash": client_ip_hash(CROWDED_IP),
            "postcode": "za2",
            "signed_from": (timezone.localdate() - timedelta(days=1)).isoformat(),
        }
        with (
            django_assert_max_num_queries(8),
            CaptureQueriesContext(connection) as queries,
        ):
            response = organiser_client.get(reverse(CHANGELIST), query)
        counts.append(len(queries))

        found = {s.email for s in response.context["cl"].result_list}
        assert found == {f"bulk{n}@bulk.example" for n in range(1, how_many)}
        html = response.content.decode()
        assert 'name="email_domain" value="Bulk.Example"' in html
        assert f'name="petition__id__exact" value="{petition.pk}"' in html  # kept on refilter
    assert counts[0] == counts[1]


def test_the_review_list_filters_by_constituency_and_time_range(
    organiser_client, instant, seats, settings
):
    settings.PETITION_RATE_LIMITS = {**settings.PETITION_RATE_LIMITS, "ip_burst": (0, 60)}
    _suspects_at_scale(instant, 3)
    old_day = (timezone.localdate() - timedelta(days=10)).isoformat()
    next_day = (timezone.localdate() - timedelta(days=9)).isoformat()

    response = organiser_client.get(
        reverse(CHANGELIST),
        {"state": "suspect", "constituency_code": "e14000002", "signed_from": old_day,
         "signed_before": next_day},
    )  # fmt: skip

    assert [s.email for s in response.context["cl"].result_list] == ["bulk0@bulk.example"]


def test_the_petition_page_links_to_its_suspect_signatures(organiser_client, petition):
    response = organiser_client.get(reverse("admin:petitions_petition_change", args=[petition.pk]))

    expected = f"{reverse(CHANGELIST)}?petition__id__exact={petition.pk}&amp;state=suspect"
    assert expected in response.content.decode()
