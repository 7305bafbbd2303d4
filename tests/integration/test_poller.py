"""The local poller hands the table's stream to the cloud's own handler, once per record."""
import json
import threading
import time

import app as api
from chalicelib.core import aws
from devstack import ROOT
from devstack.poller import MAX_ATTEMPTS, Checkpoints, StreamPoller


class Recorder:
    """The real `on_change` handler, with a note of each event it was given and its answer."""

    def __init__(self, handler=api.on_change):
        self.handler, self.events, self.answers = handler, [], []
        self.delivered = threading.Condition()

    def __call__(self, event, context):
        answer = self.handler(event, context)
        with self.delivered:
            self.events.append(event)
            self.answers.append(answer)
            self.delivered.notify_all()
        return answer

    def keys(self):
        return [r["dynamodb"]["Keys"]["pk"]["S"] for e in self.events for r in e["Records"]]

    def wait_for(self, pk, timeout):
        with self.delivered:
            return self.delivered.wait_for(lambda: pk in self.keys(), timeout)


def a_poller(handler, checkpoint_dir, streams=None):
    return StreamPoller(streams=streams or aws.client("dynamodbstreams"),
                        dynamodb=aws.client("dynamodb"),
                        table_name=aws.table().name, handler=handler,
                        checkpoints=Checkpoints(checkpoint_dir / "checkpoints.json"),
                        dead_letters=checkpoint_dir / "dead", region="ap-northeast-1",
                        interval=0.05)


def test_a_write_reaches_the_stream_handler_through_the_poller_within_2_s(app_env, tmp_path):
    recorder = Recorder()
    poller = a_poller(recorder, tmp_path)
    thread = poller.start()
    try:
        written = time.monotonic()
        aws.table().put_item(Item={"pk": "SHOP#s1", "sk": "SHOP", "name": "順安"})
        assert recorder.wait_for("SHOP#s1", timeout=2), "not delivered within 2 s"
        assert time.monotonic() - written < 2
    finally:
        poller.stop()
        thread.join()

    record = recorder.events[0]["Records"][0]
    stream_arn = aws.client("dynamodb").describe_table(TableName=app_env)["Table"]["LatestStreamArn"]
    assert record["eventSourceARN"] == stream_arn
    assert record["eventName"] == "INSERT"
    assert record["dynamodb"]["NewImage"]["name"] == {"S": "順安"}
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], int)
    assert recorder.answers[0] == {"batchItemFailures": []}


def test_a_restarted_poller_hands_no_record_over_twice(app_env, tmp_path):
    recorder = Recorder()
    aws.table().put_item(Item={"pk": "A", "sk": "SHOP"})
    first = a_poller(recorder, tmp_path)
    while "A" not in recorder.keys():
        first.poll_once()

    aws.table().put_item(Item={"pk": "B", "sk": "SHOP"})
    second = a_poller(recorder, tmp_path)  # a new process: only the checkpoint file carries over
    while "B" not in recorder.keys():
        second.poll_once()
    assert second.poll_once() == 0
    assert recorder.keys() == ["A", "B"]


def test_a_failing_record_is_retried_then_set_aside_and_the_rest_go_on(app_env, tmp_path):
    def fails_on_bad(event, context):
        for record in event["Records"]:
            if record["dynamodb"]["Keys"]["pk"]["S"] == "BAD":
                return {"batchItemFailures": [
                    {"itemIdentifier": record["dynamodb"]["SequenceNumber"]}]}
        return {"batchItemFailures": []}

    recorder = Recorder(fails_on_bad)
    for pk in ("GOOD-1", "BAD", "GOOD-2"):
        aws.table().put_item(Item={"pk": pk, "sk": "SHOP"})
    poller = a_poller(recorder, tmp_path)
    for _ in range(MAX_ATTEMPTS + 5):
        poller.poll_once()

    keys = recorder.keys()
    assert keys.count("GOOD-1") == 1  # handled, so never handed over again
    assert keys.count("BAD") == MAX_ATTEMPTS
    # As with Lambda, the records after a failure come back with it, and go on without it.
    last = [r["dynamodb"]["Keys"]["pk"]["S"] for r in recorder.events[-1]["Records"]]
    assert last == ["GOOD-2"]
    assert poller.poll_once() == 0
    dead = list((tmp_path / "dead").glob("*.json"))
    assert len(dead) == 1 and '"BAD"' in dead[0].read_text()


