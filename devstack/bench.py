"""`make bench`: what the product costs, as counts and ratios where possible.

Runs against its own DynamoDB Local (in memory) and s3rver; writes docs/bench.md.
Numbers are from this machine and noisy in milliseconds; the counts are exact.
"""
from __future__ import annotations

import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from devstack import ROOT

ROUNDS = 200


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def cold_import_ms(runs: int = 7) -> float:
    """Median time for a fresh interpreter to import the API Lambda's module (app.py)."""
    code = "import time; t=time.perf_counter(); import app; print((time.perf_counter()-t)*1000)"
    samples = [float(subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                                    capture_output=True, text=True,
                                    env={**os.environ, "SL_STAGE": "local"}).stdout)
               for _ in range(runs)]
    return statistics.median(samples)


def count_requests(clients) -> dict[str, int]:
    counts = {"dynamodb": 0, "s3": 0}

    def counter(service):
        def count(**_):
            counts[service] += 1
        return count

    for service, client in clients:
        client.meta.events.register("before-send", counter(service))
    return counts


def health_route() -> dict:
    from chalice.test import Client

    from app import app
    from chalicelib import aws

    counts = count_requests([("dynamodb", aws.client("dynamodb", probe=True)),
                             ("s3", aws.client("s3", probe=True))])
    samples = []
    with Client(app, stage_name="local") as client:
        client.http.get("/api/health")  # warm: clients made, connections open
        counts.update(dynamodb=0, s3=0)
        for _ in range(ROUNDS):
            started = time.perf_counter()
            assert client.http.get("/api/health").status_code == 200
            samples.append((time.perf_counter() - started) * 1000)
    p50, p95 = _percentiles(samples)
    return {"p50": p50, "p95": p95, "ddb": counts["dynamodb"] / ROUNDS,
            "s3": counts["s3"] / ROUNDS}


def stream_latency(data_dir: Path) -> tuple[float, float]:
    """Write → the cloud handler, through the local poller: median and p95 in ms."""
    import app as api
    from chalicelib import aws
    from devstack.poller import Checkpoints, StreamPoller

    seen: dict[str, float] = {}
    arrived = threading.Condition()

    def handler(event, context):
        answer = api.on_change(event, context)
        with arrived:
            for record in event["Records"]:
                seen[record["dynamodb"]["Keys"]["pk"]["S"]] = time.perf_counter()
            arrived.notify_all()
        return answer

    poller = StreamPoller(aws.client("dynamodbstreams"), aws.client("dynamodb"),
                          aws.table().name, handler, Checkpoints(data_dir / "cp.json"),
                          data_dir / "dead", "ap-northeast-1")
    thread = poller.start()
    samples = []
    try:
        for i in range(30):
            key = f"BENCH#{i}"
            written = time.perf_counter()
            aws.table().put_item(Item={"pk": key, "sk": "BENCH"})
            with arrived:
                assert arrived.wait_for(lambda: key in seen, timeout=10)
            samples.append((seen[key] - written) * 1000)
    finally:
        poller.stop()
        thread.join()
    return _percentiles(samples)


def pwa_sizes() -> list[tuple[str, int, int]]:
    dist = ROOT / "pwa" / "dist"
    rows = []
    for kind, pattern in (("JS", "**/*.js"), ("CSS", "**/*.css"), ("HTML", "*.html")):
        files = [f for f in dist.glob(pattern) if f.name != "sw.js" and "workbox" not in f.name]
        raw = sum(f.stat().st_size for f in files)
        packed = sum(len(gzip.compress(f.read_bytes(), 9)) for f in files)
        rows.append((kind, raw, packed))
    return rows


def main() -> int:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    from chalicelib import aws
    from chalicelib.config import settings
    from devstack import engines, provision
    from devstack.settings import LocalSettings

    data_dir = Path(tempfile.mkdtemp(prefix="servicelane-bench-"))
    local = LocalSettings(port=engines.free_port(), ddb_port=engines.free_port(),
                          s3_port=engines.free_port(), data_dir=data_dir, in_memory=True)
    os.environ.update({**local.app_environment(), "SL_STAGE": "local"})
    started = [engines.dynamodb_local(local).start(),
               engines.s3rver(local, data_dir / "s3").start()]
    try:
        aws.reset()
        provision.ensure_table(aws.client("dynamodb"), settings().table_name)
        provision.ensure_bucket(aws.client("s3"), settings().bucket_name, local.origin)
        imported = cold_import_ms()
        health = health_route()
        stream = stream_latency(data_dir)
    finally:
        for engine in started:
            engine.stop()
        shutil.rmtree(data_dir, ignore_errors=True)

    lines = [
        "# Benchmarks", "",
        "Written by `make bench` (devstack/bench.py) on a 2-core machine; milliseconds are",
        "noisy there, counts are exact. Engines: DynamoDB Local in memory, s3rver.", "",
        "## API Lambda", "",
        "| measure | value | target |", "| --- | --- | --- |",
        f"| cold import of `app.py` (fresh interpreter, median of 7) | {imported:.0f} ms | < 250 ms |",
        f"| `GET /api/health` handler, in-process, p50 / p95 ({ROUNDS} calls) "
        f"| {health['p50']:.1f} / {health['p95']:.1f} ms | |",
        f"| DynamoDB requests per `GET /api/health` | {health['ddb']:.0f} | 1 |",
        f"| S3 requests per `GET /api/health` | {health['s3']:.0f} | 1 |", "",
        "## Stream", "",
        "| measure | value |", "| --- | --- |",
        f"| write → `on_change` through the local poller, p50 / p95 (30 writes) "
        f"| {stream[0]:.0f} / {stream[1]:.0f} ms |", "",
        "## PWA bundle (first view, without the service worker)", "",
        "| kind | bytes | gzip bytes |", "| --- | --- | --- |",
    ]
    for kind, raw, packed in pwa_sizes():
        lines.append(f"| {kind} | {raw:,} | {packed:,} |")
    report = "\n".join(lines) + "\n"
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "bench.md").write_text(report)
    print(report)
    return 0
