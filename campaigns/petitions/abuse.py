"""What stops a petition being stuffed or used to bomb an inbox. The pieces every kind of
action shares live lower down: the client's address and its keyed hash in core/http.py, an
address's canonical form and domain in volunteers/models.py, the counters in
core/ratelimit.py.

- signing_over_limit: burst and sustained limits per IP and per email domain. A signature
  over a limit is accepted (the signer sees the usual answer) but kept as suspect and not
  counted unless an organiser restores it (services.signatures_restore).
- venue_allowed: an organiser's VenueAllowance lifts the per-IP limits for one connection
  (a street stall, a meeting hall) for a while; looked up only when the IP is over a limit,
  so signing normally costs no query for it.
- confirmation_email_allowed: a cap on confirmation emails to any one address.

Counters live in the cache, which is Redis in production, so limits hold across
processes. Limits are settings (PETITION_RATE_LIMITS, PETITION_CONFIRMATION_EMAILS).
"""

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from campaigns.petitions.models import VenueAllowance
from core.ratelimit import limits_exceeded, within_caps
from volunteers.models import canonical_email

PREFIX = "petitions:rl"


def signing_over_limit(*, ip_hash: str, domain: str, petition_id: int | None = None) -> bool:
    """Count this signing against its IP and email domain; True if it is over a limit.

    Every limit is counted, all in one round trip to the cache (core.ratelimit). An IP
    over its limits is let through if a venue allowance covers it now (for this petition
    or for all); that is looked up only then. Domain limits hold whatever the venue.
    """
    limits = settings.PETITION_RATE_LIMITS
    checks = []
    if ip_hash:
        checks += [("ip", ip_hash, limits["ip_burst"]), ("ip", ip_hash, limits["ip_sustained"])]
    if domain and domain not in settings.PETITION_DOMAIN_LIMIT_EXEMPT:
        checks += [
            ("domain", domain, limits["domain_burst"]),
            ("domain", domain, limits["domain_sustained"]),
        ]
    over = limits_exceeded(checks, prefix=PREFIX)
    if "domain" in over:
        return True
    return "ip" in over and not venue_allowed(ip_hash=ip_hash, petition_id=petition_id)


def venue_allowed(*, ip_hash: str, petition_id: int | None = None, at=None) -> bool:
    """Whether an organiser allows many signatures from this IP hash at `at` (now), for
    this petition or for every petition."""
    if not ip_hash:
        return False
    at = at or timezone.now()
    return (
        VenueAllowance.objects.filter(ip_hash=ip_hash, starts_at__lte=at, ends_at__gt=at)
        .filter(Q(petition__isnull=True) | Q(petition_id=petition_id))
        .exists()
    )


def _mail_key(email: str) -> str:
    _, window = settings.PETITION_CONFIRMATION_EMAILS
    return f"{PREFIX}:mail:{canonical_email(email)}:{window}"


def confirmation_email_allowed(email: str) -> bool:
    """Count one confirmation email to this address; False once over the cap."""
    return confirmation_emails_allowed([email])[0]


def confirmation_emails_allowed(emails: list[str]) -> list[bool]:
    """confirmation_email_allowed for many addresses in one round trip to the cache."""
    return within_caps(
        [_mail_key(email) for email in emails], settings.PETITION_CONFIRMATION_EMAILS
    )
