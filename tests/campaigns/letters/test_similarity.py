"""Own words: near-copies are found, different letters are not, in a bounded number of
queries."""

import pytest

from campaigns.letters import similarity
from campaigns.letters.models import Letter
from tests.campaigns.letters.helpers import LETTER_A, LETTER_B, write
from tests.factories import LetterCampaignFactory, LetterFactory


def test_signature_is_the_same_in_every_process():
    # A fixed value: Python's hash() would differ between runs and workers.
    assert (
        similarity.signature("Dear MP, please nominate")[:2]
        == similarity.signature("dear mp  please NOMINATE!")[:2]
    )
    assert similarity.bands(similarity.signature(LETTER_A)) == similarity.bands(
        similarity.signature(LETTER_A)
    )


def test_one_word_edit_is_estimated_very_similar():
    edited = LETTER_A.replace("library", "swimming pool")

    score = similarity.estimated_similarity(
        similarity.signature(LETTER_A), similarity.signature(edited)
    )

    assert score > 0.85


def test_different_letters_on_the_same_topic_are_estimated_far_apart():
    score = similarity.estimated_similarity(
        similarity.signature(LETTER_A), similarity.signature(LETTER_B)
    )

    assert score < 0.1


def test_identical_letter_is_held_for_review(seats, letter_campaign):
    first = write(letter_campaign, 1)

    copy = write(letter_campaign, 2, postcode="ZA2 1AA")

    assert copy.state == Letter.State.HELD_FOR_REVIEW
    assert copy.similar_to == first
    assert copy.similarity == 1.0


def test_one_word_edit_of_an_earlier_letter_is_held(seats, letter_campaign):
    write(letter_campaign, 1)

    edited = write(letter_campaign, 2, body=LETTER_A.replace("twice a day", "once a day"))

    assert edited.state == Letter.State.HELD_FOR_REVIEW


def test_genuinely_different_letter_is_not_held(seats, letter_campaign):
    write(letter_campaign, 1)

    other = write(letter_campaign, 2, body=LETTER_B)

    assert other.state == Letter.State.AWAITING_CONFIRMATION
    assert other.similar_to is None


def test_a_writer_whose_letter_expired_may_send_the_same_words_again(seats, letter_campaign):
    first = write(letter_campaign, 1)
    Letter.objects.filter(pk=first.pk).update(state=Letter.State.EXPIRED)

    again = write(letter_campaign, 1)

    assert again.state == Letter.State.AWAITING_CONFIRMATION
    assert again.similar_to is None


def test_an_expired_letter_is_not_a_letter_to_copy(seats, letter_campaign):
    first = write(letter_campaign, 1)
    Letter.objects.filter(pk=first.pk).update(state=Letter.State.EXPIRED)

    same = write(letter_campaign, 2, postcode="ZA2 1AA")

    assert same.state == Letter.State.AWAITING_CONFIRMATION


def test_letters_of_another_campaign_are_not_compared(seats, letter_campaign):
    write(letter_campaign, 1)

    elsewhere = write(LetterCampaignFactory(), 2)

    assert elsewhere.state == Letter.State.AWAITING_CONFIRMATION


def _fill(letter_campaign, count):
    letters = LetterFactory.create_batch(count, letter_campaign=letter_campaign)
    for n, letter in enumerate(letters):
        # Each its own text, and some sharing a few sentences with LETTER_A.
        letter.signature = similarity.signature(f"Letter number {n}. " + LETTER_B * (n % 3))
        letter.save(update_fields=["signature"])
        similarity.bands_store(letter)


@pytest.mark.parametrize("existing", [5, 200])
def test_finding_near_copies_costs_one_query_however_many_letters(
    letter_campaign, existing, django_assert_num_queries
):
    _fill(letter_campaign, existing)
    sig = similarity.signature(LETTER_B)

    with django_assert_num_queries(1):
        match = similarity.most_similar(letter_campaign_id=letter_campaign.pk, sig=sig)

    assert match.similarity > 0.85
