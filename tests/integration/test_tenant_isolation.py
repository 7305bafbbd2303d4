"""A member of shop B can neither read nor change anything of shop A, on any route.

The routes come from the app's own route table, so a route added later is walked too; a route
with a body needs a valid example here (the test fails until it has one), so that the request
reaches the service rather than stopping at validation.
"""
import json
from datetime import timedelta

import pytest

from app import app
from tests.builders import a_catalogue, a_shop, an_order, new_id

# Valid bodies that point at shop A's things ({…} filled in from A's ids; {new} a fresh id, for
# what B creates of its own). Each is a request a member of B could make with ids they saw
# somewhere (a screenshot, a printed order).
BODIES = {
    ("PUT", "/api/me/pin"): {"pin": "482913", "password": "wrong password"},
    ("POST", "/api/me/unlock"): {"secret": "482913"},
    ("PUT", "/api/shop/quality-check-template"): {"items": [
        {"item_id": "road_test", "zh": "路試", "en": "Road test", "group": "quality"}]},
    ("POST", "/api/devices"): {"device_id": "{new}", "name": "平板"},
    ("POST", "/api/staff"): {"staff_id": "{new}", "name": "冒名", "role": "advisor",
                             "email": "{new}@b.test", "password": "correct horse battery"},
    ("PATCH", "/api/staff/{staff_id}"): {"name": "改名"},
    # B resets A's technician's password (the PIN reset is a DELETE, walked without a body)
    ("PUT", "/api/staff/{staff_id}/password"): {"password": "taken over by B"},
    # B renames A's tablet (its revoke is a DELETE, walked without a body)
    ("PATCH", "/api/devices/{device_id}"): {"name": "B 的平板"},
    ("POST", "/api/customers"): {"customer_id": "{new}", "name": "冒名",
                                 "mobile": "0912345678", "channel": "sms",
                                 "consent": {"version": "2026-01", "method": "tablet"}},
    ("PATCH", "/api/customers/{customer_id}"): {"name": "改名"},
    ("POST", "/api/vehicles"): {"vehicle_id": "{new}", "plate": "{plate}", "make": "X",
                                "model": "Y", "fuel": "gasoline", "customer_id": "{customer_id}"},
    ("PATCH", "/api/vehicles/{vehicle_id}"): {"colour": "紅"},
    ("POST", "/api/vehicles/{vehicle_id}/owner"): {"customer_id": "{customer_id}"},
    ("POST", "/api/vehicles/{vehicle_id}/mileage"): {"km": 999999, "source": "manual"},
    ("POST", "/api/appointments"): {"appointment_id": "{new}",
                                    "at": "2026-11-30T09:00:00+08:00", "duration_minutes": 60,
                                    "purpose": "保養", "source": "phone",
                                    "customer_id": "{customer_id}", "vehicle_id": "{vehicle_id}"},
    ("PATCH", "/api/appointments/{appointment_id}"): {"state": "cancelled"},
    ("POST", "/api/appointments/{appointment_id}/check-in"): {"order_id": "{new}"},
    ("POST", "/api/orders"): {"order_id": "{new}", "customer_id": "{customer_id}",
                              "vehicle_id": "{vehicle_id}"},
    ("PATCH", "/api/orders/{order_id}"): {"waits_in_shop": True},
    ("POST", "/api/orders/{order_id}/transitions"): {"to": "cancelled", "client_id": "{new}"},
    ("POST", "/api/orders/{order_id}/lines"): {"line_id": "{new}", "kind": "discount",
                                               "description": "x", "amount": 100},
    ("PATCH", "/api/orders/{order_id}/lines/{line_id}"): {"state": "declined"},
    ("POST", "/api/orders/{order_id}/dispatch"): {"technician_id": "{staff_id}"},
    # issue 20: B chooses a grade on A's line, marks A's part ordered
    ("POST", "/api/orders/{order_id}/lines/{line_id}/choice"): {"option": 0},
    ("POST", "/api/orders/{order_id}/lines/{line_id}/supply"): {"status": "ordered",
                                                                "expected_on": "2099-01-05"},
    # the workshop floor: B reports a finding, times a job, asks for help, moves the promise and
    # records a final check on A's order
    ("POST", "/api/orders/{order_id}/findings"): {"line_id": "{new}", "kind": "labour",
                                                  "description": "x", "reason": "y"},
    ("POST", "/api/orders/{order_id}/lines/{line_id}/clock"): {"client_id": "{new}",
                                                               "action": "start"},
    ("POST", "/api/orders/{order_id}/help"): {"client_id": "{new}", "note": "x"},
    ("POST", "/api/orders/{order_id}/help/taken"): {"client_id": "{new}"},
    ("POST", "/api/orders/{order_id}/promise"): {"client_id": "{new}",
                                                 "at": "2026-12-24T10:00", "reason": "x"},
    # a device of B's subscribes to B's alerts (the route takes no shop id)
    ("POST", "/api/me/push"): {"endpoint": "https://fcm.googleapis.com/fcm/send/shop-b-tablet",
                               "keys": {"p256dh": "BMdsILfO0MxfAycKTPDD4HkyCT7bX6KzFEe6WdYPhpXT"
                                                  "skSnJfiOo-p7BuZZyimnP_QHHq8dEuJAL0Yaq0JZ_eU",
                                        "auth": "MDEyMzQ1Njc4OWFiY2RlZg"}},
    ("POST", "/api/me/push/off"): {"endpoint": "https://fcm.googleapis.com/fcm/send/shop-b-tablet"},
    ("PUT", "/api/orders/{order_id}/handover"): {"client_id": "{new}",
                                                 "valuables_returned": True},
    ("PUT", "/api/orders/{order_id}/quality-check"): {"client_id": "{new}", "items": {
        "road_test": {"ok": True, "km": 5}}},
    ("PATCH", "/api/shop/settings"): {"tread_yellow_mm": 4.0},
    # the shop's own details: B changes only its own shop (the route takes no shop id)
    ("PATCH", "/api/shop"): {"line_id": "@shopb"},
    ("PUT", "/api/shop/logo"): {"image": "iVBORw0KGgo="},
    # reminders: B stops A's customer's reminders
    ("PUT", "/api/customers/{customer_id}/reminders"): {"reminders": "off"},
    ("POST", "/api/customers/{customer_id}/merge"): {"from_customer_id": "{customer_id}"},
    ("PUT", "/api/shop/inspection-template"): {"items": [
        {"item_id": "horn", "zh": "喇叭", "en": "Horn", "group": "cabin"}]},
    ("PATCH", "/api/orders/{order_id}/inspection"): {"changes": [
        {"field": "fuel_eighths", "value": 1, "changed_at": "2026-11-30T09:00:00+08:00"}]},
    ("POST", "/api/orders/{order_id}/photos"): {"photo_id": "{new}", "subject": "general",
                                                "content_type": "image/jpeg", "size": 1000},
    # signed documents: B presents a hash of A's document and signs it on A's order
    ("POST", "/api/orders/{order_id}/signatures"): {
        "signature_id": "{new}", "kind": "estimate", "content_hash": "{content_hash}",
        "signer_name": "冒名", "consent": True, "width": 600, "height": 200,
        "strokes": [[[10, 10, 0], [200, 10, 50], [400, 10, 100], [590, 10, 150]]] * 3},
    ("POST", "/api/orders/{order_id}/documents/{kind}/revisions"): {"client_id": "{new}"},
    # old parts (舊品): B names A's order, A's tag code
    ("POST", "/api/parts"): {"tag_id": "{new}", "order_id": "{order_id}", "part_name": "機油濾芯"},
    ("PATCH", "/api/parts/{code}"): {"wish": "dispose", "part_name": "改名"},
    ("POST", "/api/parts/{code}/events"): {"event_id": "{new}", "to": "held", "location": "B-1"},
    ("POST", "/api/parts/moves"): {"codes": ["{code}"], "event": {
        "event_id": "{new}", "to": "kept_as_evidence"}},
    ("POST", "/api/parts/labels"): {"codes": ["{code}"], "layout": "a4"},
    # notifications: B resends A's message, changes its own notification settings
    ("POST", "/api/orders/{order_id}/messages/{message_id}/resend"): {"client_id": "{new}"},
    ("PATCH", "/api/shop/notification-settings"): {"notify_steps": ["ready"]},
    # data rights: B erases A's customer (typing the name seen on a screen), imports its own
    ("POST", "/api/customers/{customer_id}/erasure"): {"client_id": "{new}",
                                                       "confirm_name": "林美玲"},
    # B exports A's customer, follows A's export (its id in the path), imports a file of its own
    ("POST", "/api/exports"): {"job_id": "{new}", "kind": "customer",
                               "customer_id": "{customer_id}"},
    ("POST", "/api/imports/uploads"): {"import_id": "{new}"},
    ("POST", "/api/imports"): {"import_id": "{job_id}"},
    # B follows A's price list import, starts one on A's uploaded file (its id seen on a screen)
    ("POST", "/api/catalogue/imports/uploads"): {"import_id": "{new}", "format": "csv"},
    ("POST", "/api/catalogue/imports"): {"import_id": "{job_id}", "format": "csv",
                                         "dry_run": False},
    # follow-up calls and cases: B records a call on A's order, takes over and closes A's case
    # (a case of A is walked with its real id in tests/integration/test_followups.py)
    ("POST", "/api/orders/{order_id}/followup"): {"client_id": "{new}", "outcome": "no_answer"},
    ("PATCH", "/api/cases/{case_id}"): {"owner_id": "{staff_id}"},
    # the invitation list: B records a call on A's car, sends A's customer an invitation
    ("POST", "/api/invitations/{invitation_id}/contacts"): {"client_id": "{new}",
                                                            "method": "call",
                                                            "outcome": "declined"},
    ("POST", "/api/invitations/{invitation_id}/messages"): {"client_id": "{new}"},
    # LINE both ways: B replies to A's customer (who wrote to A) on LINE
    ("POST", "/api/customers/{customer_id}/conversation"): {"client_id": "{new}",
                                                            "text": "冒名回覆"},
    ("POST", "/api/cases/{case_id}/close"): {"client_id": "{new}", "resolution": "已處理"},
    # online booking: B replaces its own setup (never A's), and cannot see A's page code
    ("PUT", "/api/booking-setup"): {"slot_minutes": 15, "cars_per_slot": 9, "days_ahead": 5,
                                    "notice_hours": 0, "confirm_by_hand": True,
                                    "holidays": ["2026-11-30"], "online": False,
                                    "services": [{"service_id": "b", "zh": "B", "en": "B",
                                                  "minutes": 15}]},
    # the catalogue: B writes A's operation, menu and part keys (into B's own catalogue)
    ("PUT", "/api/catalogue/rates"): {"rates": [{"rate_id": "general", "name": "B", "rate": 1}]},
    ("PUT", "/api/catalogue/operations/{op_code}"): {"name": "B", "hours": 1,
                                                      "rate_id": "general"},
    ("PUT", "/api/catalogue/menus/{menu_id}"): {"name": "B", "items": [
        {"kind": "labour", "code": "{op_code}"}], "price": 1},
    ("PUT", "/api/catalogue/parts/{part_key}"): {"part_number": "04152-YZZA1", "name": "B",
                                                 "grade": "oem", "brand": "TOYOTA", "price": 1},
    ("POST", "/api/catalogue/restore"): {"rows": [{"type": "catalogue_part", "part_number": "B-1",
                                                   "name": "B", "grade": "oem", "price": 1}]},
    # stock: B counts A's kept part, or books goods in on it
    ("PUT", "/api/stock/{part_key}"): {"on_hand": 0, "minimum": 99},
    ("POST", "/api/stock/{part_key}/receipts"): {"client_id": "{new}", "quantity": 50},
    # the checkout: B takes money on A's order, refunds it, lets it go, invoices, voids it
    ("POST", "/api/orders/{order_id}/payments"): {"client_id": "{new}", "method": "cash",
                                                  "amount": 1},
    ("POST", "/api/orders/{order_id}/refunds"): {"client_id": "{new}", "method": "cash",
                                                 "amount": 1, "reason": "B"},
    ("POST", "/api/orders/{order_id}/unpaid-release"): {"reason": "B"},
    ("POST", "/api/orders/{order_id}/invoice"): {"client_id": "{new}", "donation_code": "168001",
                                                 "when": "now"},
    ("POST", "/api/orders/{order_id}/invoice/void"): {"client_id": "{new}", "reason": "B"},
    ("POST", "/api/orders/{order_id}/invoice/allowances"): {"client_id": "{new}", "amount": 1,
                                                            "reason": "B"},
}
QUERIES = {
    "/api/customers": "?phone=0912", "/api/vehicles": "?plate={plate_prefix}",
    "/api/appointments": "?date={date}", "/api/jobs": "?technician_id={staff_id}",
    "/api/appointments/week": "?start={date}", "/api/invoices.csv": "?month=2026-12",
}


