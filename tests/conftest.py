"""Fixtures shared by the Python suites.

Integration tests use the engines `make test` started (its environment names them); run alone
(`.venv/bin/pytest tests/integration`), they start their own DynamoDB Local and s3rver.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from chalicelib.core import aws
from devstack import engines, provision
from devstack.settings import LOCAL_CREDENTIALS, LocalSettings
from tests.tables import own_table


@pytest.fixture(scope="session")
def local_engines():
    """The environment pointing the app at running engines."""
    if os.environ.get("SL_DDB_ENDPOINT"):
        yield {key: os.environ[key] for key in ("SL_DDB_ENDPOINT", "SL_S3_ENDPOINT")}
        return
    data_dir = Path(tempfile.mkdtemp(prefix="servicelane-pytest-"))
    local = LocalSettings(port=engines.free_port(), ddb_port=engines.free_port(),
                          s3_port=engines.free_port(), data_dir=data_dir, in_memory=True)
    started = [engines.dynamodb_local(local).start(), engines.s3rver(local, data_dir / "s3").start()]
    os.environ.update(local.app_environment())
    try:
        yield local.app_environment()
    finally:
        for engine in started:
            engine.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def api_table(local_engines, tmp_path_factory):
    """One table for the API tests of a session; each test makes a fresh shop in it."""
    name = f"api-{uuid.uuid4().hex[:12]}"
    saved = dict(os.environ)
    # Under `make test` the browser suite's stack is up, its LINE stand-in named here: these
    # tests send LINE to the local outbox, as a plain pytest run does, or to a stand-in of
    # their own (tests/integration/test_line_conversation.py).
    os.environ.pop("SL_LINE_API", None)
    os.environ.update({**LOCAL_CREDENTIALS, **local_engines, "SL_STAGE": "local",
                       "SL_TABLE": name, "SL_BUCKET": name,
                       "SL_SECRETS_DIR": str(tmp_path_factory.mktemp("secrets"))})
    aws.reset()
    provision.ensure_table(aws.client("dynamodb"), name)
    provision.ensure_bucket(aws.client("s3"), name, "http://127.0.0.1:8000")
    yield name
    aws.client("dynamodb").delete_table(TableName=name)
    os.environ.clear()
    os.environ.update(saved)
    aws.reset()


@pytest.fixture
def chalice_client(api_table, monkeypatch):
    from chalice.test import Client

    from chalice.local import LocalChalice

    from app import app

    if not isinstance(app, LocalChalice):
        # Each thread its own current_request, as in Chalice's local server: the race tests
        # send requests from several threads at once.
        app.__class__ = type("ThreadLocalApp", (LocalChalice, app.__class__), {})
    aws.reset()  # a test with its own table (app_env) may have run just before
    # A stage .chalice/config.json does not name: the test client then sets none of a stage's
    # variables (SL_TABLE...) around a request, only the app's own (Powertools' names). It would
    # swap `os.environ` for a copy around each request and put back the one it found, which
    # requests from several threads at once leave behind (a copy, past monkeypatch's undo):
    # the app's variables are set once for the test instead, and no request swaps anything.
    with Client(app, stage_name="tests") as client:
        http = client.http
        scoped = http._config.scope(http._config.chalice_stage, "api_handler")
        for name, value in scoped.environment_variables.items():
            monkeypatch.setenv(name, value)
        http._patched_env_vars = lambda variables: contextlib.nullcontext()
        yield client


@pytest.fixture
def shop(chalice_client):
    """A fresh shop with one signed-in person in each role (tests/builders.py)."""
    from tests.builders import a_shop

    return a_shop(chalice_client)


@pytest.fixture
def app_env(local_engines, monkeypatch, tmp_path):
    """A fresh table and bucket of their own for one test, made from the cloud template."""
    with own_table(local_engines, monkeypatch, tmp_path) as name:
        yield name


class Clock:
    """times.now as the test sets it (`value`; None: the real time)."""

    def __init__(self):
        from chalicelib.core import clock as times

        self.value = None
        self.real = times.now

    def __call__(self):
        return self.value or self.real()


@pytest.fixture
def clock(monkeypatch):
    """The one clock (chalicelib.core.times.now), moved by the test."""
    from chalicelib.core import clock as the_clock

    moved = Clock()
    monkeypatch.setattr(the_clock, "now", moved)
    return moved


@pytest.fixture
def stream(app_env):
    """The table's stream from its start, handed to the reactions as Lambda would
    (tests/stream.py)."""
    from tests.stream import Stream

    return Stream()


@pytest.fixture
def centre(shop, monkeypatch):
    """The value-added centre played by its stand-in (devstack/einvoice_standin.py), finding
    each shop's account in the secrets folder, where the app makes it on first use; the shop
    has its 統一編號, as a seller of an invoice must."""
    from devstack.einvoice_standin import EinvoiceStandin

    assert shop.owner.patch("/api/shop", {"tax_id": "22099131"}).status == 200

    standin = EinvoiceStandin({}, accounts=Path(os.environ["SL_SECRETS_DIR"])).start()
    monkeypatch.setenv("SL_EINVOICE_API", standin.url)
    aws.reset()
    yield standin
    standin.stop()
