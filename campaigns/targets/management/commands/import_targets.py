from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from campaigns.targets.exports import COLUMNS
from campaigns.targets.importers.spreadsheet import SpreadsheetError, targets_import
from campaigns.targets.models import Campaign


class Command(BaseCommand):
    help = (
        "Import a campaign's targets from a spreadsheet (CSV in UTF-8, or XLSX) with the "
        f"columns of the export: {', '.join(COLUMNS)}. A changed status needs a source link. "
        "Nothing is imported if any row is bad, unless --skip-invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv", help="path of the CSV (UTF-8) or XLSX file")
        parser.add_argument("--campaign", required=True, help="slug of the campaign")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the good rows and list the bad ones instead of importing nothing",
        )

    def handle(self, *args, csv, campaign, skip_invalid, **options):
        path = Path(csv)
        try:
            data = path.read_bytes()
        except FileNotFoundError as error:
            raise CommandError(f"{path}: no such file") from error
        try:
            target_campaign = Campaign.objects.get(slug=campaign)
        except Campaign.DoesNotExist as error:
            raise CommandError(f"no campaign with the slug {campaign!r}") from error
        try:
            result = targets_import(
                campaign=target_campaign, data=data, source=path.name, skip_invalid=skip_invalid
            )
        except SpreadsheetError as error:
            raise CommandError(f"{path}: {error}") from error
        except ValidationError as error:
            lines = "\n".join(f"  {message}" for message in error.messages)
            raise CommandError(
                f"{path}: nothing imported, {len(error.messages)} bad rows:\n{lines}"
            ) from error
        for line, reason in result.invalid:
            self.stderr.write(f"skipped line {line}: {reason}")
        self.stdout.write(str(result))
