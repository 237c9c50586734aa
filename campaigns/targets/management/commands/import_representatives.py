"""`manage.py import_representatives`: current MPs from the UK Parliament Members API.

Thin: it picks where to read from and prints what campaigns.targets.importers.parliament
changed. Run it again at any time; over unchanged data it writes nothing.
"""

import argparse

from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter

from campaigns.targets.importers.members_api import (
    DirectorySource,
    LiveSource,
    ParliamentImportError,
)
from campaigns.targets.importers.parliament import representatives_import


class Command(BaseCommand):
    help = """Import the current MPs, their parties and constituencies from the UK Parliament
Members API (PARLIAMENT_API_URL), or from a directory of saved responses.

Everything is read first; then it all is written in one transaction, so a failure leaves
the database as it was. Rows are matched by Parliament id. MPs with a Parliament id who are
no longer listed are marked not current; representatives without one are never touched.

A saved-responses directory (written by --save-to, read by --from-dir) holds each response
body exactly as the API sent it:

  members-search-skip-<N>.json
      GET /Members/Search?House=1&IsCurrentMember=true&skip=<N>&take=20
      for N = 0, 20, 40, ... while N < totalResults
  member-<member id>-contact.json
      GET /Members/<member id>/Contact
  constituency-<constituency id>-election-result-latest.json
      GET /Location/Constituency/<constituency id>/ElectionResult/Latest
"""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = _KeepLayout  # keep the layout above as written
        return parser

    def add_arguments(self, parser):
        where = parser.add_mutually_exclusive_group()
        where.add_argument(
            "--from-dir",
            metavar="DIR",
            help="read saved responses from DIR instead of the live API (layout above)",
        )
        where.add_argument(
            "--save-to",
            metavar="DIR",
            help="also save every live response into DIR, for a later --from-dir DIR",
        )

    def handle(self, *args, from_dir=None, save_to=None, **options):
        try:
            if from_dir:
                source = DirectorySource(directory=from_dir)
            else:
                source = LiveSource(save_to=save_to)
            result = representatives_import(source=source)
        except ParliamentImportError as error:
            raise CommandError(f"Nothing imported: {error}") from error
        self.stdout.write(str(result))


class _KeepLayout(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    pass
