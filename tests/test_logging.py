"""No personal data reaches a log line, at any level. Checked at both ends: every record as
the code logged it (at DEBUG, before any filter) must hold none of what a person typed;
and the site's log handler (LOGGING, which the Celery worker uses too) redacts email
addresses, postcodes and database key values from whatever gets logged."""

import io
import logging
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from campaigns.petitions.models import Signature
from campaigns.petitions.services import petition_sign
from core.logging import RedactPersonalData, redact
from tests.campaigns.petitions.helpers import committed
from tests.factories import (
    ConstituencyFactory,
    PetitionFactory,
    PostcodeFallbackFactory,
    UserFactory,
    sign_up_details,
)
from volunteers.models import Supporter

ROOT = Path(__file__).resolve().parent.parent
EMAIL = "Jo.Bloggs@Example.org"
NAME = "Josephine Bloggs"
POSTCODE = "SW1A 2AA"  # not in the fallback table: look-ups go to postcodes.io
PASSWORD = "a long and unusual passphrase 42"
PHONE = "07400 900461"
PERSONAL = [EMAIL, EMAIL.lower(), "jo.bloggs", NAME, "Bloggs", POSTCODE, "SW1A2AA", PASSWORD]
PERSONAL += [PHONE, "7400900461"]


class Records(logging.Handler):
    """Every record as the code logged it, formatted with its exception, before the site's
    handler (and its filter) sees it."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record):
        self.lines.append(self.format(record))


class Logged:
    def __init__(self, records: Records, output: io.StringIO):
        self.records, self.output = records, output

    @property
    def raw(self) -> str:
        return "\n".join(self.records.lines)

    @property
    def written(self) -> str:
        return self.output.getvalue()

    def personal_values(self) -> list[str]:
        """The submitted values found in either: in what the code logged, or in what the
        site's handler wrote."""
        found = []
        for where, text in (("logged", self.raw), ("written", self.written)):
            found += [f"{where}: {v}" for v in PERSONAL if v.lower() in text.lower()]
        return found


def site_handler() -> logging.Handler:
    """The handler LOGGING put on the root logger (the one with the redacting filter)."""
    [handler] = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactPersonalData) for f in h.filters)
    ]
    return handler


@pytest.fixture
def logged(caplog):
    """Records at every level from here on, both as logged and as the site's handler wrote
    them. Call it again after starting a worker, which configures logging afresh."""
    installed, quietened, server_log = [], [], logging.getLogger("mail.log")

    def start() -> Logged:
        for level_of in ("", "django", "celery", "volunteers", "campaigns", "allauth"):
            caplog.set_level(logging.DEBUG, logger=level_of)
        # The test's SMTP server (aiosmtpd) logs every message it receives: not the site.
        quietened.append((server_log, server_log.level))
        server_log.setLevel(logging.WARNING)
        records, output = Records(), io.StringIO()
        root, handler = logging.getLogger(), site_handler()
        root.handlers.insert(0, records)  # first, so it sees each record before the filter
        previous = handler.setStream(output)
        installed.append((records, handler, previous))
        return Logged(records, output)

    yield start
    for records, handler, previous in installed:
        logging.getLogger().removeHandler(records)
        handler.setStream(previous)
    for logger, level in reversed(quietened):
        logger.setLevel(level)


@pytest.fixture
def petition(db, settings):
    seat = ConstituencyFactory(ons_code="E14000001")
    PostcodeFallbackFactory(code="ZA1 1AA", constituency_code=seat.ons_code)
    settings.POSTCODES_IO_URL = "http://127.0.0.1:9"  # nothing listens: the look-up is down
    settings.OUTSIDE_SERVICE_TIMEOUT = 0.2
    return PetitionFactory()


def sign_on_the_page(client, petition, postcode):
    with committed():
        return client.post(
            reverse("petitions:detail", args=[petition.slug]),
            {"name": NAME, "email": EMAIL, "postcode": postcode},
        )


# What the code logs, and what the handler writes, over whole flows


@pytest.mark.django_db
def test_sign_up_logs_no_personal_data(client, logged):
    log = logged()
    UserFactory(email="known@example.org")
    PostcodeFallbackFactory(code=POSTCODE, constituency_code="E14000639")
    profile = sign_up_details(name=NAME, postcode=POSTCODE, phone=PHONE)
    form = {"email": EMAIL, "password1": PASSWORD, "password2": PASSWORD, **profile}

    client.post(reverse("account_signup"), form)
    client.post(reverse("account_signup"), {**form, "email": "known@example.org"})
    client.post(
        "/_allauth/app/v1/auth/signup",
        {"email": EMAIL, "password": PASSWORD, **profile},
        content_type="application/json",
    )
    client.post(reverse("account_reset_password"), {"email": EMAIL})

    assert log.raw  # something was logged
    assert log.personal_values() == []


