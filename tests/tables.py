"""A table of a test's own, made from the cloud template (conftest's app_env, and the tests
that share one table across a module)."""
from __future__ import annotations

import contextlib
import uuid
from pathlib import Path

import pytest

from chalicelib.core import aws
from devstack import provision
from devstack.settings import LOCAL_CREDENTIALS


@contextlib.contextmanager
def own_table(engines: dict, patch: pytest.MonkeyPatch, folder: Path):
    """A fresh table and bucket made from the cloud template, the app's environment naming them
    (and secrets in `folder`) until the block ends; then the table is dropped."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    for key, value in {**LOCAL_CREDENTIALS, **engines}.items():
        patch.setenv(key, value)
    patch.setenv("SL_STAGE", "local")
    patch.delenv("SL_LINE_API", raising=False)  # as api_table: not `make test`'s stand-in
    patch.setenv("SL_SECRETS_DIR", str(folder / "secrets"))
    patch.setenv("SL_TABLE", name)
    patch.setenv("SL_BUCKET", name)
    aws.reset()
    provision.ensure_table(aws.client("dynamodb"), name)
    provision.ensure_bucket(aws.client("s3"), name, "http://127.0.0.1:8000")
    try:
        yield name
    finally:
        aws.client("dynamodb").delete_table(TableName=name)
        aws.reset()
