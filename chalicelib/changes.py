"""What happens after a write: the table's stream, one batch at a time.

The cloud runs this from the `on_change` Lambda; `make dev` runs the same handler from the local
stream poller. Later parts of the product register a reaction per item type (an order's state
change notifies the customer, a day's figures update the dashboard).
"""
from __future__ import annotations

from typing import Callable, Iterable

from chalicelib import db, models
from chalicelib.core.observability import logger

# One reaction per item type (`kind_of(sk)`), given the record's event name, new and old image.
Reaction = Callable[[str, dict, dict], None]
REACTIONS: dict[str, Reaction] = {}


def _order_changed(event_name: str, new_image: dict, old_image: dict) -> None:
    """An order's state change tells the customer (chalicelib/outward/notify/, imported on first use)."""
    from chalicelib.outward import notify

    notify.on_order_change(event_name, new_image, old_image)


REACTIONS[models.ORDER_SK] = _order_changed


def react(kind: str, reaction: Reaction) -> None:
    """Add a reaction to an item type; several run in the order added. Each must be idempotent:
    a record whose later reaction fails is handed over again, earlier reactions included."""
    before = REACTIONS.get(kind)
    if before is None:
        REACTIONS[kind] = reaction
        return

    def both(event_name: str, new_image: dict, old_image: dict) -> None:
        before(event_name, new_image, old_image)
        reaction(event_name, new_image, old_image)

    both.__name__ = f"{before.__name__}+{reaction.__name__}"
    REACTIONS[kind] = both


def _dashboard(name: str) -> Reaction:
    """The shop's numbers count steps, additional lines and messages (chalicelib/after/dashboard.py)."""
    def counted(event_name: str, new_image: dict, old_image: dict) -> None:
        from chalicelib.after import dashboard

        getattr(dashboard, name)(event_name, new_image, old_image)

    counted.__name__ = f"dashboard.{name}"
    return counted


for _kind, _name in (("EVENT", "on_event"), ("LINE", "on_line"), ("MESSAGE", "on_message"),
                     ("CASE", "on_case")):
    react(_kind, _dashboard(_name))


def _reminders(event_name: str, new_image: dict, old_image: dict) -> None:
    """A delivered order schedules its vehicle's reminders (chalicelib/after/reminders.py)."""
    from chalicelib.after import reminders

    reminders.on_order_change(event_name, new_image, old_image)


react(models.ORDER_SK, _reminders)


def handle(records: Iterable) -> dict:
    """Run the reactions for a batch; answer in Lambda's partial-batch-response shape.

    A failed record is reported by its sequence number so the poller (or Lambda) retries from
    it, and the records before it are not handed over again.
    """
    failures = []
    for record in records:
        keys = record.keys or {}
        sk = keys.get("sk", {}).get("S", "")
        kind = db.kind_of(sk)
        reaction = REACTIONS.get(kind)
        logger().info("change", extra={"event": record.event_name, "kind": kind,
                                      "reaction": reaction.__name__ if reaction else None})
        if reaction is None:
            continue
        try:
            reaction(record.event_name, record.new_image or {}, record.old_image or {})
        except Exception:
            logger().exception("reaction failed", extra={"kind": kind})
            failures.append({"itemIdentifier": record.sequence_number})
            break  # the records after a failure are retried with it, in order
    return {"batchItemFailures": failures}
