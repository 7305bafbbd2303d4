"""The local poller's records must be what Lambda hands the cloud handler, and the handler
routes each to the reactions of its item's type."""
from datetime import datetime, timezone

import pytest
from chalice.app import DynamoDBEvent

from chalicelib import changes, models
from chalicelib.after import dashboard, invitations, reminders
from chalicelib.outward import booking_messages, invoicing, notify
from chalicelib.outward.notify import staff
from chalicelib.work import stock
from devstack.poller import lambda_record

ARN = "arn:aws:dynamodb:ap-northeast-1:000000000000:table/t/stream/2026-11-22T00:00:00.000"


def a_stream_record(**images):
    return {
        "eventID": "e1", "eventName": "MODIFY", "eventVersion": "1.1",
        "eventSource": "aws:dynamodb", "awsRegion": "ddblocal",
        "dynamodb": {
            "ApproximateCreationDateTime": datetime(2026, 11, 22, 1, 2, 3, tzinfo=timezone.utc),
            "Keys": {"pk": {"S": "SHOP#s1"}, "sk": {"S": "SHOP"}},
            "SequenceNumber": "100", "SizeBytes": 40, "StreamViewType": "NEW_AND_OLD_IMAGES",
            **images,
        },
    }


def test_a_record_has_lambdas_fields_and_the_stream_arn():
    event = lambda_record(a_stream_record(), ARN, "ap-northeast-1")
    assert event["eventSourceARN"] == ARN
    assert event["eventSource"] == "aws:dynamodb"
    assert event["awsRegion"] == "ap-northeast-1"
    assert event["dynamodb"]["ApproximateCreationDateTime"] == 1795309323
    assert event["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"


def test_binary_values_are_base64_as_in_lambdas_event_even_when_nested():
    image = {"sig": {"B": b"\x00\xff"}, "m": {"M": {"l": {"L": [{"BS": [b"a"]}, {"N": "1"}]}}}}
    event = lambda_record(a_stream_record(NewImage=image), ARN, "ap-northeast-1")
    assert event["dynamodb"]["NewImage"] == {
        "sig": {"B": "AP8="}, "m": {"M": {"l": {"L": [{"BS": ["YQ=="]}, {"N": "1"}]}}}}


def test_an_empty_map_as_dynamodb_local_streams_it_is_lambdas_empty_map():
    """DynamoDB Local's stream writes `{}` for an empty map (an order whose signed documents
    were all set aside); Lambda's event carries `{"M": {}}`."""
    image = {"signed": {}, "m": {"M": {"inner": {}}}}
    event = lambda_record(a_stream_record(NewImage=image), ARN, "ap-northeast-1")
    assert event["dynamodb"]["NewImage"] == {"signed": {"M": {}}, "m": {"M": {"inner": {"M": {}}}}}


def test_chalices_own_event_class_reads_the_record():
    event = lambda_record(a_stream_record(NewImage={"name": {"S": "順安"}},
                                          OldImage={"name": {"S": "舊名"}}), ARN, "x")
    record = next(iter(DynamoDBEvent({"Records": [event]}, context=None)))
    assert record.event_name == "MODIFY"
    assert record.new_image == {"name": {"S": "順安"}}
    assert record.old_image == {"name": {"S": "舊名"}}
    assert record.sequence_number == "100"
    assert record.timestamp == datetime(2026, 11, 22, 1, 2, 3)
    assert record.table_name == "t"


# --- routing: by the item's type, the models' discriminator ---

def an_image(sk: str, type_name: str | None = None) -> dict:
    return {"pk": {"S": "SHOP#s1"}, "sk": {"S": sk},
            **({"type": {"S": type_name}} if type_name else {})}


def a_batch(*records: tuple[str, dict]) -> dict:
    """(event name, images) each, numbered 1, 2, … as their sequence numbers."""
    events = []
    for number, (event_name, images) in enumerate(records, 1):
        event = lambda_record(a_stream_record(**images), ARN, "ap-northeast-1")
        event["eventName"], event["dynamodb"]["SequenceNumber"] = event_name, str(number)
        events.append(event)
    return {"Records": events}


def test_each_item_type_has_its_reactions():
    def routed(type_name: str) -> list:
        return changes.reactions_to(an_image("ANY", type_name), {})

    assert routed("order") == [notify.on_order_change, reminders.on_order_change,
                               staff.on_order_change, stock.on_order_change]
    assert routed("vehicle") == []
    assert routed("order_event") == [dashboard.on_event]
    assert routed("order_line") == [dashboard.on_line, staff.on_line, notify.on_line_change,
                                    stock.on_line]
    assert routed("message") == [dashboard.on_message]
    assert routed("case") == [dashboard.on_case]
    assert routed("appointment") == [dashboard.on_appointment, invitations.on_appointment,
                                     booking_messages.on_appointment_change]
    assert routed("payment") == [dashboard.on_payment]
    assert routed("invoice") == [invoicing.on_invoice]
    assert routed("staff") == [] and routed("reminder") == []
    assert changes.reactions_to(an_image("ORDER"), {}) == []  # no type: nothing to route by


@pytest.fixture
def seen(monkeypatch) -> list:
    """Reactions of our own to staff and shop items, noting what each was handed."""
    found: list = []
    monkeypatch.setattr(changes, "REACTIONS", {})
    for model in (models.Staff, models.Shop):
        changes.react(model, lambda *args, name=model.type_name(): found.append((name, *args)))
    return found


def test_a_record_goes_by_its_item_s_type_not_its_sort_key(seen):
    staff, shop = an_image("STAFF#u9", "staff"), an_image("SHOP", "shop")
    answer = changes.handle(DynamoDBEvent(a_batch(
        ("MODIFY", {"NewImage": staff, "OldImage": staff}),
        ("REMOVE", {"OldImage": shop}),  # gone: its old image says what it was
        ("INSERT", {"NewImage": an_image("STAFF#u8")}),  # no type: no reaction
        ("INSERT", {"NewImage": an_image("SHOP", "staff")})), context=None))
    assert answer == {"batchItemFailures": []}
    assert seen == [("staff", "MODIFY", staff, staff), ("shop", "REMOVE", {}, shop),
                    ("staff", "INSERT", an_image("SHOP", "staff"), {})]


def test_a_failed_record_is_reported_and_the_ones_after_it_wait_for_the_retry(seen, monkeypatch):
    def fails(event_name, new_image, old_image):
        raise RuntimeError("table unavailable")

    changes.react(models.Shop, fails)
    staff, shop = an_image("STAFF#u9", "staff"), an_image("SHOP", "shop")
    batch = a_batch(("INSERT", {"NewImage": staff}), ("MODIFY", {"NewImage": shop}),
                    ("MODIFY", {"NewImage": staff}))
    assert changes.handle(batch) == {"batchItemFailures": [{"itemIdentifier": "2"}]}
    assert seen == [("staff", "INSERT", staff, {}), ("shop", "MODIFY", shop, {})]
    # A batch of the failing record alone is answered the same way, not raised.
    assert changes.handle(a_batch(("MODIFY", {"NewImage": shop}))) == {
        "batchItemFailures": [{"itemIdentifier": "1"}]}