def test_a_handler_that_raises_does_not_advance_the_checkpoint(app_env, tmp_path):
    calls = []

    def broken_once(event, context):
        calls.append(len(event["Records"]))
        if len(calls) == 1:
            raise RuntimeError("channel down")
        return {"batchItemFailures": []}

    aws.table().put_item(Item={"pk": "ONLY", "sk": "SHOP"})
    poller = a_poller(broken_once, tmp_path)
    while len(calls) < 2:
        poller.poll_once()
    assert calls == [1, 1]
    assert poller.poll_once() == 0


def declared_event_source():
    """The cloud's stream event source of `on_change`, read from the template itself."""
    resources = json.loads((ROOT / "infra" / "functions.json").read_text())["Resources"]
    events = resources["OnChange"]["Properties"]["Events"]
    return events["OnChangeDynamodbEventSource"]["Properties"]


def test_a_record_that_always_makes_the_handler_raise_does_not_stop_the_rest(app_env, tmp_path):
    handled, alone = [], []

    def raises_on_bad(event, context):
        keys = [record["dynamodb"]["Keys"]["pk"]["S"] for record in event["Records"]]
        if "BAD" in keys:
            alone.append(keys == ["BAD"])
            raise RuntimeError("a record this handler cannot process")
        handled.extend(keys)
        return {"batchItemFailures": []}

    for pk in ("GOOD-1", "BAD", "GOOD-2", "GOOD-3"):
        aws.table().put_item(Item={"pk": pk, "sk": "SHOP"})
    poller = a_poller(raises_on_bad, tmp_path)
    declared = declared_event_source()
    for _ in range(1 + declared["MaximumRetryAttempts"] + 2):
        poller.poll_once()

    assert handled == ["GOOD-1", "GOOD-2", "GOOD-3"]  # each once, in order, none set aside
    # As the cloud's mapping: the batch split until the record is alone (splits are no
    # retries), then tried once and retried as often as declared, then set aside.
    assert declared["BisectBatchOnFunctionError"] is True
    assert alone.count(True) == 1 + declared["MaximumRetryAttempts"]
    dead = list((tmp_path / "dead").glob("*.json"))
    assert len(dead) == 1
    kept = json.loads(dead[0].read_text())["Records"]
    assert [record["dynamodb"]["Keys"]["pk"]["S"] for record in kept] == ["BAD"]
    assert poller.poll_once() == 0


class UnansweredLargePages:
    """The stream as DynamoDB Local serves a page of records near DynamoDB's 400 KB item limit:
    it has no 1 MB limit on a page as the cloud has, and a page of a hundred such records
    takes longer than the client waits (measured: over 10 s for the server alone), so the
    read times out, again at every try. Here: the real client's page, refused as a timeout
    when it holds more than 2 MB."""

    def __init__(self, streams):
        self.streams, self.exceptions, self.asked = streams, streams.exceptions, []

    def __getattr__(self, name):
        return getattr(self.streams, name)

    def get_records(self, **args):
        from botocore.exceptions import ReadTimeoutError

        self.asked.append(args["Limit"])
        page = self.streams.get_records(**args)
        if sum(len(json.dumps(record, default=str, ensure_ascii=False).encode())
               for record in page["Records"]) > 2_000_000:
            raise ReadTimeoutError(endpoint_url="DynamoDB Local")
        return page


def test_records_too_large_to_read_a_page_in_time_do_not_stall_the_stream(app_env, tmp_path):
    for n in range(6):
        aws.table().put_item(Item={"pk": f"LARGE-{n}", "sk": "CUSTOMER", "notes": "註" * 120_000})
    aws.table().put_item(Item={"pk": "AFTER", "sk": "SHOP"})
    recorder = Recorder()
    streams = UnansweredLargePages(aws.client("dynamodbstreams"))
    poller = a_poller(recorder, tmp_path, streams=streams)
    thread = poller.start()
    try:
        assert recorder.wait_for("AFTER", timeout=20), f"the stream stalled: {streams.asked}"
    finally:
        poller.stop()
        thread.join()
    assert recorder.keys() == [f"LARGE-{n}" for n in range(6)] + ["AFTER"]
    # After the page that timed out, one record; then pages of about the cloud's 1 MB.
    assert streams.asked[:2] == [100, 1] and set(streams.asked[2:4]) == {2}
    assert not (tmp_path / "dead").exists()
