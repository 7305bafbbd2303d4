"""The PWA and the API on one origin, from Chalice's own local server."""
import json
import urllib.error
import urllib.request

import pytest

from devstack.engines import free_port
from devstack.server import ProductServer


@pytest.fixture
def server(app_env, tmp_path):
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>ServiceLane</title>")
    (dist / "sw.js").write_text("self.addEventListener('fetch', () => {})")
    (dist / "assets" / "index-3f2a.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("outside the build")
    port = free_port()
    running = ProductServer("127.0.0.1", port, dist, s3_origin="http://127.0.0.1:1",
                            quiet=True).start()
    yield f"http://127.0.0.1:{port}"
    running.stop()


def fetch(url, method="GET"):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method)) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_the_api_answers_on_the_pwas_origin(server):
    status, headers, body = fetch(server + "/api/health")
    assert status == 200
    assert json.loads(body)["checks"] == {"table": "ok", "bucket": "ok"}
    assert headers["Content-Type"] == "application/json"


def test_app_routes_get_the_shell_and_missing_files_get_404(server):
    status, headers, body = fetch(server + "/orders/20261122-007")
    assert status == 200 and b"<title>ServiceLane" in body
    assert headers["Cache-Control"] == "no-cache"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert fetch(server + "/assets/missing.js")[0] == 404


def test_hashed_assets_are_cached_for_good_and_the_service_worker_never(server):
    assert fetch(server + "/assets/index-3f2a.js")[1]["Cache-Control"].endswith("immutable")
    status, headers, _ = fetch(server + "/sw.js")
    assert status == 200 and headers["Cache-Control"] == "no-cache"
    assert headers["Content-Type"] == "text/javascript; charset=utf-8"


def test_no_path_reaches_outside_the_build(server):
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt"):
        status, _, body = fetch(server + path)
        assert b"outside the build" not in body, path


def test_only_reads_are_served_outside_the_api(server):
    assert fetch(server + "/index.html", method="POST")[0] == 405


def test_the_gateways_own_refusals_have_the_clouds_shape(server):
    from devstack.server import gateway_responses

    status, headers, body = fetch(server + "/api/me")
    assert status == 401 and json.loads(body)["error"]["code"] == "unauthorized"
    assert headers["WWW-Authenticate"] == "Bearer"
    request = urllib.request.Request(server + "/api/me", headers={"Authorization": "Bearer x.y.z"})
    try:
        urllib.request.urlopen(request)
        raise AssertionError("a forged token was accepted")
    except urllib.error.HTTPError as error:
        assert error.code == int(gateway_responses()["ACCESS_DENIED"]["StatusCode"]) == 401
        assert json.loads(error.read())["error"]["code"] == "unauthorized"
    status, _, body = fetch(server + "/api/no-such-route")
    assert status == 404 and json.loads(body)["error"]["code"] == "not_found"
