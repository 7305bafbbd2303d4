"""Long work cut into pieces, each run later on its own (docs/design.md, "Long work").

A request or a schedule that has more to do than fits its time (a shop's export, the daily job
over every shop) asks for a piece: `later(run_piece, payload)`, `run_piece` being a function of
a chalicelib module that takes the payload (JSON). In the cloud each piece is an asynchronous
invocation of the `pieces` Lambda, naming the function (app.py runs only the ones it lists);
Lambda queues it, retries a failed one twice and hands it to the function's on-failure
destination after that. A piece that finds more work asks for the next piece itself. On local
engines the same functions run on a small pool of threads in the process that asked (the local
server, `make daily`, a test); `wait()` lets a caller that must see them finished wait.

A piece must be safe to run twice (a retried invocation): it starts from what it saved.
"""
from __future__ import annotations

import json
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from chalicelib.core import aws
from chalicelib.core.config import settings
from chalicelib.core.observability import logger

Piece = Callable[[dict], Any]
LOCAL_WORKERS = 4

_pool: ThreadPoolExecutor | None = None
_pending: set[Future] = set()
_lock = threading.Lock()


def function_name() -> str:
    return f"servicelane-{settings().stage}-pieces"


def name_of(piece: Piece) -> str:
    """`after.exports:run_piece`: how the pieces Lambda is told which function to run."""
    return f"{piece.__module__.removeprefix('chalicelib.')}:{piece.__name__}"


def later(piece: Piece, payload: dict) -> None:
    """Run `piece(payload)` soon, on its own; answered at once."""
    if settings().dynamodb_endpoint:  # local engines: this process's threads
        _submit(piece, payload)
        return
    event = {"piece": name_of(piece), "payload": payload}
    aws.client("lambda").invoke(FunctionName=function_name(), InvocationType="Event",
                                Payload=json.dumps(event).encode("utf-8"))


def _submit(piece: Piece, payload: dict) -> None:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=LOCAL_WORKERS, thread_name_prefix="piece")
        future = _pool.submit(_logged, piece, payload)
        _pending.add(future)
    future.add_done_callback(_forget)


def _logged(piece: Piece, payload: dict) -> Any:
    try:
        return piece(payload)
    except Exception:
        logger().exception("piece failed", extra={"piece": name_of(piece)})
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
