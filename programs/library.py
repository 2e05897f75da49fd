"""The seed exercise library (shared/DOMAIN.md), written for this project, and the demo templates.

seed_library() is idempotent and takes the model classes, so the data migration can pass its historical models and
seed_demo the real ones. It only fills in exercises that do not exist yet: a clinic's own edits are never overwritten.
"""

from __future__ import annotations

MUSCLES = {
    "gluteus_medius": "Gluteus medius",
    "gluteus_minimus": "Gluteus minimus",
    "gluteus_maximus": "Gluteus maximus",
    "hip_adductors": "Hip adductors",
    "quadriceps": "Quadriceps",
    "hamstrings": "Hamstrings",
    "obliques": "Obliques",
}

EQUIPMENT = {
    "none": "None",
    "mat": "Mat",
    "band": "Resistance band",
    "wall": "Wall",
    "step": "Step",
    "bench": "Bench or sofa",
    "chair": "Chair or box",
    "weight": "Dumbbell or ankle weight",
}

# Doses are clinical convention (DOMAIN.md), not trial results. Evidence notes compare EMG within one study only.
EXERCISES: list[dict] = [
    {
        "key": "clamshell",
        "name": "Clamshell",
        "category": "activation",
        "position": "side_lying",
        "targets": ["gluteus_medius", "gluteus_maximus"],
        "equipment": ["mat", "band"],
        "starting_position": "Lie on your side with hips and knees bent, heels in line with your bottom and feet "
        "together. Rest your head on your lower arm.",
        "steps": [
            "Put your top hand on your top hip so you can feel if the pelvis moves.",
            "Keeping your feet touching, lift the top knee as far as you can without the pelvis rolling back.",
            "Pause for a moment at the top.",
            "Lower the knee slowly back to the start.",
        ],
        "cues": [
            "Think of the movement coming from the side of your hip, not your back.",
            "Slow and smooth: about two seconds up and two seconds down.",
            "Stop the lift where the pelvis would start to roll back.",
        ],
        "faults": ["Pelvis rolling backwards", "Twisting through the lower back", "Rushing the movement"],
        "dose": {"sets": 3, "reps": 15, "side": "each", "frequency": "daily"},
        "regression_note": "Make the range smaller and leave the band off.",
        "progression_note": "Use a stronger band and hold 3 seconds at the top.",
        "regressions": [],
        "progressions": ["sidelying_abduction"],
        "illustration": "programs/clamshell.svg",
        "evidence": "Among common hip exercises it showed one of the best ratios of gluteal to tensor fasciae latae "
        "activity in healthy adults (Selkowitz 2013).",
    },
    {
        "key": "sidelying_abduction",
        "name": "Side-lying hip abduction",
        "category": "strength",
        "position": "side_lying",
        "targets": ["gluteus_medius", "gluteus_minimus"],
        "equipment": ["mat"],
        "starting_position": "Lie on your side with your body in one straight line. Bend the lower knee a little "
        "for balance and keep the top leg straight.",
        "steps": [
            "Take the top leg slightly behind the line of your body, toes pointing forwards.",
            "Lift the leg to about 30 degrees, leading with the heel.",
            "Hold for a moment without letting the hip roll back.",
            "Lower it slowly over two to three seconds.",
        ],
        "cues": [
            "Keep the toes facing forwards, not up to the ceiling.",
            "Imagine pushing your heel away along the wall behind you.",
            "Your waist stays long on the top side: do not hitch the hip up.",
        ],
        "faults": [
            "Hip bending so the leg drifts forwards (the front-of-hip muscle takes over)",
            "Hitching the pelvis towards the ribs",
            "Rolling back onto the buttock",
        ],
        "dose": {"sets": 3, "reps": 12, "side": "each", "frequency": "daily"},
        "regression_note": "Lift through a shorter range.",
        "progression_note": "Add an ankle weight or a band around the ankles.",
        "regressions": ["clamshell"],
        "progressions": ["side_plank_abduction"],
        "illustration": "programs/sidelying_abduction.svg",
        "evidence": "High gluteus medius activity, about 81 % of maximum in one EMG study of healthy adults "
        "(Distefano 2009).",
    },
    {
        "key": "wall_press",
        "name": "Standing wall press",
        "category": "isometric",
        "position": "standing",
        "targets": ["gluteus_medius"],
        "equipment": ["wall"],
        "starting_position": "Stand side-on to a wall, a hand's width away, on the leg furthest from the wall.",
        "steps": [
            "Lift the knee nearest the wall to hip height.",
            "Press the side of that knee into the wall.",
            "Keep the standing knee slightly soft and your pelvis level.",
            "Hold the press for the set time, then relax and switch sides.",
        ],
        "cues": [
            "The work is in the standing hip: you should feel it on the side of the buttock you stand on.",
            "Stand tall, with your weight over the middle of the foot.",
            "Breathe normally during the hold.",
        ],
        "faults": ["Leaning the trunk into the wall", "Standing knee locked straight", "Pelvis dropping on one side"],
        "dose": {"sets": 5, "hold_seconds": 30, "side": "each", "frequency": "daily"},
        "regression_note": "Stand with your feet closer to the wall.",
        "progression_note": "Stand further from the wall, or add a small squat on the standing leg.",
        "regressions": [],
        "progressions": ["hip_hitch"],
        "illustration": "programs/wall_press.svg",
        "evidence": "Widely used in clinics as an early loading exercise; no trial data for this exact form.",
    },
    {
        "key": "hip_hitch",
        "name": "Hip hitch (pelvic drop)",
        "category": "pelvic_control",
        "position": "standing",
        "targets": ["gluteus_medius"],
        "equipment": ["step"],
        "starting_position": "Stand side-on at the edge of a step on one leg, the other leg hanging free beside it, "
        "with a hand on a wall or rail.",
        "steps": [
            "Keep both knees straight.",
            "Let the hanging side of the pelvis drop slowly downwards.",
            "Lift it back up, past level, higher than the standing hip.",
            "Hold the top position for two seconds, then repeat.",
        ],
        "cues": [
            "The movement comes from the standing hip, not from bending the knee.",
            "Keep your shoulders level and still.",
        ],
        "faults": ["Bending the standing knee", "Leaning the trunk to the side", "Bouncing at the bottom"],
        "dose": {"sets": 3, "reps": 12, "hold_seconds": 2, "side": "each", "frequency": "daily"},
        "regression_note": "Do it on flat ground.",
        "progression_note": "Do it on a step while holding a weight on the free side.",
        "regressions": ["wall_press"],
        "progressions": ["lateral_step_up"],
        "illustration": "programs/hip_hitch.svg",
        "evidence": "Gluteus medius activity of the standing hip was measured by EMG during this pelvic-drop "
        "exercise in healthy adults (Bolgla & Uhl 2005).",
    },
    {
        "key": "band_walk",
        "name": "Lateral band walk",
        "category": "dynamic",
        "position": "standing",
        "targets": ["gluteus_medius", "gluteus_maximus"],
        "equipment": ["band"],
        "starting_position": "Put a band around your knees. Stand with feet hip-width apart and sink into a "
        "half-squat.",
        "steps": [
            "Point your toes forwards.",
            "Take a short step to the side with the leading leg.",
            "Follow with the other foot, keeping tension on the band.",
            "Walk the set number of steps one way, then come back the other way.",
        ],
        "cues": [
            "Stay low in the half-squat the whole time.",
            "Short, controlled steps: the band never goes slack.",
            "Keep your upper body quiet and facing forwards.",
        ],
        "faults": ["Feet snapping together", "Trunk swaying side to side", "Standing up tall between steps"],
        "dose": {"sets": 3, "reps": 12, "side": "each_way", "frequency": "daily", "load": "a band around the knees"},
        "regression_note": "Keep the band at the knees.",
        "progression_note": "Move the band to the ankles, then to the feet.",
        "regressions": ["wall_press"],
        "progressions": ["sl_squat_box"],
        "illustration": "programs/band_walk.svg",
        "evidence": "Gluteal activity rose as the band was moved lower down the leg (Lewis 2018).",
    },
    {
        "key": "side_plank_abduction",
        "name": "Side plank with hip abduction",
        "category": "core_hip",
        "position": "side_plank",
        "targets": ["gluteus_medius", "obliques"],
        "equipment": ["mat"],
        "starting_position": "Lie on your side propped on your forearm, elbow under the shoulder, legs straight and "
        "stacked.",
        "steps": [
            "Lift your hips so your body forms a straight line from ears to ankles.",
            "Hold the line steady for the set time, breathing normally.",
            "Lower your hips to the floor and rest before the next hold.",
        ],
        "cues": [
            "Push the floor away with your forearm.",
            "Hips high and stacked: do not let them roll forwards.",
        ],
        "faults": ["Hips sagging towards the floor", "Hips rolling forwards", "Shoulder shrugging up to the ear"],
        "dose": {"sets": 3, "hold_seconds": 30, "side": "each", "frequency": "daily"},
        "regression_note": "Do the plank from your knees.",
        "progression_note": "While holding the plank, lift the top leg 8 to 10 times; later add an ankle weight.",
        "regressions": ["sidelying_abduction"],
        "progressions": ["copenhagen"],
        "illustration": "programs/side_plank_abduction.svg",
        "evidence": "The side bridge reached more than 45 % of maximum gluteus medius activity (Ekstrom 2007).",
    },
    {
        "key": "copenhagen",
        "name": "Copenhagen adductor plank",
        "category": "core_hip",
        "position": "side_plank",
        "targets": ["hip_adductors", "gluteus_medius", "obliques"],
        "equipment": ["bench", "mat"],
        "starting_position": "Lie on your side next to a bench or sofa, propped on your forearm. Rest the inside of "
        "your top knee on the bench; the bottom leg hangs free.",
        "steps": [
            "Press the top leg down into the bench and lift your hips into a straight line.",
            "Bring the bottom leg up to touch the underside of the bench.",
            "Lower the bottom leg and hips with control.",
            "Repeat, then change sides.",
        ],
        "cues": [
            "Keep the line from head to knee straight.",
            "Move slowly; this one is hard work for the inner thigh.",
        ],
        "faults": ["Hips piking or sagging", "Holding your breath", "Dropping down quickly"],
        "dose": {"sets": 2, "reps": 8, "side": "each", "frequency": "three_weekly"},
        "regression_note": "Rest the knee, not the foot, on the bench.",
        "progression_note": "Rest the foot on the bench (longer lever).",
        "regressions": ["side_plank_abduction"],
        "progressions": [],
        "illustration": "programs/copenhagen.svg",
        "evidence": "Very high adductor longus activity, around 108 % of maximum (Serner 2014).",
    },
    {
        "key": "single_leg_bridge",
        "name": "Single-leg bridge",
        "category": "posterior_chain",
        "position": "supine",
        "targets": ["gluteus_maximus", "gluteus_medius", "hamstrings"],
        "equipment": ["mat"],
        "starting_position": "Lie on your back with knees bent and feet flat. Lift one foot off the floor, holding "
        "that knee over the hip.",
        "steps": [
            "Push through the heel of the foot on the floor.",
            "Lift your hips until the body is straight from shoulders to knee.",
            "Hold briefly with the pelvis level.",
            "Lower slowly to the floor.",
        ],
        "cues": ["Keep both sides of the pelvis at the same height.", "Squeeze the buttock; avoid arching the back."],
        "faults": ["Pelvis dropping on the lifted side", "Arching the lower back", "Pushing through the toes"],
        "dose": {"sets": 3, "reps": 12, "side": "each", "frequency": "daily"},
        "regression_note": "Use both legs.",
        "progression_note": "Put the foot on a bench, or hold a weight on the hips.",
        "regressions": [],
        "progressions": ["sl_deadlift"],
        "illustration": "programs/single_leg_bridge.svg",
        "evidence": "Good gluteal activity with a favourable gluteal to TFL ratio (Selkowitz 2013).",
    },
    {
        "key": "lateral_step_up",
        "name": "Lateral step-up",
        "category": "functional",
        "position": "standing",
        "targets": ["gluteus_medius", "quadriceps"],
        "equipment": ["step"],
        "starting_position": "Stand side-on to a step 15 to 20 cm high, with the near foot on the step.",
        "steps": [
            "Push through the foot on the step to stand up on it.",
            "Bring the other foot up level, without putting it down.",
            "Lower it slowly back to the floor.",
            "Repeat, then turn round to work the other side.",
        ],
        "cues": ["Pelvis level and knee over the second toe.", "Lower with control; do not drop."],
        "faults": ["Knee falling inwards", "Pushing off with the foot on the floor", "Trunk leaning sideways"],
        "dose": {"sets": 3, "reps": 12, "side": "each", "frequency": "alternate", "load": "a 15 cm step"},
        "regression_note": "Use a lower step.",
        "progression_note": "Use a higher step, then hold weights.",
        "regressions": ["hip_hitch"],
        "progressions": ["eccentric_step_down"],
        "illustration": "programs/lateral_step_up.svg",
        "evidence": "Moderate to high gluteus medius activity, about 61 % of maximum (MacAskill 2014).",
    },
    {
        "key": "eccentric_step_down",
        "name": "Eccentric step-down",
        "category": "functional",
        "position": "standing",
        "targets": ["gluteus_medius", "quadriceps"],
        "equipment": ["step"],
        "starting_position": "Stand on one leg on a step, hands on your waist, the other leg just off the edge.",
        "steps": [
            "Bend the standing knee slowly, taking three seconds to lower.",
            "Touch the heel of the free leg lightly to the floor without putting weight on it.",
            "Push back up to straight.",
        ],
        "cues": [
            "Count three on the way down.",
            "Keep the pelvis level and the knee over the second toe.",
        ],
        "faults": ["Knee falling inwards", "Dropping quickly at the end", "Hip sticking out to the side"],
        "dose": {"sets": 3, "reps": 10, "side": "each", "frequency": "alternate", "load": "a 15 cm step"},
        "regression_note": "Hold a rail or a wall with one hand, or use a lower step.",
        "progression_note": "Use a higher step, then hold a weight.",
        "regressions": ["lateral_step_up"],
        "progressions": ["sl_squat_box"],
        "illustration": "programs/eccentric_step_down.svg",
        "evidence": "Trains the same movement the lateral step-down test scores.",
    },
    {
        "key": "sl_squat_box",
        "name": "Single-leg squat to box or chair",
        "category": "functional",
        "position": "standing",
        "targets": ["gluteus_medius", "gluteus_maximus", "quadriceps"],
        "equipment": ["chair"],
        "starting_position": "Stand on one leg in front of a chair or box, the other foot just off the floor.",
        "steps": [
            "Sit your hips back and bend the knee to lower slowly.",
            "Touch the seat lightly without resting on it.",
            "Stand back up on the same leg.",
        ],
        "cues": ["Knee over the second toe.", "Keep the pelvis level and the chest proud."],
        "faults": ["Knee falling inwards", "Pelvis dropping", "Flopping onto the seat"],
        "dose": {"sets": 3, "reps": 10, "side": "each", "frequency": "alternate"},
        "regression_note": "Use a higher seat and hold something for balance.",
        "progression_note": "Use a lower seat, then hold a weight.",
        "regressions": ["eccentric_step_down"],
        "progressions": ["sl_deadlift"],
        "illustration": "programs/sl_squat_box.svg",
        "evidence": "About 64 % of maximum gluteus medius activity was measured for the free-standing single-leg squat "
        "(Distefano 2009); this version to a box or chair was not measured.",
    },
    {
        "key": "sl_deadlift",
        "name": "Single-leg deadlift",
        "category": "functional",
        "position": "standing",
        "targets": ["gluteus_maximus", "gluteus_medius", "hamstrings"],
        "equipment": ["none", "weight"],
        "starting_position": "Stand on one leg with the knee slightly bent.",
        "steps": [
            "Hinge forwards from the hip as the free leg reaches back behind you.",
            "Go down until you feel a stretch at the back of the thigh, with the back flat.",
            "Squeeze the buttock to come back up tall.",
        ],
        "cues": ["Hips square to the floor: do not let the free hip open up.", "Move slowly and stay balanced."],
        "faults": ["Rounding the back", "Hip of the free leg rotating up", "Standing knee locking"],
        "dose": {"sets": 3, "reps": 8, "side": "each", "frequency": "alternate"},
        "regression_note": "Touch a wall or chair with your fingertips for balance.",
        "progression_note": "Hold dumbbells, or add a hip rotation at the bottom.",
        "regressions": ["single_leg_bridge"],
        "progressions": [],
        "illustration": "programs/sl_deadlift.svg",
        "evidence": "High gluteal activity in healthy adults (Distefano 2009).",
    },
]

