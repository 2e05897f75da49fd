"""Correct seed exercise notes found out of date: only where a practice has not edited the text itself."""

from django.db import migrations

# (exercise key, field, text as first seeded, corrected text): see programs/library.py for the sources.
CHANGES = [
    ("hip_hitch", "evidence",
     "Common clinical exercise for pelvic control; activity levels not yet confirmed in a study.",
     "Gluteus medius activity of the standing hip was measured by EMG during this pelvic-drop exercise in "
     "healthy adults (Bolgla & Uhl 2005)."),
    ("sl_squat_box", "name", "Single-leg squat to box", "Single-leg squat to box or chair"),
    ("sl_squat_box", "evidence",
     "Reported around 64 % of maximum gluteus medius activity; figure still to be checked.",
     "About 64 % of maximum gluteus medius activity was measured for the free-standing single-leg squat "
     "(Distefano 2009); this version to a box or chair was not measured."),
    ("side_plank_abduction", "steps",
     ["Lift your hips so your body forms a straight line from ears to ankles.", "Hold the line steady.",
      "When you can hold it well, lift the top leg a little and lower it, keeping the hips high.",
      "Lower your hips to the floor to rest between sets."],
     ["Lift your hips so your body forms a straight line from ears to ankles.",
      "Hold the line steady for the set time, breathing normally.",
      "Lower your hips to the floor and rest before the next hold."]),
    ("side_plank_abduction", "progression_note", "Add the top-leg lift, then an ankle weight.",
     "While holding the plank, lift the top leg 8 to 10 times; later add an ankle weight."),
    ("eccentric_step_down", "regression_note", "Use a lower step.",
     "Hold a rail or a wall with one hand, or use a lower step."),
]  # fmt: skip


def forwards(apps, schema_editor):
    Exercise = apps.get_model("programs", "Exercise")
    for key, field, old, new in CHANGES:
        Exercise.objects.filter(key=key, **{field: old}).update(**{field: new})


def backwards(apps, schema_editor):
    Exercise = apps.get_model("programs", "Exercise")
    for key, field, old, new in CHANGES:
        Exercise.objects.filter(key=key, **{field: new}).update(**{field: old})


class Migration(migrations.Migration):
    dependencies = [("programs", "0004_picture_print_copy")]

    operations = [migrations.RunPython(forwards, backwards)]
