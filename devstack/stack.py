"""The whole product on one machine: engines, table and bucket, demo data, API + PWA, poller."""
from __future__ import annotations

import os
import time

from chalicelib.core import aws
from chalicelib.core.config import settings as app_settings
from chalicelib.records import booking_setup
from devstack import engines, provision, seed
from devstack.einvoice_standin import EinvoiceStandin
from devstack.line_standin import LineStandin
from devstack.logs import LogFiles
from devstack.poller import Checkpoints, StreamPoller
from devstack.server import ProductServer
from devstack.settings import LocalSettings


class LocalStack:
    """`quiet` (the tests): no line per request. Otherwise (`make dev`) what the app, the poller
    and the server log goes to files in `local.logs_dir`, and the terminal stays the banner's."""

    def __init__(self, local: LocalSettings, quiet: bool = False):
        self.local, self.quiet = local, quiet
        self.engines: list[engines.Engine] = []
        self.server: ProductServer | None = None
        self.poller: StreamPoller | None = None
        self.login: seed.DemoLogin | None = None
        self.logs: LogFiles | None = None
        self.line: LineStandin | None = None
        self.einvoice: EinvoiceStandin | None = None

    def start(self) -> "LocalStack":
        local = self.local
        for what, port, variable in (("PWA and API", local.port, "SL_PORT"),
                                     ("DynamoDB Local", local.ddb_port, "SL_DDB_PORT"),
                                     ("s3rver", local.s3_port, "SL_S3_PORT"),
                                     ("LINE stand-in", local.line_port, "SL_LINE_PORT"),
                                     ("e-invoice stand-in", local.einvoice_port,
                                      "SL_EINVOICE_PORT")):
            engines.ensure_port_free(local.host, port, what, variable)
        os.environ.update(local.app_environment())
        if not self.quiet:
            self.logs = LogFiles(local.logs_dir)
        self.server = ProductServer(local.host, local.port, local.pwa_dist,
                                    s3_origin=local.s3_endpoint, quiet=self.quiet,
                                    access_log=self.logs.http if self.logs else None)
        if self.logs:
            self.logs.capture()  # the app is loaded: its log handlers exist now
        aws.reset()  # the app's settings now include the local stage and these engines

        s3_dir = local.data_dir / "s3"
        self.engines.append(engines.dynamodb_local(local).start())
        self.engines.append(engines.s3rver(local, s3_dir).start())

        config = app_settings()
        provision.ensure_table(aws.client("dynamodb"), config.table_name)
        provision.ensure_bucket(aws.client("s3"), config.bucket_name, local.origin)
        self.login = seed.seed(local.data_dir)

        self.server.start()
        self.line = start_line_standin(local)
        self.einvoice = start_einvoice_standin(local)
        self.poller = StreamPoller(
            streams=aws.client("dynamodbstreams"), dynamodb=aws.client("dynamodb"),
            table_name=config.table_name, handler=self.server.module.on_change,
            checkpoints=Checkpoints(local.data_dir / "stream-checkpoints.json"),
            dead_letters=local.data_dir / "stream-dead-letters", region=config.region)
        self.poller.start()
        return self

    def booking_page(self) -> str:
        """The demo shop's public booking page (its code made on the shop's first read)."""
        return f"{self.local.origin}/b/{booking_setup.ensure_code(seed.DEMO_SHOP_ID)}"

    def stop(self) -> None:
        """Stop everything started, last first; safe to call after a start that failed midway."""
        if self.poller:
            self.poller.stop()
        if self.line:
            self.line.stop()
            self.line = None
        if self.einvoice:
            self.einvoice.stop()
            self.einvoice = None
        if self.server:
            self.server.stop()
        for engine in self.engines:  # all asked at once: one slow engine does not hold the rest
            engine.terminate()
        for engine in reversed(self.engines):
            engine.stop()
        self.engines.clear()
        if self.logs:
            self.logs.close()
            self.logs = None


LOCAL_LINE_SECRETS = {"line__channel-access-token": "local-line-token",
                      "line__channel-secret": "local-line-channel-secret"}


def start_line_standin(local: LocalSettings) -> LineStandin:
    """LINE played on `local.line_port`: the app's LINE pushes go to it (SMS and e-mail stay on
    the outbox), with the channel's two secrets in the local secrets folder (made once; kept)."""
    folder = local.data_dir / "secrets"
    folder.mkdir(parents=True, exist_ok=True)
    for name, value in LOCAL_LINE_SECRETS.items():
        if not (folder / name).exists():
            (folder / name).write_text(value)
    secret = (folder / "line__channel-secret").read_text().strip()
    os.environ["SL_LINE_API"] = local.line_url
    aws.reset()
    return LineStandin(f"{local.origin}/api/line/webhook", secret, port=local.line_port,
                       host=local.host).start()


def start_einvoice_standin(local: LocalSettings) -> EinvoiceStandin:
    """ECPay's e-invoice API played on `local.einvoice_port`. Each shop's account is made on
    its first use in the local secrets folder (chalicelib/core/secrets.py: random, not ECPay's
    published test account), where the stand-in finds it."""
    folder = local.data_dir / "secrets"
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["SL_EINVOICE_API"] = local.einvoice_url
    aws.reset()
    # Its numbers start from the clock: a restart of `make dev` never hands out one already on
    # an order kept in .local/.
    first = 10_000_000 + int(time.time()) % 80_000_000  # room for 10 million more
    return EinvoiceStandin({}, port=local.einvoice_port, host=local.host, first=first,
                           accounts=folder).start()
