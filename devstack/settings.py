"""Ports and paths of the local stack, each changeable by an environment variable."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from devstack import ROOT, StackError

# DynamoDB Local accepts any keys; s3rver checks signatures against its built-in pair.
LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER"}


@dataclass(frozen=True)
class LocalSettings:
    host: str = "127.0.0.1"
    port: int = 8000            # PWA and API, one origin
    ddb_port: int = 8001
    s3_port: int = 8002
    line_port: int = 8003       # the LINE stand-in (devstack/line_standin.py)
    einvoice_port: int = 8004   # the e-invoice centre's stand-in (devstack/einvoice_standin.py)
    data_dir: Path = ROOT / ".local"
    pwa_dist: Path = ROOT / "pwa" / "dist"
    in_memory: bool = False     # tests: DynamoDB Local in memory, s3rver in a temporary folder

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def ddb_endpoint(self) -> str:
        return f"http://{self.host}:{self.ddb_port}"

    @property
    def s3_endpoint(self) -> str:
        return f"http://{self.host}:{self.s3_port}"

    @property
    def line_url(self) -> str:
        return f"http://{self.host}:{self.line_port}"

    @property
    def einvoice_url(self) -> str:
        return f"http://{self.host}:{self.einvoice_port}"

    def app_environment(self) -> dict[str, str]:
        """What the app's config module reads, pointing it at these engines."""
        return {**LOCAL_CREDENTIALS, "SL_DDB_ENDPOINT": self.ddb_endpoint,
                "SL_S3_ENDPOINT": self.s3_endpoint, "SL_PUBLIC_ORIGIN": self.origin,
                "SL_SECRETS_DIR": str(self.data_dir / "secrets")}


def from_environment(env=os.environ) -> LocalSettings:
    def port(name: str, default: int) -> int:
        raw = env.get(name, str(default))
        if not raw.isdigit() or not 0 < int(raw) < 65536:
            raise StackError(f"{name}={raw!r} is not a port number (1-65535).")
        return int(raw)

    return LocalSettings(
        host=env.get("SL_HOST", "127.0.0.1"),
        port=port("SL_PORT", 8000),
        ddb_port=port("SL_DDB_PORT", 8001),
        s3_port=port("SL_S3_PORT", 8002),
        line_port=port("SL_LINE_PORT", 8003),
        einvoice_port=port("SL_EINVOICE_PORT", 8004),
        data_dir=Path(env.get("SL_DATA_DIR", ROOT / ".local")),
        pwa_dist=Path(env.get("SL_PWA_DIST", ROOT / "pwa" / "dist")),
    )
