import pytest

from campaigns.targets.models import TargetStatus, TargetStatusChange
from campaigns.targets.selectors import campaign_tally
from campaigns.targets.serializers import TargetStatusInput
from tests.factories import (
    CampaignFactory,
    ConstituencyFactory,
    OrganiserFactory,
    RepresentativeFactory,
    TargetFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def campaign_with_targets(n: int):
    campaign = CampaignFactory(threshold=35)
    statuses = list(TargetStatus.values)
    for i in range(n):
        TargetFactory(campaign=campaign, status=statuses[i % len(statuses)])
    return campaign


def test_anyone_can_list_campaigns_with_their_tally(client):
    campaign = CampaignFactory(threshold=35)
    TargetFactory.create_batch(2, campaign=campaign, status="nominated")
    CampaignFactory(is_published=False)

    body = client.get("/api/v1/campaigns/").json()

    assert body["count"] == 1
    assert body["results"][0]["slug"] == campaign.slug
    assert body["results"][0]["tally"]["nominated"] == 2
    assert body["results"][0]["tally"]["threshold"] == 35


def test_campaign_detail_has_counts_for_every_status(client):
    campaign = CampaignFactory(threshold=10)
    TargetFactory.create_batch(3, campaign=campaign, status="pledged")

    tally = client.get(f"/api/v1/campaigns/{campaign.slug}/").json()["tally"]

    assert tally["counts"] == {s: (3 if s == "pledged" else 0) for s in TargetStatus.values}
    assert (tally["total"], tally["percent"]) == (3, 0)


def test_targets_endpoint_filters(client):
    campaign = CampaignFactory()
    seat = ConstituencyFactory(name="Testford Central", region="Wales")
    TargetFactory(campaign=campaign, status="undecided", representative__constituency=seat)
    TargetFactory(campaign=campaign, status="undecided", representative__party__name="Green")
    TargetFactory(campaign=campaign, status="nominated")
    url = f"/api/v1/campaigns/{campaign.slug}/targets/"

    def count(**params):
        return client.get(url, params).json()["count"]

    assert count() == 3
    assert count(status="undecided") == 2
    assert count(status="undecided", party="Labour") == 1
    assert count(region="wales") == 1
    assert count(constituency="Testford Central") == 1
    assert count(constituency=seat.ons_code) == 1


def test_targets_endpoint_rejects_an_unknown_status_with_a_field_error(client):
    campaign = CampaignFactory()

    response = client.get(f"/api/v1/campaigns/{campaign.slug}/targets/", {"status": "bribed"})

    assert response.status_code == 400
    assert "status" in response.json()["fields"]


def test_targets_endpoint_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    few = campaign_with_targets(5)
    many = campaign_with_targets(650)

    with django_assert_max_num_queries(10) as small:
        client.get(f"/api/v1/campaigns/{few.slug}/targets/")
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get(f"/api/v1/campaigns/{many.slug}/targets/", {"page_size": 200}).json()
    assert body["count"] == 650
    assert len(body["results"]) == 200


def test_target_shows_contacts(client):
    mp = RepresentativeFactory(x_handle="SomeMP", phone="020 7219 1234")
    target = TargetFactory(representative=mp)

    body = client.get(f"/api/v1/campaigns/{target.campaign.slug}/targets/{target.pk}/").json()

    assert body["contact"]["x_url"] == "https://x.com/SomeMP"
    assert body["contact"]["email"] == mp.email
    assert body["party"]["name"] == "Labour"
    assert body["constituency"]["ons_code"] == mp.constituency.ons_code


def patch_status(client, target, **data):
    return client.patch(
        f"/api/v1/campaigns/{target.campaign.slug}/targets/{target.pk}/",
        data,
        content_type="application/json",
    )


def test_organiser_patch_sets_status_and_writes_one_history_row(client):
    organiser = OrganiserFactory()
    target = TargetFactory(status="leaning")
    client.force_login(organiser)

    response = patch_status(
        client, target, status="nominated", source_url="https://example.org/statement"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "nominated"
    change = target.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by) == (
        "leaning",
        "nominated",
        organiser,
    )
    assert campaign_tally(target.campaign).nominated == 1


def test_volunteer_patch_is_refused(client):
    target = TargetFactory(status="leaning")
    client.force_login(UserFactory())

    response = patch_status(client, target, status="nominated")

    assert response.status_code == 403
    target.refresh_from_db()
    assert target.status == "leaning"
    assert not target.status_changes.exists()


def test_anonymous_patch_is_refused(client):
    target = TargetFactory(status="leaning")

    response = patch_status(client, target, status="nominated")

    assert response.status_code == 401  # with a WWW-Authenticate challenge
    assert response.json()["code"] == "not_authenticated"
    target.refresh_from_db()
    assert target.status == "leaning"


def test_patch_with_a_bad_status_names_the_field(client):
    client.force_login(OrganiserFactory())
    target = TargetFactory(status="leaning")

    response = patch_status(client, target, status="bribed", source_url="not a url")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"status", "source_url"}
    assert not target.status_changes.exists()