EXERCISE_KEYS = [e["key"] for e in EXERCISES]

TEMPLATES: list[dict] = [
    {
        "name": "Hip stability, phase 1 to 3",
        "description": "Side-lying activation, then isometric holds, then single-leg work in standing.",
        "items": [
            ("clamshell", {}),
            ("sidelying_abduction", {}),
            ("wall_press", {}),
            ("hip_hitch", {}),
            ("lateral_step_up", {}),
            ("sl_squat_box", {}),
        ],
    },
    {
        "name": "Runner's knee: hip and knee strength",
        "description": "For patellofemoral pain: hip work added to knee work.",
        "items": [
            ("side_plank_abduction", {}),
            ("band_walk", {}),
            ("single_leg_bridge", {}),
            ("eccentric_step_down", {}),
        ],
    },
]


def _dose(spec: dict) -> dict:
    dose = spec["dose"]
    return {
        "sets": dose["sets"],
        "reps": dose.get("reps"),
        "hold_seconds": dose.get("hold_seconds"),
        "side": dose["side"],
        "frequency": dose["frequency"],
        "load": dose.get("load", ""),
    }


def seed_library(*, Exercise, Muscle, Equipment) -> int:
    """Create the muscles, equipment and twelve exercises that are missing. Returns how many exercises were added."""
    muscles = {k: Muscle.objects.get_or_create(key=k, defaults={"name": v})[0] for k, v in MUSCLES.items()}
    equipment = {k: Equipment.objects.get_or_create(key=k, defaults={"name": v})[0] for k, v in EQUIPMENT.items()}
    created = {}
    for spec in EXERCISES:
        exercise, was_created = Exercise.objects.get_or_create(
            key=spec["key"],
            defaults={
                "name": spec["name"],
                "category": spec["category"],
                "position": spec["position"],
                "starting_position": spec["starting_position"],
                "steps": spec["steps"],
                "cues": spec["cues"],
                "faults": spec["faults"],
                "regression_note": spec["regression_note"],
                "progression_note": spec["progression_note"],
                "illustration": spec["illustration"],
                "evidence": spec["evidence"],
                **_dose(spec),
            },
        )
        if was_created:
            exercise.targets.set([muscles[m] for m in spec["targets"]])
            exercise.equipment.set([equipment[e] for e in spec["equipment"]])
            created[spec["key"]] = exercise
    by_key = {e.key: e for e in Exercise.objects.filter(key__in=EXERCISE_KEYS)}
    for spec in EXERCISES:
        if spec["key"] in created:
            exercise = created[spec["key"]]
            exercise.regressions.set([by_key[k] for k in spec["regressions"] if k in by_key])
            exercise.progressions.set([by_key[k] for k in spec["progressions"] if k in by_key])
    return len(created)


def seed_templates(*, ProgramTemplate, TemplateItem, Exercise) -> None:
    by_key = {e.key: e for e in Exercise.objects.filter(key__in=EXERCISE_KEYS)}
    spec_by_key = {s["key"]: s for s in EXERCISES}
    for spec in TEMPLATES:
        template, created = ProgramTemplate.objects.get_or_create(
            name=spec["name"], defaults={"description": spec["description"]}
        )
        if not created:
            continue
        for order, (key, overrides) in enumerate(spec["items"], start=1):
            if key in by_key:
                TemplateItem.objects.create(
                    template=template,
                    exercise=by_key[key],
                    order=order,
                    **{**_dose(spec_by_key[key]), **overrides},
                )
