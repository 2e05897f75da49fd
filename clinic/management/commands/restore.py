"""manage.py restore FILE --yes: replace the database and files with a backup's (docs/backups.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinic import backups


class Command(BaseCommand):
    help = "Replace this installation's database and files with an encrypted backup (checked before anything changes)."

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path)
        parser.add_argument("--yes", action="store_true", help="Confirm: everything now stored is replaced.")

    def handle(self, *args, backup: Path, yes: bool, **options):
        if not yes:
            raise CommandError("Restoring replaces every record and file stored now. Run again with --yes to go ahead.")
        try:
            report = backups.restore_backup(backup)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored the backup made {report.created_at} ({report.database}, {report.files} files). "
            "Check the outbox before starting the workers (docs/operations.md)."
        )
