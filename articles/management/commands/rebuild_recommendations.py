import time

from django.core.management.base import BaseCommand

from articles import recommendations

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Recompute every article's Read These Next recommendations."

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        interactive = self.stdout.isatty()
        last_line = {"stage": None, "tenth": -1}

        def progress(stage: str, done: int, total: int) -> None:
            if options["verbosity"] < 1:
                return
            share = done / total if total else 1.0
            filled = round(share * BAR_WIDTH)
            line = (
                f"{stage:<26} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] "
                f"{share:4.0%}  {done:,}/{total:,}"
            )
            if interactive:
                # Redraw one line per stage on a terminal.
                ending = "\n" if done >= total else ""
                self.stdout.write(f"\r{line}", ending=ending)
                self.stdout.flush()
                return
            # In a log, one line per stage and tenth is enough.
            tenth = int(share * 10)
            if (stage, tenth) != (last_line["stage"], last_line["tenth"]):
                last_line.update(stage=stage, tenth=tenth)
                self.stdout.write(line)

        summary = recommendations.rebuild(progress=progress)
        if options["verbosity"] < 1:
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt Read These Next for {summary.articles:,} articles: "
                f"{summary.recommendations:,} recommendations from "
                f"{summary.features:,} features in "
                f"{time.monotonic() - started:.1f} s."
            )
        )
