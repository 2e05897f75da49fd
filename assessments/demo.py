"""Demo assessments for seed_demo: three runners with two or three signed assessments each, weeks apart."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from clinic.models import User
from patients.models import Patient

from . import proms, services

D = Decimal


def _answers(measure_key: str, target: int) -> dict[str, int]:
    """Item answers near `target` overall, each one of the item's published answer points (AKPS item 1 is 0, 3 or 5,
    never 4): every item gets the allowed value closest to the same share of its maximum. Demo data only."""
    measure = proms.MEASURES[measure_key]
    share = target / measure.total_max
    return {
        str(number): min(points, key=lambda p: (abs(p - share * max(points)), p))
        for number, points in zip(measure.item_numbers(), measure.item_points, strict=True)
    }


def _side(**kw):
    trend, step = kw.get("trend", "negative"), kw.get("step", (0, 0, 0, 0, 0))
    force = kw.get("force", (D(180), D(185), D(182)))
    return {
        "trendelenburg_result": trend,
        "trendelenburg_hold_s": kw.get("hold", 30),
        "trendelenburg_trunk_lean": trend == "positive",
        "sls_rating": kw.get("rating", "good"),
        "sls_pelvic_drop": kw.get("drop", False),
        "sls_knee_valgus": kw.get("valgus", False),
        "step_down_arm": step[0],
        "step_down_trunk": step[1],
        "step_down_pelvis": step[2],
        "step_down_knee": step[3],
        "step_down_unsteady": step[4],
        "mmt_grade": kw.get("mmt", 5),
        "hhd_trial_1_n": force[0],
        "hhd_trial_2_n": force[1],
        "hhd_trial_3_n": force[2],
        "hhd_lever_arm_m": kw.get("lever", D("0.82")),
        "endurance_s": kw.get("endurance", 90),
        "endurance_stop_reason": kw.get("stop", "leg_drops"),
    }


# (first name, last name, involved side, body mass, visits: (weeks ago, nprs now/worst/run, lefs, akps, left, right,
# findings)). Strength is realistic for injured runners: the involved side starts below the Ramskov 2014 expected
# value and recovers towards it (Amélie, 56, expected 1.32 Nm/kg: 76 % -> 89 % -> 99 %; Jürgen, 42, expected
# 1.61 Nm/kg: 75 % -> 87 %; Siobhán, 54, expected 1.33 Nm/kg: around 100 %, her problem is endurance).
CASES = [
    ("Amélie", "Durand", "left", D("58.5"), [
        (10, (6, 7, 8), 46, 61,
         _side(trend="positive", hold=14, rating="poor", drop=True, valgus=True, step=(1, 1, 1, 1, 0), mmt=4,
               force=(D(68), D(72), D(70)), endurance=38, stop="hip_flexes"),
         _side(force=(D(92), D(95), D(93)), endurance=75),
         "Left patellofemoral pain for 4 months; pelvic drop and knee valgus on the left single-leg squat."),
        (6, (3, 5, 5), 58, 72,
         _side(trend="positive", hold=24, rating="fair", drop=True, step=(0, 1, 1, 1, 0), mmt=4,
               force=(D(80), D(84), D(82)), endurance=55, stop="leg_drops"),
         _side(force=(D(94), D(97), D(95)), endurance=80),
         "Less pain on stairs; running 3 km without pain."),
        (2, (1, 2, 2), 70, 85,
         _side(rating="good", step=(0, 0, 1, 0, 0), force=(D(90), D(93), D(92)), endurance=72),
         _side(force=(D(95), D(98), D(96)), endurance=82),
         "Back to 10 km; control good on both sides."),
    ]),
    ("Jürgen", "Müller", "right", D("78.0"), [
        (8, (5, 7, 7), 52, None,
         _side(force=(D(128), D(133), D(130)), lever=D("0.88"), endurance=95),
         _side(trend="positive", hold=20, rating="fair", drop=True, mmt=4, force=(D(100), D(106), D(103)),
               lever=D("0.88"), endurance=60, stop="pain"),
         "Right lateral knee pain from 8 km onwards (iliotibial band)."),
        (3, (2, 3, 3), 63, None,
         _side(force=(D(130), D(135), D(132)), lever=D("0.88"), endurance=98),
         _side(rating="good", force=(D(118), D(124), D(121)), lever=D("0.88"), endurance=84),
         "Running 12 km with mild ache at the end."),
    ]),
    ("Siobhán", "O'Connor", "left", D("63.0"), [
        (7, (3, 4, 5), 60, 78,
         _side(force=(D(96), D(100), D(98)), endurance=40, stop="leg_drops"),
         _side(force=(D(98), D(102), D(100)), endurance=85),
         "Good control, left abductors tire early; lateral hip ache late in long runs."),
        (1, (1, 2, 2), 72, 88,
         _side(force=(D(99), D(103), D(101)), endurance=74),
         _side(force=(D(100), D(104), D(102)), endurance=88),
         "Endurance much improved; long runs comfortable."),
    ]),
]  # fmt: skip


def seed(*, password: str, stdout=None) -> None:
    physio = User.objects.filter(email="physio@medius.example").first() or User.objects.filter(is_active=True).first()
    if physio is None:
        return
    today = timezone.localdate()
    made = 0
    for first, last, involved, mass, visits in CASES:
        patient = Patient.objects.filter(first_name=first, last_name=last).first()
        if patient is None or patient.assessments.exists():
            continue  # idempotent: a patient with assessments is left as it is
        for weeks, (now, worst, running), lefs, akps, left, right, findings in visits:
            assessment = services.create_assessment(
                patient=patient,
                actor=physio,
                involved_side=involved,
                assessed_on=today - dt.timedelta(weeks=weeks),
                body_mass_kg=mass,
                height_cm=D("171.0"),
            )
            answers = {"lefs": _answers("lefs", lefs)}
            if akps is not None:
                answers["akps"] = _answers("akps", akps)
            services.update_assessment(
                assessment=assessment,
                actor=physio,
                fields={
                    "nprs_now": now,
                    "nprs_worst_24h": worst,
                    "nprs_running": running,
                    "findings": findings,
                    "plan": "Hip abductor program; review in 4 weeks.",
                },
                sides={"left": left, "right": right},
                answers=answers,
            )
            services.sign_assessment(assessment=assessment, actor=physio)
            made += 1
    if stdout and made:
        stdout.write(f"  {made} signed assessments")
