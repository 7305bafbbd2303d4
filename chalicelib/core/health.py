"""Whether the API's dependencies answer: the table and the files bucket."""
from __future__ import annotations

from typing import Callable

from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.core.observability import logger


# A key no item uses: reading it proves the table answers, and costs half a read unit.
HEALTH_KEY = {"pk": {"S": "HEALTH"}, "sk": {"S": "HEALTH"}}


def _table_answers() -> None:
    aws.client("dynamodb", probe=True).get_item(
        TableName=settings().table_name,
        Key=HEALTH_KEY,
    )


def _bucket_answers() -> None:
    aws.client("s3", probe=True).head_bucket(Bucket=settings().bucket_name)


CHECKS: dict[str, Callable[[], None]] = {"table": _table_answers, "bucket": _bucket_answers}


def report() -> tuple[bool, dict]:
    """(healthy, body): each dependency `ok` or `unreachable`, and the running version."""
    checks = {}
    for name, check in CHECKS.items():
        try:
            check()
            checks[name] = "ok"
        except Exception as exc:  # any failure to answer means unreachable, whatever its kind
            logger().warning("health check failed", extra={"check": name, "error": type(exc).__name__})
            checks[name] = "unreachable"
    healthy = all(state == "ok" for state in checks.values())
    body = {"status": "ok" if healthy else "unavailable", "version": settings().version,
            "checks": checks}
    return healthy, body