def test_patch_without_a_source_link_is_a_400_naming_source_url(client):
    client.force_login(OrganiserFactory())
    target = TargetFactory(status="leaning")

    response = patch_status(client, target, status="nominated")

    assert response.status_code == 400
    assert response.json()["fields"] == {"source_url": ["This field is required."]}
    target.refresh_from_db()
    assert target.status == "leaning"
    assert not target.status_changes.exists()


def test_patch_records_the_source_link_in_the_history(client):
    client.force_login(OrganiserFactory())
    target = TargetFactory(status="leaning")

    response = patch_status(
        client, target, status="nominated", source_url="https://example.org/statement"
    )

    assert response.status_code == 200
    assert target.status_changes.get().source_url == "https://example.org/statement"


def test_patch_with_a_source_link_longer_than_its_column_is_a_400_and_changes_nothing(client):
    client.force_login(OrganiserFactory())
    target = TargetFactory(status="leaning")
    too_long = "https://example.org/" + "s" * 181
    assert len(too_long) == TargetStatusChange._meta.get_field("source_url").max_length + 1

    response = patch_status(client, target, status="nominated", source_url=too_long)

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "source_url": ["Ensure this field has no more than 200 characters."]
    }
    target.refresh_from_db()
    assert target.status == "leaning"
    assert target.status_changed_at is None
    assert not TargetStatusChange.objects.exists()


def test_the_status_serializer_takes_its_limits_from_the_columns():
    fields = TargetStatusInput().fields

    assert fields["source_url"].max_length == (
        TargetStatusChange._meta.get_field("source_url").max_length
    )
    assert fields["note"].max_length is not None


def test_representatives_search_by_name(client):
    RepresentativeFactory(name="Ms Diane Example")
    RepresentativeFactory(name="Mr Other Person")
    RepresentativeFactory(name="Ms Diane Former", is_current=False)

    body = client.get("/api/v1/representatives/", {"search": "diane"}).json()

    assert [r["name"] for r in body["results"]] == ["Ms Diane Example"]


def test_a_search_with_a_nul_character_is_a_400_not_a_server_error(client):
    # PostgreSQL refuses a query holding NUL: it must never get one.
    response = client.get("/api/v1/representatives/", {"search": "dia\x00ne"})

    assert response.status_code == 400
    assert response.json()["fields"] == {"search": ["Null characters are not allowed."]}


def test_constituencies_list_filters_by_region(client):
    ConstituencyFactory(region="Wales", nation="wales")
    ConstituencyFactory(region="London")

    body = client.get("/api/v1/constituencies/", {"region": "Wales"}).json()

    assert body["count"] == 1
    assert body["results"][0]["region"] == "Wales"
