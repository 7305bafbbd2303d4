"""The daily job's check of recently signed open orders: a signed order changed behind the
API's back is found the next morning and the shop's owner is told once (DynamoDB Local)."""
import json
from decimal import Decimal

from boto3.dynamodb.conditions import Key

from chalicelib import models
from chalicelib.core import clock as times
from chalicelib.after import daily
from chalicelib.core import aws
from chalicelib.work import orders, signatures
from tests.builders import a_signature, an_order


def owner_mail(shop):
    """What reached the owner (locally, the outbox stands in for SES)."""
    from chalicelib.outward.notify import outbox

    address = f"{shop.owner.staff_id}@{shop.shop_id}.test".lower()
    return [item for item in outbox.recent(500) if item["to"] == address]


def alerts(shop):
    return aws.query_all(KeyConditionExpression=Key("pk").eq(
        models.integrity_alerts_pk(shop.shop_id)))


def checked(shop) -> dict:
    """The signed-documents task of this morning's piece for the shop's shard: its counts."""
    return daily.run_piece({"date": times.local_date(),
                            "shard": models.shard_of(shop.shop_id)})["signed_orders"]


def test_the_daily_job_checks_recently_signed_orders():
    assert "signed_orders" in [task.name for task in daily.TASKS]


def test_a_signed_order_changed_in_the_table_is_found_and_the_owner_told_once(shop):
    changed = an_order(shop, lines=True)
    a_signature(shop, changed["order_id"], "authorization")
    untouched = an_order(shop, lines=True)
    a_signature(shop, untouched["order_id"], "authorization")
    line = orders.load(shop.shop_id, changed["order_id"])["lines"][0]
    aws.table().update_item(Key={"pk": line["pk"], "sk": line["sk"]},
                            UpdateExpression="SET amount = :one",
                            ExpressionAttributeValues={":one": Decimal(1)})

    counts = checked(shop)  # the daily job's task: checks and mails
    assert counts["checked"] >= 2 and counts["mismatched"] >= 1 and counts["alerted"] >= 1
    (alert,) = alerts(shop)
    assert alert["order_id"] == changed["order_id"] and alert["number"] == changed["number"]
    assert alert["problems"][0]["code"] == "line_changed"
    (mail,) = owner_mail(shop)
    assert changed["number"] in mail["text"] and "冷氣系統檢查" in mail["text"]
    assert untouched["number"] not in mail["text"]

    again = checked(shop)  # the next run, or a rerun
    assert again["mismatched"] >= 1
    assert len(alerts(shop)) == 1 and len(owner_mail(shop)) == 1


def test_the_check_reads_what_the_documents_cover_and_no_more(shop, monkeypatch):
    """The signatures' records, the headers, the walk-around and the covered lines, by key: no
    order's whole partition (photos, messages, events) is queried."""
    order = an_order(shop, lines=True)
    a_signature(shop, order["order_id"], "authorization")
    table, partitions = aws.table(), []
    real = table.query

    def query(**kwargs):
        partitions.append(kwargs["KeyConditionExpression"].get_expression()["values"][1])
        return real(**kwargs)

    def model_query(params, **_):  # the models' Query: its key condition's first value is pk's
        partitions.append(params["ExpressionAttributeValues"][":0"]["S"])

    monkeypatch.setattr(table, "query", query)
    events = models.Item._get_connection().connection.client.meta.events
    events.register("before-parameter-build.dynamodb.Query", model_query)
    try:
        (listed,) = [listed for shop_id, listed in signatures.signed_by_shop(
            times.local_date(), models.shard_of(shop.shop_id)) if shop_id == shop.shop_id]
        counts = signatures.check_signed_orders(listed)
    finally:
        events.unregister("before-parameter-build.dynamodb.Query", model_query)
    assert counts["checked"] >= 1
    assert partitions and all(pk.startswith("SIGNED#") for pk in partitions), partitions


def test_closed_and_superseded_documents_are_not_checked(shop):
    delivered = an_order(shop, state="delivered")
    line = orders.load(shop.shop_id, delivered["order_id"])["lines"][0]
    aws.table().update_item(Key={"pk": line["pk"], "sk": line["sk"]},
                            UpdateExpression="SET amount = :one",
                            ExpressionAttributeValues={":one": Decimal(1)})
    checked(shop)
    assert alerts(shop) == [] and owner_mail(shop) == []
    assert json.dumps(checked(shop))  # counts are plain JSON
