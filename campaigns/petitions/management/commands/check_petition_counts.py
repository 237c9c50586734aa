from django.core.management.base import BaseCommand, CommandError

from campaigns.petitions.models import Petition
from campaigns.petitions.services import petition_counts_check, petition_counts_check_all


class Command(BaseCommand):
    help = (
        "Check each petition's published total and per-constituency totals against its "
        "counted signatures (allowing for changes not yet applied) and repair any "
        "difference. Every petition that is not a draft, or the one given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--petition", metavar="SLUG", help="check only this petition")
        parser.add_argument(
            "--dry-run", action="store_true", help="report differences without repairing them"
        )

    def handle(self, *args, petition=None, dry_run=False, **options):
        repair = not dry_run
        if petition is not None:
            found = Petition.objects.filter(slug=petition).values_list("pk", flat=True).first()
            if found is None:
                raise CommandError(f"no petition with the slug {petition!r}")
            checks = [petition_counts_check(petition_id=found, repair=repair)]
        else:
            checks = petition_counts_check_all(repair=repair)
        differing = [check for check in checks if check.differs]
        for check in differing:
            self.stdout.write(str(check))
        repaired = sum(check.repaired for check in differing)
        summary = (
            f"Checked {len(checks)} petition{'s' if len(checks) != 1 else ''}: "
            f"{len(differing)} differed, {repaired} repaired"
        )
        if dry_run and differing:
            summary += " (dry run: nothing changed)"
        self.stdout.write(summary + ".")
