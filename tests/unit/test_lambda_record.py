"""The local poller's records must be what Lambda hands the cloud handler."""
from datetime import datetime, timezone

from chalice.app import DynamoDBEvent

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
