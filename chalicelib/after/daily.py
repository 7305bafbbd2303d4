"""The daily job: the shops' early-morning work, one piece per shard of shops.

The `daily_jobs` Lambda (app.py) calls `run` once a day at 06:00 Asia/Taipei: it asks for one
piece per shard (models.SHARDS, through chalicelib/core/pieces.py: the `pieces` Lambda in the
cloud, threads locally) and answers at once, so the number of shops never meets a Lambda's
time limit. A piece (`run_piece`) does the day's tasks for the shops of its shard: the
follow-ups due onto their shop's list, the reminders due sent, the signed documents checked,
and tomorrow's bookings reminded (chalicelib/outward/booking_messages.py).

Each shop's work stands alone: what fails is logged with its shop and the others go on; the
piece fails at the end (Lambda tries it again, twice), and every task is written so that
running again does nothing twice. A piece that has worked PIECE_SECONDS asks for the next
piece of its shard and stops there: the follow-ups and reminders it moved have left their
lists, and the signed documents go on from the shop after the last one checked.

`make daily` (devstack) runs every piece of the day here, one after another (`run_here`), and
prints their counts added up.
"""
from __future__ import annotations

import time
import uuid
from typing import Any, Callable, Iterable, NamedTuple

from chalicelib import models
from chalicelib.after import followups, reminders
from chalicelib.core import clock, pieces
from chalicelib.core.observability import logger
from chalicelib.outward import booking_messages, notify
from chalicelib.records import shops
from chalicelib.work import signatures

# A piece's working time before it hands over to the next one: below the pieces Lambda's
# timeout (300 s, as the daily job's lambda_timeout in .chalice/config.json), with room for
# the unit under way (a reminder tried on a slow channel takes seconds).
PIECE_SECONDS = 240
# A piece's pace: each unit takes its item off the shard's list (one write on that gsi2
# partition, two for a reminder put off), so at most 80 writes a second there, under the 100
# the design allows a key (docs/design.md §2, "Shards"). Unpaced, a follow-up (a read and a
# write, ~15 ms) would come near it.
UNITS_PER_SECOND = 40


def signed_orders(today: str, listed: list[dict]) -> dict:
    """A shop's recently signed open orders still as their documents show them: the shop's
    owners are told of each new finding (signatures records each once, so a rerun tells no one
    twice)."""
    found = signatures.check_signed_orders(listed)
    for alert in found["alerts"]:
        _mail_owners(alert)
    return {"checked": found["checked"], "mismatched": found["mismatched"],
            "alerted": len(found["alerts"])}


