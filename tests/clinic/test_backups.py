"""Backups you can trust: an encrypted backup of the database and every file, wiped, restored, and everything found
intact by checksum; a wrong key, a damaged file or a missing confirmation changes nothing."""

from __future__ import annotations

import hashlib
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from pyrage import x25519

from assessments.models import Assessment, AssessmentVersion
from bookings.models import Appointment
from clinic import backups
from tests.factories import AppointmentFactory, AssessmentFactory, PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def keys(settings):
    identity = x25519.Identity.generate()
    settings.BACKUP_RECIPIENTS = str(identity.to_public())
    settings.BACKUP_IDENTITY = str(identity)
    return identity


@pytest.fixture
def clinic_data():
    patient = PatientFactory(first_name="Ingrid", last_name="Backupsdottir")
    for _ in range(3):
        AppointmentFactory(patient=patient)
    AssessmentFactory(patient=patient, signed=True)
    AssessmentFactory(signed=True)
    default_storage.save("exercises/side-plank.png", ContentFile(b"\x89PNG picture bytes" * 50))
    for alias, folder in backups.file_storages().items():
        (folder / "reports").mkdir(parents=True, exist_ok=True)
        (folder / "reports" / f"{alias}-report.pdf").write_bytes(b"%PDF-1.7 " + alias.encode() * 100)
    return patient


def snapshot() -> dict:
    files = {}
    for alias, folder in backups.file_storages().items():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            files[f"{alias}/{path.relative_to(folder)}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return {
        "appointments": list(
            Appointment.objects.order_by("pk").values_list("pk", "reference", "start", "end", "status", "patient_id")
        ),
        "signed": list(
            Assessment.objects.filter(status="signed").order_by("pk").values_list("pk", "version", "signed_at")
        ),
        "versions": list(AssessmentVersion.objects.order_by("pk").values_list("pk", "number", "snapshot")),
        "files": files,
    }


def wipe() -> None:
    tables = connection.introspection.django_table_names(only_existing=True)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables) + " CASCADE")
    for folder in backups.file_storages().values():
        for path in folder.rglob("*"):
            if path.is_file():
                path.unlink()


def test_a_backup_wiped_and_restored_gives_back_every_appointment_signed_assessment_and_file(
    keys, clinic_data, tmp_path
):
    before = snapshot()
    assert len(before["appointments"]) == 3 and len(before["signed"]) == 2 and len(before["files"]) >= 2
    backup = tmp_path / "medius.tar.age"
    call_command("backup", output=backup)

    # Encrypted: not a readable archive, and no patient's name in it.
    assert not tarfile.is_tarfile(backup)
    assert b"Backupsdottir" not in backup.read_bytes()

    wipe()
    assert Appointment.objects.count() == 0 and snapshot()["files"] == {}

    call_command("restore", str(backup), yes=True)
    assert snapshot() == before


def test_verify_checks_a_backup_without_restoring_it(keys, clinic_data, tmp_path, capsys):
    backup = tmp_path / "medius.tar.age"
    call_command("backup", output=backup)
    call_command("backup", verify=backup)
    assert "intact" in capsys.readouterr().out


def test_no_backup_is_made_without_a_key_to_encrypt_it_to(settings, clinic_data, tmp_path):
    out = tmp_path / "backups"
    settings.BACKUP_RECIPIENTS = ""
    with pytest.raises(CommandError, match="BACKUP_RECIPIENTS"):
        call_command("backup", output=out / "b.tar.age")
    settings.BACKUP_RECIPIENTS = "not-an-age-key"
    with pytest.raises(CommandError, match="not an age public key"):
        call_command("backup", output=out / "b.tar.age")
    assert not out.exists()


def test_a_restore_needs_confirmation_and_the_right_key_and_changes_nothing_otherwise(
    keys, settings, clinic_data, tmp_path
):
    backup = tmp_path / "medius.tar.age"
    call_command("backup", output=backup)
    AppointmentFactory()  # made after the backup: must survive every refused restore below
    before = snapshot()

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(backup))
    settings.BACKUP_IDENTITY = str(x25519.Identity.generate())
    with pytest.raises(CommandError, match="cannot be decrypted"):
        call_command("restore", str(backup), yes=True)
    settings.BACKUP_IDENTITY = ""
    with pytest.raises(CommandError, match="BACKUP_IDENTITY"):
        call_command("restore", str(backup), yes=True)
    assert snapshot() == before


def test_a_damaged_backup_is_refused_before_anything_is_replaced(keys, clinic_data, tmp_path):
    backup = tmp_path / "medius.tar.age"
    call_command("backup", output=backup)
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged = tmp_path / "damaged.tar.age"
    damaged.write_bytes(bytes(data))
    before = snapshot()
    with pytest.raises(CommandError, match="cannot be decrypted"):
        call_command("restore", str(damaged), yes=True)
    with pytest.raises(CommandError, match="no backup file"):
        call_command("restore", str(tmp_path / "missing.tar.age"), yes=True)
    assert snapshot() == before


def test_a_backup_whose_contents_do_not_match_its_manifest_is_refused(keys, clinic_data, tmp_path):
    # Re-encrypted with a member swapped: age's own integrity check passes, the manifest's checksums do not.
    import pyrage

    backup = tmp_path / "medius.tar.age"
    call_command("backup", output=backup)
    plain = tmp_path / "plain.tar"
    pyrage.decrypt_file(str(backup), str(plain), [keys])
    members = tmp_path / "members"
    with tarfile.open(plain) as tar:
        tar.extractall(members, filter="data")
    (members / "database.dump").write_bytes(b"not the database")
    forged = tmp_path / "forged.tar"
    with tarfile.open(forged, "w") as tar:
        for path in sorted(p for p in members.rglob("*") if p.is_file()):
            tar.add(path, arcname=path.relative_to(members).as_posix())
    forged_backup = tmp_path / "forged.tar.age"
    pyrage.encrypt_file(str(forged), str(forged_backup), [keys.to_public()])
    before = snapshot()
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(forged_backup), yes=True)
    assert snapshot() == before
    assert Path(backup).exists()
