"""Seed the twelve exercises and the starter templates (programs.library). Idempotent; never overwrites edits."""

from django.db import migrations


def seed(apps, schema_editor):
    from programs.library import seed_library, seed_templates

    Exercise = apps.get_model("programs", "Exercise")
    seed_library(Exercise=Exercise, Muscle=apps.get_model("programs", "Muscle"),
                 Equipment=apps.get_model("programs", "Equipment"))
    seed_templates(ProgramTemplate=apps.get_model("programs", "ProgramTemplate"),
                   TemplateItem=apps.get_model("programs", "TemplateItem"), Exercise=Exercise)


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
