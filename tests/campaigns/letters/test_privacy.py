"""A writer's letters are exported to them and erased, keeping the counts per MP."""

from campaigns.letters.models import Letter, LetterBand
from tests.campaigns.letters.helpers import LETTER_B, write
from volunteers import privacy
from volunteers.models import Supporter


def test_export_holds_the_writers_own_letters_only(seats, letter_campaign):
    write(letter_campaign, 1, email="jo@example.org")
    write(letter_campaign, 2, email="sam@example.org", body=LETTER_B)
    jo = Supporter.objects.get(email="jo@example.org")

    export = privacy.supporter_export(supporter=jo)

    [letter] = export["letters"]["letters"]
    assert (letter["email"], letter["to"]) == ("jo@example.org", "Ms MP 1")
    assert letter["address"] == "1 High Street\nTestford"
    assert "sam@example.org" not in str(export)


def test_erasure_removes_the_letter_and_writer_and_keeps_the_count(seats, letter_campaign):
    letter = write(letter_campaign, 1, email="jo@example.org", ip="203.0.113.9")
    other = write(letter_campaign, 2, email="sam@example.org", body=LETTER_B)
    jo = Supporter.objects.get(email="jo@example.org")

    privacy.supporter_erase(supporter=jo)

    letter.refresh_from_db()
    assert letter.supporter is None
    assert (letter.writer_name, letter.writer_postcode, letter.writer_address) == ("", "", "")
    assert (letter.subject, letter.body, letter.ip_hash, letter.signature) == ("", "", "", [])
    assert "jo@example.org" not in letter.writer_email
    assert not LetterBand.objects.filter(letter=letter).exists()
    assert Letter.objects.filter(representative=seats["ZA1 1AA"]).count() == 2
    other.refresh_from_db()
    assert other.body == LETTER_B and other.bands.count() == 32
