"""The package is built once per test session, into a temporary folder, as `make package` does.

Chalice's wheel cache (build/cache/) is shared with `make package`, so a session after a
package build costs a few seconds; the first ever fetches the Lambda wheels from PyPI.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from infra import checks, package


@pytest.fixture(scope="session")
def package_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("package")
    return package.build("dev", root / "dev", work=root / "src")


@pytest.fixture(scope="session")
def template(package_dir) -> dict:
    return json.loads((package_dir / "sam.json").read_text())


@pytest.fixture(scope="session")
def transformed(template) -> dict:
    """The stack CloudFormation would make of the package (the SAM transform, run here)."""
    return checks.sam_transform(checks.with_code_uri(template, checks.EXAMPLE_CODE_URI),
                                checks.EXAMPLE_PARAMETERS)


def _network_free_prefix() -> tuple[str, ...]:
    """A command prefix that runs a program with no network at all (util-linux's unshare, on
    every Debian machine; make test runs as root there)."""
    unshare = shutil.which("unshare")
    probe = subprocess.run([unshare or "unshare", "--net", "true"], capture_output=True)
    assert unshare and probe.returncode == 0, (
        "`unshare --net` must work here: checkov is proven to need no network by running it "
        f"without one ({probe.stderr.decode(errors='replace').strip()})")
    return (unshare, "--net", "--")


@pytest.fixture(scope="session")
def checkov_run(package_dir) -> checks.CheckovReport:
    """checkov's report on the package, run with no network device but the loopback."""
    return checks.checkov(package_dir / "sam.json", prefix=_network_free_prefix())
