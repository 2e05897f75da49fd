import importlib

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Create (or refresh) the demo practice: staff for every role, patients, and each app's demo data."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="medius-demo", help="Password for every demo staff account")

    def handle(self, *args, password: str, **options):
        # Each app contributes a module with seed(password=..., stdout=...); settings.MEDIUS_DEMO_MODULES orders them
        # so that later apps (bookings, assessments) find the staff and patients they need. Every seed is idempotent.
        for module_name in settings.MEDIUS_DEMO_MODULES:
            self.stdout.write(f"{module_name}:")
            with transaction.atomic():
                importlib.import_module(module_name).seed(password=password, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo practice ready. Sign in as admin@medius.example / {password}"))
