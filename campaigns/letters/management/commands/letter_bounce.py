"""Mark the letter a bounce is about as bounced: the mail system pipes each message that
arrives for bounces+*@ to `manage.py letter_bounce` (or give a file, or the address)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from campaigns.letters import services
from campaigns.letters.bounces import bounce_read


class Command(BaseCommand):
    help = (
        "Read a bounce message (an RFC 3464 report or any message) from a file or stdin and "
        "mark the letter whose bounce address it came to as bounced, telling its writer."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-", help="The message; - for stdin.")
        parser.add_argument(
            "--address",
            default="",
            help="The envelope recipient (the letter's bounce address), if the mail system "
            "passes it; otherwise it is read from the message.",
        )
        parser.add_argument("--reason", default="", help="Why it bounced, if known.")

    def handle(self, *args, file, address, reason, **options):
        if file == "-":
            # With --address from a terminal there may be no message to wait for.
            raw = b"" if address and sys.stdin.isatty() else sys.stdin.buffer.read()
        else:
            try:
                with open(file, "rb") as handle:
                    raw = handle.read()
            except OSError as error:
                raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        bounce = bounce_read(raw)
        candidates = [address] if address else bounce.addresses
        for candidate in candidates:
            letter = services.letter_bounce(address=candidate, reason=reason or bounce.reason)
            if letter is not None:
                self.stdout.write(f"Letter {letter.pk}: {letter.get_state_display().lower()}.")
                return
        raise CommandError("The message is not a bounce of a letter: no letter bounce address.")
