"""The local stand-in for Lambda's DynamoDB event source: read the table's stream, hand each batch
to the same handler the cloud runs, in the event shape Lambda uses.

Per shard it keeps the sequence number of the last record handled (a checkpoint file), so a
restarted poller goes on after it: nothing is lost and nothing handed over twice. Parent shards
are read to their end before their children, as Lambda does, so an item's changes stay in order.
"""
from __future__ import annotations

import base64
import json
import os
import threading
from pathlib import Path
from typing import Any, Callable

from chalicelib.observability import logger

Handler = Callable[[dict, Any], Any]
BATCH_SIZE = 100
MAX_ATTEMPTS = 3  # as the cloud event source's MaximumRetryAttempts, then the dead letter


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
        """Read every open shard once; the number of records handed over."""
        if self.stream_arn is None:
            self.stream_arn = self.dynamodb.describe_table(
                TableName=self.table_name)["Table"]["LatestStreamArn"]
        handled = 0
        for shard in self._readable_shards():
            handled += self._poll_shard(shard["ShardId"])
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
        try:
            page = self.streams.get_records(ShardIterator=self._iterator(shard_id),
                                            Limit=BATCH_SIZE)
        except self.streams.exceptions.ExpiredIteratorException:
            self.iterators.pop(shard_id, None)
            return 0
        records = page["Records"]
        if records:
            handled_up_to = self._deliver(shard_id, records)
            if handled_up_to < len(records):
                self.iterators.pop(shard_id, None)  # re-read from the checkpoint next time
                return handled_up_to
        self.iterators[shard_id] = page.get("NextShardIterator")
        if page.get("NextShardIterator") is None:  # the shard is closed and read to its end
            self.checkpoints.shard(self.stream_arn, shard_id)["done"] = True
            self.iterators.pop(shard_id, None)
            self.checkpoints.save()
        return len(records)

    def _deliver(self, shard_id: str, records: list[dict]) -> int:
        """Hand the batch over; checkpoint what succeeded. Returns how many records succeeded."""
        event = {"Records": [lambda_record(r, self.stream_arn, self.region) for r in records]}
        sequence = [r["dynamodb"]["SequenceNumber"] for r in records]
        try:
            answer = self.handler(event, None)
            failed = [f["itemIdentifier"] for f in (answer or {}).get("batchItemFailures", [])]
            succeeded = min((sequence.index(seq) for seq in failed if seq in sequence),
                            default=len(records))
            if failed and succeeded == len(records):
                succeeded = 0  # an unknown identifier fails the whole batch, as Lambda does
        except Exception:
            logger().exception("stream handler failed", extra={"shard": shard_id})
            succeeded = 0
        if succeeded < len(records):
            first_failed = sequence[succeeded]
            attempts = self.attempts.get(first_failed, 0) + 1
            self.attempts[first_failed] = attempts
            if attempts >= MAX_ATTEMPTS:  # set the failing record aside; the rest go on
                self._dead_letter(shard_id, event["Records"][succeeded])
                self.attempts.pop(first_failed, None)
                succeeded += 1
        if succeeded:
            self.checkpoints.shard(self.stream_arn, shard_id)["seq"] = sequence[succeeded - 1]
            self.checkpoints.save()
        return succeeded

    def _dead_letter(self, shard_id: str, record: dict) -> None:
        """After its last try a record is kept aside, as the cloud's on-failure queue does."""
        self.dead_letters.mkdir(parents=True, exist_ok=True)
        path = self.dead_letters / f"{shard_id}-{record['dynamodb']['SequenceNumber']}.json"
        path.write_text(json.dumps({"Records": [record]}, indent=1))
        logger().error("stream record set aside after its last try",
                     extra={"shard": shard_id, "file": path.name})
