"""The two baselines that the real signing endpoint is measured against.

Both are copies of api.PetitionSign + services.petition_sign for a petition that needs no
confirmation, doing the same work in the same order (the petition look-up, the input
serializer, DRF's authentication and throttles, services._check with its email
normalisation and volunteers.places postcode look-up, the abuse counters in Redis, the
share code, supporter_get_or_create, the signature insert (ON CONFLICT DO NOTHING), the same answer
for a repeat), and differing only in how a signature is counted:

- naive: in the signing transaction, right after the signature insert,
  `UPDATE PetitionCount SET total = total + 1` and the same on the signer's
  ConstituencyCount row (created on first use), like alphagov/e-petitions' early
  increment_signature_count! and ConstituencyPetitionJournal.record_new_signature, but
  inside the request. Every signer of one petition queues on one counter row.
- insert-only: no counting at all; the signature row is the only write besides the
  supporter. The floor the real path's CountChange insert is compared with.

The real variant inserts a CountChange row instead, folded into the counts by Celery.
services._check and services._signature_build are private to the petitions app: used here
on purpose so the baselines validate and build the row exactly as the real path does (if
either is renamed, this file fails at once).
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from campaigns.petitions import abuse, services
from campaigns.petitions.api import PetitionSign
from campaigns.petitions.models import ConstituencyCount, PetitionCount, Signature
from core.db import insert_unless_exists
from core.http import client_ip_hash
from volunteers.models import ConsentRecord, email_domain
from volunteers.services import consent_record, supporter_get_or_create


def _count_in_request(*, petition, constituency_code: str) -> None:
    """The naive count: two shared rows updated by every signing transaction."""
    PetitionCount.objects.filter(petition=petition).update(
        total=F("total") + 1, updated_at=timezone.now()
    )
    seat = ConstituencyCount.objects.filter(petition=petition, constituency_code=constituency_code)
    if not seat.update(total=F("total") + 1):
        ConstituencyCount.objects.bulk_create(
            [ConstituencyCount(petition=petition, constituency_code=constituency_code)],
            ignore_conflicts=True,
        )
        seat.update(total=F("total") + 1)


def _sign(*, petition, values, ip: str, count_in_request: bool) -> services.Signing:
    """services.petition_sign for a petition without confirmation, minus the CountChange
    row; with count_in_request the counters are updated in the same transaction."""
    name, email, place = services._check(
        petition=petition, name=values["name"], email=values["email"], postcode=values["postcode"]
    )
    ip_hash = client_ip_hash(ip)
    domain = email_domain(email)
    suspect = abuse.signing_over_limit(ip_hash=ip_hash, domain=domain)
    code = services.share_code(petition=petition, email=email)
    counts_now = not petition.confirmation_required and not suspect
    with transaction.atomic():
        supporter, _ = supporter_get_or_create(email=email, name=name)
        if values["campaign_email_opt_in"]:
            consent_record(
                supporter=supporter,
                purpose=ConsentRecord.Purpose.CAMPAIGN_EMAIL,
                wording=services.CAMPAIGN_EMAIL_WORDING,
                source=f"petition:{petition.slug}",
            )
        signature = services._signature_build(
            petition=petition,
            supporter=supporter,
            name=name,
            email=email,
            place=place,
            source=values["source"],
            referred_by=values["ref"],
            share_code=code,
            ip_hash=ip_hash,
            suspect=suspect,
            counted=counts_now,
        )
        if insert_unless_exists(signature):
            if counts_now and count_in_request:
                _count_in_request(petition=petition, constituency_code=place.constituency_code)
        elif Signature.objects.filter(petition=petition, email=email).first() is None:
            raise IntegrityError("The signature could not be stored.")
    return services.Signing(
        petition=petition,
        constituency_code=place.constituency_code,
        share_code=code,
        confirmation_required=petition.confirmation_required,
    )


class _BaselineSign(PetitionSign):
    """api.PetitionSign with the signing service swapped for _sign; the same request
    handling, answer and lookup as the real endpoint."""

    count_in_request = False

    def sign(self, petition, values, ip) -> services.Signing:
        return _sign(
            petition=petition, values=values, ip=ip, count_in_request=self.count_in_request
        )


class NaiveSign(_BaselineSign):
    count_in_request = True


class InsertOnlySign(_BaselineSign):
    count_in_request = False
