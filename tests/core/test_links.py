"""core/links.py: emailed links carry a row's id, and fail with a clear message."""

import pytest
from django.core.exceptions import ValidationError

from core.links import NOT_VALID, link_id, link_token


class LinkRefused(ValidationError):
    pass


def test_a_link_carries_its_id_back():
    assert link_id(link_token(42, salt="kind"), salt="kind", max_age=60, expired="old") == 42


def test_an_old_link_says_it_has_expired(settings):
    token = link_token(42, salt="kind")

    with pytest.raises(LinkRefused) as refused:
        link_id(token, salt="kind", max_age=-1, expired="This link has expired.", error=LinkRefused)

    assert refused.value.message_dict == {"token": ["This link has expired."]}


@pytest.mark.parametrize("change", ["cut short", "another kind", "altered"])
def test_a_link_that_is_not_ours_as_it_was_is_not_valid(change):
    token = link_token(42, salt="kind")
    salt = "kind"
    if change == "cut short":
        token = token[:-4]
    elif change == "another kind":
        salt = "other"
    else:
        token = token.replace(":", "x:", 1)

    with pytest.raises(ValidationError) as refused:
        link_id(token, salt=salt, max_age=60, expired="old")

    assert refused.value.message_dict == {"token": [NOT_VALID]}
