"""The stage's secrets in SSM Parameter Store, as infra/secrets.json lists them.

CloudFormation cannot create SecureString parameters, and secrets do not belong in a template,
so `make deploy` calls `prepare` before it deploys. By hand:

    .venv/bin/python -m infra.ssm --stage dev                               # what is set, what is missing
    .venv/bin/python -m infra.ssm --stage dev set line/channel-secret < secret.txt
"""
from __future__ import annotations

import argparse
import getpass
import json
import secrets as random_source
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SPEC = Path(__file__).resolve().parent / "secrets.json"
REGION = "ap-northeast-1"


@dataclass(frozen=True)
class Secret:
    name: str  # under the stage's path, e.g. line/channel-secret
    description: str
    required: bool
    generate: str | None = None
    how: str | None = None
    needed_by: str | None = None

    def path(self, stage: str) -> str:
        return f"/servicelane/{stage}/{self.name}"


def listed() -> list[Secret]:
    return [Secret(name=item["Name"], description=item["Description"],
                   required=item.get("Required", True), generate=item.get("Generate"),
                   how=item.get("How"), needed_by=item.get("NeededBy"))
            for item in json.loads(SPEC.read_text())["Parameters"]]


def _generated(kind: str) -> str:
    if kind == "random-256-bit":
        return random_source.token_urlsafe(32)
    raise ValueError(f"infra/secrets.json: unknown Generate {kind!r}")


def missing(ssm: Any, stage: str) -> list[Secret]:
    """The listed secrets that have no parameter yet (values are never read)."""
    wanted = {secret.path(stage): secret for secret in listed()}
    names = list(wanted)
    found: set[str] = set()
    for start in range(0, len(names), 10):  # GetParameters takes ten names at a time
        answer = ssm.get_parameters(Names=names[start:start + 10], WithDecryption=False)
        found.update(parameter["Name"] for parameter in answer["Parameters"])
    return [secret for path, secret in wanted.items() if path not in found]


def put(ssm: Any, stage: str, secret: Secret, value: str, *, overwrite: bool) -> None:
    ssm.put_parameter(Name=secret.path(stage), Description=secret.description, Value=value,
                      Type="SecureString", Overwrite=overwrite)


@dataclass(frozen=True)
class Preparation:
    generated: list[Secret]
    to_set: list[Secret]  # missing, made by a person; `blocking` are required

    @property
    def blocking(self) -> list[Secret]:
        return [secret for secret in self.to_set if secret.required]


def prepare(ssm: Any, stage: str) -> Preparation:
    """Make the missing secrets that can be generated; say which others are missing."""
    generated, to_set = [], []
    for secret in missing(ssm, stage):
        if secret.generate:
            put(ssm, stage, secret, _generated(secret.generate), overwrite=False)
            generated.append(secret)
        else:
            to_set.append(secret)
    return Preparation(generated, to_set)


def instructions(stage: str, secrets: list[Secret]) -> str:
    lines = []
    for secret in secrets:
        if secret.generate:
            lines.append(f"  {secret.path(stage)}  (made by `make deploy` when missing)")
            continue
        state = "required" if secret.required else f"optional until {secret.needed_by}"
        lines.append(f"  {secret.path(stage)}  ({state})\n    {secret.description}"
                     + (f"\n    from: {secret.how}" if secret.how else "")
                     + f"\n    set:  .venv/bin/python -m infra.ssm --stage {stage} set {secret.name}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.ssm", description=__doc__.split("\n")[0])
    parser.add_argument("--stage", choices=("dev", "prod"), required=True)
    parser.add_argument("--region", default=REGION)
    parser.add_argument("action", nargs="?", choices=("status", "set"), default="status")
    parser.add_argument("name", nargs="?", help="for set: the secret's name in infra/secrets.json")
    args = parser.parse_args(argv)

    import boto3

    ssm = boto3.session.Session(region_name=args.region).client("ssm")
    if args.action == "set":
        secret = next((s for s in listed() if s.name == args.name), None)
        if secret is None:
            parser.error(f"{args.name!r} is not in infra/secrets.json")
        value = (getpass.getpass(f"{secret.path(args.stage)}: ") if sys.stdin.isatty()
                 else sys.stdin.read().strip())
        if not value:
            parser.error("empty value")
        put(ssm, args.stage, secret, value, overwrite=True)
        print(f"Set {secret.path(args.stage)} (SecureString).")
        return 0
    absent = missing(ssm, args.stage)
    present = [s for s in listed() if s not in absent]
    for secret in present:
        print(f"  set      {secret.path(args.stage)}")
    if absent:
        print("Missing:\n" + instructions(args.stage, absent))
    return 1 if any(secret.required and not secret.generate for secret in absent) else 0


if __name__ == "__main__":
    sys.exit(main())
