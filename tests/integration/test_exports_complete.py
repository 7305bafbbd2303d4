"""A shop's export holds every kind of record the table keeps for it, or leaves a kind out for a
stated reason: every model is on one list or the other, and a shop holding one of each finds
each in its export, states written in zh-TW beside their codes, lists as readable text in the
CSVs, and no credential anywhere."""
from __future__ import annotations

import io
import json
import zipfile

from pynamodb.attributes import (BooleanAttribute, DiscriminatorAttribute, MapAttribute,
                                 VersionAttribute)

from chalicelib import models
from chalicelib.after import portability
from chalicelib.core import clock
from chalicelib.models.base import Document, Number, Values
from tests.builders import a_catalogue, a_customer_and_vehicle, a_visit, new_id
from tests.integration.test_portability import download, export


def every_type() -> set[str]:
    """The `type` of every model of the table (each subclass of models.Item)."""
    found, waiting = set(), [models.Item]
    while waiting:
        for model in waiting.pop().__subclasses__():
            found.add(model.type_name())
            waiting.append(model)
    return found


def test_every_item_type_is_exported_or_left_out_for_a_stated_reason():
    exported, left_out = set(portability.EXPORTED), set(portability.LEFT_OUT)
    assert not exported & left_out
    assert every_type() == exported | left_out, (
        "not on either list", every_type() - exported - left_out,
        "no such model", exported | left_out - every_type())
    assert all(len(reason) > 20 for reason in portability.LEFT_OUT.values())
    # a browser's or a desk tablet's push subscription is a credential, named as left out
    assert {"push_subscription", "staff_push", "refresh", "device"} <= left_out


def _sample(attribute):
    if isinstance(attribute, (Number,)):
        return 1
    if isinstance(attribute, (Document, MapAttribute)):
        return {"note": "x"}
    if isinstance(attribute, Values):
        return ["x"]
    if isinstance(attribute, BooleanAttribute):
        return True
    return "x"


def one(model: type[models.Item], key: dict, **given) -> None:
    """An item of `model` at `key` with every required attribute given a plain value (the kinds
    the API makes only through the stream or the daily job)."""
    values = {attribute.attr_name: _sample(attribute)
              for attribute in model.get_attributes().values()
              if not attribute.null and not attribute.is_hash_key and not attribute.is_range_key
              and not isinstance(attribute, (DiscriminatorAttribute, VersionAttribute))}
    model.from_dict({**values, **key, **given}).save()


def a_shop_with_one_of_each(shop) -> dict:
    """Through the API: a customer, their car, a delivered visit (walk-around, lines one of them
    declined, signatures, events, the follow-up), a booking and a tag of an old part. Written
    beside it, as the stream, the daily job and LINE's webhook would: a message, a LINE chat
    message, a reminder, a case, the
    dashboard's day and totals, an integrity alert, a dead letter, a photo, a part tag in the
    shop's shelf and the settings the shop has not edited yet."""
    customer, vehicle = a_customer_and_vehicle(shop)
    order = a_visit(shop, vehicle, 12_000, {"LF": (5, 5, 5)}, {"front": 7},
                    [("機油更換", "approved"), ("雨刷更換", "declined")])
    booked = shop.advisor.post("/api/appointments", {
        "appointment_id": new_id("appt"), "at": "2026-12-20T09:00:00+08:00",
        "duration_minutes": 60, "purpose": "定期保養", "source": "phone",
        "customer_id": vehicle["customer_id"], "vehicle_id": vehicle["vehicle_id"]})
    assert booked.status == 201, booked.body
    sid, oid, vid = shop.shop_id, order["order_id"], vehicle["vehicle_id"]
    now = clock.now_iso()
    one(models.Message, models.Message.key(sid, oid, "ready.sms.1"), shop_id=sid, order_id=oid,
        state="sent")
    one(models.Photo, models.Photo.key(sid, oid, "photo-1"), shop_id=sid, order_id=oid)
    one(models.ChatMessage, models.ChatMessage.key(sid, customer["customer_id"], now, "chat-1"),
        shop_id=sid, customer_id=customer["customer_id"])
    one(models.Reminder, models.Reminder.key(sid, vid, "service"), shop_id=sid, vehicle_id=vid)
    one(models.Invitation, models.Invitation.key(sid, vid), shop_id=sid, vehicle_id=vid,
        contacts=[{"contact_id": "contact-1", "at": now, "method": "call",
                   "outcome": "later"}])
    one(models.Case, models.Case.key(sid, "case-1"), shop_id=sid, case_id="case-1",
        state="open", **models.case_index(sid, "open", "2026-12-10", "case-1"))
    one(models.DashboardDay, models.DashboardDay.key(sid, "2026-12-07"), shop_id=sid)
    one(models.DashboardTotals, models.DashboardTotals.key(sid), shop_id=sid)
    one(models.IntegrityAlert, models.IntegrityAlert.key(sid, oid, now), shop_id=sid)
    one(models.DeadLetter, models.DeadLetter.key(sid, now, oid, "ready.sms.1"), shop_id=sid)
    one(models.PartTag, models.PartTag.key(sid, None, "P-0001"), shop_id=sid, state="held")
    one(models.ShopSettings, models.ShopSettings.key(sid), shop_id=sid)
    assert shop.advisor.get("/api/booking-setup").status == 200  # the setup and its page code
    one(models.NotifySettings, models.NotifySettings.key(sid), shop_id=sid)
    one(models.InspectionTemplate, models.InspectionTemplate.key(sid), shop_id=sid)
    one(models.QualityTemplate, models.QualityTemplate.key(sid), shop_id=sid,
        items=[{"item_id": "road_test", "zh": "路試", "en": "Road test"}])
    # the booking page's (issue 19): a texted code and a manage link, both left out
    one(models.BookingCode, models.BookingCode.key(sid, "+886912345678"), shop_id=sid)
    one(models.ManageLink, models.ManageLink.key("0" * 64), shop_id=sid, appointment_id="a-1")
    # the catalogue (issue 20): rates, operations, parts, menus; and a part kept in stock
    a_catalogue(shop)
    one(models.StockItem, models.StockItem.key(sid, "04152YZZA1~TOYOTA"), shop_id=sid,
        part_key="04152YZZA1~TOYOTA")
    # the checkout (issue 21): the visit was paid through the API; its invoice, voided
    one(models.Invoice, models.Invoice.key(sid, oid, 1), shop_id=sid, order_id=oid, seq=1,
        state="voided", number="SL10000001", random_code="1234")
    one(models.InvoiceChange, models.InvoiceChange.key(sid, oid, "void-1"), shop_id=sid,
        order_id=oid, change_id="void-1", kind="void", seq=1, invoice_number="SL10000001")
    return order


