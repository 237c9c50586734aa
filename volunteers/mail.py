"""Email to people: the one way out, which honours the suppression list and tells a mail
server's final refusals from passing trouble.

`email_send(message=..., source=...)` hands a message to the mail server (EMAIL_BACKEND)
and says what happened:

- SENT: the server took it;
- SUPPRESSED: nothing was sent, every recipient is on the suppression list;
- REFUSED: the server refused it for good (a 5xx reply). A refusal of the recipient or of
  the message puts the address on the suppression list, so it is never tried again; a
  refusal of our side of the conversation (the sender address, the login) is logged as an
  error for whoever runs the site, and no recipient is blamed.

It raises MailDeferred for trouble that may pass: a 4xx reply, a refused, dropped or
timed-out connection. A Celery task lists MailDeferred in autoretry_for and so retries
with back-off only what may still succeed.

smtplib's exceptions name the recipient (SMTPRecipientsRefused is keyed by address, and
servers quote it in replies) and they are OSErrors, so a task retrying every OSError would
retry refusals for ever and log addresses each time. Here they become MailDeferred or a
log line that names no address; replies are kept with addresses redacted.
"""

import enum
import hashlib
import hmac
import logging
import smtplib
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage

from core.db import insert_unless_exists
from core.logging import redact
from volunteers.models import EmailSuppression, normalise_email

logger = logging.getLogger(__name__)

REPLY_MAX = 200


class Outcome(enum.StrEnum):
    SENT = "sent"
    SUPPRESSED = "suppressed"
    REFUSED = "refused"


class MailDeferred(OSError):
    """The mail server could not take the message now (4xx, or no connection); worth
    retrying later. The message names no address. An OSError, like the smtplib and socket
    errors it stands for, so a task with autoretry_for=(OSError,) retries it."""

    def __init__(self, message: str, *, code: int | None = None):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Refusal:
    """What an SMTP failure means for the message."""

    code: int | None  # the server's reply code; None when there was no reply
    reply: str  # the server's words, addresses redacted
    permanent: bool  # 5xx: trying again will not help
    refused: tuple[str, ...]  # the recipients it refused for good, to suppress


def address_hash(email: str, *, key: str | None = None) -> str:
    """The keyed hash (HMAC-SHA256) the suppression list knows an address by: the same
    for every spelling of one address, and meaningless without the secret."""
    secret = settings.SECRET_KEY if key is None else key
    digest_key = hashlib.sha256(f"email-address:{secret}".encode()).digest()
    return hmac.new(digest_key, normalise_email(email).encode(), hashlib.sha256).hexdigest()


def _address_hashes(email: str) -> list[str]:
    """Its hash under the current secret and any being rotated out (SECRET_KEY_FALLBACKS),
    so rotating the secret does not forget the list."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [address_hash(email, key=key) for key in keys]


def email_is_suppressed(*, email: str, mass: bool = False) -> bool:
    """Whether the address takes no mail (refused, bounced); with `mass`, whether it takes
    no mass email either (unsubscribed, complained)."""
    return _suppressions(_address_hashes(email), mass=mass).exists()


def _suppressions(hashes, *, mass: bool):
    entries = EmailSuppression.objects.filter(address_hash__in=hashes)
    return entries if mass else entries.filter(reason__in=EmailSuppression.UNDELIVERABLE)


def suppressed_among(*, emails, mass: bool) -> set[str]:
    """Those of `emails` (bare, normalised addresses) that must not get this kind of mail:
    one query for a whole batch."""
    by_hash = {h: a for a in emails for h in _address_hashes(a)}
    found = _suppressions(by_hash, mass=mass).values_list("address_hash", flat=True)
    return {by_hash[h] for h in found}


def suppressions_for(*, emails) -> list[EmailSuppression]:
    """The suppression list's entries for these addresses (for a supporter's export)."""
    hashes = [h for email in emails for h in _address_hashes(email)]
    return list(EmailSuppression.objects.filter(address_hash__in=hashes))


def email_suppress(
    *,
    email: str,
    reason: str,
    smtp_code: int | None = None,
    smtp_reply: str = "",
    source: str = "",
) -> bool:
    """Put an address on the suppression list; True if it was not already there. Safe
    under concurrency: the first entry stays."""
    entry = EmailSuppression(
        address_hash=address_hash(email),
        reason=reason,
        smtp_code=smtp_code,
        smtp_reply=redact(smtp_reply)[:REPLY_MAX],
        source=source[:100],
    )
    return insert_unless_exists(entry)


def email_unsuppress(
    *, email: str, undeliverable_only: bool = False, reasons: tuple[str, ...] = ()
) -> int:
    """Take an address off the list (it was refused by mistake, or its owner asked to be
    erased: then only the entries saying it cannot take mail go, and an unsubscribe stays;
    or only the entries for `reasons`); how many entries were removed."""
    entries = EmailSuppression.objects.filter(address_hash__in=_address_hashes(email))
    if undeliverable_only:
        entries = entries.filter(reason__in=EmailSuppression.UNDELIVERABLE)
    if reasons:
        entries = entries.filter(reason__in=reasons)
    deleted, _ = entries.delete()
    return deleted


def _reply_text(reply) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return redact(" ".join(str(reply).split()))[:REPLY_MAX]


def smtp_refusal(error: OSError, *, recipients: list[str]) -> Refusal:
    """What an OSError from sending to `recipients` means. 5xx replies are permanent;
    4xx replies, dropped connections and anything without a reply code are not."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = {parseaddr(address)[1]: reply for address, reply in error.recipients.items()}
        refused = tuple(address for address, (code, _) in replies.items() if code >= 500)
        code, text = next(
            (reply for reply in replies.values() if reply[0] >= 500), next(iter(replies.values()))
        )
        # Every recipient was refused (smtplib raises only then): permanent if for good.
        return Refusal(code, _reply_text(text), len(refused) == len(replies), refused)
    if isinstance(error, smtplib.SMTPResponseException):
        permanent = error.smtp_code >= 500
        # A refused message (at DATA) is refused for its recipients; a refused sender,
        # greeting or login is our side's problem, not theirs.
        blamed = permanent and isinstance(error, smtplib.SMTPDataError)
        return Refusal(
            error.smtp_code,
            _reply_text(error.smtp_error),
            permanent,
            tuple(parseaddr(r)[1] for r in recipients) if blamed else (),
        )
    # No reply at all: refused or dropped connection, timeout, name look-up failure.
    return Refusal(None, _reply_text(type(error).__name__), False, ())


