"""`python -m devstack dev|test|bench`: what `make dev`, `make test` and `make bench` run."""
from __future__ import annotations

import signal
import sys

from devstack import StackError


def _stop_on_sigterm() -> None:
    def interrupt(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupt)


def dev() -> int:
    import threading

    from devstack.settings import from_environment
    from devstack.stack import LocalStack

    _stop_on_sigterm()
    local = from_environment()
    stack = LocalStack(local)
    try:
        stack.start()
        print(f"""
  ServiceLane 服務接待系統 is running 已啟動
    PWA + API   {local.origin}/      (API under {local.origin}/api/)
    示範帳號 Demo login   {stack.login.email}
    密碼 Password         {stack.login.password}
    同一密碼 Same password  advisor@demo.servicelane.tw (服務顧問),
                          chen@demo.servicelane.tw, lin@demo.servicelane.tw (技師)
    資料 Data             {local.data_dir} (kept between runs)
  Ctrl-C 停止 stops everything.
""", flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        print("\nStopping 停止中…", flush=True)
    finally:
        stack.stop()
    return 0


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "dev"
    try:
        if command == "dev":
            return dev()
        if command == "test":
            from devstack.testrun import run_all
            return run_all(argv[2:])
        if command == "bench":
            from devstack.bench import main as bench
            return bench()
        print(f"unknown command {command!r}: use dev, test or bench", file=sys.stderr)
        return 2
    except StackError as err:
        print(f"\n{err}\n", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