def kinds_in(data: dict) -> set[str]:
    """The item types an export's JSON holds."""
    found = {row["type"] for row in data["shop"] + data["catalogue"]}
    for phase in ("customers", "vehicles", "orders"):
        for row in data[phase]:
            found.add(row["type"])
            found |= set(row.get("records", {}))
            found |= {line["type"] for line in row.get("lines", [])}
    return found


def test_a_shop_with_one_of_each_finds_each_in_its_export_in_words_and_without_credentials(
        shop):
    order = a_shop_with_one_of_each(shop)
    exported = export(shop.owner)
    assert exported.status == 200, exported.body
    text = download(exported.body["files"]["json"]["url"]).decode("utf-8")
    data = json.loads(text)
    assert set(portability.EXPORTED) <= kinds_in(data), \
        set(portability.EXPORTED) - kinds_in(data)
    assert not set(portability.LEFT_OUT) & kinds_in(data)
    assert data["left_out"] == portability.LEFT_OUT  # the reasons travel with the data
    for secret in ("password_hash", "pin_hash", "secret_hash", "token_hash", '"seal"',
                   '"record"', "strokes"):
        assert secret not in text, secret

    (row,) = [row for row in data["orders"] if row["order_id"] == order["order_id"]]
    assert (row["state"], row["state_zh"]) == ("delivered", "已交車")
    assert [(line["description"], line["state"], line["state_zh"], line["kind_zh"])
            for line in row["lines"]] == [("機油更換", "done", "完工", "工資"),
                                          ("雨刷更換", "declined", "不做", "工資")]
    assert {event["to_zh"] for event in row["records"]["order_event"]} >= {"已委修", "已交車"}
    assert row["records"]["followup"][0]["status_zh"] == "待關懷"
    assert row["records"]["inspection"][0]["values"]["tyres.LF.inner"] == 5
    staff = [item for item in data["shop"] if item["type"] == "staff"]
    assert {item["role_zh"] for item in staff} == {"老闆", "店長", "服務專員", "技師"}

    archive = zipfile.ZipFile(io.BytesIO(download(exported.body["files"]["csv"]["url"])))
    names = set(archive.namelist())
    assert {"records/order_event.csv", "records/case.csv", "records/appointment.csv",
            "records/mileage.csv", "records/staff.csv", "records/signature.csv"} <= names
    orders_csv = archive.read("orders.csv").decode("utf-8-sig")
    assert "已交車" in orders_csv and "定期保養" in orders_csv
    assert '["' not in orders_csv  # the concerns as text, not a JSON list
    events_csv = archive.read("records/order_event.csv").decode("utf-8-sig")
    assert "已交車" in events_csv and '{"' not in events_csv
    staff_csv = archive.read("records/staff.csv").decode("utf-8-sig")
    assert "password_hash" not in staff_csv and "技師" in staff_csv
