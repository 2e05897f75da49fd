"""Move progress reports written before the private storage existed out of the public media folder.

Old names carried the patient id and a date (progress-reports/<patient>/<id>-progress-<patient>-<date>.pdf) under
MEDIA_ROOT, which the web server serves. Each file is copied to the private storage under a random name, the row is
pointed at it, and the public copy is deleted once the migration's transaction has committed (a rollback keeps the
old file the row still names).
"""

import os
import secrets

from django.core.files.storage import storages
from django.db import migrations, transaction


def move_reports(apps, schema_editor):
    from clinic.storage import private_storage

    ProgressReport = apps.get_model("assessments", "ProgressReport")
    public = storages["default"]
    moved = []
    for report in ProgressReport.objects.exclude(file="").only("pk", "file"):
        old = report.file.name
        if not public.exists(old):
            continue  # already private (a re-run), or the file was lost before: nothing public to move
        with public.open(old, "rb") as content:
            new = private_storage.save(f"progress-reports/{secrets.token_urlsafe(24)}.pdf", content)
        ProgressReport.objects.filter(pk=report.pk).update(file=new)
        moved.append(old)

    def delete_public_copies():
        for name in moved:
            public.delete(name)
        root = getattr(public, "location", None)
        folder = os.path.join(root, "progress-reports") if root else None
        if folder and os.path.isdir(folder):
            # The old per-patient folders are named by patient id: remove them once empty.
            for current, _dirs, _files in os.walk(folder, topdown=False):
                try:
                    os.rmdir(current)
                except OSError:
                    pass

    transaction.on_commit(delete_public_copies, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0004_progress_reports_private_storage")]

    operations = [migrations.RunPython(move_reports, migrations.RunPython.noop, elidable=False)]
