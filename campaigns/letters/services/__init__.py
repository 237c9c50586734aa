"""Every write of letters: writing one and confirming it (writing.py), sending it to the MP
at most once, its copy, bounces and pressure (sending.py), organisers' review
(review.py), and what follows: reminders, expiry, "Did your MP reply?" and scrubbing
(follow_up.py). The page, the API, the admin and the tasks all come here; callers import
from this package.
"""

from campaigns.letters.services.follow_up import (
    REPLY_LINK_MAX_AGE,
    REPLY_PATH,
    REPLY_SALT,
    ReplyInvalid,
    letter_follow_up_send,
    letter_follow_ups_enqueue,
    letter_reminder_send,
    letter_reminders_enqueue,
    letter_reply_record,
    letters_expire,
    letters_scrub,
    reply_link,
    reply_token,
)
from campaigns.letters.services.review import (
    letter_reject,
    letter_release,
)
from campaigns.letters.services.sending import (
    BOUNCE_PREFIX,
    LETTER_SOURCE,
    bounce_address,
    letter_bounce,
    letter_copy_send,
    letter_for_bounce_address,
    letter_message,
    letter_posted,
    letter_pressure_record,
    letter_send,
    letter_text,
)
from campaigns.letters.services.writing import (
    CONFIRM_PATH,
    CONFIRM_SALT,
    EMAIL_MAX,
    RATE_LIMIT_PREFIX,
    ConfirmationInvalid,
    confirmation_link,
    confirmation_token,
    letter_confirm,
    letter_confirmation_send,
    letter_kind,
    letter_sent_by_writer,
    letter_write,
)

__all__ = [
    "BOUNCE_PREFIX",
    "CONFIRM_PATH",
    "CONFIRM_SALT",
    "EMAIL_MAX",
    "LETTER_SOURCE",
    "RATE_LIMIT_PREFIX",
    "REPLY_LINK_MAX_AGE",
    "REPLY_PATH",
    "REPLY_SALT",
    "ConfirmationInvalid",
    "ReplyInvalid",
    "bounce_address",
    "confirmation_link",
    "confirmation_token",
    "letter_bounce",
    "letter_confirm",
    "letter_confirmation_send",
    "letter_copy_send",
    "letter_follow_up_send",
    "letter_follow_ups_enqueue",
    "letter_for_bounce_address",
    "letter_kind",
    "letter_message",
    "letter_posted",
    "letter_pressure_record",
    "letter_reject",
    "letter_release",
    "letter_reminder_send",
    "letter_reminders_enqueue",
    "letter_reply_record",
    "letter_send",
    "letter_sent_by_writer",
    "letter_text",
    "letter_write",
    "letters_expire",
    "letters_scrub",
    "reply_link",
    "reply_token",
]
