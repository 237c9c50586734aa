"""`smtp_sink`: a real SMTP server on 127.0.0.1 that the site sends its mail to.

It accepts everything unless told otherwise; like a real server it can refuse:

    smtp_sink.refuse("jo@example.org", 550)           # every attempt: "550 5.1.1 <jo@...>"
    smtp_sink.refuse("jo@example.org", 451, times=1)  # the next attempt only, then accept
    smtp_sink.refuse("jo@example.org", 554, at="DATA")  # take the recipient, refuse the mail
    smtp_sink.refuse("noreply@localhost", 553, at="MAIL")  # refuse the sender (MAIL FROM)

Replies quote the address, as real servers' do. `smtp_sink.attempts("jo@example.org")`
counts every delivery attempt to an address (each RCPT TO), refused or not.
`smtp_sink.hold_after(600)` keeps senders waiting at MAIL FROM once 600 messages have come,
until `smtp_sink.release()`: a place to kill a sender where the server has taken nothing.
"""

import asyncio
import re
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

# Enhanced status codes (RFC 3463) servers give with each kind of reply.
_STATUS = {
    421: "4.4.2", 450: "4.2.0", 451: "4.7.1", 452: "4.2.2",
    550: "5.1.1", 551: "5.1.6", 552: "5.2.2", 553: "5.1.3", 554: "5.7.1",
}  # fmt: skip
_WORDS = {
    "MAIL": "Sender address rejected",
    "RCPT": "Recipient address rejected",
    "DATA": "Message rejected",
}


@dataclass
class _Refusal:
    code: int
    at: str  # "MAIL", "RCPT" or "DATA"
    times: int | None  # how many more attempts to refuse; None for all


class SmtpSink:
    """Collects every message delivered to it, as parsed email messages."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()
        self._refusals: dict[str, _Refusal] = {}
        self._attempts: Counter = Counter()
        self._hold_from: int | None = None
        self._waiting_at_mail = 0

    def hold_after(self, count: int) -> None:
        """Once `count` messages have arrived, keep every sender waiting for its reply to
        MAIL FROM (before the server has taken anything) until release()."""
        with self._arrived:
            self._hold_from = count

    def release(self) -> None:
        with self._arrived:
            self._hold_from = None

    def waiting_at_mail(self) -> int:
        """How many senders are being held at MAIL FROM now."""
        with self._arrived:
            return self._waiting_at_mail

    def count(self) -> int:
        with self._arrived:
            return len(self.messages)

    def wait_for_count(self, count: int, timeout: float = 60) -> bool:
        """Wait until at least `count` messages have arrived; whether they did in time."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._arrived.wait(remaining)
            return True

    async def _held(self) -> None:
        with self._arrived:
            held = self._hold_from is not None and len(self.messages) >= self._hold_from
            self._waiting_at_mail += held
        while held:
            await asyncio.sleep(0.05)
            with self._arrived:
                held = self._hold_from is not None
                self._waiting_at_mail -= not held

    def refuse(self, address: str, code: int, *, times: int | None = None, at: str = "RCPT"):
        """Answer `code` to attempts to deliver to `address`: at RCPT TO (the recipient) or
        at the end of DATA (the message), for the next `times` attempts or for all; with
        at="MAIL", to attempts to send from `address`."""
        assert at in ("MAIL", "RCPT", "DATA"), at
        with self._arrived:
            self._refusals[address.lower()] = _Refusal(code, at, times)

    def attempts(self, address: str) -> int:
        with self._arrived:
            return self._attempts[address.lower()]

    def _refusal(self, address: str, at: str) -> str | None:
        """The reply refusing this attempt, if it is to be refused here (and counted)."""
        refusal = self._refusals.get(address.lower())
        if refusal is None or refusal.at != at or refusal.times == 0:
            return None
        if refusal.times is not None:
            refusal.times -= 1
        status = _STATUS.get(refusal.code, f"{refusal.code // 100}.0.0")
        return f"{refusal.code} {status} <{address}>: {_WORDS[at]}"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        await self._held()
        with self._arrived:
            reply = self._refusal(address, "MAIL")
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self._arrived:
            self._attempts[address.lower()] += 1
            reply = self._refusal(address, "RCPT")
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._arrived:
            for address in envelope.rcpt_tos:
                reply = self._refusal(address, "DATA")
                if reply:
                    return reply
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, to: str, timeout: float = 15) -> EmailMessage:
        """The first message to this address, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for message in self.messages:
                    if to.lower() in message["X-Envelope-To"].lower():
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no mail to {to} within {timeout} s")
                self._arrived.wait(remaining)


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content()


def links_in(message: EmailMessage) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", body_text(message))


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_sink(settings):
    """A running SMTP server; the site's email backend is pointed at it for the test."""
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield sink
    finally:
        controller.stop()
