"""Reading a bounce: which letter a returned message is about, and why it came back.

A letter goes out with its own envelope sender (services.bounce_address), so the mail
server that cannot deliver it sends the bounce there, days later perhaps. The bounce is
an RFC 3464 delivery status notification or, from older servers, any message; the
mail system hands it to the `letter_bounce` command, which calls services.letter_bounce.
Only an address whose code checks out (services.letter_for_bounce_address) names a letter.
"""

import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import Message

# Where the bounce address is, in the order it is trusted: the headers the delivering
# server sets for the envelope recipient, then the message's own To.
RECIPIENT_HEADERS = ["Delivered-To", "X-Original-To", "Envelope-To", "To"]
BOUNCE_ADDRESS = re.compile(r"bounces\+\d+-[0-9a-f]+@[A-Za-z0-9.-]+", re.IGNORECASE)
REASON_MAX = 300


@dataclass(frozen=True)
class Bounce:
    addresses: list[str]  # candidate letter bounce addresses, most trusted first
    reason: str  # the server's status and diagnostic, or its failed recipients


def _headers(message: Message, name: str) -> list[str]:
    return [str(value) for value in message.get_all(name, [])]


def _text(message: Message) -> str:
    """Every text part of the message (the DSN's report, the returned headers), decoded."""
    found = []
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            found.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
        elif isinstance(part.get_payload(), str):
            found.append(part.get_payload())
    return "\n".join(found)


def _delivery_status(message: Message) -> str:
    """The Status / Diagnostic-Code / Final-Recipient of an RFC 3464 report, if it is one."""
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        fields = []
        for block in part.get_payload() if part.is_multipart() else []:
            for name in ("Final-Recipient", "Status", "Diagnostic-Code"):
                if block.get(name):
                    fields.append(f"{name}: {' '.join(str(block[name]).split())}")
        if fields:
            return "; ".join(fields)
    return ""


def bounce_read(raw: bytes) -> Bounce:
    """The candidate letter addresses and the reason in a bounce message (never raises for
    a malformed one: whatever can be read is)."""
    message = message_from_bytes(raw, policy=policy.compat32)
    addresses: list[str] = []
    for name in RECIPIENT_HEADERS:
        for value in _headers(message, name):
            addresses += BOUNCE_ADDRESS.findall(value)
    # Then anywhere in it: the returned letter's headers, or a report in (encoded) text.
    addresses += BOUNCE_ADDRESS.findall(raw.decode("utf-8", "replace"))
    addresses += BOUNCE_ADDRESS.findall(_text(message))
    unique = list(dict.fromkeys(address.lower() for address in addresses))
    failed = ", ".join(_headers(message, "X-Failed-Recipients"))
    reason = _delivery_status(message) or (f"Failed recipients: {failed}" if failed else "")
    return Bounce(addresses=unique, reason=reason[:REASON_MAX])
