from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from campaigns.petitions.services import signatures_pressure_catch_up

BATCH = 5_000


class Command(BaseCommand):
    help = (
        "Record as pressure every counted signature of the last DAYS days not yet recorded "
        "(those that counted at once, on petitions without confirmation), in batches until "
        "none is left. The beat task does this every minute for the last ten; run this after "
        "beat was down for longer. Safe to run at any time, twice or beside signing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=30, help="how far back to look (30 by default)"
        )

    def handle(self, *args, days=30, **options):
        if days < 1:
            raise CommandError("--days must be at least 1")
        total = 0
        while True:
            found = signatures_pressure_catch_up(within=timedelta(days=days), batch=BATCH)
            total += found
            if found < BATCH:
                break
        self.stdout.write(
            f"Recorded {total} signature{'s' if total != 1 else ''} of the last {days} "
            f"day{'s' if days != 1 else ''} as pressure."
        )
