"""The privacy notice: one page, linked from every page's footer, so from every form that
collects data."""

import pytest
from django.urls import reverse

from tests.factories import EventFactory, PetitionFactory, ShiftFactory, StormFactory


def test_the_notice_names_the_rights_and_where_to_use_them(client, settings, db):
    settings.PRIVACY_CONTACT_EMAIL = "privacy@campaign.example.org"

    page = client.get("/privacy/").content.decode()

    assert reverse("volunteers:my-data") in page
    assert "Delete me" in page and "unsubscribe" in page
    assert "mailto:privacy@campaign.example.org" in page


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["petition", "storm", "event", "signup"])
def test_every_form_that_collects_data_links_to_the_notice(client, page):
    url = {
        "petition": lambda: f"/petitions/{PetitionFactory(state='open').slug}/",
        "storm": lambda: f"/storms/{StormFactory().slug}/",
        "event": lambda: f"/events/{ShiftFactory(event=EventFactory()).event.slug}/",
        "signup": lambda: "/accounts/signup/",
    }[page]()

    content = client.get(url).content.decode()

    assert "<form" in content
    assert 'href="/privacy/"' in content


def test_the_notice_says_how_long_each_thing_is_kept(client, settings):
    settings.UNCONFIRMED_RETENTION_DAYS, settings.SIGNER_RETENTION_MONTHS = 17, 5

    page = client.get("/privacy/").content.decode()

    assert "deleted 17 days after you made it" in page
    assert "removed 5 months after the petition closed" in page
