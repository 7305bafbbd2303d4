"""`python -m devstack new-shop`: the hosting team opens a shop (there is no public sign-up).

    python -m devstack new-shop --name 順安汽車保養廠 --tax-id 04595257 --phone 02-2765-1234 \\
        --address "臺北市松山區八德路四段 100 號" --hours "mon-fri 08:30-18:00, sat 09:00-12:00" \\
        --owner-name 王店長 --owner-login 0912345678 [--shop-id shunan]

It prints the shop's id and the owner's one-time sign-in link (72 hours). Another link, while
the owner has not chosen a password yet: `python -m devstack new-shop --new-link --shop-id …`.

Against the engines of `make dev` (or those the environment names, as under `make test`); with
SL_STAGE set to a cloud stage, SL_PUBLIC_ORIGIN its web address and that stage's AWS credentials,
against its table. The work itself is chalicelib/records/onboarding.py.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def opening_hours(text: str) -> dict:
    """`mon-fri 08:30-18:00, sat 09:00-12:00` as the profile's opening hours (other days closed)."""
    hours: dict = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        found = re.fullmatch(r"([a-z]{3})(?:-([a-z]{3}))?\s+(\d\d:\d\d)-(\d\d:\d\d)", part.lower())
        if not found or found[1] not in DAYS or (found[2] and found[2] not in DAYS):
            raise ValueError(f"opening hours: {part!r} is not like 'mon-fri 08:30-18:00'")
        first, last = DAYS.index(found[1]), DAYS.index(found[2] or found[1])
        for day in DAYS[first:last + 1]:
            hours[day] = {"open": found[3], "close": found[4]}
    return hours


def main(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack new-shop",
                                     description="Open a new shop and print its owner's link.")
    relink = "--new-link" in args
    parser.add_argument("--new-link", action="store_true",
                        help="only a new link for the owner of --shop-id (no password yet)")
    parser.add_argument("--shop-id", required=relink)
    parser.add_argument("--name", required=not relink)
    parser.add_argument("--tax-id", required=not relink, help="統一編號 (8 digits)")
    parser.add_argument("--phone", required=not relink)
    parser.add_argument("--address", required=not relink)
    parser.add_argument("--hours", default="", help="e.g. 'mon-fri 08:30-18:00, sat 09:00-12:00'")
    parser.add_argument("--owner-name", required=not relink)
    parser.add_argument("--owner-login", required=not relink, help="the owner's mobile or e-mail")
    parser.add_argument("--json", action="store_true", help="answer as one line of JSON")
    options = parser.parse_args(args)

    from devstack.settings import from_environment

    local = os.environ.get("SL_STAGE", "local") == "local"
    if local and not os.environ.get("SL_DDB_ENDPOINT"):
        os.environ.update(from_environment().app_environment())
    elif not local and not os.environ.get("SL_PUBLIC_ORIGIN"):
        # The link must open the stage's own PWA, not a local one.
        print("SL_PUBLIC_ORIGIN is not set: name the stage's web address (https://…).",
              file=sys.stderr)
        return 2
    from pydantic import ValidationError

    from chalicelib.core import aws
    from chalicelib.core.errors import DomainError
    from chalicelib.records import onboarding

    aws.reset()
    try:
        if options.new_link:
            return _show(onboarding.new_welcome_link(options.shop_id), options.json)
        new = onboarding.NewShop(
            shop_id=options.shop_id, name=options.name, tax_id=options.tax_id,
            phone=options.phone, address=options.address,
            opening_hours=opening_hours(options.hours) if options.hours else None,
            owner_name=options.owner_name, owner_login=options.owner_login)
        opened = onboarding.open_shop(new)
    except ValidationError as invalid:
        for error in invalid.errors():
            zh = (error.get("ctx") or {}).get("zh")
            print(f"{'.'.join(map(str, error['loc']))}: {zh + ' ' if zh else ''}{error['msg']}",
                  file=sys.stderr)
        return 2
    except ValueError as invalid:
        print(invalid, file=sys.stderr)
        return 2
    except DomainError as refused:
        print(f"{refused.zh} {refused.en}", file=sys.stderr)
        return 1
    return _show(opened, options.json)


def _show(opened, as_json: bool) -> int:
    if as_json:
        print(json.dumps(opened.__dict__, ensure_ascii=False))
    else:
        print(f"shop: {opened.shop_id}\nowner: {opened.owner_id}\n"
              f"one-time sign-in link (until {opened.expires_at}; give it to the owner only):\n"
              f"{opened.welcome_link}")
    return 0
