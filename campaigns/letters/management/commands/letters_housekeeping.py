"""Run the letters' periodic work by hand, until nothing is left: expire unconfirmed
letters, send the one reminder, ask "Did your MP reply?", scrub past retention. Celery beat
runs the same services in batches (CELERY_BEAT_SCHEDULE); this is for a deployment without
beat, or to catch up. Reminders and follow-ups are enqueued for the worker."""

from django.core.management.base import BaseCommand

from campaigns.letters import services

JOBS = {
    "expire": services.letters_expire,
    "remind": services.letter_reminders_enqueue,
    "follow-up": services.letter_follow_ups_enqueue,
    "scrub": services.letters_scrub,
}


class Command(BaseCommand):
    help = "Expire, remind, follow up and scrub letters, in batches until none is left."

    def add_arguments(self, parser):
        parser.add_argument(
            "--only", choices=sorted(JOBS), action="append", help="Run only this (repeatable)."
        )
        parser.add_argument("--batch", type=int, default=500, help="Letters per batch.")

    def handle(self, *args, only=None, batch=500, **options):
        for name in only or JOBS:
            total = 0
            # Reminders and follow-ups leave the letters due until the worker sends them,
            # so those are one batch; the others repeat until a batch comes back short.
            while True:
                done = JOBS[name](limit=batch)
                total += done
                if done < batch or name in ("remind", "follow-up"):
                    break
            self.stdout.write(f"{name}: {total}")
