"""Files in S3-compatible object storage, against a real S3 protocol server: no state on the web nodes, patient files
private, pictures public."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from tests.s3_server import S3Server


@pytest.fixture(scope="module")
def s3():
    with S3Server() as server:
        client = server.client()
        for bucket in ("medius-public", "medius-private"):
            client.create_bucket(Bucket=bucket)
        yield server


@pytest.fixture
def s3_storages(s3, settings):
    settings.STORAGES = {**settings.STORAGES, **s3.storages_settings("medius-public", "medius-private")}
    return s3


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback test server)
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def test_a_public_upload_is_stored_in_the_public_bucket_and_readable_at_its_url(s3_storages):
    name = storages["default"].save("exercises/clamshell.png", ContentFile(b"\x89PNG clamshell"))
    keys = [o["Key"] for o in s3_storages.client().list_objects_v2(Bucket="medius-public")["Contents"]]
    assert name in keys
    assert _get(storages["default"].url(name)) == (200, b"\x89PNG clamshell")


def test_a_patient_file_is_a_private_object_readable_only_through_a_short_signed_url(s3_storages):
    private = storages["private"]
    name = private.save("reports/progress.pdf", ContentFile(b"%PDF-1.7 patient"))
    client = s3_storages.client()
    assert [o["Key"] for o in client.list_objects_v2(Bucket="medius-private")["Contents"]] == [name]
    public_keys = [o["Key"] for o in client.list_objects_v2(Bucket="medius-public").get("Contents", [])]
    assert name not in public_keys
    # Anonymous, unsigned, at the object's address: refused.
    assert _get(f"{s3_storages.endpoint}/medius-private/{name}")[0] == 403
    grants = client.get_object_acl(Bucket="medius-private", Key=name)["Grants"]
    assert all(g["Grantee"].get("URI", "").endswith("AllUsers") is False for g in grants)
    # The app reads it through the storage API (its audited download view does this) ...
    with private.open(name) as handle:
        assert handle.read() == b"%PDF-1.7 patient"
    # ... and a signed URL, when used, expires within a minute.
    assert "X-Amz-Expires=60" in private.url(name) or "Expires=" in private.url(name)


def test_two_nodes_share_files_a_file_written_by_one_is_read_by_another(s3_storages, settings):
    from django.core.files.storage import InvalidStorageError, StorageHandler

    writer = StorageHandler(settings.STORAGES)
    reader = StorageHandler(settings.STORAGES)  # another process's storages: nothing shared but the bucket
    name = writer["private"].save("exports/patient.zip", ContentFile(b"PK zip"))
    assert reader["private"].exists(name)
    with reader["private"].open(name) as handle:
        assert handle.read() == b"PK zip"
    with pytest.raises(InvalidStorageError):
        reader["nonexistent"]


def test_settings_refuse_a_private_bucket_shared_with_public_files(tmp_path):
    from tests.clinic.test_settings_and_health import _django

    env = {"DEBUG": "true", "MEDIUS_VAR_DIR": str(tmp_path), "S3_BUCKET": "clinic", "S3_PRIVATE_BUCKET": "clinic"}
    result = _django(env, "check")
    assert result.returncode != 0
    assert "S3_PRIVATE_BUCKET" in result.stderr
    env["S3_PRIVATE_BUCKET"] = "clinic-private"
    assert _django(env, "check").returncode == 0


def test_a_pdf_prints_an_uploaded_picture_from_object_storage_and_still_refuses_anything_else(s3_storages):
    """A worker on another machine has no copy of the web node's uploads: the PDF renderer reads them through the
    storage, and its refusal of everything outside the project's files still holds."""
    from clinic.pdf import ForbiddenResource, url_fetcher

    name = storages["default"].save("practice/logo.png", ContentFile(b"\x89PNG logo"))
    response = url_fetcher(f"medius-media:{name}")
    assert response.read() == b"\x89PNG logo"
    for url in ("medius-media:practice/missing.png", "medius-media:../medius-private/x", f"{s3_storages.endpoint}/x"):
        with pytest.raises(ForbiddenResource):
            url_fetcher(url)
