"""Every write of storms: pledging (by account, or by email confirmed by link), the
rotation's hand-outs, checking a post against each network, and reporting a post (which is
pressure on its target). The page, the API, the admin and the tasks all come here."""

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from campaigns.pressure.models import ActionKind
from campaigns.pressure.services import Action, actions_record
from campaigns.storms import fits, rotation, selectors, tasks
from campaigns.storms.models import (
    POST_MAX,
    URL_MAX,
    Phase,
    Pledge,
    Report,
    StormTarget,
    Twitterstorm,
)
from core.db import insert_unless_exists
from core.links import link_id, link_token
from core.ratelimit import increment_and_read, within_cap_for
from volunteers.mail import Outcome, email_send
from volunteers.models import email_checked
from volunteers.services import supporter_get_or_create, supporter_link_user

logger = logging.getLogger(__name__)

CONFIRM_SALT = "storms.pledge-confirm"
CONFIRM_PATH = "/storms/confirm/{token}/"  # the page that calls pledge_confirm
REPORT_SOURCE = "storms.report"  # what storms record pressure under


class ConfirmationInvalid(ValidationError):
    pass


# --- Hand-outs -------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """What the rotation handed one supporter: an angle (its prompt and starter post) and a
    target with its mention on each network it has an account on."""

    angle_id: int | None = None
    prompt: str = ""
    starter: str = ""
    starter_index: int = 0
    storm_target_id: int | None = None
    target_name: str = ""
    mentions: dict[str, str] = field(default_factory=dict)


def _hand_out(snapshot, number: int, slots=None) -> tuple[int | None, int, int | None]:
    """Hand-out `number`'s angle id, starter index and storm target id."""
    angles = snapshot.angles
    angle = angles[number % len(angles)] if angles else None
    starter_index = (number // len(angles)) % len(angle.starters) if angle and angle.starters else 0
    slot = rotation.pick(list(snapshot.slots if slots is None else slots), number)
    return (angle.id if angle else None), starter_index, (slot.storm_target_id if slot else None)


def _assignment(snapshot, angle_id, starter_index, storm_target_id) -> Assignment:
    angle = next((a for a in snapshot.angles if a.id == angle_id), None)
    target = snapshot.targets.get(storm_target_id)
    starters = angle.starters if angle else ()
    starter_index = starter_index if starter_index < len(starters) else 0
    return Assignment(
        angle_id=angle.id if angle else None,
        prompt=angle.prompt if angle else "",
        starter=starters[starter_index] if starters else "",
        starter_index=starter_index,
        storm_target_id=target.storm_target_id if target else None,
        target_name=target.name if target else "",
        mentions=dict(target.mentions) if target else {},
    )


def assignment_next(*, storm: Twitterstorm, snapshot=None) -> Assignment:
    """The next hand-out, for someone who has not pledged (each asks for a new one): the
    storm's snapshot from the cache and one counter increment, no table read."""
    snapshot = snapshot or selectors.storm_snapshot(storm)
    return _assignment(snapshot, *_hand_out(snapshot, rotation.next_number(storm.pk)))


# This process's copy of each storm and its snapshot, under the snapshot's version.
_LOCAL: dict[int, tuple[int, Twitterstorm, selectors.Snapshot]] = {}


def hand_out_now(*, storm_pk: int):
    """The hot path of a storm's first minute, for someone who has not pledged: (storm,
    snapshot, the next hand-out), or (None, None, None) for a storm not published. One
    round trip to the cache takes the hand-out's number and reads the snapshot's version;
    the storm and its snapshot come from this process's memory while that version is
    current, and are read again as soon as a change (which forgets the version) is made
    anywhere."""
    number, version = increment_and_read(
        rotation.COUNTER_KEY.format(storm_id=storm_pk),
        selectors.VERSION_KEY.format(storm_id=storm_pk),
        ttl=rotation.COUNTER_TTL,
    )
    local = _LOCAL.get(storm_pk)
    if local is None or version is None or local[0] != version:
        storm, snapshot = selectors.published_storm_and_snapshot(storm_pk)
        if storm is None:
            _LOCAL.pop(storm_pk, None)
            return None, None, None
        if version is None:  # the snapshot outlived its version key: say it again
            cache.add(
                selectors.VERSION_KEY.format(storm_id=storm_pk),
                snapshot.version,
                selectors.SNAPSHOT_TTL,
            )
        local = _LOCAL[storm_pk] = (snapshot.version, storm, snapshot)
    _, storm, snapshot = local
    return storm, snapshot, _assignment(snapshot, *_hand_out(snapshot, number))


def assignment_for_target(*, storm: Twitterstorm, storm_target_id: int | None) -> Assignment:
    """A hand-out aimed at one of the storm's targets (its mentions; no angle), or with no
    target when the id is None or not this storm's."""
    return _assignment(selectors.storm_snapshot(storm), None, 0, storm_target_id)


def assignment_given(
    *, storm: Twitterstorm, angle_id: int | None, starter_index: int, storm_target_id: int | None
) -> Assignment:
    """The hand-out a page was given earlier (carried in its form), if its angle and target
    are this storm's; a new hand-out otherwise."""
    snapshot = selectors.storm_snapshot(storm)
    known = any(a.id == angle_id for a in snapshot.angles) and storm_target_id in snapshot.targets
    if not known:
        return assignment_next(storm=storm)
    return _assignment(snapshot, angle_id, starter_index, storm_target_id)


def pledge_assignment(*, pledge: Pledge) -> Assignment:
    """A pledger's own hand-out, the same each time they look. A target that has left the
    rotation (reached a goal status, or was removed from the storm) is replaced by the
    next in rotation, and an angle is handed out if there was none when they pledged;
    either is stored."""
    storm = pledge.storm
    snapshot = selectors.storm_snapshot(storm)
    changes = {}
    if pledge.storm_target_id not in {slot.storm_target_id for slot in snapshot.slots}:
        _, _, changes["storm_target_id"] = _hand_out(snapshot, rotation.next_number(storm.pk))
    if pledge.angle_id not in {angle.id for angle in snapshot.angles}:
        changes["angle_id"], changes["starter_index"], _ = _hand_out(
            snapshot, rotation.next_number(storm.pk), slots=()
        )
    changes = {k: v for k, v in changes.items() if getattr(pledge, k) != v}
    if changes:
        Pledge.objects.filter(pk=pledge.pk).update(**changes)
        for name, value in changes.items():
            setattr(pledge, name, value)
    return _assignment(snapshot, pledge.angle_id, pledge.starter_index, pledge.storm_target_id)


# --- Pledging --------------------------------------------------------------------------


def _can_pledge(storm: Twitterstorm) -> None:
    if storm.phase() == Phase.AFTER:
        raise ValidationError({NON_FIELD_ERRORS: "This storm is over: it takes no more pledges."})


def pledge_by_account(*, storm: Twitterstorm, user) -> tuple[Pledge, bool]:
    """A signed-in supporter (their address is verified) pledges: confirmed at once, with
    their hand-out. Pledging again returns the pledge they have (False: not new). The
    database's one-pledge-per-supporter constraint decides a race."""
    _can_pledge(storm)
    supporter = supporter_link_user(user=user)
    pledge, created = _pledge_store(storm=storm, supporter=supporter, via=Pledge.Via.ACCOUNT)
    if not created and pledge.state != Pledge.State.CONFIRMED:
        # Pledged by email earlier, now signed in with that address: that confirms it.
        Pledge.objects.filter(pk=pledge.pk).update(
            state=Pledge.State.CONFIRMED, confirmed_at=timezone.now()
        )
        pledge.refresh_from_db()
    return pledge, created


def pledge_by_email(*, storm: Twitterstorm, email: str, name: str = "") -> tuple[Pledge, bool]:
    """Pledge by email: stored AWAITING_CONFIRMATION and counted once the emailed link is
    followed (pledge_confirm). Pledging again with the address returns the pledge it has
    (and sends its link again, within STORM_CONFIRMATION_EMAILS to one address), so a
    second pledge never makes a second row. ValidationError({"email"}) for a bad address."""
    _can_pledge(storm)
    errors: dict[str, str] = {}
    email = email_checked(email, errors=errors)
    if errors:
        raise ValidationError(errors)
    name = " ".join((name if isinstance(name, str) else "").split())[:100]
    with transaction.atomic():
        supporter, _ = supporter_get_or_create(email=email, name=name)
        pledge, created = _pledge_store(storm=storm, supporter=supporter, via=Pledge.Via.EMAIL)
        if pledge.state == Pledge.State.AWAITING_CONFIRMATION and _confirmation_allowed(email):
            tasks.pledge_confirmation_send.delay_on_commit(pledge.pk)
    return pledge, created


def _pledge_store(*, storm, supporter, via) -> tuple[Pledge, bool]:
    snapshot = selectors.storm_snapshot(storm)
    angle_id, starter_index, storm_target_id = _hand_out(snapshot, rotation.next_number(storm.pk))
    now = timezone.now()
    confirmed = via == Pledge.Via.ACCOUNT
    pledge = Pledge(
        storm=storm,
        supporter=supporter,
        via=via,
        state=Pledge.State.CONFIRMED if confirmed else Pledge.State.AWAITING_CONFIRMATION,
        confirmed_at=now if confirmed else None,
        angle_id=angle_id,
        starter_index=starter_index,
        storm_target_id=storm_target_id,
    )
    if insert_unless_exists(pledge):
        return pledge, True
    return Pledge.objects.get(storm=storm, supporter=supporter), False


def _confirmation_allowed(email: str) -> bool:
    return within_cap_for("storms:confirm-email", email, settings.STORM_CONFIRMATION_EMAILS)


def confirmation_token(pledge: Pledge) -> str:
    return link_token(pledge.pk, salt=CONFIRM_SALT)


def confirmation_link(pledge: Pledge) -> str:
    return settings.SITE_URL.rstrip("/") + CONFIRM_PATH.format(token=confirmation_token(pledge))


def pledge_confirmation_send(*, pledge_id: int) -> bool:
    """Email the pledger the link that confirms their pledge; True if the server took it.
    Nothing for a pledge gone, confirmed, or whose supporter was erased."""
    pledge = (
        Pledge.objects.select_related("storm", "supporter")
        .filter(pk=pledge_id, state=Pledge.State.AWAITING_CONFIRMATION)
        .first()
    )
    if pledge is None or pledge.supporter is None:
        return False
    storm = pledge.storm
    starts = timezone.localtime(storm.starts_at).strftime("%A %-d %B at %H:%M")
    message = EmailMessage(
        subject=f"Confirm your pledge: #{storm.hashtag}, {starts}",
        body=(
            f"You pledged to take part in {storm.title} (#{storm.hashtag}), on {starts} UK "
            f"time. To confirm it, follow this link:\n\n{confirmation_link(pledge)}\n\n"
            "Then, when it starts, the storm's page gives you an angle and an account to aim "
            "at: you post from your own account, in your own words. If you did not pledge, "
            "ignore this email.\n\nGroundswell\n"
        ),
        to=[pledge.supporter.email],
    )
    return email_send(message=message, source=f"storms:{storm.pk}") is Outcome.SENT


def pledge_confirm(*, token: str) -> Pledge:
    """Confirm the pledge a link was sent for: it counts from now. Safe to follow twice.
    ConfirmationInvalid for a link malformed or expired, or a pledge gone."""
    pk = link_id(
        token,
        salt=CONFIRM_SALT,
        max_age=settings.STORM_CONFIRMATION_MAX_AGE,
        expired="This link has expired. Pledge again from the storm's page.",
        error=ConfirmationInvalid,
    )
    Pledge.objects.filter(pk=pk, state=Pledge.State.AWAITING_CONFIRMATION).update(
        state=Pledge.State.CONFIRMED, confirmed_at=timezone.now()
    )
    pledge = Pledge.objects.select_related("storm__campaign").filter(pk=pk).first()
    if pledge is None:
        raise ConfirmationInvalid({"token": "This pledge no longer exists."})
    return pledge


# --- Posts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedPost:
    """A supporter's post made into each network's whole text, with its fit and compose
    link (no link where it does not fit, or for Mastodon, which needs their server)."""

    post: str
    texts: dict[str, str]
    fits: list[fits.Fit]
    intents: dict[str, str]
    is_starter: bool


INTENTS = {
    fits.X: "https://x.com/intent/post?text={text}",
    fits.BLUESKY: "https://bsky.app/intent/compose?text={text}",
}


def post_check(*, storm: Twitterstorm, post: str, mentions: dict[str, str], starter: str = ""):
    """The whole text each of the storm's networks would get (mention, post, hashtag,
    link), checked against that network's limit as it counts. ValidationError({"post"})
    for an empty post or one that is too long for any of the storm's networks, naming
    the network and by how much; nothing is stored."""
    post = (post if isinstance(post, str) else "").replace("\r\n", "\n").strip()
    if not post:
        raise ValidationError({"post": "Write your post: in your own words."})
    if len(post) > POST_MAX:
        raise ValidationError({"post": f"Your post must be at most {POST_MAX:,} characters."})
    texts = {
        network: fits.compose_text(
            post=post, hashtag=storm.hashtag, mention=mentions.get(network, ""), link=storm.link
        )
        for network in storm.networks
    }
    checked = [fits.fit(texts[network], network) for network in storm.networks]
    too_long = [f.message() for f in checked if not f.fits]
    if too_long:
        raise ValidationError({"post": too_long})
    intents = {
        network: INTENTS[network].format(text=quote(texts[network], safe=""))
        for network in storm.networks
        if network in INTENTS
    }
    same = " ".join(post.split()).casefold() == " ".join(starter.split()).casefold()
    return CheckedPost(post=post, texts=texts, fits=checked, intents=intents, is_starter=same)


def mastodon_share_url(*, server: str, text: str) -> str:
    """The share page on the supporter's own Mastodon server, with the text filled in.
    ValidationError({"server"}) for anything that is not a plain host name."""
    server = (server if isinstance(server, str) else "").strip().lower()
    server = server.removeprefix("https://").removeprefix("http://").strip("/")
    server = server.rpartition("@")[2]  # "@me@example.social" gives example.social
    try:
        if not server or "/" in server or ":" in server:
            raise ValidationError("bad")
        URLValidator(schemes=["https"])(f"https://{server}/")
    except ValidationError:
        raise ValidationError(
            {"server": "Enter your Mastodon server's name, such as mastodon.social."}
        ) from None
    return f"https://{server}/share?text={quote(text, safe='')}"


# --- Reports ---------------------------------------------------------------------------


def report_post(
    *, storm: Twitterstorm, pledge: Pledge, network: str = "", post_url: str = ""
) -> tuple[Report, bool]:
    """A pledger says they posted: stored once per supporter per storm (again: the report
    they have, False) and recorded as a "post" action against their target. The URL is
    the supporter's word: checked as an https address of at most URL_MAX characters and
    never fetched. ValidationError naming the field for a bad network or URL, or before
    the storm starts."""
    if storm.phase() == Phase.BEFORE:
        raise ValidationError({NON_FIELD_ERRORS: "The storm hasn't started yet."})
    if pledge.supporter_id is None or pledge.storm_id != storm.pk:
        raise ValidationError({NON_FIELD_ERRORS: "Pledge to take part first."})
    errors = {}
    network = network if isinstance(network, str) else ""
    if network and network not in storm.networks:
        errors["network"] = f"Choose one of: {', '.join(fits.NETWORKS[n] for n in storm.networks)}."
    post_url = (post_url if isinstance(post_url, str) else "").strip()
    if post_url:
        try:
            if len(post_url) > URL_MAX:
                raise ValidationError("too long")
            URLValidator(schemes=["https"])(post_url)
        except ValidationError:
            errors["post_url"] = "Enter your post's address, starting https://, or leave it out."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report = Report(
            storm=storm,
            supporter_id=pledge.supporter_id,
            storm_target_id=pledge.storm_target_id,
            network=network,
            post_url=post_url,
        )
        if not insert_unless_exists(report):
            return Report.objects.get(storm=storm, supporter_id=pledge.supporter_id), False
        _report_pressure_record(report)
    return report, True


def _report_pressure_record(report: Report) -> None:
    if report.storm_target_id is None:
        return
    target_id = (
        StormTarget.objects.filter(pk=report.storm_target_id)
        .values_list("target_id", flat=True)
        .first()
    )
    if target_id is None:
        return
    actions_record(
        kind=ActionKind.POST,
        source=REPORT_SOURCE,
        actions=[
            Action(
                target_id=target_id,
                source_id=report.pk,
                supporter_id=report.supporter_id,
                occurred_at=report.created_at,
            )
        ],
    )


def storm_publish(*, storm: Twitterstorm) -> bool:
    """Show the storm on the site and in the API from now. True if this call published it."""
    return _published(storm, True)


def storm_unpublish(*, storm: Twitterstorm) -> bool:
    """Take the storm off the site and the API (pledges and reports stay). True if this
    call did."""
    return _published(storm, False)


def _published(storm: Twitterstorm, published: bool) -> bool:
    with transaction.atomic():
        storm = Twitterstorm.objects.select_for_update().get(pk=storm.pk)
        if storm.is_published == published:
            return False
        storm.is_published = published
        # save(), not update(): the storm's cached copies are dropped on save (signals.py).
        storm.save(update_fields=["is_published"])
    return True


def pledges_unconfirmed_purge(*, limit: int = 5000) -> int:
    """Delete pledges by email never confirmed, made UNCONFIRMED_RETENTION_DAYS ago or
    more (they never counted): at most `limit` a run. Returns how many."""
    cutoff = timezone.now() - timedelta(days=settings.UNCONFIRMED_RETENTION_DAYS)
    ids = list(
        Pledge.objects.filter(
            state=Pledge.State.AWAITING_CONFIRMATION, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:limit]
    )
    deleted, _ = Pledge.objects.filter(pk__in=ids).delete()
    return deleted
