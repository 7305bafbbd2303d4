"""What happens after a write: the table's stream, one batch at a time (docs/design.md,
"Stream reactions").

The cloud runs this from the `on_change` Lambda; `make dev` runs the same handler from the local
stream poller. Each record goes to the reactions of its item's type (the models' discriminator,
`type`, read from the new image, or the old one for a removal): a lower part's change causes a
higher part's work here, never by the lower part calling up. Every reaction must be idempotent:
a record can be handed over again (a retried batch, a redelivery), earlier reactions included.
"""
from __future__ import annotations

from typing import Any, Callable

from aws_lambda_powertools.utilities.batch import (BatchProcessor, EventType,
                                                   process_partial_response)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from chalice.app import DynamoDBEvent

from chalicelib import models
from chalicelib.after import dashboard, invitations, reminders
from chalicelib.core.observability import logger
from chalicelib.outward import booking_messages, invoicing, notify
from chalicelib.outward.notify import staff
from chalicelib.work import stock

# A reaction is given the record's event name (INSERT, MODIFY, REMOVE) and its new and old image
# in DynamoDB's typed JSON (`models.Item.from_image(image).as_dict()` reads one).
Reaction = Callable[[str, dict, dict], None]
REACTIONS: dict[str, list[Reaction]] = {}


def react(model: type[models.Item], reaction: Reaction) -> None:
    """Add a reaction to an item type; several run in the order added."""
    REACTIONS.setdefault(model.type_name(), []).append(reaction)


react(models.Order, notify.on_order_change)  # a state change tells the customer
react(models.Order, reminders.on_order_change)  # a delivery schedules the vehicle's reminders
react(models.Event, dashboard.on_event)  # the shop's numbers: an order's steps,
react(models.Line, dashboard.on_line)  # its additional lines,
react(models.Message, dashboard.on_message)  # the messages to its customer,
react(models.Case, dashboard.on_case)  # the cases a follow-up opens and closes,
react(models.Appointment, dashboard.on_appointment)  # and the bookings: made, kept, missed
react(models.Appointment, invitations.on_appointment)  # a booking ahead leaves the invitation list
react(models.Line, staff.on_line)  # a technician's finding tells the front desk,
react(models.Line, notify.on_line_change)  # a part's expected date tells the customer
react(models.Order, staff.on_order_change)  # and so does a call for support
react(models.Appointment, booking_messages.on_appointment_change)  # a booking tells its customer
react(models.Line, stock.on_line)  # an authorized part reserves its stock, done issues it,
react(models.Order, stock.on_order_change)  # and a cancelled order releases it
react(models.Payment, dashboard.on_payment)  # money taken is the day's revenue
react(models.Invoice, invoicing.on_invoice)  # a queued invoice goes to the value-added centre


def type_of(new_image: dict, old_image: dict) -> str | None:
    """The item's type (`type`, the models' discriminator) as the record's images show it."""
    image = new_image or old_image
    return (image.get("type") or {}).get("S")


def reactions_to(new_image: dict, old_image: dict) -> list[Reaction]:
    return REACTIONS.get(type_of(new_image, old_image) or "", [])


def _name(reaction: Reaction) -> str:
    return f"{reaction.__module__.removeprefix('chalicelib.')}.{reaction.__qualname__}"


def _react(record: DynamoDBRecord) -> None:
    """One record's reactions, in the order added; the first that fails fails the record."""
    stream = record.dynamodb
    event_name = record.event_name.name
    new_image, old_image = stream.get("NewImage") or {}, stream.get("OldImage") or {}
    item_type = type_of(new_image, old_image)
    reactions = reactions_to(new_image, old_image)
    # `kind`: the sort key's first part (ORDER, LINE, REFRESH), as the log has long named it.
    kind = ((stream.get("Keys") or {}).get("sk") or {}).get("S", "").split("#", 1)[0]
    logger().info("change", extra={"event": event_name, "kind": kind, "type": item_type,
                                  "reactions": [_name(reaction) for reaction in reactions]})
    for reaction in reactions:
        try:
            reaction(event_name, new_image, old_image)
        except Exception:
            logger().exception("reaction failed", extra={"kind": kind, "type": item_type,
                                                         "reaction": _name(reaction)})
            raise


class _InOrder(BatchProcessor):
    """Powertools' processor of a DynamoDB stream's batch, stopping at the first record that
    fails, as Lambda's retry of the batch starts from it: the records after it come back with
    it, in order, so an item's changes are never reacted to out of order, and only the failed
    record is reported (the partial batch response)."""

    def __init__(self) -> None:
        # A batch whose one record fails is reported as that record too (not raised): the
        # poller and Lambda retry it the same way.
        super().__init__(event_type=EventType.DynamoDBStreams,
                         raise_on_entire_batch_failure=False)

    def _process_record(self, record: dict) -> Any:
        if self.fail_messages:
            return None  # handed over again with the failed record
        return super()._process_record(record)


def handle(event: DynamoDBEvent | dict) -> dict:
    """Run the reactions for a batch (Chalice's event, or Lambda's as a dict); answer in Lambda's
    partial-batch-response shape, `{"batchItemFailures": [{"itemIdentifier": <sequence
    number>}]}`, naming the record to retry from."""
    raw = event.to_dict() if isinstance(event, DynamoDBEvent) else event
    if not raw.get("Records"):
        return {"batchItemFailures": []}
    return process_partial_response(event=raw, record_handler=_react, processor=_InOrder())
