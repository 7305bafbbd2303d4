"""Settings from the environment, read once: the only module that looks at os.environ."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

VERSION = "0.1.0"


@dataclass(frozen=True)
class Settings:
    stage: str
    table_name: str
    bucket_name: str
    region: str
    # Set only when running on local engines (DynamoDB Local, s3rver); None means AWS itself.
    dynamodb_endpoint: str | None
    s3_endpoint: str | None
    # The stream the on_change Lambda reads; the cloud stack wires the real ARN.
    stream_arn: str
    version: str
    # Where secrets come from: a folder of files made on first run (local engines), or else
    # SSM Parameter Store under /servicelane/<stage>/ (the cloud; infra/secrets.json).
    secrets_dir: str | None
    # The origin the PWA is served from (links in messages, CORS); the cloud stack sets it.
    public_origin: str


@lru_cache(maxsize=1)
def settings() -> Settings:
    env = os.environ
    stage = env.get("SL_STAGE", "local")
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "ap-northeast-1"
    table = env.get("SL_TABLE", f"servicelane-{stage}")
    return Settings(
        stage=stage,
        table_name=table,
        bucket_name=env.get("SL_BUCKET", f"servicelane-{stage}"),
        region=region,
        dynamodb_endpoint=env.get("SL_DDB_ENDPOINT") or None,
        s3_endpoint=env.get("SL_S3_ENDPOINT") or None,
        stream_arn=env.get(
            "SL_STREAM_ARN", f"arn:aws:dynamodb:{region}:000000000000:table/{table}/stream/local"
        ),
        version=env.get("SL_VERSION", VERSION),
        secrets_dir=env.get("SL_SECRETS_DIR") or None,
        public_origin=env.get("SL_PUBLIC_ORIGIN", "http://127.0.0.1:8000"),
    )
