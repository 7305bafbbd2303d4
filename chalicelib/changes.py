"""What happens after a write: the table's stream, one batch at a time.

The cloud runs this from the `on_change` Lambda; `make dev` runs the same handler from the local
stream poller. Later parts of the product register a reaction per item type (an order's state
change notifies the customer, a day's figures update the dashboard).
"""
from __future__ import annotations

from typing import Callable, Iterable

from chalicelib import db
from chalicelib.observability import logger

# One reaction per item type (`kind_of(sk)`), given the record's event name, new and old image.
Reaction = Callable[[str, dict, dict], None]
REACTIONS: dict[str, Reaction] = {}


def _order_changed(event_name: str, new_image: dict, old_image: dict) -> None:
    """An order's state change tells the customer (chalicelib/notify/, imported on first use)."""
    from chalicelib import notify

    notify.on_order_change(event_name, new_image, old_image)


REACTIONS[db.ORDER_SK] = _order_changed


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