def test_signing_with_the_postcode_look_up_down_logs_no_personal_data(client, logged, petition):
    log = logged()

    response = sign_on_the_page(client, petition, POSTCODE)

    assert "not available right now" in response.content.decode()
    assert "postcodes.io failed" in log.raw
    assert log.personal_values() == []


def test_a_confirmation_email_refused_for_good_logs_no_personal_data(
    client, logged, petition, smtp_sink
):
    smtp_sink.refuse(EMAIL, 550)
    log = logged()

    sign_on_the_page(client, petition, "ZA1 1AA")

    assert "refused petition:" in log.raw
    assert log.personal_values() == []


@pytest.mark.redis
@pytest.mark.celery_worker
def test_a_retried_confirmation_email_logs_no_personal_data(
    celery_worker, logged, petition, smtp_sink
):
    smtp_sink.refuse(EMAIL, 451, times=1)
    log = logged()  # after the worker started: it set up logging afresh

    with committed():
        petition_sign(petition=petition, name=NAME, email=EMAIL, postcode="ZA1 1AA")
    smtp_sink.wait_for(to=EMAIL)

    assert "retry" in log.raw.lower()
    assert log.personal_values() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_sign_ups_log_no_personal_data(logged, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1000/m/ip"}
    log = logged()
    start = threading.Barrier(10)
    form = {"email": EMAIL, "password1": PASSWORD, "password2": PASSWORD, **sign_up_details()}

    def sign_up(_):
        start.wait()
        try:
            return Client(raise_request_exception=False).post(reverse("account_signup"), form)
        finally:
            connection.close()

    with ThreadPoolExecutor(10) as pool:
        responses = list(pool.map(sign_up, range(10)))

    assert {r.status_code for r in responses} == {302}
    assert log.personal_values() == []


# What the handler does with personal data that others log


def test_the_handler_redacts_addresses_and_postcodes_in_messages_and_arguments(logged):
    log = logged()

    logging.getLogger("somewhere.else").warning(
        "Could not reach %s at %s (%r)", EMAIL, POSTCODE, {"to": EMAIL, "postcode": "sw1a2aa"}
    )

    assert "Could not reach [email] at [postcode]" in log.written
    assert [v for v in PERSONAL if v.lower() in log.written.lower()] == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_handler_redacts_database_key_values_from_exceptions(logged):
    Supporter.objects.create(email=EMAIL.lower(), name=NAME)
    log = logged()

    try:
        with transaction.atomic():
            Supporter.objects.create(email=EMAIL.lower(), name=NAME)
    except IntegrityError:
        logging.getLogger("django.request").exception("Internal Server Error: /sign-up/")

    assert "DETAIL:  Key (email)=([redacted]) already exists." in log.written
    assert "jo.bloggs" in log.raw.lower()  # it was there to redact
    assert "jo.bloggs" not in log.written.lower()


@pytest.mark.django_db
def test_the_handler_redacts_the_address_in_an_smtp_refusal(logged, smtp_sink):
    smtp_sink.refuse(EMAIL, 550)
    log = logged()

    try:
        mail.send_mail("Hello", "A message.", None, [EMAIL])
    except OSError:
        logging.getLogger("celery.app.trace").exception("Task raised unexpected")

    assert "SMTPRecipientsRefused" in log.written and "[email]" in log.written
    assert "jo.bloggs" not in log.written.lower()


def test_redact_keeps_what_is_not_personal():
    line = "Task 3f2a9c1e-ab1c-2de0-9b1c-8c1e2d4ab123 for E14000001 ready on celery@worker1"

    assert redact(line) == line


def test_the_celery_worker_logs_through_the_sites_handler(tmp_path):
    """Celery's logging set-up (which the worker runs at start) installs LOGGING, so a
    worker's log lines pass the same filter."""
    code = (
        "import django, logging; django.setup()\n"
        "from config.celery import app\n"
        "app.log.setup(loglevel='INFO')\n"
        "logging.getLogger('celery.app.trace').error("
        f"'Task failed for %s in %s', {EMAIL!r}, {POSTCODE!r})\n"
    )
    environment = {**os.environ, "GROUNDSWELL_VAR_DIR": str(tmp_path)}
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    assert "Task failed for [email] in [postcode]" in result.stderr


@pytest.mark.django_db
def test_writing_confirming_and_sending_a_letter_logs_no_personal_data(client, logged, settings):
    from campaigns.letters.models import Letter
    from tests.factories import LetterCampaignFactory, RepresentativeFactory

    settings.POSTCODES_IO_URL = "http://127.0.0.1:9"
    settings.OUTSIDE_SERVICE_TIMEOUT = 0.2
    seat = ConstituencyFactory(ons_code="E14000002")
    PostcodeFallbackFactory(code="ZA2 2BB", constituency_code=seat.ons_code)
    mp = RepresentativeFactory(constituency=seat)
    letters = LetterCampaignFactory()
    address, body = "17 Unusual Lane, Testford", "As a nurse on Unusual Lane I ask you to act."
    log = logged()

    with committed():
        client.post(
            f"/letters/{letters.slug}/",
            {
                "step": "send", "name": NAME, "email": EMAIL, "postcode": "ZA2 2BB",
                "address": address, "subject": "Please nominate", "body": body,
            },
        )  # fmt: skip
    [confirmation] = [m for m in mail.outbox if EMAIL.lower() in m.to[0].lower()]
    path = "/" + confirmation.body.split("/letters/confirm/", 1)[1].split()[0]
    with committed():
        client.get(f"/letters/confirm/{path.strip('/')}/")

    assert Letter.objects.get().state == Letter.State.SENT
    assert any(mp.email in m.to for m in mail.outbox)
    assert log.raw
    written = (log.raw + log.written).lower()
    assert log.personal_values() == []
    assert [v for v in ("ZA2 2BB", "ZA22BB", address, "Unusual Lane") if v.lower() in written] == []


@pytest.mark.django_db
def test_one_persons_whole_journey_logs_no_personal_data(client, logged, settings):
    """Sign up as a volunteer (name, postcode, phone), verify, open /me/, sign a petition
    and confirm it, write a letter and confirm it (it is sent): every record, at DEBUG."""
    from campaigns.letters.models import Letter
    from tests.factories import LetterCampaignFactory, RepresentativeFactory

    settings.POSTCODES_IO_URL = "http://127.0.0.1:9"
    settings.OUTSIDE_SERVICE_TIMEOUT = 0.2
    postcode, address = "ZA2 2BB", "17 Unusual Lane, Testford"
    seat = ConstituencyFactory(ons_code="E14000002")
    PostcodeFallbackFactory(code=postcode, constituency_code=seat.ons_code)
    RepresentativeFactory(constituency=seat)
    petition, letters = PetitionFactory(), LetterCampaignFactory()
    log = logged()

    def link(start: str) -> str:
        [message] = [m for m in mail.outbox if start in m.body]
        mail.outbox.remove(message)
        return start + message.body.split(start, 1)[1].split()[0]

    with committed():
        client.post(
            reverse("account_signup"),
            {
                "email": EMAIL, "password1": PASSWORD, "password2": PASSWORD, "name": NAME,
                "postcode": postcode, "phone": PHONE,
            },
        )  # fmt: skip
    with committed():
        client.post(link("/accounts/confirm-email/"))
    assert client.get(reverse("volunteers:me")).status_code == 200
    with committed():
        client.post(
            reverse("petitions:detail", args=[petition.slug]),
            {"name": NAME, "email": EMAIL, "postcode": postcode},
        )
    with committed():
        client.get(link(f"/petitions/{petition.slug}/confirm/"))
    with committed():
        client.post(
            f"/letters/{letters.slug}/",
            {
                "step": "send", "name": NAME, "email": EMAIL, "postcode": postcode,
                "address": address, "subject": "Please nominate", "body": "As a nurse, act.",
            },
        )  # fmt: skip
    with committed():
        client.get(link("/letters/confirm/"))

    assert Supporter.objects.get(email=EMAIL.lower()).user is not None
    assert Signature.objects.get().confirmed_at is not None
    assert Letter.objects.get().state == Letter.State.SENT
    assert log.raw
    written = (log.raw + log.written).lower()
    assert log.personal_values() == []
    assert [v for v in (postcode, "ZA22BB", address, "Unusual Lane") if v.lower() in written] == []