def signed_in_routes():
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            if entry.authorizer is not None:
                yield method, path


@pytest.fixture
def shop_a_things(chalice_client):
    shop_a = a_shop(chalice_client, name="A 廠")
    order = an_order(shop_a, state="in_progress", lines=True)
    shop_a.advisor.post(f"/api/orders/{order['order_id']}/dispatch",
                        {"technician_id": shop_a.technician.staff_id})
    customer, vehicle = order["customer"], order["vehicle"]
    appointment = shop_a.advisor.post("/api/appointments", {
        "appointment_id": new_id("appt"), "at": "2026-11-30T09:00:00+08:00",
        "duration_minutes": 60, "purpose": "定期保養", "source": "phone",
        "customer_id": customer["customer_id"], "vehicle_id": vehicle["vehicle_id"]})
    assert appointment.status == 201, appointment.body
    ids = {"order_id": order["order_id"], "line_id": order["lines"][0]["line_id"],
           "customer_id": customer["customer_id"], "vehicle_id": vehicle["vehicle_id"],
           "appointment_id": appointment.body["appointment_id"],
           "staff_id": shop_a.technician.staff_id, "plate": vehicle["plate"],
           "plate_prefix": vehicle["plate"][:3], "date": "2026-11-30", "kind": "authorization",
           "message_id": "checked_in.sms", "case_id": new_id("case"),
           "signature_id": order["signatures"][0]["signature_id"],
           "content_hash": shop_a.advisor.get(
               f"/api/orders/{order['order_id']}/documents/estimate").body["content_hash"]}
    tag = shop_a.technician.post("/api/parts", {"tag_id": new_id("tag"), "part_name": "機油濾芯",
                                                "order_id": order["order_id"]})
    assert tag.status == 201, tag.body
    ids["code"] = tag.body["code"]
    export = shop_a.owner.post("/api/exports", {"job_id": new_id("job"), "kind": "customer",
                                                "customer_id": customer["customer_id"]})
    assert export.status == 202, export.body
    ids["job_id"] = ids["import_id"] = export.body["job_id"]
    tablet = shop_a.owner.post("/api/devices", {"device_id": new_id("tablet"), "name": "櫃台"})
    assert tablet.status == 201, tablet.body
    ids["device_id"] = tablet.body["device_id"]
    ids["booking_url"] = shop_a.owner.get("/api/booking-setup").body["booking_url"]
    from chalicelib.core import clock as times
    due = (times.now() + timedelta(days=5)).date().isoformat()  # on A's invitation list
    listed = shop_a.advisor.patch(f"/api/vehicles/{vehicle['vehicle_id']}",
                                  {"inspection_due_on": due})
    assert listed.status == 200, listed.body
    ids["invitation_id"] = vehicle["vehicle_id"]
    a_catalogue(shop_a)
    ids.update(op_code="OIL", menu_id="altis-10k", part_key="04152YZZA1~TOYOTA")
    from chalicelib.outward import notify  # a message to A's customer, held back by quiet hours
    notify.queue(shop_a.shop_id, ids["order_id"], "checked_in", ["sms"], "text", times.now())
    from chalicelib.outward.notify import chat  # A's customer wrote on LINE: unread
    chat.receive({**customer, "shop_id": shop_a.shop_id}, new_id("line-event"), "text",
                         "我的車好了嗎", 0)
    from chalicelib import models  # A keeps a part of its catalogue in stock
    part = models.part_key("04152-YZZA1", "TOYOTA")
    models.CataloguePart.from_dict({
        **models.CataloguePart.key(shop_a.shop_id, part), "shop_id": shop_a.shop_id,
        "part_key": part, "part_number": "04152-YZZA1", "name": "機油濾芯", "grade": "oem",
        "brand": "TOYOTA", "price": 450, "updated_at": times.now_iso()}).save()
    kept = shop_a.manager.put(f"/api/stock/{part}", {"on_hand": 3, "minimum": 5})
    assert kept.status == 200, kept.body
    ids["part_key"] = part
    return shop_a, ids


