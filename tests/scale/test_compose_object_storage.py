"""docker-compose.yml keeps files in MinIO: every app container gets the S3 settings, and both buckets exist (the
private one never anonymously readable) before the first migration runs."""

from pathlib import Path

import yaml

COMPOSE = yaml.safe_load((Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text())


def test_every_app_container_keeps_its_files_in_minio_buckets_that_exist_before_migrate():
    services = COMPOSE["services"]
    app = [s for s in services.values() if s.get("image") == "medius:latest"]
    assert {"web", "migrate", "beat"} <= {name for name, s in services.items() if s in app}
    for service in app:
        env = service["environment"]
        assert env["S3_ENDPOINT_URL"] == "http://minio:9000"
        assert env["S3_BUCKET"] and env["S3_PRIVATE_BUCKET"] not in ("", env["S3_BUCKET"])
    env = services["web"]["environment"]
    public, private = env["S3_BUCKET"], env["S3_PRIVATE_BUCKET"]
    script = services["minio-buckets"]["command"][0]
    assert f"mc mb --ignore-existing medius/{public} medius/{private}" in script
    assert f"mc anonymous set download medius/{public}" in script
    assert f"mc anonymous set none medius/{private}" in script
    assert f"download medius/{private}" not in script
    assert services["migrate"]["depends_on"]["minio-buckets"] == {"condition": "service_completed_successfully"}
    assert services["minio-buckets"]["depends_on"]["minio"] == {"condition": "service_healthy"}
