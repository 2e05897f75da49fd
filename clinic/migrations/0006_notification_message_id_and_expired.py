"""Every notification gets a stored Message-ID (sent again unchanged with a repeat after a crash), and the status
"expired" (too late to be sent).

Existing rows keep the Message-ID they were already sent with (<notification-PK@host>), so a row that was in flight
during the upgrade is repeated under the same id; new rows get a random one (clinic.models.new_message_id).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Cast, Concat

import clinic.models


def keep_existing_message_ids(apps, schema_editor):
    Notification = apps.get_model("clinic", "Notification")
    host = urlsplit(settings.SITE_URL).hostname or "medius.invalid"
    Notification.objects.filter(message_id__isnull=True).update(
        message_id=Concat(
            models.Value("<notification-"),
            Cast("pk", models.CharField()),
            models.Value(f"@{host}>"),
            output_field=models.CharField(),
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0005_practice_cutoff_ranges"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="message_id",
            field=models.CharField(editable=False, max_length=255, null=True, verbose_name="Message-ID"),
        ),
        migrations.RunPython(keep_existing_message_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="notification",
            name="message_id",
            field=models.CharField(
                default=clinic.models.new_message_id,
                editable=False,
                max_length=255,
                unique=True,
                verbose_name="Message-ID",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("failed", "Failed"),
                    ("skipped", "Skipped"),
                    ("expired", "Expired"),
                ],
                default="pending",
                max_length=10,
                verbose_name="status",
            ),
        ),
    ]
