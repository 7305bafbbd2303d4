"""boto3 clients, made on first use so a cold start does not pay for services it never calls."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from chalicelib.core.config import settings


def _endpoint(service: str) -> str | None:
    cfg = settings()
    return {"dynamodb": cfg.dynamodb_endpoint, "dynamodbstreams": cfg.dynamodb_endpoint,
            "s3": cfg.s3_endpoint}.get(service)


# Chosen for a Lambda behind API Gateway, which answers 504 after 29 s (docs/design.md, "Faults"):
# a DynamoDB call answers in milliseconds, so 2 s without an answer is a fault, and three tries
# with the standard mode's backoff end within ~8 s; S3 (a PDF, a signature's image) gets 5 s.
# A probe (the health check) tries once, quickly. The local engines (DynamoDB Local on a busy
# test machine takes a second or more at times) get 10 s: their slowness is not a fault.
READ_TIMEOUT = {"dynamodb": 2, "dynamodbstreams": 2, "s3": 5}
LOCAL_READ_TIMEOUT = 10
ATTEMPTS = 3


def read_timeout(service: str) -> int:
    return LOCAL_READ_TIMEOUT if _endpoint(service) else READ_TIMEOUT.get(service, 5)


def _options(service: str, probe: bool) -> dict[str, Any]:
    from botocore.config import Config

    endpoint = _endpoint(service)
    config = Config(
        region_name=settings().region,
        connect_timeout=1,
        read_timeout=2 if probe else read_timeout(service),
        retries={"max_attempts": 1 if probe else ATTEMPTS, "mode": "standard"},
        # s3rver (and presigned URLs for it) only understand path-style addressing.
        s3={"addressing_style": "path"} if endpoint else None,
        # Presigned POSTs and GETs signed with SigV4 (botocore would sign a POST policy with
        # the legacy SigV2 otherwise, which newer regions and SSE-KMS refuse).
        signature_version="s3v4" if service == "s3" else None,
    )
    return {"endpoint_url": endpoint, "config": config}


@lru_cache(maxsize=None)
def client(service: str, *, probe: bool = False) -> Any:
    """A client for `service` at the configured endpoint.

    `probe` clients try once with short timeouts: a health check must say quickly that a
    dependency is down rather than retry for seconds.
    """
    import boto3

    return boto3.session.Session().client(service, **_options(service, probe))


@lru_cache(maxsize=None)
def table() -> Any:
    """The single table as a boto3 Table resource (Python types in and out)."""
    import boto3

    resource = boto3.session.Session().resource("dynamodb", **_options("dynamodb", False))
    return resource.Table(settings().table_name)


def reset() -> None:
    """Read the settings again now and forget the clients (tests point the app elsewhere)."""
    client.cache_clear()
    table.cache_clear()
    settings.cache_clear()
    settings()


def missing(err: Exception) -> bool:
    """Whether S3 refused because the object is not there (a botocore ClientError): each
    service spells it its own way (HEAD answers 404, GET NoSuchKey)."""
    code = getattr(err, "response", {}).get("Error", {}).get("Code")
    return code in ("404", "NoSuchKey", "NotFound")


def download_url(key: str, filename: str, content_type: str, seconds: int, *,
                 attachment: bool = False) -> str:
    """A presigned GET of a file in the files bucket that opens under its own name (zh-TW names
    too: RFC 5987), signed locally without a request to S3.

    Never stored by a browser or a proxy (`no-store`): each link is made for one person for a
    few minutes, and a cached copy of a document or an export would outlive it on a shared
    tablet. `attachment` saves the file instead of showing it in a tab (the data exports).
    """
    from urllib.parse import quote

    disposition = "attachment" if attachment else "inline"
    return client("s3").generate_presigned_url("get_object", Params={
        "Bucket": settings().bucket_name, "Key": key, "ResponseContentType": content_type,
        "ResponseContentDisposition": f"{disposition}; filename*=UTF-8''{quote(filename)}",
        "ResponseCacheControl": "no-store"}, ExpiresIn=seconds)


def query_all(**kwargs: Any) -> list[dict]:
    """Every item a Query answers, page after page (DynamoDB stops a page at 1 MB)."""
    items = []
    while True:
        page = table().query(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
