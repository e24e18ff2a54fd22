from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles.importing import ArticleImporter, ImportFormatError


class Command(BaseCommand):
    help = (
        "Import articles in the plain-text export format. Each file is written "
        "in its own transaction: a malformed file changes nothing, and the "
        "other files still import."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "paths", nargs="+", type=Path, help="Files, or directories of .txt files."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would change; write nothing.",
        )
        parser.add_argument(
            "--section",
            default="News",
            help="Section for files without a “Section:” line (default: News).",
        )
        parser.add_argument(
            "--tag",
            action="append",
            default=[],
            dest="tags",
            metavar="NAME",
            help="Add a tag to the vocabulary used to split tag lines (repeatable).",
        )

    def handle(
        self,
        *args,
        paths: list[Path],
        dry_run: bool,
        section: str,
        tags: list[str],
        **options,
    ) -> None:
        files = self.collect(paths)
        importer = ArticleImporter(default_section=section, extra_tags=tags)
        failures = 0
        for path in files:
            try:
                result = importer.import_file(path, dry_run=dry_run)
            except ImportFormatError as error:
                failures += 1
                self.stderr.write(f"error: {error}")
                continue
            for warning in result.warnings:
                self.stderr.write(f"warning: {warning}")
            self.stdout.write(("dry run: " if dry_run else "") + result.summary())
        imported = len(files) - failures
        verb = "checked" if dry_run else "imported"
        self.stdout.write(f"{imported} of {len(files)} files {verb}.")
        if failures:
            raise CommandError(
                f"{failures} of {len(files)} files failed; they changed nothing."
            )

    def collect(self, paths: list[Path]) -> list[Path]:
        files: list[Path] = []
        for path in paths:
            if path.is_dir():
                found = sorted(child for child in path.glob("*.txt") if child.is_file())
                if not found:
                    raise CommandError(f"{path}: no .txt files in this directory")
                files.extend(found)
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"{path}: no such file or directory")
        return files
