"""Settings from the environment, read once: the only module that looks at os.environ."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

VERSION = "0.1.0"
ECPAY_EINVOICE = "https://einvoice.ecpay.com.tw"  # ECPay's e-invoice production host


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
    # --- notifications (chalicelib/outward/notify/) ---
    # Where SNS, SES and the LINE Messaging API are reached: set only to point them elsewhere
    # (tests run each against a local server playing the provider); None means AWS / LINE itself.
    sns_endpoint: str | None = None
    ses_endpoint: str | None = None
    line_api_base: str = "https://api.line.me"
    line_data_api_base: str = "https://api-data.line.me"  # uploads (a rich menu's image)
    # The LINE official account's basic id (`@123abcde`): the QR that links a customer opens it.
    line_basic_id: str | None = None
    mail_from: str = "no-reply@servicelane.tw"
    # On local engines a channel delivers to the local outbox (/dev/outbox) unless its endpoint
    # is set or it is named here (`SL_NOTIFY_LIVE=sms,email,line`: send for real).
    notify_live: frozenset[str] = frozenset()
    # A Web Push subscription's endpoint must be https on a known push service (FCM, Mozilla,
    # Apple, Windows): the server posts to it, so anything else would be a way in (SSRF). On the
    # local stage only, tests may name one more origin (`http://127.0.0.1:<port>`) playing one.
    push_test_origin: str | None = None
    # --- 電子發票 (chalicelib/outward/einvoice/) ---
    # ECPay's e-invoice host (its stage host is einvoice-stage.ecpay.com.tw); tests and
    # `make dev` point it at devstack/einvoice_standin.py. None on the local stage unless named:
    # a local run never sends its made-up keys to ECPay (its invoices wait, as when it is down).
    einvoice_api_base: str | None = ECPAY_EINVOICE


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
        sns_endpoint=env.get("SL_SNS_ENDPOINT") or None,
        ses_endpoint=env.get("SL_SES_ENDPOINT") or None,
        line_api_base=env.get("SL_LINE_API") or "https://api.line.me",
        line_data_api_base=env.get("SL_LINE_DATA_API") or env.get("SL_LINE_API")
        or "https://api-data.line.me",
        line_basic_id=env.get("SL_LINE_BASIC_ID") or ("@servicelane" if stage == "local" else None),
        mail_from=env.get("SL_MAIL_FROM") or "no-reply@servicelane.tw",
        push_test_origin=(env.get("SL_PUSH_TEST_ORIGIN") or None) if stage == "local" else None,
        notify_live=frozenset(name.strip() for name in env.get("SL_NOTIFY_LIVE", "").split(",")
                              if name.strip()),
        einvoice_api_base=env.get("SL_EINVOICE_API")
        or (None if stage == "local" else ECPAY_EINVOICE),
    )
