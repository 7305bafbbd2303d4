"""The table's stream in a test: DynamoDB Local's real stream, handed to `app.on_change` as
Lambda would (a fixture for the tests of stream reactions)."""
from __future__ import annotations

import app as api
from chalicelib import models
from chalicelib.core import aws
from devstack.poller import lambda_record


class Stream:
    """The table's stream from the start, handed to `app.on_change` as Lambda would."""

    def __init__(self):
        self.handed: set[str] = set()

    def records(self, shop_id: str | None = None) -> list[dict]:
        """Every record from the start (of one shop's items, and the due messages' index,
        when `shop_id` is given)."""
        streams, table = aws.client("dynamodbstreams"), aws.table().name
        arn = aws.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
        found = []
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            iterator = streams.get_shard_iterator(
                StreamArn=arn, ShardId=shard["ShardId"],
                ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while iterator:
                page = streams.get_records(ShardIterator=iterator, Limit=1000)
                found += page["Records"]
                iterator = page.get("NextShardIterator") if page["Records"] else None
        mine = [r for r in found if shop_id is None
                or r["dynamodb"]["Keys"]["pk"]["S"].startswith(models.shop_pk(shop_id))
                or r["dynamodb"]["Keys"]["pk"]["S"].startswith("MESSAGES_DUE")]
        return [lambda_record(r, arn, "ap-northeast-1") for r in mine]

    def fresh(self) -> list[dict]:
        return [r for r in self.records() if r["eventID"] not in self.handed]

    def hand(self, records: list[dict]) -> None:
        assert api.on_change({"Records": records}, None) == {"batchItemFailures": []}
        self.handed.update(r["eventID"] for r in records)

    def drain(self) -> int:
        """Hand over every record not handed yet, until the reactions make no more."""
        handed = 0
        while fresh := self.fresh():
            self.hand(fresh)
            handed += len(fresh)
        return handed
