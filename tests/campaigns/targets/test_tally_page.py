import pytest
from django.urls import reverse

from campaigns.targets.models import TargetStatus
from tests.factories import (
    CampaignFactory,
    ConstituencyFactory,
    PartyFactory,
    RepresentativeFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db


def campaign_with_targets(n: int, **campaign_fields):
    campaign = CampaignFactory(**campaign_fields)
    statuses = list(TargetStatus.values)
    for i in range(n):
        TargetFactory(campaign=campaign, status=statuses[i % len(statuses)])
    return campaign


def page(client, campaign, **params):
    return client.get(reverse("targets:campaign", args=[campaign.slug]), params)


def test_shows_progress_counts_and_last_change(client):
    campaign = CampaignFactory(threshold=35)
    TargetFactory.create_batch(27, campaign=campaign, status="nominated")
    TargetFactory.create_batch(4, campaign=campaign, status="undecided")

    html = page(client, campaign).content.decode()

    assert "27</strong> of 35 nominations" in html
    assert "4</span> undecided" in html
    assert "31 targets" in html


def test_each_target_has_one_tap_contact_links(client):
    mp = RepresentativeFactory(
        name="Ms Jo Example", email="jo.example.mp@example.org", x_handle="JoExampleMP",
        phone="020 7219 0000",
    )  # fmt: skip
    campaign = CampaignFactory()
    TargetFactory(campaign=campaign, representative=mp)

    html = page(client, campaign).content.decode()

    assert 'href="mailto:jo.example.mp@example.org"' in html
    assert 'href="https://x.com/JoExampleMP"' in html
    assert 'href="tel:02072190000"' in html


def test_filters_by_status_party_and_region(client):
    campaign = CampaignFactory()
    green = PartyFactory(name="Green Party", abbreviation="Green")
    north = ConstituencyFactory(region="North East")
    TargetFactory(campaign=campaign, status="undecided", representative__name="Undecided Green",
                  representative__party=green, representative__constituency=north)  # fmt: skip
    TargetFactory(campaign=campaign, status="undecided", representative__name="Undecided Lab")
    TargetFactory(campaign=campaign, status="opposed", representative__name="Opposed Lab")

    def names(**params):
        return {t.name for t in page(client, campaign, **params).context["page"]}

    assert names(status="undecided") == {"Undecided Green", "Undecided Lab"}
    assert names(status="undecided", party="Labour") == {"Undecided Lab"}
    assert names(party="green") == {"Undecided Green"}
    assert names(region="North East") == {"Undecided Green"}
    assert names(constituency=north.ons_code) == {"Undecided Green"}


def test_an_unknown_status_filter_says_so_and_lists_nothing(client):
    campaign = campaign_with_targets(3)

    response = page(client, campaign, status="bribed")

    assert response.status_code == 200
    assert "Those filters don" in response.content.decode()
    assert len(response.context["page"]) == 0


def test_unpublished_and_unknown_campaigns_are_not_found(client):
    hidden = CampaignFactory(is_published=False)

    assert page(client, hidden).status_code == 404
    assert client.get("/campaigns/no-such-campaign/").status_code == 404


def test_runs_a_fixed_number_of_queries_however_many_targets(client, django_assert_max_num_queries):
    few = campaign_with_targets(5)
    many = campaign_with_targets(650)

    # One query per kind of action offered (petitions, letters, storms) and one for the
    # share material (briefs) among the 12.
    with django_assert_max_num_queries(12) as small:
        page(client, few)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = page(client, many)
    assert response.context["page"].paginator.count == 650


def test_links_to_the_campaigns_open_actions_and_those_aimed_at_each_target(client):
    from tests.factories import PetitionFactory

    campaign = CampaignFactory()
    aimed_at, other = TargetFactory.create_batch(2, campaign=campaign)
    everyone = PetitionFactory(campaign=campaign, title="For everyone")
    one_mp = PetitionFactory(campaign=campaign, title="For one MP")
    one_mp.targets.add(aimed_at)
    PetitionFactory(campaign=campaign, title="Long closed", state="closed")

    response = page(client, campaign)

    html = response.content.decode()
    assert f'href="/petitions/{everyone.slug}/"' in html
    assert "Long closed" not in html
    rows = {t.pk: [a.label for a in t.actions] for t in response.context["page"]}
    assert rows == {aimed_at.pk: ["Sign the petition: For one MP"], other.pk: []}
