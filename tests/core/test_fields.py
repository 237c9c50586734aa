"""core.fields.one_line, which every service's names and subjects go through."""

import pytest

from core.fields import one_line


@pytest.mark.parametrize("breaking", ["\r", "\n", "\u2028", "\x85"])
def test_a_line_break_of_any_kind_is_refused_not_joined(breaking):
    errors = {}

    assert (
        one_line(
            f"Jo{breaking}Bcc: x@example.org", field="name", label="name", limit=100, errors=errors
        )
        == ""
    )
    assert errors == {"name": "Your name must be on one line."}


def test_spaces_are_folded_and_empty_or_long_values_named():
    errors = {}

    assert (
        one_line("  Jo   Bloggs ", field="name", label="name", limit=100, errors=errors)
        == "Jo Bloggs"
    )
    one_line("  ", field="name", label="name", limit=100, errors=errors)
    one_line("x" * 6, field="subject", label="subject", limit=5, errors=errors)
    one_line("", field="phone", label="phone", limit=5, errors=errors, required=False)

    assert errors == {
        "name": "Enter your name.",
        "subject": "Your subject must be at most 5 characters.",
    }
