from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from newsroom.backups import BackupError, import_content


class Command(BaseCommand):
    help = (
        "Load a file written by export_content into a fresh, migrated database, "
        "check every article against the file's checksums, and rebuild what is "
        "derived. All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options) -> None:
        try:
            counts = import_content(path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored {sum(counts.values())} records "
            f"({counts.get('articles.article', 0)} articles, each checked against "
            "the backup). Accounts have no password: set one with "
            "`manage.py changepassword USERNAME`."
        )
