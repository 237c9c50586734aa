"""A scheduled message as each recipient gets it: subject, text, HTML and headers.

Subject and body are Django templates that organisers write, rendered per recipient with
the fields in FIELDS. The text part is rendered without escaping; the HTML part is the
same text escaped (with line breaks and links kept), so nothing an organiser or a
supporter typed becomes markup. Every message carries a signed one-click unsubscribe link
(RFC 8058: List-Unsubscribe and List-Unsubscribe-Post).
"""

from dataclasses import dataclass
from email.utils import make_msgid

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, urlize
from django.utils.text import normalize_newlines

from organiser.models import ScheduledMessage

UNSUBSCRIBE_SALT = "organiser.unsubscribe"

# What a template may use, with what each means: shown to organisers in the admin.
FIELDS = {
    "first_name": "the recipient's first name, or 'there' if we do not know it",
    "name": "the recipient's full name (may be empty)",
    "site_name": "the site's name",
    "storm_title": "the storm's title",
    "hashtag": "the storm's hashtag, with its #",
    "storm_url": "the storm's page",
    "event_title": "the event's title",
    "event_url": "the event's page",
    "starts_at": "when the storm, or the recipient's own shift, starts (UK time)",
    "petition_title": "the petition's title",
    "petition_url": "the petition's page",
    "unsubscribe_url": "the one-click unsubscribe page (also in every email's footer)",
}

# The engine renders plain text: no autoescape, the built-in tags and filters only (no
# {% load %} libraries, and no template folders for {% include %} to read).
_TEXT_ENGINE = Engine(autoescape=False, debug=False, dirs=[], app_dirs=False, libraries={})


def template_checked(source: str, *, field: str) -> Template:
    """The compiled template, or a ValidationError naming the field and the mistake."""
    try:
        return Template(source, engine=_TEXT_ENGINE)
    except TemplateSyntaxError as error:
        raise ValidationError({field: f"This template has a mistake: {error}"}) from None


def unsubscribe_token(*, supporter_id: int, message_id: int) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(f"{supporter_id}.{message_id}")


def unsubscribe_ids(token: str) -> tuple[int, int]:
    """(supporter id, message id) from a token; BadSignature if it was not ours."""
    supporter_id, message_id = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token).split(".")
    return int(supporter_id), int(message_id)


def unsubscribe_url(*, supporter_id: int, message_id: int) -> str:
    token = unsubscribe_token(supporter_id=supporter_id, message_id=message_id)
    return settings.SITE_URL.rstrip("/") + reverse("organiser:unsubscribe", args=[token])


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _when(moment) -> str:
    local = timezone.localtime(moment)
    return local.strftime("%A %-d %B at %H:%M").replace(" at 00:00", "")


def message_fields(message: ScheduledMessage) -> dict:
    """The fields every recipient of this message shares."""
    fields = {"site_name": settings.SITE_NAME}
    if message.storm_id:
        storm = message.storm
        fields |= {
            "storm_title": storm.title,
            "hashtag": f"#{storm.hashtag}",
            "storm_url": _site(reverse("storms:storm", args=[storm.slug])),
            "starts_at": _when(storm.starts_at),
        }
    event = message.event or (message.shift.event if message.shift_id else None)
    if event is not None:
        fields |= {
            "event_title": event.title,
            "event_url": _site(reverse("events:event", args=[event.slug])),
        }
    if message.shift_id:
        fields["starts_at"] = _when(message.shift.starts_at)
    if message.petition_id:
        petition = message.petition
        fields |= {
            "petition_title": petition.title,
            "petition_url": _site(reverse("petitions:detail", args=[petition.slug])),
        }
    return fields


@dataclass
class Recipient:
    supporter_id: int
    email: str
    name: str
    starts_at: object = None  # their own shift's start, for event audiences


class Renderer:
    """Renders one version of a message for many recipients (templates compiled once)."""

    def __init__(self, message: ScheduledMessage):
        self.message = message
        self.version = message.version
        self.subject = template_checked(message.subject, field="subject")
        self.body = template_checked(message.body, field="body")
        self.shared = message_fields(message)
        self.from_email = settings.ORGANISER_FROM_EMAIL
        self.domain = settings.ORGANISER_FROM_EMAIL.rpartition("@")[2].strip("> ") or "localhost"

    def context(self, recipient: Recipient) -> dict:
        first = recipient.name.split()[0] if recipient.name.strip() else "there"
        fields = dict(self.shared)
        fields |= {
            "first_name": first,
            "name": recipient.name,
            "unsubscribe_url": unsubscribe_url(
                supporter_id=recipient.supporter_id, message_id=self.message.pk
            ),
        }
        if recipient.starts_at is not None:
            fields["starts_at"] = _when(recipient.starts_at)
        return fields

    def email(self, recipient: Recipient, *, outbox_id: int | None = None, connection=None):
        """The email for one recipient, with its unsubscribe headers and a Message-ID the
        provider's tracking events come back with (`outbox.<row>.<random>@domain`)."""
        fields = self.context(recipient)
        context = Context(fields, autoescape=False)
        subject = " ".join(self.subject.render(context).split())
        text = normalize_newlines(self.body.render(context)).strip()
        footer = (
            f"You get this because of what you signed up to on {settings.SITE_NAME}. "
            f"Unsubscribe: {fields['unsubscribe_url']}"
        )
        text = f"{text}\n\n--\n{footer}\n"
        html = (
            '<!doctype html><html lang="en"><body>'
            + "".join(
                f"<p>{urlize(escape(paragraph)).replace(chr(10), '<br>')}</p>"
                for paragraph in text.split("\n\n")
            )
            + "</body></html>"
        )
        idstring = f"outbox.{outbox_id}" if outbox_id else f"preview.{self.message.pk}"
        email = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=self.from_email,
            to=[recipient.email],
            connection=connection,
            headers={
                "List-Unsubscribe": f"<{fields['unsubscribe_url']}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Message-ID": make_msgid(idstring=idstring, domain=self.domain),
                "Auto-Submitted": "auto-generated",
                "Precedence": "bulk",
            },
        )
        email.attach_alternative(html, "text/html")
        # Providers' own backends (django-anymail) send this along and return it with
        # tracking events; plain SMTP ignores it.
        email.metadata = {"outbox": str(outbox_id or "")}
        return email
