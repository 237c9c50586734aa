"""Personal data in petitions: signatures, and what organisers did (restored a suspect
signature, allowed a venue). Erasing a signature keeps it in the counts (the count is a
public fact) but removes everything that says who signed; erasing an organiser keeps what
they did but not that it was them."""

from campaigns.petitions.models import Signature, VenueAllowance
from campaigns.petitions.services.retention import signatures_anonymise
from volunteers.privacy import PrivacyProvider


def _signatures(supporter):
    return Signature.objects.filter(supporter=supporter).select_related("petition")


def _when(moment):
    return moment.isoformat() if moment else None


def _export(supporter) -> dict:
    data = {
        "signatures": [
            {
                "petition": signature.petition.slug,
                "name": signature.name,
                "email": signature.email,
                "postcode": signature.postcode,
                "constituency_code": signature.constituency_code,
                "signed_at": signature.created_at.isoformat(),
                "confirmed_at": _when(signature.confirmed_at),
                "state": signature.state,
                "source": signature.source,
                "restored_at": _when(signature.restored_at),
                "restoration_reason": signature.restoration_reason,
            }
            for signature in _signatures(supporter)
        ],
        "signatures_restored": [],
        "venue_allowances_made": [],
    }
    if supporter.user_id is not None:
        restored = Signature.objects.filter(restored_by_id=supporter.user_id)
        data["signatures_restored"] = [
            {"petition": slug, "at": _when(at), "reason": reason}
            for slug, at, reason in restored.values_list(
                "petition__slug", "restored_at", "restoration_reason"
            )
        ]
        allowances = VenueAllowance.objects.filter(created_by_id=supporter.user_id)
        data["venue_allowances_made"] = [
            {
                "label": allowance.label,
                "petition": allowance.petition.slug if allowance.petition else None,
                "starts_at": _when(allowance.starts_at),
                "ends_at": _when(allowance.ends_at),
            }
            for allowance in allowances.select_related("petition")
        ]
    return data


def _erase(supporter) -> None:
    signatures_anonymise(Signature.objects.filter(supporter=supporter))
    if supporter.user_id is not None:
        Signature.objects.filter(restored_by_id=supporter.user_id).update(restored_by=None)
        VenueAllowance.objects.filter(created_by_id=supporter.user_id).update(created_by=None)


petitions_provider = PrivacyProvider(
    name="petitions",
    # A VenueAllowance's ip_hash is a venue's connection (a stall, a hall), not a signer's;
    # it is covered for its created_by, the organiser.
    covers=("petitions.Signature", "petitions.VenueAllowance"),
    export=_export,
    erase=_erase,
)
