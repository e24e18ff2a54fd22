import signal
import time

from django.core.management.base import BaseCommand, CommandError

from webhooks.delivery import deliver_due


class Command(BaseCommand):
    help = (
        "Send the webhook deliveries that are due: once, or with --loop until "
        "stopped (SIGTERM or Ctrl-C finish the batch in hand first)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--loop", action="store_true", help="Keep delivering until stopped."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=5.0,
            help="Seconds to wait when nothing is due (with --loop; default 5).",
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=100,
            help="Deliveries claimed at a time (default 100).",
        )

    def handle(self, *, loop: bool, interval: float, batch: int, **options) -> None:
        if not 0.1 <= interval <= 3600:
            raise CommandError("--interval must be between 0.1 and 3600 seconds.")
        if not 1 <= batch <= 1000:
            raise CommandError("--batch must be between 1 and 1000.")
        stopping = False

        def stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        if loop:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while True:
            report = deliver_due(limit=batch)
            if report.handled or not loop:
                self.stdout.write(
                    f"Delivered {report.delivered}, retrying {report.retrying}, "
                    f"gave up {report.gave_up}, skipped {report.skipped}."
                )
            for error in report.errors:
                self.stderr.write(f"Gave up on {error}")
            if not loop or stopping:
                return
            if report.handled < batch:
                slept = 0.0
                while slept < interval and not stopping:
                    time.sleep(min(0.5, interval - slept))
                    slept += 0.5
