"""Keeping personal data out of log lines.

Code that logs should never put an email address, a name or a postcode in a message; this
is the second line of defence, for what code outside ours logs (an SMTP error naming the
recipient, PostgreSQL's "DETAIL:  Key (email)=(jo@example.org) already exists." in an
exception logged by django.request or Celery). `RedactPersonalData` is installed on every
handler in settings.LOGGING, which the Celery worker uses too (config/celery.py).

    redact("550 5.1.1 <jo@example.org>: no such user")  -> "550 5.1.1 <[email]>: no such user"
"""

import logging
import re
import traceback

EMAIL = "[email]"
POSTCODE = "[postcode]"
VALUE = "[redacted]"

# Anything shaped like local@domain.tld, as loosely as addresses are written in SMTP
# replies, URLs and reprs (also percent-encoded, as in a logged query string). A worker's
# name (celery@host) has no dot after the @ and stays; over-matching would cost little,
# missing an address much more.
_LOCAL = r"[^\s@<>()\[\]{}:;,\"'`\\/]+"
_LABEL = r"[^\s@<>()\[\]{}:;,\"'`\\/?&=#.]+"
_EMAIL_RE = re.compile(rf"{_LOCAL}(?:@|%40)(?:{_LABEL}\.)+{_LABEL}", re.IGNORECASE)
# UK postcodes in any case, with or without the space, standing alone (not inside a longer
# token such as a UUID's "ab1c-2de").
_POSTCODE_RE = re.compile(
    r"(?<![A-Za-z0-9-])(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR) ?[0-9][A-Z]{2}(?![A-Za-z0-9-])",
    re.IGNORECASE,
)
# PostgreSQL's DETAIL lines name the values that broke a constraint:
#   DETAIL:  Key (email)=(jo@example.org) already exists.
#   DETAIL:  Key (petition_id, email)=(3, jo@example.org) already exists.
#   DETAIL:  Failing row contains (7, jo@example.org, Jo Bloggs, SW1A 1AA, ...).
# The column names stay (they say what went wrong); the values go.
_DETAIL_KEY_RE = re.compile(
    r"(Key \(.*?\)=\().*?(\)(?: already exists| is not present| conflicts|\.|$))", re.MULTILINE
)
_DETAIL_ROW_RE = re.compile(r"(Failing row contains \().*(\))", re.MULTILINE)


def redact(text: str) -> str:
    """`text` with email addresses, UK postcodes and database key values replaced."""
    if not text:
        return text
    text = _DETAIL_KEY_RE.sub(rf"\g<1>{VALUE}\g<2>", text)
    text = _DETAIL_ROW_RE.sub(rf"\g<1>{VALUE}\g<2>", text)
    text = _EMAIL_RE.sub(EMAIL, text)
    return _POSTCODE_RE.sub(POSTCODE, text)


class RedactPersonalData(logging.Filter):
    """Redacts the message (with its arguments merged in), the exception text and the
    stack of every record that passes; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the message: keep both, redacted
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = redact(str(message)), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def counts_text(counts: dict[str, int]) -> str:
    """{"signatures deleted": 3, "signers anonymised": 0} as "3 signatures deleted, 0
    signers anonymised": how a periodic job reports what it did, in one log line."""
    return ", ".join(f"{count} {what}" for what, count in counts.items())
