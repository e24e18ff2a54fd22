from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from newsroom.backups import export_content


class Command(BaseCommand):
    help = (
        "Write everything editors made (articles in every state, revisions, tags, "
        "entities, pins, sections, authors, accounts without passwords, partner "
        "key metadata without keys) to one JSON file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options) -> None:
        if path.exists() and path.is_dir():
            raise CommandError(f"{path} is a directory; give a file name.")
        try:
            counts = export_content(path)
        except OSError as error:
            raise CommandError(f"{path}: cannot write ({error.strerror})") from None
        total = sum(counts.values())
        self.stdout.write(
            f"Wrote {total} records ({counts.get('articles.article', 0)} articles) "
            f"to {path}."
        )
