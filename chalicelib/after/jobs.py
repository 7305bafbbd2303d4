"""Jobs: work a manager starts with one request and watches, run in pieces (core/pieces.py)
until done — a data export (after/exports.py), a CSV import (after/imports.py), a customer's
erasure (after/portability.py). docs/design.md, "Long work".

A job is an item (models.Job) whose id is the tablet's client id: a replayed start finds it and
asks for nothing again. Each piece loads the job, does its kind's `step` from where the job
saved until the step says it is done or its time is up, saving as it goes at the job's version;
then asks for the next piece. A run that finds the job moved on by another (a retried
invocation ran meanwhile) stops and leaves it to that one; a piece that fails is asked for again
from what was saved, TRIES times in all, and then the job says `failed`. A piece that finds the
work must not be done (a domain refusal, a 4xx: the customer has an open order) ends the job
`failed` at once with that refusal, for the person to read.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Sequence

from chalicelib import models
from chalicelib.api import Caller
from chalicelib.core import clock, pieces
from chalicelib.core.errors import Conflict, DomainError, NotFound
from chalicelib.core.observability import logger

PIECE_SECONDS = 300  # a piece's work before it hands over (Lambda allows 900 s)
TRIES = 3
KEEP_SECONDS = 2 * 24 * 3600  # the job item (TTL); its files go the next day (bucket rule)
ENDED = ("done", "failed")

# A kind's work from where the job saved: answers whether more remains.
Step = Callable[[models.Job, float], bool]


def start(caller: Caller, job_id: str, kind: str, run_piece: pieces.Piece,
          along: Sequence[models.Item] = (), **fields: Any) -> models.Job:
    """The job written (only if new) with the items `along` it (its audit) in one write, and
    its first piece asked for. A replay answers the job as it is (asking for the first piece
    again while none has run: the first start may have stopped before asking; a piece run
    twice does its work once); an id already used for other work is 409."""
    now = clock.now_iso()
    job = models.Job.from_dict({
        **models.Job.key(caller.shop_id, job_id), "type": "job", "shop_id": caller.shop_id,
        "job_id": job_id, "kind": kind, "state": "queued", "percent": 0, "counts": {},
        "parts": [], "tries": 0, "pieces": 0,
        "started_by": {**caller.stamp(), "role": caller.role}, "created_at": now,
        "updated_at": now, "expires_at": int(clock.now().timestamp()) + KEEP_SECONDS,
        **{name: value for name, value in fields.items() if value is not None}})
    try:
        if along:
            with models.transaction() as writes:
                writes.save(job, condition=models.Job.pk.does_not_exist())
                for item in along:
                    writes.save(item)
        else:
            with models.refusals():
                job.save(condition=models.Job.pk.does_not_exist())
    except models.Refused:
        existing = load(caller.shop_id, job_id)
        if existing is None or (existing.kind, existing.customer_id) != (
                kind, fields.get("customer_id")):  # what the job is of
            raise Conflict("這個編號已用於另一項工作。", "job_id: already used for other work",
                           code="job_id") from None
        if existing.state == "queued" and not existing.pieces:
            pieces.later(run_piece, payload(existing))
        return existing
    pieces.later(run_piece, payload(job))
    return job


def payload(job: models.Job) -> dict:
    return {"shop_id": job.shop_id, "job_id": job.job_id}


def load(shop_id: str, job_id: str) -> models.Job | None:
    key = models.Job.key(shop_id, job_id)
    try:
        return models.Job.get(key["pk"], key["sk"], consistent_read=True)
    except models.Job.DoesNotExist:
        return None


def found(caller: Caller, job_id: str, kinds: tuple[str, ...]) -> models.Job:
    """The caller's shop's job of one of these kinds, or 404 (kept two days)."""
    job = load(caller.shop_id, job_id)
    if job is None or job.kind not in kinds:
        raise NotFound("找不到這項工作（結果保留兩天）。", "No such job (kept two days).")
    return job


def caller_of(job: models.Job) -> Caller:
    """Who the pieces act as: the person who started the job."""
    who = job.started_by
    return Caller(shop_id=job.shop_id, staff_id=who["staff_id"], role=who["role"],
                  name=who["name"])


def save(job: models.Job, **changes: Any) -> None:
    """The job with `changes`, written at the version read: another run of the same piece
    meanwhile makes this one models.Refused."""
    for name, value in changes.items():
        setattr(job, name, value)
    job.updated_at = clock.now_iso()
    job.save()


def run(payload: dict, step: Step, run_piece: pieces.Piece) -> dict:
    """One piece: the job's `step` from where it saved, for PIECE_SECONDS at most."""
    job = load(payload["shop_id"], payload["job_id"])
    if job is None or job.state in ENDED:
        return {"state": job.state if job else None}
    deadline = time.monotonic() + PIECE_SECONDS
    job.pieces += 1
    try:
        with models.refusals():
            more = step(job, deadline)
    except models.Refused:
        return {"state": "moved on"}
    except DomainError as refusal:
        if refusal.status >= 500:  # busy: a fault, tried again like any other
            return _failed(payload, run_piece)
        return _refused(payload, refusal)
    except Exception:
        logger().exception("job piece failed", extra={"job_id": job.job_id, "kind": job.kind})
        return _failed(payload, run_piece)
    if more:
        pieces.later(run_piece, payload)
    return {"state": job.state, "percent": job.percent}


def _failed(payload: dict, run_piece: pieces.Piece) -> dict:
    job = load(payload["shop_id"], payload["job_id"])
    if job is None:
        return {"state": None}
    job.tries += 1
    try:
        with models.refusals():
            save(job, state="failed" if job.tries >= TRIES else job.state)
    except models.Refused:
        return {"state": "moved on"}
    if job.state != "failed":
        pieces.later(run_piece, payload)
    return {"state": job.state}


def _refused(payload: dict, refusal: DomainError) -> dict:
    """The job ended at once with the refusal (trying again would refuse again)."""
    job = load(payload["shop_id"], payload["job_id"])
    if job is None:
        return {"state": None}
    try:
        with models.refusals():
            save(job, state="failed",
                 refusal={"code": refusal.code, "zh": refusal.zh, "en": refusal.en})
    except models.Refused:
        return {"state": "moved on"}
    return {"state": job.state}


def refusal_of(job: models.Job, language: str) -> dict | None:
    """The refusal that ended the job, `{code, message}` in the person's language."""
    if not job.refusal:
        return None
    return {"code": job.refusal["code"],
            "message": job.refusal["en" if language == "en" else "zh"]}
