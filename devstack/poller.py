"""The local stand-in for Lambda's DynamoDB event source: read the table's stream, hand each batch
to the same handler the cloud runs, in the event shape Lambda uses.

Per shard it keeps the sequence number of the last record handled (a checkpoint file), so a
restarted poller goes on after it: nothing is lost and nothing handed over twice. Parent shards
are read to their end before their children, as Lambda does, so an item's changes stay in order.

A record that fails is handled as the cloud's event source mapping of `on_change` declares
(read from infra/functions.json, so the two cannot drift apart): a partial batch response
retries from the first failed record; a handler that raises has its batch split in two until
the failing record is alone (a split is not a retry); a record still failing after the
mapping's retries is set aside, as the cloud sends it to the stream's dead-letter queue:
written to the dead-letter folder, logged, and the shard goes on. A batch is at most the
mapping's batch size and Lambda's 6 MB payload. DynamoDB Local answers GetRecords without the
cloud's 1 MB limit, so pages are asked for by the size of the records just read, and a page
that could not be read in time is asked for again one record at a time: one large record
never stalls the stream.
"""
from __future__ import annotations

import base64
import json
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from chalicelib.core.observability import logger
from devstack import ROOT

Handler = Callable[[dict, Any], Any]
FUNCTIONS = ROOT / "infra" / "functions.json"
PAYLOAD_BYTES = 6 * 1024 * 1024  # Lambda's synchronous invocation payload
PAGE_BYTES = 1024 * 1024  # GetRecords answers at most this much in the cloud


@dataclass(frozen=True)
class EventSource:
    """The cloud's stream event source mapping of `on_change`, as the template declares it."""
    batch_size: int
    retries: int
    bisect: bool
    partial_batches: bool


@lru_cache(maxsize=1)
def event_source() -> EventSource:
    events = json.loads(FUNCTIONS.read_text())["Resources"]["OnChange"]["Properties"]["Events"]
    mapping = events["OnChangeDynamodbEventSource"]["Properties"]
    return EventSource(
        batch_size=int(mapping.get("BatchSize", 100)),  # the defaults are Lambda's
        retries=int(mapping.get("MaximumRetryAttempts", -1)),
        bisect=bool(mapping.get("BisectBatchOnFunctionError", False)),
        partial_batches="ReportBatchItemFailures" in mapping.get("FunctionResponseTypes", []))


BATCH_SIZE = event_source().batch_size
# The first try and the mapping's retries, then the dead letter. The template sets the retries
# (tests/infra checks 1 to 10): Lambda's default, -1, retries a record for as long as the stream
# keeps it, a day, which is a stalled stream.
MAX_ATTEMPTS = 1 + event_source().retries


class Checkpoints:
    """{stream arn: {shard id: {"seq": last handled sequence number, "done": shard finished}}}."""

    def __init__(self, path: Path):
        self.path = path
        self.data: dict = json.loads(path.read_text()) if path.exists() else {}

    def shard(self, stream_arn: str, shard_id: str) -> dict:
        return self.data.setdefault(stream_arn, {}).setdefault(shard_id, {})

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.data, indent=1))
        os.replace(temporary, self.path)  # a crash mid-write leaves the old file whole


def _lambda_attribute(value: dict) -> dict:
    """boto3 returns binary attributes as bytes; Lambda's event carries them base64-encoded."""
    if not value:
        return {"M": {}}  # DynamoDB Local's stream writes an empty map as `{}`; Lambda as this
    (kind, inner), = value.items()
    if kind == "B":
        return {"B": base64.b64encode(inner).decode()}
    if kind == "BS":
        return {"BS": [base64.b64encode(item).decode() for item in inner]}
    if kind == "M":
        return {"M": {name: _lambda_attribute(item) for name, item in inner.items()}}
    if kind == "L":
        return {"L": [_lambda_attribute(item) for item in inner]}
    return value


def lambda_record(record: dict, stream_arn: str, region: str) -> dict:
    """One GetRecords record in the shape of a record of Lambda's DynamoDB stream event."""
    stream = dict(record["dynamodb"])
    created = stream.get("ApproximateCreationDateTime")
    if created is not None:
        stream["ApproximateCreationDateTime"] = int(created.timestamp())
    for image in ("Keys", "NewImage", "OldImage"):
        if image in stream:
            stream[image] = {name: _lambda_attribute(v) for name, v in stream[image].items()}
    event = {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": stream,
        "eventSourceARN": stream_arn,
    }
    if "userIdentity" in record:
        event["userIdentity"] = record["userIdentity"]
    return event


