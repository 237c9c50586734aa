import pytest

from tests.factories import AngleFactory, StormFactory, StormTargetFactory


@pytest.fixture
def storm(db):
    """A published storm tomorrow, two angles and three targets (each MP on X)."""
    storm = StormFactory()
    AngleFactory(storm=storm, second_starter="Second starter: my GP surgery is closing.")
    AngleFactory(storm=storm)
    for n in range(3):
        StormTargetFactory(
            storm=storm,
            target__status="leaning",
            target__representative__x_handle=f"mp_{n}",
            target__representative__social_links={
                "Bluesky": f"https://bsky.app/profile/mp{n}.bsky.social",
                "Mastodon": f"https://mastodon.example/@mp{n}",
            },
        )
    return storm
