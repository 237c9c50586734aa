"""Letters sent to each MP show on the tally page and in the target API, in a fixed
number of queries however many targets and letters there are."""

import pytest
from django.urls import reverse

from campaigns.letters.models import Letter
from campaigns.targets import figures
from tests.factories import CampaignFactory, LetterCampaignFactory, TargetFactory

pytestmark = pytest.mark.django_db


def letters_to(target, n, *, letter_campaign, state=Letter.State.SENT):
    Letter.objects.bulk_create(
        Letter(
            letter_campaign=letter_campaign,
            representative=target.representative,
            writer_name="W",
            writer_email=f"w{i}@example.org",
            writer_postcode="ZA1 1AA",
            writer_address="1 High Street",
            subject="S",
            body="B",
            state=state,
        )
        for i in range(n)
    )


def campaign_with_letters(n_targets):
    campaign = CampaignFactory()
    letter_campaign = LetterCampaignFactory(campaign=campaign)
    targets = TargetFactory.create_batch(n_targets, campaign=campaign)
    for i, target in enumerate(targets):
        letters_to(target, i % 3 + 1, letter_campaign=letter_campaign)
    return campaign, letter_campaign, targets


def test_tally_page_shows_letters_sent_per_mp(client):
    campaign, letter_campaign, [first, second] = campaign_with_letters(2)
    letters_to(first, 4, letter_campaign=letter_campaign, state=Letter.State.BOUNCED)
    letters_to(first, 2, letter_campaign=letter_campaign, state=Letter.State.QUEUED)

    response = client.get(reverse("targets:campaign", args=[campaign.slug]))

    by_target = {target.pk: target.figures for target in response.context["page"]}
    assert [(f.label, f.value) for f in by_target[first.pk]] == [("Letters sent", 1)]
    assert [(f.label, f.value) for f in by_target[second.pk]] == [("Letters sent", 2)]
    assert "<dt>Letters sent</dt><dd>2</dd>" in response.content.decode()


def test_letters_to_another_campaign_do_not_count(client):
    campaign = CampaignFactory()
    target = TargetFactory(campaign=campaign)
    other = LetterCampaignFactory()  # another campaign, the same MP
    letters_to(target, 3, letter_campaign=other)

    body = client.get(f"/api/v1/campaigns/{campaign.slug}/targets/{target.pk}/").json()

    assert body["figures"] == {}


def test_target_api_shows_letters_sent(client):
    campaign, _, [target] = campaign_with_letters(1)

    listed = client.get(f"/api/v1/campaigns/{campaign.slug}/targets/").json()["results"]
    one = client.get(f"/api/v1/campaigns/{campaign.slug}/targets/{target.pk}/").json()

    expected = {"letters_sent": {"label": "Letters sent", "value": 1, "display": "1"}}
    assert listed[0]["figures"] == one["figures"] == expected


def test_tally_page_queries_do_not_grow_with_targets_or_letters(
    client, django_assert_max_num_queries
):
    few, _, _ = campaign_with_letters(3)
    many, _, _ = campaign_with_letters(250)

    with django_assert_max_num_queries(12) as small:
        client.get(reverse("targets:campaign", args=[few.slug]))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("targets:campaign", args=[many.slug]))
    assert response.context["page"].paginator.count == 250


def test_target_api_queries_do_not_grow_with_targets_or_letters(
    client, django_assert_max_num_queries
):
    few, _, _ = campaign_with_letters(3)
    many, _, _ = campaign_with_letters(250)

    with django_assert_max_num_queries(12) as small:
        client.get(f"/api/v1/campaigns/{few.slug}/targets/")
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get(f"/api/v1/campaigns/{many.slug}/targets/", {"page_size": 200}).json()
    assert len(body["results"]) == 200
    assert all(row["figures"]["letters_sent"]["value"] >= 1 for row in body["results"])


def test_a_registered_figure_such_as_reply_rate_shows_beside_letters(client, monkeypatch):
    """The hook the follow-up work fills: any app's figures, one call a page."""
    campaign, _, [target] = campaign_with_letters(1)
    calls = []

    def reply_rate(campaign, target_ids):
        calls.append(list(target_ids))
        return {target_ids[0]: {"reply_rate": figures.Figure("Reply rate", 0.5, "50% of 10")}}

    monkeypatch.setitem(figures._providers, "test-replies", reply_rate)

    html = client.get(reverse("targets:campaign", args=[campaign.slug])).content.decode()

    assert calls == [[target.pk]]
    assert "<dt>Reply rate</dt><dd>50% of 10</dd>" in html


def test_reply_rate_shows_once_enough_writers_answered(client, settings):
    settings.LETTER_REPLY_RATE_MIN_ANSWERS = 4
    campaign, letter_campaign, [answered, few] = campaign_with_letters(2)
    letters_to(answered, 4, letter_campaign=letter_campaign)
    letters_to(few, 2, letter_campaign=letter_campaign)
    for target, replies in ((answered, ["yes", "yes", "yes", "no"]), (few, ["yes", "no"])):
        for letter, reply in zip(
            Letter.objects.filter(representative=target.representative), replies, strict=False
        ):
            Letter.objects.filter(pk=letter.pk).update(reply=reply)

    listed = client.get(f"/api/v1/campaigns/{campaign.slug}/targets/").json()["results"]
    html = client.get(reverse("targets:campaign", args=[campaign.slug])).content.decode()

    figures_by_target = {row["id"]: row["figures"] for row in listed}
    assert figures_by_target[answered.pk]["reply_rate"] == {
        "label": "Replied",
        "value": 0.75,
        "display": "75% of 4 answers",
    }
    assert "reply_rate" not in figures_by_target[few.pk]
    assert "<dt>Replied</dt><dd>75% of 4 answers</dd>" in html


@pytest.mark.postgres
def test_tally_page_and_api_at_full_scale_run_the_queries_of_a_small_campaign(
    client, django_assert_max_num_queries
):
    """650 MPs and 100,000 letters (with replies) cost the queries three MPs cost."""
    small, small_letters, _ = campaign_with_letters(3)
    Letter.objects.filter(letter_campaign=small_letters).update(reply="yes")
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("targets:campaign", args=[small.slug]))
        client.get(f"/api/v1/campaigns/{small.slug}/targets/")
    campaign = CampaignFactory()
    letter_campaign = LetterCampaignFactory(campaign=campaign)
    targets = TargetFactory.create_batch(650, campaign=campaign)
    Letter.objects.bulk_create(
        (
            Letter(
                letter_campaign=letter_campaign,
                representative_id=targets[i % 650].representative_id,
                writer_name="W",
                writer_email=f"w{i}@example.org",
                writer_postcode="ZA1 1AA",
                writer_address="1 High Street",
                subject="S",
                body="B",
                state=Letter.State.SENT,
                reply=("yes", "no", "not_yet", "")[i % 4],
            )
            for i in range(100_000)
        ),
        batch_size=5_000,
    )

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("targets:campaign", args=[campaign.slug]))
        api = client.get(f"/api/v1/campaigns/{campaign.slug}/targets/")

    assert page.status_code == api.status_code == 200
    first = api.json()["results"][0]["figures"]
    assert first["letters_sent"]["value"] >= 153  # 100,000 letters over 650 MPs
    assert first["reply_rate"]["display"].endswith("answers")
