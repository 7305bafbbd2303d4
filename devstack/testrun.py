"""`make test`: each suite in turn; the browser suite against the whole product (LocalStack).

DynamoDB Local runs in memory and s3rver in a temporary folder, on free ports; they are stopped
and the folder removed whatever the suites did. The Python suite runs first, on engines of its
own (tests/conftest.py starts them), as it does alone, with none of the product's stand-ins in
its environment; the product is started only after it. DynamoDB Local keeps every table's stream
records in one store, and the product's poller, reading its idle table's stream every 0.2 s,
would otherwise read past all the Python suite's records each time (docs/bench.md, "make test").
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from devstack import ROOT
from devstack.engines import free_port


def _suites(python: str, files: list[str]) -> list[tuple[str, list[str], Path, bool]]:
    """The suites (name, command, folder, whether it needs the product running); `files`
    narrows them (`tests/...` paths to pytest, `*.test.mjs` to node)."""
    tests = [f for f in files if f.startswith("tests/")] or ["tests/unit", "tests/integration",
                                                             "tests/infra"]
    pages = [f for f in files if f.endswith(".mjs")]
    return [
        ("python unit + integration + infra", [python, "-m", "pytest", *tests], ROOT, False),
        ("pwa unit", ["npm", "test", "--silent"], ROOT / "pwa", False),
        ("browser end-to-end", ["node", "--test", *pages] if pages else ["npm", "test", "--silent"],
         ROOT / "tests" / "e2e", True),
    ]


def run_all(args: list[str]) -> int:
    """Run every suite, or those whose name contains one of `args` (`... test python`).

    Paths narrow a suite: `... test python tests/integration/test_links.py`,
    `... test browser customer.test.mjs`.
    """
    files = [arg for arg in args if arg.startswith("tests/") or arg.endswith(".mjs")]
    args = [arg for arg in args if arg not in files]
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")  # the poller's per-record lines
    from devstack.settings import LocalSettings
    from devstack.stack import LocalStack

    data_dir = Path(tempfile.mkdtemp(prefix="servicelane-test-"))
    local = LocalSettings(port=free_port(), ddb_port=free_port(), s3_port=free_port(),
                          line_port=free_port(), einvoice_port=free_port(), data_dir=data_dir,
                          pwa_dist=ROOT / "pwa" / "dist", in_memory=True)
    stack: LocalStack | None = None
    results: list[tuple[str, int, float]] = []
    try:
        suites = [suite for suite in _suites(sys.executable, files)
                  if not args or any(arg in suite[0] for arg in args)]
        for name, argv, cwd, needs_product in suites:
            if needs_product and stack is None:
                stack = LocalStack(local, quiet=True)  # stopped below, even if its start fails
                stack.start()
            env = dict(os.environ)  # before the product starts: the suite's engines are its own
            if needs_product:  # SL_PYTHON: the interpreter a browser test runs a command with
                env.update(SL_BASE_URL=local.origin, SL_TEST_DATA_DIR=str(data_dir),
                           SL_LINE_STANDIN=local.line_url, SL_EINVOICE_STANDIN=local.einvoice_url,
                           SL_PYTHON=sys.executable)
            print(f"\n=== {name} ===", flush=True)
            started = time.monotonic()
            code = subprocess.run(argv, cwd=cwd, env=env).returncode
            results.append((name, code, time.monotonic() - started))
    finally:
        if stack is not None:
            stack.stop()
        shutil.rmtree(data_dir, ignore_errors=True)

    print("\n=== summary ===")
    for name, code, seconds in results:
        print(f"  {'ok  ' if code == 0 else 'FAIL'}  {name}  ({seconds:.0f} s)")
    failed = sum(1 for _, code, _ in results if code != 0)
    print(f"suites: {len(results) - failed} passed, {failed} failed")
    return 1 if failed or not results else 0
