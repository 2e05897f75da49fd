"""Two clinicians change the same active program at the same moment: exactly one new version, the other gets a clear
conflict (409 in the API), never two active versions. Races real PostgreSQL connections from two threads."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import IntegrityError, connection

from programs import services
from programs.models import Program
from programs.services import programs as program_services
from tests.factories import ProgramFactory, ProgramItemFactory

pytestmark = pytest.mark.concurrency


def _race(program_id: int, physio, monkeypatch) -> list[object]:
    # Hold the first writer's transaction open after it has written the new version, so the second one overlaps it.
    real_queue = program_services._queue_render

    def slow_queue(program):
        real_queue(program)
        time.sleep(0.5)

    monkeypatch.setattr(program_services, "_queue_render", slow_queue)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def edit(title: str) -> None:
        try:
            stale = Program.objects.get(pk=program_id)  # both read version 1 while it is still active
            barrier.wait()
            results.append(services.update_program(program=stale, actor=physio, title=title))
        except Exception as exc:  # the outcome under test
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(f"Edit {n}",)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def _active_program(library, physio) -> Program:
    program = ProgramFactory(physio=physio)
    ProgramItemFactory(program=program, exercise=library["clamshell"])
    return services.activate_program(program=program, actor=physio)


def test_two_simultaneous_edits_of_an_active_program_make_one_version_and_one_clear_conflict(
    transactional_db, library, physio, monkeypatch
):
    program = _active_program(library, physio)
    results = _race(program.pk, physio, monkeypatch)
    versions = [r for r in results if isinstance(r, Program)]
    conflicts = [r for r in results if isinstance(r, services.ProgramConflict)]
    assert len(versions) == 1 and len(conflicts) == 1, results
    assert "version 2" in str(conflicts[0])
    assert Program.objects.filter(lineage=program.lineage, status="active").count() == 1
    assert Program.objects.filter(lineage=program.lineage).count() == 2


def test_control_without_the_row_lock_the_race_happens_and_only_the_database_constraint_stops_it(
    transactional_db, library, physio, monkeypatch
):
    program = _active_program(library, physio)
    monkeypatch.setattr(
        program_services, "_lock", lambda p: Program.objects.select_related("patient", "physio").get(pk=p.pk)
    )
    results = _race(program.pk, physio, monkeypatch)
    # Both writers believed version 1 was active and tried to write version 2: one fails with a raw database error
    # (a 500 for the user), which is what the lock turns into a clear conflict.
    assert any(isinstance(r, IntegrityError) for r in results), results
    assert Program.objects.filter(lineage=program.lineage, status="active").count() == 1
