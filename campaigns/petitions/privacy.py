"""Personal data in petitions: signatures. Erasing one keeps it in the counts (the count
is a public fact) but removes everything that says who signed."""

from campaigns.petitions.models import Signature
from volunteers.privacy import PrivacyProvider


def _signatures(supporter):
    return Signature.objects.filter(supporter=supporter).select_related("petition")


def _export(supporter) -> dict:
    return {
        "signatures": [
            {
                "petition": signature.petition.slug,
                "name": signature.name,
                "email": signature.email,
                "postcode": signature.postcode,
                "constituency_code": signature.constituency_code,
                "signed_at": signature.created_at.isoformat(),
                "confirmed_at": (
                    signature.confirmed_at.isoformat() if signature.confirmed_at else None
                ),
                "state": signature.state,
                "source": signature.source,
            }
            for signature in _signatures(supporter)
        ]
    }


def _erase(supporter) -> None:
    for signature in Signature.objects.filter(supporter=supporter):
        Signature.objects.filter(pk=signature.pk).update(
            supporter=None,
            name="",
            email=f"erased-{signature.pk}@erased.invalid",
            canonical_email="",
            email_domain="",
            postcode="",
            ip_hash="",
            share_code="",
            referred_by="",
        )


petitions_provider = PrivacyProvider(
    name="petitions",
    covers=("petitions.Signature",),
    export=_export,
    erase=_erase,
)
