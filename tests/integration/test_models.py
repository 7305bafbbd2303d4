"""The models on DynamoDB Local: items come back as they went in, each as its own type; a
refused condition and a conflict are told apart; the lost-race loop gives up with a 503."""
from decimal import Decimal

import pytest

from chalicelib import models
from chalicelib.core.errors import Busy
from tests.builders import new_id


@pytest.fixture
def shop_id(app_env):
    return new_id("shop")


def a_line(shop_id, order_id, **fields):
    return models.Line.from_dict({
        **models.Line.key(shop_id, order_id, "l1"), "line_id": "l1", "kind": "part",
        "description": "機油 5W-30", "amount": 1710, "origin": "authorization",
        "state": "proposed", "quantity": Decimal("4.5"), "unit_price": 380,
        "created_at": "2026-12-05T01:00:00.000Z", **fields})


def test_an_order_partition_reads_back_each_item_as_its_own_type_with_its_values(shop_id):
    order_id = new_id("order")
    models.Order.from_dict({
        **models.order_key(shop_id, order_id), "shop_id": shop_id, "order_id": order_id,
        "number": "20261205-001", "state": "checked_in", "created_at": "2026-12-05T01:00:00Z",
        "customer": {"customer_id": "c1", "name": "陳志明", "mobile": "+886912345678"},
        "vehicle": {"vehicle_id": "v1", "plate": "ABC-1234"},
        "totals": {"subtotal": 1710, "tax": 86, "total": 1796}, "concerns": ["冷氣不冷"]}).save()
    a_line(shop_id, order_id).save()
    models.Event.from_dict({**models.Event.key(shop_id, order_id, "e1"), "event_id": "e1",
                            "at": "2026-12-05T01:00:00Z", "by": {"staff_id": "s", "name": "張"},
                            "to": "checked_in"}).save()

    items = {item["sk"]: item for item in models.Item.items(models.order_pk(shop_id, order_id))}
    assert {sk: item["type"] for sk, item in items.items()} == {
        "ORDER": "order", "LINE#l1": "order_line", "EVENT#e1": "order_event"}
    header, line, event = items["ORDER"], items["LINE#l1"], items["EVENT#e1"]
    assert header["version"] == 1 and header["totals"]["total"] == 1796
    assert header["customer"]["name"] == "陳志明" and header["concerns"] == ["冷氣不冷"]
    assert line["quantity"] == Decimal("4.5") and isinstance(line["amount"], int)
    # An event's start and device are read as present even when empty (the first event).
    assert event["from"] is None and event["device_id"] is None


def test_a_stale_version_is_refused_and_the_loop_reads_again_until_it_gives_up(shop_id):
    order_id = new_id("order")
    fields = {**models.order_key(shop_id, order_id), "shop_id": shop_id, "order_id": order_id,
              "number": "1", "state": "checked_in", "created_at": "2026-12-05T01:00:00Z",
              "customer": {}, "vehicle": {}, "totals": {}}
    first = models.Order.from_dict(fields)
    first.save()
    stale = models.Order.from_dict({**fields, "version": 1})
    first.update(actions=[models.Order.state.set("authorized")])  # version 2 now
    with pytest.raises(models.Refused):
        with models.refusals():
            stale.update(actions=[models.Order.state.set("cancelled")])

    tries = []

    def always_stale():
        tries.append(1)
        with models.refusals():
            stale.update(actions=[models.Order.state.set("cancelled")])

    with pytest.raises(Busy):
        models.retry(always_stale, attempts=3)
    assert len(tries) == 3
    assert models.Order.read(models.order_key(shop_id, order_id))["state"] == "authorized"


def test_a_transaction_says_which_part_refused(shop_id):
    order_id = new_id("order")
    a_line(shop_id, order_id).save()
    with pytest.raises(models.Refused) as refused:
        with models.transaction() as writes:
            writes.save(models.Line.from_dict({
                **models.Line.key(shop_id, order_id, "l2"), "line_id": "l2", "kind": "labour",
                "description": "工資", "amount": 800, "origin": "authorization",
                "state": "proposed", "created_at": "2026-12-05T01:00:00Z"}),
                condition=models.Line.pk.does_not_exist())
            writes.condition_check(models.Line, models.order_pk(shop_id, order_id), "LINE#l1",
                                   condition=models.Line.frozen_by.exists())
    assert refused.value.parts == [False, True]  # in the order the parts were added
    assert models.Line.read(models.Line.key(shop_id, order_id, "l2")) is None  # none of it


def test_an_item_holding_a_name_its_model_does_not_declare_is_not_read_silently(shop_id):
    from chalicelib.core import aws
    from chalicelib.core.config import settings

    key = models.Shop.key(shop_id)
    aws.client("dynamodb").put_item(TableName=settings().table_name, Item={
        "pk": {"S": key["pk"]}, "sk": {"S": key["sk"]}, "type": {"S": "shop"},
        "shop_id": {"S": shop_id}, "name": {"S": "順安"}, "fax": {"S": "02-2765-0000"}})
    with pytest.raises(models.UndeclaredAttribute):
        models.Shop.read(key)


def test_a_day_s_counters_are_read_by_their_names(shop_id):
    from pynamodb.expressions.operand import Path

    day = models.DashboardDay.from_dict({**models.DashboardDay.key(shop_id, "2026-12-05"),
                                         "shop_id": shop_id, "day": "2026-12-05"})
    model = models.DashboardDay
    day.update(actions=[model.type.set(model), model.shop_id.set(shop_id),
                        model.day.set("2026-12-05"), Path(["t.ready.3"]).add(2),
                        Path(["opened"]).add(1)])
    read = models.DashboardDay.read(models.DashboardDay.key(shop_id, "2026-12-05"))
    assert read["t.ready.3"] == 2 and read["opened"] == 1 and read["day"] == "2026-12-05"
    assert read["type"] == "dashboard_day"
