"""boto3 clients for the notification services, at the endpoint config names (tests point them
at a local server). One try per call: the orchestration retries with its own backoff."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from chalicelib.core.config import settings


@lru_cache(maxsize=8)
def _client(service: str, endpoint: str | None, region: str) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(region_name=region, connect_timeout=3, read_timeout=10,
                    retries={"max_attempts": 1, "mode": "standard"})
    return boto3.session.Session().client(service, endpoint_url=endpoint, config=config)


def client(service: str) -> Any:
    endpoint = {"sns": settings().sns_endpoint, "sesv2": settings().ses_endpoint}[service]
    return _client(service, endpoint, settings().region)


RETRYABLE_CODES = frozenset({"Throttling", "ThrottlingException", "TooManyRequestsException",
                             "InternalError", "InternalFailure", "ServiceUnavailable",
                             "KMSThrottling"})


def describe(err: Exception) -> tuple[str, bool]:
    """(the reason to record, whether another try may help) for a boto3 error."""
    from botocore.exceptions import ClientError

    if isinstance(err, ClientError):
        error = err.response.get("Error", {})
        code = error.get("Code", "Error")
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return f"{code}: {error.get('Message', '')}".strip(), (
            code in RETRYABLE_CODES or status >= 500 or status == 429)
    return f"unreachable: {type(err).__name__}", True
