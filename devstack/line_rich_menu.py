"""`python -m devstack line-rich-menu --booking-url https://…/b/<code>`: the deployment's LINE
official account gets its rich menu (預約 · 我的車進度 · 保養紀錄) as its default.

Locally (`make dev` running) against the LINE stand-in it starts (SL_LINE_API, the local secrets
folder); with SL_STAGE set to a cloud stage and its AWS credentials, against LINE itself with
that stage's channel access token. The work is chalicelib/outward/notify/line_menu.py.
"""
from __future__ import annotations

import argparse
import os
import sys
from urllib.parse import urlparse


def main(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack line-rich-menu",
                                     description="Set the LINE account's rich menu.")
    parser.add_argument("--booking-url", required=True,
                        help="the shop's booking page, https://<origin>/b/<code>")
    options = parser.parse_args(args)
    url = urlparse(options.booking_url)
    local = os.environ.get("SL_STAGE", "local") == "local"
    if url.scheme not in ("https", "http") or not url.netloc or (
            url.scheme == "http" and not local):
        print("--booking-url: a web address (https://…) the customer's LINE can open.",
              file=sys.stderr)
        return 2
    from devstack.settings import from_environment

    if local:
        settings = from_environment()
        if not os.environ.get("SL_DDB_ENDPOINT"):
            os.environ.update(settings.app_environment())
        os.environ.setdefault("SL_LINE_API", settings.line_url)
    from chalicelib.core import aws
    from chalicelib.outward.notify import line_menu

    aws.reset()
    try:
        menu_id = line_menu.install(options.booking_url)
    except Exception as err:  # LINE refused, or nothing answers: say which, no trace
        print(f"the rich menu was not set: {type(err).__name__}: {str(err)[:300]}",
              file=sys.stderr)
        return 1
    print(f"rich menu {menu_id} is the default 圖文選單已設為預設")
    return 0
