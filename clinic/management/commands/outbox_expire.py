import datetime as dt
import logging

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from clinic.notifications import services

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "After restoring a backup, with the Celery workers and beat stopped: list (or, with --apply, mark expired) "
        "every message still pending or sending that was due before a moment, e.g. when the failure happened. "
        "Messages due later are left to be sent (docs/operations.md, 'Restoring a backup')."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--due-before", required=True, help="ISO date and time, e.g. 2026-03-14T09:30+01:00 (UTC without an offset)"
        )
        parser.add_argument("--apply", action="store_true", help="Mark them expired (without it, only list them)")

    def handle(self, *args, due_before: str, apply: bool, **options):
        moment = parse_datetime(due_before)
        if moment is None:
            raise CommandError(f"--due-before {due_before!r} is not an ISO date and time")
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, dt.UTC)
        counts = services.unsent_due_before(moment=moment)
        for (kind, status), n in sorted(counts.items()):
            self.stdout.write(f"{n:6d}  {kind} ({status})")
        total = sum(counts.values())
        if not apply:
            self.stdout.write(f"{total} unsent messages were due before {moment.isoformat()}; --apply expires them.")
            return
        expired = services.expire_unsent(
            moment=moment, reason=f"Expired after a restore: due before {moment:%Y-%m-%d %H:%M} UTC."
        )
        logger.warning("outbox_expire: %d messages due before %s marked expired", expired, moment.isoformat())
        self.stdout.write(self.style.SUCCESS(f"{expired} messages marked expired."))
