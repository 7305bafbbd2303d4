"""GET /api/health says whether the table and the bucket answer, and which does not."""
from chalice.test import Client

from app import app
from chalicelib.core import aws
from devstack import engines, provision
from devstack.settings import LocalSettings


def get_health():
    with Client(app, stage_name="local") as client:
        return client.http.get("/api/health")


def test_health_is_200_with_the_table_and_the_bucket_reachable(app_env):
    response = get_health()
    assert response.status_code == 200
    assert response.json_body == {"status": "ok", "version": "0.1.0",
                                  "checks": {"table": "ok", "bucket": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"


def test_health_is_503_when_dynamodb_local_is_stopped(app_env, local_engines, monkeypatch,
                                                      tmp_path):
    local = LocalSettings(ddb_port=engines.free_port(), data_dir=tmp_path, in_memory=True)
    own_dynamodb = engines.dynamodb_local(local).start()
    try:
        monkeypatch.setenv("SL_DDB_ENDPOINT", local.ddb_endpoint)
        aws.reset()
        provision.ensure_table(aws.client("dynamodb"), app_env)
        assert get_health().status_code == 200
    finally:
        own_dynamodb.stop()

    response = get_health()
    assert response.status_code == 503
    assert response.json_body["status"] == "unavailable"
    assert response.json_body["checks"] == {"table": "unreachable", "bucket": "ok"}
    monkeypatch.setenv("SL_DDB_ENDPOINT", local_engines["SL_DDB_ENDPOINT"])
    aws.reset()  # so the fixture removes its table from the shared engine


def test_health_is_503_when_the_bucket_is_missing(app_env, monkeypatch):
    monkeypatch.setenv("SL_BUCKET", "no-such-bucket")
    aws.reset()
    response = get_health()
    assert response.status_code == 503
    assert response.json_body["checks"] == {"table": "ok", "bucket": "unreachable"}