def _mail_owners(alert: dict) -> None:
    """An e-mail to each owner of the shop with an address (locally, the outbox)."""
    shop_id, order_id, number = alert["shop_id"], alert["order_id"], alert["number"]
    problems = alert["problems"]
    staff = models.Staff.items(models.shop_pk(shop_id),
                               models.Item.sk.startswith(models.STAFF_PREFIX))
    owners = [member["email"] for member in staff if member.get("role") == "owner"
              and member.get("active", True) and member.get("email")]
    shop = (shops.get_shop(shop_id) or {}).get("name", "")
    text = "\n".join([f"{shop}：工單 {number} 已簽署的文件與工單目前的資料不符，可能在系統外被修改。"
                      "請打開工單查看並確認。", *(f"・{problem['zh']}" for problem in problems), "",
                      f"Order {number}: its signed documents no longer match the order; it may "
                      "have been changed outside ServiceLane. Open the order to look into it.",
                      *(f"- {problem['en']}" for problem in problems)])
    send = notify.adapter("email")
    for address in owners:
        delivery = send(notify.Message(
            message_id="integrity.email", shop_id=shop_id, order_id=order_id,
            step="integrity", channel="email", to=address, text=text,
            subject=f"工單 {number} 的簽署文件與資料不符",
            retry_key=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{shop_id}#{number}#{address}"))))
        logger().info("integrity alert", extra={"order_id": order_id, "state": delivery.state})
    if not owners:
        logger().warning("integrity alert: no owner has an e-mail address",
                         extra={"order_id": order_id})


class Task(NamedTuple):
    """A task of the day. `listed(today, shard, after)` yields its work in the shard as
    (shop, unit), from the shop after `after` where that matters (a list that drains as its
    units are done starts where it stands); `run(today, unit)` does one unit and answers its
    counts, added to `counts`."""
    name: str
    counts: tuple[str, ...]
    listed: Callable[[str, int, str | None], Iterable[tuple[str, Any]]]
    run: Callable[[str, Any], dict]


TASKS: list[Task] = [
    Task("followups", ("due", "closed_elsewhere"),
         lambda today, shard, after: followups.pending(today, shard),
         lambda today, item: followups.make_one_due(item)),
    Task("reminders", ("sent", "opted_out", "postponed", "unreachable"),
         lambda today, shard, after: reminders.pending(today, shard),
         lambda today, item: reminders.send_one(item, today)),
    Task("signed_orders", ("checked", "mismatched", "alerted"),
         signatures.signed_by_shop, signed_orders),
    Task("booking_reminders", ("reminded", "held"), booking_messages.days_to_remind,
         lambda today, unit: booking_messages.remind_day(*unit)),
]


class DailyPieceFailed(Exception):
    """Some shops' work failed (named in the message); the other shops' was done."""

    def __init__(self, message: str, counts: dict) -> None:
        super().__init__(message)
        self.counts = counts


def run(today: str | None = None) -> dict:
    """The schedule's run: one piece per shard for `today` (default: today in Taipei), asked
    for and answered at once."""
    today = today or clock.local_date()
    for shard in range(models.SHARDS):
        pieces.later(run_piece, {"date": today, "shard": shard})
    return {"date": today, "pieces": models.SHARDS}


def run_piece(payload: dict, seconds: float | None = PIECE_SECONDS) -> dict:
    """The day's tasks for the shops of one shard, `{"date", "shard"}` (and where an earlier
    piece of the shard stopped: `resume` {task, after}, `failed` shops not to try again in this
    chain); answers each task's counts. After `seconds` of work (None: no end) it asks for the
    next piece and stops. Raises DailyPieceFailed, once the others are done, if a shop's work
    failed."""
    today, shard = payload["date"], int(payload["shard"])
    resume, skipped = payload.get("resume") or {}, set(payload.get("failed") or ())
    names = [task.name for task in TASKS]
    started = time.monotonic()
    done: dict[str, dict] = {task.name: dict.fromkeys(task.counts, 0) for task in TASKS}
    failed: set[str] = set()
    worked, units = False, 0  # one unit at least before handing over: the day moves on
    for task in TASKS[names.index(resume["task"]) if resume else 0:]:
        after = resume.get("after") if resume.get("task") == task.name else None
        last = after
        for shop_id, unit in task.listed(today, shard, after):
            if worked and seconds is not None and time.monotonic() - started > seconds:
                pieces.later(run_piece, {"date": today, "shard": shard,
                                         "resume": {"task": task.name, "after": last},
                                         "failed": sorted(skipped | failed)})
                logger().info("daily piece continues", extra={"shard": shard, "task": task.name})
                return _finish(today, shard, done, failed, continued=True)
            if shop_id in skipped:
                continue  # failed in an earlier piece of the day: that piece's retry tries it
            worked, units = True, units + 1
            time.sleep(max(0.0, started + units / UNITS_PER_SECOND - time.monotonic()))
            try:
                for name, count in task.run(today, unit).items():
                    done[task.name][name] += count
            except Exception:
                logger().exception("daily task failed for a shop", extra={
                    "task": task.name, "date": today, "shard": shard, "shop_id": shop_id})
                failed.add(shop_id)
            last = shop_id
    return _finish(today, shard, done, failed, continued=False)


def _finish(today: str, shard: int, done: dict, failed: set[str], continued: bool) -> dict:
    answer = {"date": today, "shard": shard, **done, **({"continued": True} if continued else {})}
    logger().info("daily piece", extra=answer)
    if failed:
        raise DailyPieceFailed(f"daily tasks failed for {len(failed)} shop(s) of shard {shard}: "
                               f"{', '.join(sorted(failed))}", answer)
    return answer


def run_here(today: str | None = None) -> dict:
    """Locally (`make daily`, tests): every piece of the day run in this process, one after
    another, with no end to their time, and their counts added up; the shards whose shops
    failed are named in `failed_shards` (each failure logged)."""
    today = today or clock.local_date()
    total: dict[str, Any] = {"date": today, **{task.name: dict.fromkeys(task.counts, 0)
                                               for task in TASKS}}
    failed = []
    for shard in range(models.SHARDS):
        try:
            counts = run_piece({"date": today, "shard": shard}, seconds=None)
        except DailyPieceFailed as err:
            counts = err.counts
            failed.append(shard)
        for task in TASKS:
            for name in task.counts:
                total[task.name][name] += counts[task.name][name]
    return {**total, **({"failed_shards": failed} if failed else {})}
