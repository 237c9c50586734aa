"""Keeping signers' personal data no longer than it is needed (the privacy notice says how
long): signatures never confirmed are deleted UNCONFIRMED_RETENTION_DAYS after they were
made, and the signers of a petition closed SIGNER_RETENTION_MONTHS ago are anonymised.
Both keep every count: an unconfirmed signature never counted, and an anonymised one
keeps its constituency, state and times. Celery beat runs them daily
(tasks.petitions_retention); each returns how many it changed, which the task logs."""

from datetime import timedelta

from django.conf import settings
from django.db.models import CharField, F, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from campaigns.petitions.models import Signature

ERASED_DOMAIN = "erased.invalid"
BATCH = 5000


def signatures_anonymise(signatures: QuerySet) -> int:
    """Remove everything that says who signed (name, email and what is derived from it,
    postcode, network, share and referral codes, an organiser's note) from `signatures`,
    in one statement, keeping petition, constituency, state and times: every count stays.
    Each email becomes erased-<id>@erased.invalid (unique per petition, as the constraint
    needs). Returns how many rows it changed."""
    return signatures.update(
        supporter=None,
        name="",
        email=Concat(
            Value("erased-"),
            Cast(F("pk"), CharField()),
            Value(f"@{ERASED_DOMAIN}"),
            output_field=CharField(),
        ),
        canonical_email="",
        email_domain="",
        postcode="",
        ip_hash="",
        share_code="",
        referred_by="",
        restoration_reason="",
    )


def signatures_unconfirmed_purge(*, limit: int = BATCH) -> int:
    """Delete signatures never confirmed nor counted, made UNCONFIRMED_RETENTION_DAYS ago
    or more: at most `limit` a run. Returns how many."""
    cutoff = timezone.now() - timedelta(days=settings.UNCONFIRMED_RETENTION_DAYS)
    ids = list(
        Signature.objects.filter(
            confirmed_at__isnull=True, counted=False, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:limit]
    )
    deleted, _ = Signature.objects.filter(pk__in=ids).delete()
    return deleted


def signers_anonymise(*, limit: int = BATCH) -> int:
    """Anonymise the signatures of petitions that closed SIGNER_RETENTION_MONTHS (of 30
    days) ago or more: at most `limit` a run. Returns how many."""
    cutoff = timezone.now() - timedelta(days=30 * settings.SIGNER_RETENTION_MONTHS)
    ids = list(
        Signature.objects.filter(petition__closes_at__lt=cutoff)
        .exclude(email__endswith=f"@{ERASED_DOMAIN}")
        .values_list("pk", flat=True)[:limit]
    )
    return signatures_anonymise(Signature.objects.filter(pk__in=ids))
