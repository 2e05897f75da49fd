"""Encrypted backups of the database and every stored file, and their restore (docs/backups.md).

A backup is one file: an age-encrypted (pyrage) tar holding
    manifest.json   when, which database engine, the latest migration of each app, and the SHA-256 of every member
    database.dump   pg_dump's custom format (PostgreSQL) or a consistent copy of the SQLite file
    files/<storage>/...   every file of each local file storage (uploads, private patient files)
It is encrypted to the age public keys in BACKUP_RECIPIENTS, so a machine that makes backups cannot read them;
restoring needs the matching secret key (BACKUP_IDENTITY or BACKUP_IDENTITY_FILE), kept somewhere else.
Restore checks every checksum before it touches anything, then replaces the database and the files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyrage
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from pyrage import x25519

FORMAT = 1
SKIPPED_STORAGES = {"staticfiles"}  # rebuilt from the code by collectstatic, never patient data


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class RestoreReport:
    created_at: str
    database: str
    files: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def recipients() -> list[x25519.Recipient]:
    keys = [key.strip() for key in settings.BACKUP_RECIPIENTS.split(",") if key.strip()]
    if not keys:
        raise BackupError("Set BACKUP_RECIPIENTS to the age public key(s) backups are encrypted to (docs/backups.md).")
    try:
        return [x25519.Recipient.from_str(key) for key in keys]
    except pyrage.RecipientError as exc:
        raise BackupError(f"BACKUP_RECIPIENTS holds a key that is not an age public key: {exc}") from exc


def identity() -> x25519.Identity:
    secret = settings.BACKUP_IDENTITY.strip()
    if not secret:
        raise BackupError("Set BACKUP_IDENTITY (or BACKUP_IDENTITY_FILE) to the age secret key to restore a backup.")
    try:
        return x25519.Identity.from_str(secret)
    except pyrage.IdentityError as exc:
        raise BackupError("BACKUP_IDENTITY is not an age secret key.") from exc


def file_storages() -> dict[str, Path]:
    """The local folders of every configured file storage (an object store is backed up by its own provider)."""
    found = {}
    for alias in settings.STORAGES:
        if alias in SKIPPED_STORAGES:
            continue
        storage = storages[alias]
        if isinstance(storage, FileSystemStorage):
            found[alias] = Path(storage.location)
    return found


def _applied_migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return latest


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def _pg_env() -> tuple[dict[str, str], list[str]]:
    db = settings.DATABASES["default"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--host", str(db.get("HOST") or "localhost"), "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return env, args


def _dump_database(target: Path) -> str:
    vendor = connection.vendor
    if vendor == "postgresql":
        env, args = _pg_env()
        command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", *args, "--file", str(target)]
        result = subprocess.run(  # noqa: S603 (fixed argv, settings only)
            [*command, settings.DATABASES["default"]["NAME"]], env=env, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    elif vendor == "sqlite":
        source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)  # a consistent copy even while the app writes
        source.close()
        copy.close()
    else:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    return vendor


def create_backup(output: Path, *, now: dt.datetime | None = None) -> dict:
    """Write an encrypted backup to `output`; returns its manifest."""
    keys = recipients()  # refuse before doing any work
    now = now or dt.datetime.now(dt.UTC)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="medius-backup-") as work:
        work_dir = Path(work)
        dump = work_dir / "database.dump"
        vendor = _dump_database(dump)
        checksums = {"database.dump": _sha256(dump)}
        plain = work_dir / "backup.tar"
        with tarfile.open(plain, "w") as tar:
            tar.add(dump, arcname="database.dump")
            for alias, folder in file_storages().items():
                if not folder.exists():
                    continue
                for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                    name = f"files/{alias}/{path.relative_to(folder).as_posix()}"
                    checksums[name] = _sha256(path)
                    tar.add(path, arcname=name)
            manifest = {
                "format": FORMAT,
                "created_at": now.isoformat(),
                "database": vendor,
                "migrations": _applied_migrations(),
                "storages": sorted(file_storages()),
                "sha256": checksums,
            }
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        partial = output.with_name(output.name + ".partial")
        pyrage.encrypt_file(str(plain), str(partial), keys)
        os.replace(partial, output)  # a backup file that exists is a whole one
    return manifest


def _extract_verified(backup: Path, work_dir: Path) -> dict:
    plain = work_dir / "backup.tar"
    if not backup.is_file():
        raise BackupError(f"There is no backup file at {backup}.")
    key = identity()
    try:
        pyrage.decrypt_file(str(backup), str(plain), [key])
    except (pyrage.DecryptError, OSError) as exc:  # a damaged stream surfaces as an OSError from the age reader
        raise BackupError(
            "This backup cannot be decrypted with BACKUP_IDENTITY (wrong key, or a damaged file)."
        ) from exc
    out = work_dir / "contents"
    with tarfile.open(plain) as tar:
        tar.extractall(out, filter="data")  # "data" refuses absolute paths, links out of the folder, devices
    manifest = json.loads((out / "manifest.json").read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    present = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {"manifest.json"}
    if present != set(manifest["sha256"]):
        raise BackupError("The backup's contents do not match its manifest; it is damaged.")
    for name, expected in manifest["sha256"].items():
        if _sha256(out / name) != expected:
            raise BackupError(f"{name} is damaged in this backup (checksum mismatch); nothing was restored.")
    return manifest | {"_folder": str(out)}


def verify_backup(backup: Path) -> dict:
    """Decrypt and check every checksum without restoring anything."""
    with tempfile.TemporaryDirectory(prefix="medius-verify-") as work:
        manifest = _extract_verified(backup, Path(work))
    manifest.pop("_folder")
    return manifest


def _restore_database(dump: Path, vendor: str) -> None:
    if vendor != connection.vendor:
        raise BackupError(f"This backup is of a {vendor} database; this installation uses {connection.vendor}.")
    connection.close()
    if vendor == "postgresql":
        env, args = _pg_env()
        name = settings.DATABASES["default"]["NAME"]
        result = subprocess.run(  # noqa: S603 (fixed argv, settings only)
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                *args,
                "--dbname",
                name,
                str(dump),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    else:
        target = Path(settings.DATABASES["default"]["NAME"])
        source = sqlite3.connect(dump)
        live = sqlite3.connect(target)
        with live:
            source.backup(live)
        source.close()
        live.close()


def restore_backup(backup: Path) -> RestoreReport:
    """Replace the database and every local file storage with the backup's (after verifying all of it)."""
    with tempfile.TemporaryDirectory(prefix="medius-restore-") as work:
        manifest = _extract_verified(backup, Path(work))
        folder = Path(manifest["_folder"])
        _restore_database(folder / "database.dump", manifest["database"])
        targets = file_storages()
        restored = 0
        for alias in manifest["storages"]:
            if alias not in targets:
                raise BackupError(f"The backup holds files of storage {alias!r}, which is not configured here.")
            target = targets[alias]
            source = folder / "files" / alias
            target.mkdir(parents=True, exist_ok=True)
            for child in target.iterdir():  # empty the folder, not remove it: it may be a mount point
                shutil.rmtree(child) if child.is_dir() else child.unlink()
            if source.exists():
                shutil.copytree(source, target, dirs_exist_ok=True)
                restored += sum(1 for p in source.rglob("*") if p.is_file())
    return RestoreReport(created_at=manifest["created_at"], database=manifest["database"], files=restored)