def fill(template, ids):
    text = json.dumps(template) if not isinstance(template, str) else template
    for name, value in ids.items():
        text = text.replace("{" + name + "}", value)
    while "{new}" in text:
        text = text.replace("{new}", new_id("b"), 1)
    return json.loads(text) if not isinstance(template, str) else text


def snapshot(shop_a, ids):
    """Everything of A's that a route could touch, as A sees it."""
    return {
        "order": shop_a.owner.get(f"/api/orders/{ids['order_id']}").body,
        "customer": shop_a.owner.get(f"/api/customers/{ids['customer_id']}").body,
        "vehicle": shop_a.owner.get(f"/api/vehicles/{ids['vehicle_id']}").body,
        "appointments": shop_a.owner.get(f"/api/appointments?date={ids['date']}").body,
        "staff": shop_a.owner.get("/api/staff").body,
        "inspection": shop_a.owner.get(f"/api/orders/{ids['order_id']}/inspection").body,
        "settings": shop_a.owner.get("/api/shop/settings").body,
        "conversation": shop_a.owner.get(
            f"/api/customers/{ids['customer_id']}/conversation").body,
        "inbox": shop_a.owner.get("/api/inbox").body,
        "template": shop_a.owner.get("/api/shop/inspection-template").body,
        "final_check": shop_a.owner.get("/api/quality-check").body,
        "part_tag": shop_a.owner.get(f"/api/parts/{ids['code']}").body,
        "devices": shop_a.owner.get("/api/devices").body,
        "booking_setup": shop_a.owner.get("/api/booking-setup").body,
        "week": shop_a.owner.get(f"/api/appointments/week?start={ids['date']}").body,
        "invitations": shop_a.owner.get("/api/invitations").body,
        "catalogue": {name: value for name, value in shop_a.owner.get("/api/catalogue").body.items()
                      if name != "url"},
        "stock": shop_a.owner.get("/api/stock").body,
    }


