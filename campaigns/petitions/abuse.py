"""What stops a petition being stuffed or used to bomb an inbox.

- canonical_email: one form for the addresses one person controls (case, plus-tags, dots
  in Gmail local parts), so organisers can spot one person signing many times.
- client_ip_hash: the client's IP as a keyed hash; the address itself is never stored.
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

import hashlib
import hmac

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from campaigns.petitions.models import VenueAllowance
from core.ratelimit import window_counts

GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}


def canonical_email(email: str) -> str:
    """The address with everything one person can vary at will removed."""
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def client_ip(request) -> str:
    """The client's address, trusting X-Forwarded-For only as many hops as there are
    proxies of ours in front (TRUSTED_PROXY_COUNT)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def client_ip_hash(ip: str) -> str:
    if not ip:
        return ""
    key = hashlib.sha256(f"petition-ip:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()[:32]


def _key(kind: str, value: str, window: int) -> str:
    return f"petitions:rl:{kind}:{value}:{window}"


def signing_over_limit(*, ip_hash: str, domain: str, petition_id: int | None = None) -> bool:
    """Count this signing against its IP and email domain; True if it is over a limit.

    Every limit is counted even when an earlier one is already exceeded, so a burst keeps
    the sustained counters honest. All of them in one round trip to the cache. An IP over
    its limits is let through if a venue allowance covers it now (for this petition or for
    all); that is looked up only then. Domain limits hold whatever the venue.
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
    counts = window_counts(
        (_key(kind, value, window), window) for kind, value, (_, window) in checks
    )
    over = {
        kind
        for (kind, _, (limit, _)), (count, _) in zip(checks, counts, strict=True)
        if count > limit
    }
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


def confirmation_email_allowed(email: str) -> bool:
    """Count one confirmation email to this address; False once over the cap."""
    count, window = settings.PETITION_CONFIRMATION_EMAILS
    [(sent, _)] = window_counts([(_key("mail", canonical_email(email), window), window)])
    return sent <= count


def confirmation_emails_allowed(emails: list[str]) -> list[bool]:
    """confirmation_email_allowed for many addresses in one round trip to the cache."""
    count, window = settings.PETITION_CONFIRMATION_EMAILS
    sent = window_counts((_key("mail", canonical_email(email), window), window) for email in emails)
    return [n <= count for n, _ in sent]
