"""The daily job: the shop's early-morning work, one task after another.

The `daily_jobs` Lambda (app.py) runs it once a day at 06:00 Asia/Taipei; `make daily` runs it on
demand against the local engines. A task that fails does not stop the others; the run then fails
as a whole (the Lambda's error alarm), and every task is written so that running again does
nothing twice.
"""
from __future__ import annotations

import uuid
from typing import Callable

from chalicelib import models
from chalicelib.after import followups, reminders
from chalicelib.core import clock
from chalicelib.core.observability import logger
from chalicelib.outward import notify
from chalicelib.records import shops
from chalicelib.work import signatures


def signed_orders(today: str) -> dict:
    """Recently signed open orders still as their documents show them: the shop's owners are
    told of each new finding (signatures records each once, so a rerun tells no one twice)."""
    found = signatures.check_signed_orders(today)
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


# (name, task): each takes the shop's local date (Asia/Taipei) and answers what it did, in counts.
TASKS: list[tuple[str, Callable[[str], dict]]] = [
    ("followups", followups.make_due),
    ("reminders", reminders.send_due),
    ("signed_orders", signed_orders),
]


class DailyTasksFailed(Exception):
    """Some tasks failed (named in the message); the others ran."""


def run(today: str | None = None) -> dict:
    """Run every task for `today` (default: today in Taipei); answer each one's counts."""
    today = today or clock.local_date()
    done, failed = {}, []
    for name, task in TASKS:
        try:
            done[name] = task(today)
            logger().info("daily task", extra={"task": name, "date": today, **done[name]})
        except Exception:
            logger().exception("daily task failed", extra={"task": name, "date": today})
            failed.append(name)
    if failed:
        raise DailyTasksFailed(f"daily tasks failed: {', '.join(failed)}")
    return {"date": today, **done}
