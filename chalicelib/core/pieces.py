"""Long work cut into pieces, each run later on its own (docs/design.md, "Long work").

A request or a schedule that has more to do than fits its time (a shop's export, the daily job
over every shop) asks for pieces: `later(name, payload)`. In the cloud each piece is an
asynchronous invocation of the `pieces` Lambda (Lambda queues it, retries a failed one twice and
hands the event to the function's on-failure destination after that); a piece that finds more
work asks for the next piece itself. On local engines the same pieces run on a small pool of
threads in the process that asked (the local server, `make daily`, a test): `wait()` lets a
caller that must see them finished (the daily command, a test) wait for them.

A piece must be safe to run twice (a retried invocation): it starts from what it saved.
"""
from __future__ import annotations

import importlib
import json
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.core.observability import logger

# What runs each kind of piece, as "module:function" (imported when a piece of it runs, so the
# function that asks for pieces does not load their code).
HANDLERS = {
    "export": "chalicelib.after.exports:run_piece",
    "daily": "chalicelib.after.daily:run_piece",
}
LOCAL_WORKERS = 4

_pool: ThreadPoolExecutor | None = None
_pending: set[Future] = set()
_lock = threading.Lock()


def function_name() -> str:
    return f"servicelane-{settings().stage}-pieces"


def later(name: str, payload: dict) -> None:
    """Run piece `name` with `payload` (JSON) soon, on its own: answered at once."""
    if name not in HANDLERS:
        raise KeyError(f"no piece named {name!r}")
    event = {"piece": name, "payload": payload}
    if settings().dynamodb_endpoint:  # local engines: this process's threads
        _submit(event)
        return
    aws.client("lambda").invoke(FunctionName=function_name(), InvocationType="Event",
                                Payload=json.dumps(event).encode("utf-8"))


def handler(name: str) -> Callable[[dict], Any]:
    module, _, function = HANDLERS[name].partition(":")
    return getattr(importlib.import_module(module), function)


def run(event: dict) -> Any:
    """One piece, as the `pieces` Lambda is given it."""
    return handler(event["piece"])(event["payload"])


def _submit(event: dict) -> None:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=LOCAL_WORKERS, thread_name_prefix="piece")
        future = _pool.submit(_run_logged, event)
        _pending.add(future)
    future.add_done_callback(_forget)


def _run_logged(event: dict) -> Any:
    try:
        return run(event)
    except Exception:
        logger().exception("piece failed", extra={"piece": event["piece"]})
        raise


def _forget(future: Future) -> None:
    with _lock:
        _pending.discard(future)


def wait(timeout: float = 120.0) -> None:
    """Locally: wait until every piece asked for so far, and those they asked for, has run."""
    deadline = time.monotonic() + timeout
    while True:
        with _lock:
            pending = list(_pending)
        if not pending:
            return
        for future in pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("pieces still running")
            future.exception(timeout=remaining)
