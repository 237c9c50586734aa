import pytest

from tests.campaigns.petitions.helpers import counted_total, sign
from tests.factories import PetitionFactory
from volunteers import privacy
from volunteers.models import Supporter

pytestmark = pytest.mark.django_db


def test_export_lists_the_supporters_signatures(seats):
    petition = PetitionFactory(confirmation_required=False)
    sign(petition, email="jo@example.org", campaign_email_opt_in=True)

    export = privacy.supporter_export(supporter=Supporter.objects.get(email="jo@example.org"))

    assert export["petitions"]["signatures"][0]["petition"] == petition.slug
    assert export["petitions"]["signatures"][0]["postcode"] == "ZA1 1AA"
    assert export["volunteers"]["consents"][0]["purpose"] == "campaign-email"


def test_erasure_removes_the_signer_but_keeps_the_count(seats):
    petition = PetitionFactory(confirmation_required=False)
    sign(petition, 1, email="jo@example.org")
    sign(petition, 2)
    assert counted_total(petition) == 2

    privacy.supporter_erase(supporter=Supporter.objects.get(email="jo@example.org"))

    erased = petition.signatures.get(name="")
    assert "jo@example.org" not in (erased.email, erased.canonical_email)
    assert (erased.postcode, erased.ip_hash, erased.supporter) == ("", "", None)
    assert erased.counted
    assert counted_total(petition) == 2
