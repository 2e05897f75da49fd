"""Load a practice's licensed questionnaire wording: `manage.py load_questionnaire_pack pack.json`."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessments import services


class Command(BaseCommand):
    help = "Validate and activate a questionnaire pack (JSON with the practice's licensed item wording)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path} is not valid JSON: {exc}") from exc
        try:
            pack = services.load_questionnaire_pack(data=data)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        measures = ", ".join(pack.content["measures"])
        self.stdout.write(
            self.style.SUCCESS(f"Loaded questionnaire pack {pack.name!r} ({measures}); it is now active.")
        )
