import threading

import pytest
from django.db import IntegrityError, connection

from campaigns.petitions.services import petition_sign
from tests.factories import (
    PASSWORD,
    PetitionFactory,
    PostcodeFallbackFactory,
    UserFactory,
    VolunteerFactory,
)
from volunteers.models import Supporter, normalise_email
from volunteers.services import supporter_get_or_create, supporter_link_user


def test_normalised_email_is_trimmed_and_lower_case():
    assert normalise_email("  Jo.Bloggs@Example.ORG ") == "jo.bloggs@example.org"


@pytest.mark.django_db
def test_same_address_in_any_case_is_one_supporter():
    first, created = supporter_get_or_create(email="Jo@Example.org", name="Jo")
    again, created_again = supporter_get_or_create(email=" jo@example.ORG")

    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert Supporter.objects.get().email == "jo@example.org"


@pytest.mark.django_db
def test_database_refuses_an_address_that_is_not_normalised():
    with pytest.raises(IntegrityError):
        Supporter.objects.create(email="Jo@Example.org")


@pytest.mark.django_db
def test_verified_account_is_linked_to_the_existing_supporter():
    supporter, _ = supporter_get_or_create(email="jo@example.org")
    user = UserFactory(email="jo@example.org")

    linked = supporter_link_user(user=user)

    assert linked.pk == supporter.pk
    assert Supporter.objects.get(pk=supporter.pk).user == user


@pytest.mark.django_db
def test_volunteer_factory_gives_a_supporter_with_an_account(client):
    volunteer = VolunteerFactory()

    assert volunteer.is_volunteer
    assert client.login(email=volunteer.email, password=PASSWORD)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_address_from_many_requests_at_once_is_one_supporter():
    spellings = ["jo@example.org", "JO@example.org", " Jo@Example.Org ", "jo@EXAMPLE.ORG"]
    barrier = threading.Barrier(20)
    errors = []

    def sign(i):
        try:
            barrier.wait()
            supporter_get_or_create(email=spellings[i % len(spellings)])
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Supporter.objects.filter(email="jo@example.org").count() == 1


@pytest.mark.django_db
def test_each_action_keeps_its_postcode_and_constituency_as_the_supporters_latest(settings):
    settings.POSTCODES_IO_URL = "http://127.0.0.1:9"
    PostcodeFallbackFactory(code="ZA1 1AA", constituency_code="E14000001")
    PostcodeFallbackFactory(code="ZA2 1AA", constituency_code="E14000002")
    first, second = PetitionFactory(), PetitionFactory()

    petition_sign(petition=first, name="Jo", email="jo@example.org", postcode="za1 1aa")
    after_first = Supporter.objects.get(email="jo@example.org")
    petition_sign(petition=second, name="Jo", email="jo@example.org", postcode="ZA2 1AA")
    after_second = Supporter.objects.get(email="jo@example.org")

    assert (after_first.postcode, after_first.constituency_code) == ("ZA1 1AA", "E14000001")
    assert (after_second.postcode, after_second.constituency_code) == ("ZA2 1AA", "E14000002")
    assert after_second.last_active_at > after_first.last_active_at
