"""The stage's secrets in SSM Parameter Store, as infra/secrets.json lists them.

CloudFormation cannot create SecureString parameters, and secrets do not belong in a template,
so `make deploy` calls `prepare` before it deploys. By hand:

    .venv/bin/python -m infra.ssm --stage dev                               # what is set, what is missing
    .venv/bin/python -m infra.ssm --stage dev set line/channel-secret < secret.txt
    .venv/bin/python -m infra.ssm --stage dev --shop <shop_id>              # a shop's own, too
    .venv/bin/python -m infra.ssm --stage dev set einvoice/<shop_id>/hash-key

A shop's own parameters (secrets.json `PerShop`, such as its ECPay account for 電子發票) are
set when the shop takes up the feature; `prepare`, and so `make deploy`, never asks for them.
"""
from __future__ import annotations

import argparse
import getpass
import json
import re
import secrets as random_source
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SPEC = Path(__file__).resolve().parent / "secrets.json"
REGION = "ap-northeast-1"
SHOP = "<shop_id>"  # where a shop's own parameter names hold the shop's id
# A shop id as one segment of a parameter name (SSM allows letters, digits and _.- in one).
SHOP_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}")


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


@dataclass(frozen=True)
class ShopSecret:
    """A parameter every shop has one of, e.g. einvoice/<shop_id>/hash-key."""
    name: str  # with SHOP in place of the shop's id
    description: str
    how: str | None = None
    needed_by: str | None = None

    def for_shop(self, shop_id: str) -> Secret:
        if not SHOP_ID.fullmatch(shop_id):
            raise ValueError(f"{shop_id!r} is not a shop id")
        return Secret(name=self.name.replace(SHOP, shop_id), required=False, how=self.how,
                      description=f"{self.description} (shop {shop_id})",
                      needed_by=self.needed_by)

    def path_pattern(self, stage: str) -> str:
        """The path with `*` for the shop's id: the IAM resource of the functions reading it."""
        return f"/servicelane/{stage}/{self.name.replace(SHOP, '*')}"

    def shop_of(self, name: str) -> str | None:
        """The shop id in `name` when `name` is this parameter of a shop, else None."""
        before, _, after = self.name.partition(SHOP)
        if not (name.startswith(before) and name.endswith(after)):
            return None
        shop_id = name[len(before):len(name) - len(after)]
        return shop_id if SHOP_ID.fullmatch(shop_id) else None


def per_shop() -> list[ShopSecret]:
    return [ShopSecret(name=item["Name"], description=item["Description"], how=item.get("How"),
                       needed_by=item.get("NeededBy"))
            for item in json.loads(SPEC.read_text()).get("PerShop", {}).get("Parameters", [])]


def named(name: str) -> Secret | None:
    """The listed secret, or the shop's own parameter, that `name` names (None: neither)."""
    found = next((secret for secret in listed() if secret.name == name), None)
    if found:
        return found
    for pattern in per_shop():
        shop_id = pattern.shop_of(name)
        if shop_id:
            return pattern.for_shop(shop_id)
    return None


def _generated(kind: str) -> str:
    if kind == "random-256-bit":
        return random_source.token_urlsafe(32)
    raise ValueError(f"infra/secrets.json: unknown Generate {kind!r}")


def missing(ssm: Any, stage: str, secrets: list[Secret] | None = None) -> list[Secret]:
    """The listed secrets (or `secrets`) that have no parameter yet (values are never read)."""
    wanted = {secret.path(stage): secret for secret in (listed() if secrets is None else secrets)}
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
    parser.add_argument("name", nargs="?", help="for set: the secret's name in infra/secrets.json, "
                        "a shop's own with its id (einvoice/<shop_id>/hash-key)")
    parser.add_argument("--shop", help="for status: also the parameters of this shop's own")
    args = parser.parse_args(argv)
    if args.shop and not SHOP_ID.fullmatch(args.shop):
        parser.error(f"{args.shop!r} is not a shop id")

    import boto3

    ssm = boto3.session.Session(region_name=args.region).client("ssm")
    if args.action == "set":
        secret = named(args.name or "")
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
    if args.shop:
        shops_own = [pattern.for_shop(args.shop) for pattern in per_shop()]
        shop_absent = missing(ssm, args.stage, shops_own)
        for secret in shops_own:
            if secret not in shop_absent:
                print(f"  set      {secret.path(args.stage)}")
        if shop_absent:
            print(f"Missing for shop {args.shop}:\n" + instructions(args.stage, shop_absent))
    else:
        print("Each shop's own (--shop <shop_id> to see one shop's): "
              + ", ".join(pattern.path_pattern(args.stage).replace("*", SHOP)
                          for pattern in per_shop()))
    return 1 if any(secret.required and not secret.generate for secret in absent) else 0


if __name__ == "__main__":
    sys.exit(main())
