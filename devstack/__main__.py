"""`python -m devstack dev|info|test|daily|bench|bench-scale|bench-faults`: what `make dev`,
`make dev-info`, `make test`, `make daily`, `make bench`, `make bench-scale` and
`make bench-faults` run; and the operators' `new-shop`, `line-rich-menu`, `dashboard-backfill`
and `invitations-backfill`."""
from __future__ import annotations

import signal
import sys

from devstack import StackError


def _stop_on_sigterm() -> None:
    """Ctrl-C and SIGTERM stop the stack, even when it was started from a shell that ignores
    SIGINT for what it runs in the background (a script's `make test &`): a child inherits the
    ignoring, and Python then leaves Ctrl-C ignored."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def dev() -> int:
    import threading

    from devstack.banner import banner
    from devstack.settings import from_environment
    from devstack.stack import LocalStack

    _stop_on_sigterm()
    local = from_environment()
    stack = LocalStack(local)
    try:
        stack.start()
        ready = banner(local, stack.login, booking_page=stack.booking_page())
        print(ready, flush=True)
        if _typed_here():
            for _ in sys.stdin:  # Enter: the banner again (the logs are in files, not here)
                print(ready, flush=True)
        threading.Event().wait()  # nothing to read (stdin closed): run until stopped
    except KeyboardInterrupt:
        print("\nStopping 停止中…", flush=True)
    finally:
        stack.stop()
    return 0


def _typed_here() -> bool:
    """Whether to read stdin: not from a terminal whose foreground is another program (`make
    dev &`), where reading would stop the whole stack (SIGTTIN)."""
    import os

    try:
        return not os.isatty(0) or os.tcgetpgrp(0) == os.getpgrp()
    except OSError:  # no stdin at all
        return False


def info() -> int:
    """`make dev-info`: the banner of `make dev` (URL, logins, where things are), from the data
    folder, in any terminal; whether it runs now is asked at its URL."""
    from devstack.banner import answers, banner
    from devstack.seed import saved_login
    from devstack.settings import from_environment

    local = from_environment()
    login = saved_login(local.data_dir)
    if login is None:
        raise StackError(f"No local data in {local.data_dir} yet: `make dev` makes it.")
    print(banner(local, login, running=answers(local)))
    return 0


def daily(args: list[str]) -> int:
    """`make daily`: the daily job now, every one of its pieces (one per shard of shops) run here
    one after another, against the engines of `make dev` (or those the environment names, as
    under `make test`), and their counts printed; `--date YYYY-MM-DD` runs it as that day."""
    import json
    import os

    from chalicelib.core import clock as times
    from chalicelib.core import aws
    from devstack.server import load_app
    from devstack.settings import from_environment

    if args[:1] == ["--date"] and len(args) == 2:
        today = args[1]
        times.now = lambda: times.parse_iso(f"{today}T06:00:00+08:00")
    elif args:
        print("usage: python -m devstack daily [--date YYYY-MM-DD]", file=sys.stderr)
        return 2
    if not os.environ.get("SL_DDB_ENDPOINT"):
        os.environ.update(from_environment().app_environment())
    aws.reset()
    load_app()  # the stage's settings, as the Lambdas have them
    from chalicelib.after import daily as job

    done = job.run_here()
    print(json.dumps(done, ensure_ascii=False))
    return 1 if done.get("failed_shards") else 0


def dashboard_backfill(args: list[str]) -> int:
    """`python -m devstack dashboard-backfill [SHOP_ID]`: the shop's dashboard day items made
    again from its orders (chalicelib/after/dashboard.py `backfill`), against the engines of `make dev`
    (or those the environment names); the demo shop when no id is given."""
    import json
    import os

    from chalicelib.after import dashboard
    from chalicelib.core import aws
    from devstack.seed import DEMO_SHOP_ID
    from devstack.settings import from_environment

    if len(args) > 1:
        print("usage: python -m devstack dashboard-backfill [SHOP_ID]", file=sys.stderr)
        return 2
    if not os.environ.get("SL_DDB_ENDPOINT"):
        os.environ.update(from_environment().app_environment())
    aws.reset()
    print(json.dumps(dashboard.backfill(args[0] if args else DEMO_SHOP_ID)))
    return 0


def invitations_backfill(args: list[str]) -> int:
    """`python -m devstack invitations-backfill [SHOP_ID]`: a shop's cars put on the invitation
    list once, when it is deployed (chalicelib/after/invitations.py `backfill`): reminders from
    before the list's index, declined work still open, bookings ahead; the demo shop by default."""
    import json
    import os

    from chalicelib.after import invitations
    from chalicelib.core import aws
    from devstack.seed import DEMO_SHOP_ID
    from devstack.settings import from_environment

    if len(args) > 1:
        print("usage: python -m devstack invitations-backfill [SHOP_ID]", file=sys.stderr)
        return 2
    if not os.environ.get("SL_DDB_ENDPOINT"):
        os.environ.update(from_environment().app_environment())
    aws.reset()
    print(json.dumps(invitations.backfill(args[0] if args else DEMO_SHOP_ID)))
    return 0


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "dev"
    try:
        if command == "dev":
            return dev()
        if command == "test":
            from devstack.testrun import run_all
            return run_all(argv[2:])
        if command == "info":
            return info()
        if command == "daily":
            return daily(argv[2:])
        if command == "line-rich-menu":
            from devstack.line_rich_menu import main as line_rich_menu
            return line_rich_menu(argv[2:])
        if command == "new-shop":
            from devstack.new_shop import main as new_shop
            return new_shop(argv[2:])
        if command == "dashboard-backfill":
            return dashboard_backfill(argv[2:])
        if command == "invitations-backfill":
            return invitations_backfill(argv[2:])
        if command == "bench":
            from devstack.bench import main as bench
            return bench()
        if command == "bench-scale":
            from devstack.bench_scale import main as bench_scale
            return bench_scale()
        if command == "bench-faults":
            from devstack.bench_faults import main as bench_faults
            return bench_faults()
        print(f"unknown command {command!r}: use dev, info, test, daily, new-shop, line-rich-menu, "
              "dashboard-backfill, invitations-backfill, bench, bench-scale or bench-faults",
              file=sys.stderr)
        return 2
    except StackError as err:
        print(f"\n{err}\n", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
