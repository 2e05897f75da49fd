"""manage.py backup [--output FILE] [--verify FILE]: an encrypted backup of the database and files (docs/backups.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clinic import backups


class Command(BaseCommand):
    help = "Write an encrypted backup of the database and every stored file, or verify one."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="Where to write it (default: the backups folder, dated).")
        parser.add_argument("--verify", type=Path, help="Decrypt and check a backup's checksums; restore nothing.")

    def handle(self, *args, output: Path | None, verify: Path | None, **options):
        try:
            if verify:
                manifest = backups.verify_backup(verify)
                self.stdout.write(
                    f"{verify}: intact. Made {manifest['created_at']}, {manifest['database']} database, "
                    f"{len(manifest['sha256']) - 1} files."
                )
                return
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            output = output or Path(settings.BACKUP_DIR) / f"medius-{stamp}.tar.age"
            manifest = backups.create_backup(output)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backup written to {output} ({len(manifest['sha256']) - 1} files, {manifest['database']}).")
