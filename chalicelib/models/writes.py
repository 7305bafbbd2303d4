"""How the table is written when a write depends on what was read (docs/design.md, "Writes").

- A conditional write that DynamoDB refuses raises `Refused` (its condition failed); a
  transaction cancelled for another reason (a transaction meeting it, a throttle) raises
  `Conflicted`. Both mean the same to the caller: what was read is no longer so.
- `retry(write)` is the one loop that reads, decides and writes again after such a refusal,
  after a short random wait (DynamoDB may cancel both of two transactions that meet), and
  answers 503 busy when others keep winning: the tablet's queue then sends it again.
- `transaction()` writes several items all or none (PynamoDB's TransactWrite on the table's one
  connection); a refusal says which of its parts refused (`lost.parts`). A transaction cancelled
  with no condition failing (it met another, or a part was throttled) wrote nothing and is sent
  again as it is, after a short random wait, up to `ATTEMPTS` times; spent, it answers 503 busy,
  never a refusal that would blame the user. botocore gives each transaction a client request
  token, the same on its own retries, so a transaction whose answer was lost is not applied
  twice (DynamoDB answers the first outcome for ten minutes).
"""
from __future__ import annotations

import random
import time
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

from pynamodb.exceptions import (DeleteError, PutError, TransactWriteError, UpdateError)
from pynamodb.transactions import TransactWrite

from chalicelib.core.errors import Busy
from chalicelib.models.base import Item

R = TypeVar("R")

CONDITION_FAILED = "ConditionalCheckFailed"
ATTEMPTS = 8


class LostRace(Exception):
    """What a write was decided on changed before it landed: read again and decide again.
    From a transaction, `parts` says which of its parts refused (in the order added), and
    `items` the item each refused condition check handed back (asked with `return_values`)."""
    parts: list[bool] = []
    items: list[dict | None] = []


class Refused(LostRace):
    """DynamoDB refused the write on its condition (or one condition of a transaction)."""


class Conflicted(LostRace):
    """A transaction was cancelled without any condition failing (another transaction on the
    same items at the same moment, or a throttle): nothing was written, try again."""


def reasons(err: TransactWriteError) -> list[str | None]:
    """Each part of a cancelled transaction, in order: why it refused, or None."""
    return [reason.code if reason and reason.code != "None" else None
            for reason in (err.cancellation_reasons or [])]


def failed(err: Exception) -> list[bool]:
    """Which parts of a cancelled transaction failed their condition (the rest did not)."""
    return [code == CONDITION_FAILED for code in reasons(err)] \
        if isinstance(err, TransactWriteError) else []


def _refusal(err: Exception) -> LostRace | None:
    """The lost race `err` means, or None when it is another failure (raised as it is)."""
    code = getattr(err, "cause_response_code", None)
    if isinstance(err, (PutError, UpdateError, DeleteError)):
        return Refused() if code == "ConditionalCheckFailedException" else None
    if isinstance(err, TransactWriteError) and code == "TransactionCanceledException":
        return Refused() if CONDITION_FAILED in reasons(err) else Conflicted()
    return None


@contextmanager
def refusals() -> Iterator[None]:
    """Turn DynamoDB's refusals of a conditional write into `Refused` / `Conflicted` (with
    the original error as their cause: `err.__cause__`)."""
    try:
        yield
    except (PutError, UpdateError, DeleteError, TransactWriteError) as err:
        lost = _refusal(err)
        if lost is None:
            raise
        raise lost from err


class Writes(TransactWrite):
    """PynamoDB's TransactWrite, remembering the order its parts were added in: DynamoDB
    answers a cancellation part by part in the order PynamoDB sends them (condition checks,
    deletes, puts, updates), and `failed_parts` gives them back in the order they were added."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.kinds: list[str] = []

    def condition_check(self, model_cls, hash_key, range_key=None, condition=None,
                        return_values: str | None = None):
        """`return_values="ALL_OLD"`: when the condition fails, the item as the check found it
        comes back with the refusal (`lost.items`): the check is a read as well."""
        self.kinds.append("condition_check")
        if return_values is None:
            return super().condition_check(model_cls, hash_key, range_key, condition)
        hash_key, range_key = model_cls._serialize_keys(hash_key, range_key)
        self._condition_check_items.append(model_cls._get_connection().get_operation_kwargs(
            hash_key=hash_key, range_key=range_key, condition=condition,
            return_values_on_condition_failure=return_values))

    def delete(self, *args, **kwargs):
        self.kinds.append("delete")
        return super().delete(*args, **kwargs)

    def save(self, *args, **kwargs):
        self.kinds.append("save")
        return super().save(*args, **kwargs)

    def update(self, *args, **kwargs):
        self.kinds.append("update")
        return super().update(*args, **kwargs)

    def _commit(self):
        """Sent again after a cancellation no condition caused (nothing was written)."""
        for attempt in range(ATTEMPTS):
            try:
                return super()._commit()
            except TransactWriteError as err:
                if not isinstance(_refusal(err), Conflicted):
                    raise
                time.sleep(random.uniform(0, 0.01 * 2 ** attempt))
        raise _busy()

    def failed_parts(self, err: Exception) -> list[bool]:
        """Which parts (in the order added) failed their condition."""
        sent = [n for kind in ("condition_check", "delete", "save", "update")
                for n, added in enumerate(self.kinds) if added == kind]
        out = [False] * len(self.kinds)
        for position, refused in zip(sent, failed(err)):
            out[position] = refused
        return out

    def refused_items(self, err: Exception) -> list[dict | None]:
        """The item each part's refusal carried (in the order added), or None."""
        sent = [n for kind in ("condition_check", "delete", "save", "update")
                for n, added in enumerate(self.kinds) if added == kind]
        out: list[dict | None] = [None] * len(self.kinds)
        for position, reason in zip(sent, getattr(err, "cancellation_reasons", None) or []):
            if reason is not None and reason.raw_item:
                out[position] = Item.from_raw_data(reason.raw_item).as_dict()
        return out


@contextmanager
def transaction() -> Iterator[Writes]:
    """Writes that land together or not at all; refusals raised as `Refused`/`Conflicted`,
    carrying which parts refused, in the order they were added (`lost.parts`)."""
    writes = Writes(connection=Item._get_connection().connection)
    try:
        with refusals():
            with writes:
                yield writes
    except LostRace as lost:
        lost.parts = writes.failed_parts(lost.__cause__)
        lost.items = writes.refused_items(lost.__cause__)
        raise


def retry(write: Callable[[], R], busy: Busy | None = None, attempts: int = ATTEMPTS) -> R:
    """`write()` (which reads, decides and writes) again after a lost race, after a short
    random wait growing with each try; `busy` (503) once the tries are spent."""
    for attempt in range(attempts):
        try:
            return write()
        except LostRace:
            time.sleep(random.uniform(0, 0.01 * 2 ** attempt))
    raise busy or _busy()


def _busy() -> Busy:
    return Busy("同時有太多人在修改這筆資料，請再送一次。",
                "Several people are changing this at the same moment: send it again.")
