"""django-allauth's account adapter: how sign-up, verification and account email behave.

- Account email goes out through volunteers.mail (suppressed addresses are skipped, a
  mail server's final refusal is recorded), at most ACCOUNT_EMAILS_PER_ADDRESS to one
  address in a window, and names the site by SITE_NAME, never by the host of the request.
- Sign-up hashes the password exactly once whether or not the address is known, so the
  answer takes as long either way; and two sign-ups racing for one new address end as
  one account and one "account exists" answer, never a server error.
"""

import hashlib
import hmac
import logging
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal import flows
from allauth.core import context as allauth_context
from allauth.core.exceptions import ImmediateHttpResponse
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils.encoding import force_str

from core.db import insert_unless_exists
from core.ratelimit import within_caps
from volunteers.mail import MailDeferred, address_hash, email_send
from volunteers.models import User, canonical_email, normalise_email
from volunteers.services import supporter_link_user

logger = logging.getLogger(__name__)

# The sign-up's password, hashed while the form was checked, kept on the request for
# save_user (by a digest of the password, never the password itself).
_SIGNUP_HASH = "_volunteers_signup_password_hash"


@dataclass(frozen=True)
class EmailSite:
    """What allauth's email templates call `current_site`: the site's name from settings
    (RequestSite would give the host the request came to, such as 127.0.0.1:8000)."""

    name: str
    domain: str


def email_site() -> EmailSite:
    return EmailSite(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


def account_email_allowed(email: str) -> bool:
    """Count one account email to this address; False once over ACCOUNT_EMAILS_PER_ADDRESS
    in its window. Counted per canonical address (plus-tags and Gmail dots reach one
    inbox) and keyed by its hash, so the cache holds no address."""
    key = f"volunteers:account-mail:{address_hash(canonical_email(email))}"
    [allowed] = within_caps([key], settings.ACCOUNT_EMAILS_PER_ADDRESS)
    return allowed


class AccountAdapter(DefaultAccountAdapter):
    def confirm_email(self, request, email_address) -> bool:
        """A verified address joins the account to the campaign's record of that person."""
        verified = super().confirm_email(request, email_address)
        if verified and email_address.email == email_address.user.email:
            supporter_link_user(user=email_address.user)
        return verified

    # Account email

    def format_email_subject(self, subject: str) -> str:
        prefix = allauth_settings.EMAIL_SUBJECT_PREFIX
        if prefix is None:
            prefix = f"[{settings.SITE_NAME}] "
        return prefix + force_str(subject)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Every account email (verification, password reset, "account exists", notices).

        Past the per-address cap nothing is sent and nothing is said: the forms answer the
        same either way, so neither can be used to flood an inbox or to learn anything.
        """
        kind = template_prefix.rsplit("/", 1)[-1]
        if not account_email_allowed(email):
            logger.info("Not sending %s account mail: over the per-address cap", kind)
            return
        ctx = {"request": allauth_context.request, "email": email, "current_site": email_site()}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        try:
            email_send(message=message, source=f"account:{kind}")
        except MailDeferred as error:
            # Sent while the person waits: they are told to check their inbox either way,
            # and can ask again. A server error here would tell them nothing more.
            logger.warning("Account mail not sent: %s", error)

    # Sign-up

    def clean_password(self, password: str, user=None) -> str:
        """Validate, and for a sign-up (an account not yet created) hash the password now,
        whether or not the address is known: the known-address path creates no account,
        and would otherwise answer in a fraction of the time and give it away."""
        password = super().clean_password(password, user=user)
        request = allauth_context.request
        if request is not None and (user is None or user.pk is None):
            setattr(request, _SIGNUP_HASH, (_digest(password), make_password(password)))
        return password

    def save_user(self, request, user, form, commit: bool = True) -> User:
        """allauth's save_user with the password hashed during validation (so not twice),
        and the insert decided by the unique constraint: a sign-up that loses a race for
        a new address gets the answer a known address gets."""
        password = form.cleaned_data.get("password1") or form.cleaned_data.get("password")
        encoded = _signup_hash(request, password)
        if encoded is None:
            user = super().save_user(request, user, form, commit=False)
        else:
            # Without the password allauth sets an unusable one, at no cost; then ours.
            without = {
                k: v for k, v in form.cleaned_data.items() if k not in ("password1", "password")
            }
            proxy = SimpleNamespace(
                cleaned_data=without, _has_phone_field=getattr(form, "_has_phone_field", False)
            )
            user = super().save_user(request, user, proxy, commit=False)
            user.password = encoded
        if commit:
            user.email = normalise_email(user.email)
            if not insert_unless_exists(user):
                raise ImmediateHttpResponse(_known_address_answer(request, user.email))
        return user


def _digest(password: str) -> bytes:
    return hashlib.sha256(password.encode()).digest()


def _signup_hash(request, password: str | None) -> str | None:
    stashed = getattr(request, _SIGNUP_HASH, None) if request is not None else None
    if not password or stashed is None:
        return None
    digest, encoded = stashed
    return encoded if hmac.compare_digest(digest, _digest(password)) else None


def _known_address_answer(request, email: str):
    """What allauth answers a sign-up for a known address: the "account exists" email and
    the same "verify your address" response a new account gets."""
    response = flows.signup.prevent_enumeration(request, email=email)
    if getattr(getattr(request, "allauth", None), "headless", None) is not None:
        from allauth.headless.base.response import AuthenticationResponse

        response = AuthenticationResponse.from_response(request, response)
    return response