def test_every_signed_in_route_has_an_example_when_it_takes_a_body():
    from app import api

    with_body = {(route.method, route.path) for route in api.routes
                 if route.body is not None and not route.public}
    assert with_body <= set(BODIES), sorted(with_body - set(BODIES))


@pytest.mark.parametrize("role", ["owner", "technician"])
def test_shop_b_gets_nothing_of_shop_a_on_any_route(chalice_client, shop_a_things, role):
    shop_a, ids = shop_a_things
    before = snapshot(shop_a, ids)
    intruder = a_shop(chalice_client, name="B 廠").as_role(role)
    secrets = [ids[name] for name in ("order_id", "customer_id", "vehicle_id", "appointment_id",
                                      "plate", "line_id", "code", "booking_url", "part_key")] + \
        [before["customer"]["name"]]
    walked = 0
    for method, path in signed_in_routes():
        url = fill(path, ids) + fill(QUERIES.get(path, ""), ids)
        body = fill(BODIES[(method, path)], ids) if (method, path) in BODIES else None
        answer = intruder.request(method, url, body)
        walked += 1
        assert answer.status < 500, (method, path, answer.body)
        if answer.status in (403, 404):
            continue
        shown = answer.body.decode() if isinstance(answer.body, bytes) \
            else json.dumps(answer.body, ensure_ascii=False)  # a file (a CSV) as it reads
        # What B itself sent in the body is not A's to leak; nor is a part's key in B's own path
        # (a maker's part number: B's catalogue may hold the same part as A's).
        sent = (json.dumps(body, ensure_ascii=False) if body else "") + \
            (ids["part_key"] if "{part_key}" in path else "")
        leaked = [secret for secret in secrets if secret in shown and secret not in sent]
        assert not leaked, (method, path, answer.status, leaked)
    assert walked >= 30
    assert snapshot(shop_a, ids) == before
