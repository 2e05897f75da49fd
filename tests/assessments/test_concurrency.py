"""An autosave and a signature racing on real connections: the signature waits for the row lock, so the signed
snapshot always holds what the autosave committed, and nothing is written after the signature."""

import threading
import time
from decimal import Decimal as D

import pytest
from django.db import close_old_connections, connection, transaction

from assessments import services
from assessments.models import Assessment, AssessmentVersion
from tests.factories import AssessmentFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def run(target):
    errors = []

    def wrapped():
        try:
            target()
        except Exception as exc:  # reported to the test thread
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    thread = threading.Thread(target=wrapped)
    thread.start()
    return thread, errors


def test_a_signature_waits_for_an_autosave_in_flight_and_signs_what_it_saved(staff_roles):
    assessment = AssessmentFactory(nprs_now=5)
    actor = assessment.assessor
    saved, release = threading.Event(), threading.Event()

    def autosave():
        with transaction.atomic():
            services.update_assessment(assessment=assessment, actor=actor, fields={"nprs_now": 2},
                                       sides={"left": {"hhd_trial_1_n": D("199.0")}}, autosave=True)  # fmt: skip
            saved.set()
            release.wait(10)  # hold the row lock, as a slow request would

    def sign():
        services.sign_assessment(assessment=assessment, actor=actor)

    saver, saver_errors = run(autosave)
    assert saved.wait(10)
    signer, signer_errors = run(sign)
    time.sleep(0.5)
    assert signer.is_alive(), "the signature must wait for the row lock"
    release.set()
    saver.join(10)
    signer.join(10)
    assert not saver_errors and not signer_errors, (saver_errors, signer_errors)
    snapshot = AssessmentVersion.objects.get(assessment_id=assessment.pk).snapshot
    assert snapshot["assessment"]["nprs_now"] == 2
    assert snapshot["sides"]["left"]["hhd_trial_1_n"] == "199.0"


def test_an_autosave_arriving_after_the_signature_is_refused(staff_roles):
    assessment = AssessmentFactory(nprs_now=5)
    actor = assessment.assessor
    services.sign_assessment(assessment=assessment, actor=actor)
    thread, errors = run(lambda: services.update_assessment(assessment=assessment, actor=actor, fields={"nprs_now": 1}))
    thread.join(10)
    assert len(errors) == 1 and isinstance(errors[0], services.AssessmentLocked)
    assert Assessment.objects.get(pk=assessment.pk).nprs_now == 5