def email_send(
    *, message: EmailMessage, source: str, mass: bool = False, checked: bool = False
) -> Outcome:
    """Send `message` unless its recipients are suppressed; record a permanent refusal.

    `source` says what is being sent ("petition:<slug>", "account:password_reset_key") in
    the suppression list and the logs. `mass` for scheduled messages, which an unsubscribe
    stops too; `checked` when the caller has just checked the list for a whole batch.
    Raises MailDeferred when the server may take the message later. Meant for one
    recipient per message, as every transactional email is.
    """
    suppressed = set() if checked else _suppressed(message.recipients(), mass=mass)
    if suppressed:
        message.to = [a for a in message.to if parseaddr(a)[1] not in suppressed]
        message.cc = [a for a in message.cc if parseaddr(a)[1] not in suppressed]
        message.bcc = [a for a in message.bcc if parseaddr(a)[1] not in suppressed]
        if not message.recipients():
            logger.info("Not sending %s mail: the address is on the suppression list", source)
            return Outcome.SUPPRESSED
    try:
        message.send()
    except OSError as error:  # every smtplib error, and every socket error, is an OSError
        refusal = smtp_refusal(error, recipients=message.recipients())
        _record_refusal(refusal, source=source)
        if not refusal.permanent:
            kind = f"{refusal.code} {refusal.reply}" if refusal.code else refusal.reply
            # `from None`: the original names the recipient, and would be logged with it.
            raise MailDeferred(
                f"The mail server deferred {source} mail ({kind})", code=refusal.code
            ) from None
        return Outcome.REFUSED
    return Outcome.SENT


def _suppressed(recipients: list[str], *, mass: bool) -> set[str]:
    """Those of `recipients` (bare addresses) on the suppression list."""
    return suppressed_among(emails={parseaddr(r)[1] for r in recipients}, mass=mass)


def _record_refusal(refusal: Refusal, *, source: str) -> None:
    """Suppress the addresses refused for good (some may be, among recipients deferred);
    log a permanent refusal that blames no recipient as our own error."""
    if refusal.permanent and not refusal.refused:
        logger.error(
            "The mail server refused %s mail for good (%s %s); check the sending settings "
            "(EMAIL_URL, DEFAULT_FROM_EMAIL)",
            source,
            refusal.code,
            refusal.reply,
        )
        return
    if not refusal.refused:
        return
    for address in refusal.refused:
        email_suppress(
            email=address,
            reason=EmailSuppression.Reason.REFUSED,
            smtp_code=refusal.code,
            smtp_reply=refusal.reply,
            source=source,
        )
    logger.warning(
        "The mail server refused %s mail for good (%s %s); the address is now suppressed",
        source,
        refusal.code,
        refusal.reply,
    )
