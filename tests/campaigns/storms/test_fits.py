"""Counting a post as each network counts it (issue #17, part 3): exactly at the limit
fits, one over does not; X weighs a link as 23 and an emoji as 2, Bluesky counts
graphemes, Mastodon counts a link as 23 and a mention by its username."""

import pytest

from campaigns.storms import fits

LONG_URL = "https://www.example.org/campaigns/let-members-choose/" + "a" * 120
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one grapheme, five code points


def test_x_counts_280_weighted_with_a_long_link_as_23_and_an_emoji_as_2():
    # 23 for the link, 1 space, 2 for the emoji, 1 space: 27; then letters to 280.
    exact = f"{LONG_URL} \U0001f600 " + "a" * (280 - 27)
    over = exact + "a"

    assert fits.length(exact, fits.X) == 280 and fits.fit(exact, fits.X).fits
    assert fits.length(over, fits.X) == 281 and not fits.fit(over, fits.X).fits
    assert fits.fit(over, fits.X).message() == (
        "Too long for X by 1: 281 of 280 (a link counts 23, an emoji 2)."
    )


def test_x_counts_cjk_as_2():
    assert fits.length("\u65e5\u672c" * 70, fits.X) == 280
    assert not fits.fit("\u65e5\u672c" * 70 + "a", fits.X).fits


def test_bluesky_counts_300_graphemes():
    exact = FAMILY * 10 + "e\u0301" * 10 + "a" * 280  # 10 families, 10 accented e: 20
    over = exact + "a"

    assert len(exact) > 300  # far more code points than graphemes
    assert fits.length(exact, fits.BLUESKY) == 300 and fits.fit(exact, fits.BLUESKY).fits
    assert not fits.fit(over, fits.BLUESKY).fits
    assert fits.fit(over, fits.BLUESKY).message() == "Too long for Bluesky by 1: 301 of 300."


def test_mastodon_counts_a_link_as_23_and_a_mention_by_its_username():
    text = f"@mp@mastodon.example.social {LONG_URL} " + "a" * (500 - 3 - 1 - 23 - 1)

    assert fits.length(text, fits.MASTODON) == 500
    assert not fits.fit(text + "a", fits.MASTODON).fits


@pytest.mark.parametrize("network", ["x", "bluesky", "mastodon"])
def test_the_compose_text_puts_mention_post_hashtag_and_link_together(network):
    text = fits.compose_text(
        post=" My own words. ", hashtag="LetMembersChoose", mention="@mp", link=LONG_URL
    )

    assert text == f"@mp My own words. #LetMembersChoose {LONG_URL}"
    assert fits.fit(text, network).fits


def test_an_unknown_network_is_refused():
    with pytest.raises(ValueError):
        fits.length("hello", "myspace")