class StreamPoller:
    def __init__(self, streams: Any, dynamodb: Any, table_name: str, handler: Handler,
                 checkpoints: Checkpoints, dead_letters: Path, region: str,
                 interval: float = 0.2):
        self.streams, self.dynamodb, self.table_name = streams, dynamodb, table_name
        self.handler, self.checkpoints, self.dead_letters = handler, checkpoints, dead_letters
        self.region, self.interval = region, interval
        self.iterators: dict[str, str | None] = {}
        self.page_sizes: dict[str, int] = {}
        self.attempts: dict[str, int] = {}
        self.stream_arn: str | None = None
        self._stop = threading.Event()

    # --- the loop -------------------------------------------------------------------------

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                handled = self.poll_once()
            except Exception:
                logger().exception("stream poll failed")
                handled = 0
            if not handled:
                self._stop.wait(self.interval)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="stream-poller", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()

    def poll_once(self) -> int:
        """Read every open shard once; the number of records handed over (or set aside)."""
        if self.stream_arn is None:
            self.stream_arn = self.dynamodb.describe_table(
                TableName=self.table_name)["Table"]["LatestStreamArn"]
        handled = 0
        for shard in self._readable_shards():
            try:
                handled += self._poll_shard(shard["ShardId"])
            except Exception:  # this shard is tried again next time; the others go on
                logger().exception("stream shard poll failed", extra={"shard": shard["ShardId"]})
        return handled

    # --- shards ---------------------------------------------------------------------------

    def _shards(self) -> list[dict]:
        shards, start = [], None
        while True:
            args = {"StreamArn": self.stream_arn}
            if start:
                args["ExclusiveStartShardId"] = start
            description = self.streams.describe_stream(**args)["StreamDescription"]
            shards += description["Shards"]
            start = description.get("LastEvaluatedShardId")
            if not start:
                return shards

    def _readable_shards(self) -> list[dict]:
        """Open or unfinished shards whose parent (if we know it) is finished."""
        shards = self._shards()
        known = {shard["ShardId"] for shard in shards}
        ready = []
        for shard in shards:
            state = self.checkpoints.shard(self.stream_arn, shard["ShardId"])
            if state.get("done"):
                continue
            parent = shard.get("ParentShardId")
            if parent in known and not self.checkpoints.shard(self.stream_arn, parent).get("done"):
                continue
            ready.append(shard)
        return ready

    def _iterator(self, shard_id: str) -> str:
        iterator = self.iterators.get(shard_id)
        if iterator:
            return iterator
        seq = self.checkpoints.shard(self.stream_arn, shard_id).get("seq")
        args = {"StreamArn": self.stream_arn, "ShardId": shard_id}
        if seq:
            args.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=seq)
        else:
            args.update(ShardIteratorType="TRIM_HORIZON")
        try:
            return self.streams.get_shard_iterator(**args)["ShardIterator"]
        except self.streams.exceptions.TrimmedDataAccessException:
            logger().warning("checkpoint older than the stream's retention; reading from its start")
            args = {"StreamArn": self.stream_arn, "ShardId": shard_id,
                    "ShardIteratorType": "TRIM_HORIZON"}
            return self.streams.get_shard_iterator(**args)["ShardIterator"]

    # --- records --------------------------------------------------------------------------

    def _poll_shard(self, shard_id: str) -> int:
        asked = self.page_sizes.get(shard_id, BATCH_SIZE)
        try:
            page = self.streams.get_records(ShardIterator=self._iterator(shard_id), Limit=asked)
        except self.streams.exceptions.ExpiredIteratorException:
            self.iterators.pop(shard_id, None)
            return 0
        except Exception:  # a timeout, most likely: the page was too large to answer in time
            logger().warning("stream page not read; asking for one record next",
                             extra={"shard": shard_id, "asked": asked}, exc_info=True)
            self.page_sizes[shard_id] = 1
            self.iterators.pop(shard_id, None)
            return 0
        records = page["Records"]
        if records:
            events, sizes = self._events(shard_id, records)
            if sizes:  # the next page about the cloud's 1 MB, by the size of these records
                self.page_sizes[shard_id] = max(1, min(BATCH_SIZE,
                                                       PAGE_BYTES * len(sizes) // sum(sizes)))
            done = 0
            while done < len(events):
                batch = _batch(sizes[done:])
                handled = self._deliver(shard_id, events[done:done + batch])
                done += handled
                if handled < batch:
                    break
            if done < len(records):
                self.iterators.pop(shard_id, None)  # re-read from the checkpoint next time
                return done
        self.iterators[shard_id] = page.get("NextShardIterator")
        if page.get("NextShardIterator") is None:  # the shard is closed and read to its end
            self.checkpoints.shard(self.stream_arn, shard_id)["done"] = True
            self.iterators.pop(shard_id, None)
            self.checkpoints.save()
        return len(records)

    def _events(self, shard_id: str, records: list[dict]) -> tuple[list[dict], list[int]]:
        """The records in Lambda's shape, with their sizes, up to one that cannot be put in that
        shape (it could never be handed over: it is set aside when it comes first)."""
        events, sizes = [], []
        for record in records:
            try:
                event = lambda_record(record, self.stream_arn, self.region)
            except Exception:
                logger().exception("stream record not readable", extra={"shard": shard_id})
                if not events:
                    self._dead_letter(shard_id, record)
                    self._checkpoint(shard_id, record["dynamodb"]["SequenceNumber"])
                break
            events.append(event)
            sizes.append(len(json.dumps(event, ensure_ascii=False).encode()))
        return events, sizes

    def _deliver(self, shard_id: str, events: list[dict]) -> int:
        """Hand the batch over; how many of its records are done (handled, or set aside after
        their last try), from the first, each checkpointed."""
        source = event_source()
        try:
            answer, raised = self.handler({"Records": events}, None), False
        except Exception:
            logger().exception("stream handler failed",
                               extra={"shard": shard_id, "records": len(events)})
            answer, raised = None, True
        if raised:  # a function error, as Lambda calls it
            return self._split(shard_id, events) if source.bisect else self._failed(
                shard_id, events, 0)
        sequence = [event["dynamodb"]["SequenceNumber"] for event in events]
        failed = [f["itemIdentifier"] for f in (answer or {}).get("batchItemFailures", [])
                  if source.partial_batches]
        succeeded = min((sequence.index(seq) for seq in failed if seq in sequence),
                        default=len(events))
        if failed and succeeded == len(events):
            succeeded = 0  # an unknown identifier fails the whole batch, as Lambda does
        if succeeded:
            self._checkpoint(shard_id, sequence[succeeded - 1])
        if succeeded == len(events):
            return succeeded
        return self._failed(shard_id, events, succeeded)

    def _split(self, shard_id: str, events: list[dict]) -> int:
        """After the handler raised: each half handed over now, the second only when the first
        is done (a split is not a retry); a record alone counts a try."""
        if len(events) == 1:
            return self._failed(shard_id, events, 0)
        half = len(events) // 2
        done = self._deliver(shard_id, events[:half])
        return done if done < half else half + self._deliver(shard_id, events[half:])

    def _failed(self, shard_id: str, events: list[dict], index: int) -> int:
        """The record at `index` failed (those before it are done): a try counted; after the last
        it is set aside and the shard goes on. How many of `events` are now done."""
        seq = events[index]["dynamodb"]["SequenceNumber"]
        self.attempts[seq] = self.attempts.get(seq, 0) + 1
        if self.attempts[seq] < MAX_ATTEMPTS:
            return index
        self._dead_letter(shard_id, events[index])
        self.attempts.pop(seq, None)
        self._checkpoint(shard_id, seq)
        return index + 1

    def _checkpoint(self, shard_id: str, seq: str) -> None:
        self.checkpoints.shard(self.stream_arn, shard_id)["seq"] = seq
        self.checkpoints.save()

    def _dead_letter(self, shard_id: str, record: dict) -> None:
        """After its last try a record is kept aside, as the cloud's on-failure queue does (which
        keeps only where the record was; here the record itself, for the developer to read)."""
        self.dead_letters.mkdir(parents=True, exist_ok=True)
        path = self.dead_letters / f"{shard_id}-{record['dynamodb']['SequenceNumber']}.json"
        path.write_text(json.dumps({"Records": [record]}, indent=1, default=str))
        logger().error("stream record set aside after its last try",
                       extra={"shard": shard_id, "file": str(path)})


def _batch(sizes: list[int]) -> int:
    """How many of the next records make one batch: the batch size, within Lambda's payload."""
    count, total = 0, 0
    for size in sizes[:BATCH_SIZE]:
        if count and total + size > PAYLOAD_BYTES:
            break
        count, total = count + 1, total + size
    return count
