"""Who a request comes from: the client's address as far as our own proxies can vouch for
it, and the keyed hash that is all the site ever stores of it."""

import hashlib
import hmac

from django.conf import settings

# The key's label dates from when only petitions hashed addresses; changing it would make
# every stored hash (signatures, venue allowances) stop matching.
_IP_HASH_LABEL = "petition-ip"


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
    """The address as a keyed hash (HMAC-SHA256 under SECRET_KEY), or "" for none: enough
    to count and match requests from one address, never to recover it."""
    if not ip:
        return ""
    key = hashlib.sha256(f"{_IP_HASH_LABEL}:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()[:32]
