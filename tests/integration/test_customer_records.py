"""Customer records without duplicates (issue 18): look-ups however a number or plate is typed,
one customer per mobile and one vehicle per plate even when two tablets create at once, the
privacy notice required and marketing consent respected, company customers, merging two records
of one customer, and binding LINE by a QR."""
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import quote

import pytest

from chalicelib import models
from chalicelib.after import portability
from chalicelib.records import customers
from tests.builders import CONSENT, a_customer, a_vehicle, an_order, new_id
from tests.integration.test_links import own_ip  # noqa: F401 (each test a client of its own)
from tests.integration.test_notify import (a_text_event, channels,  # noqa: F401 (fixtures)
                                           provider, signed)
from tests.integration.test_reminders import (DELIVERY_DAY, SERVICE, delivered, run_daily_job,
                                              taipei, vehicle_reminders)

BURST = 8
GOOD_TAX_ID = "04595257"
BAD_TAX_ID = "04595258"


def new_customer(**fields):
    return {"customer_id": new_id("cust"), "name": "陳志明", "mobile": "0912-345-678",
            "channel": "line", "consent": CONSENT, **fields}


def new_vehicle(customer_id, **fields):
    return {"vehicle_id": new_id("veh"), "plate": "ABC-1234", "make": "Honda", "model": "CR-V",
            "fuel": "gasoline", "customer_id": customer_id, **fields}


def burst(calls):
    with ThreadPoolExecutor(max_workers=BURST) as pool:
        return list(pool.map(lambda call: call(), calls))


# --- finding before creating ---

@pytest.mark.parametrize("typed", ["0912345678", "0912-345-678", "+886912345678",
                                   "+886 912 345 678"])
def test_a_customer_is_found_by_their_mobile_however_it_is_typed(shop, typed):
    customer = a_customer(shop, mobile="0912-345-678")
    found = shop.advisor.get(f"/api/customers?phone={quote(typed)}").body["customers"]
    assert [c["customer_id"] for c in found] == [customer["customer_id"]]


@pytest.mark.parametrize("typed", ["ABC1234", "abc-1234", "abc 1234", "ＡＢＣ１２３４"])
def test_a_vehicle_is_found_by_its_plate_however_it_is_typed_and_kept_canonical(shop, typed):
    customer = a_customer(shop)
    made = a_vehicle(shop, customer["customer_id"], plate=typed)
    assert made["plate"] == "ABC-1234"
    found = shop.advisor.get(f"/api/vehicles?plate={quote(typed)}").body["vehicles"]
    assert [(v["vehicle_id"], v["plate"]) for v in found] == [(made["vehicle_id"], "ABC-1234")]


def test_parallel_creates_with_one_mobile_make_one_customer_and_name_it_to_the_rest(shop):
    bodies = [new_customer(name=f"陳{n}", mobile="0912 345 678") for n in range(BURST)]
    answers = burst([lambda body=body: shop.advisor.post("/api/customers", body)
                     for body in bodies])
    made = [answer for answer in answers if answer.status == 201]
    assert len(made) == 1, [answer.body for answer in answers]
    refused = [answer for answer in answers if answer.status != 201]
    assert {(answer.status, answer.error) for answer in refused} == {(409, "mobile_taken")}
    assert all(made[0].body["name"] in answer.body["error"]["message"] for answer in refused)
    found = shop.advisor.get("/api/customers?phone=0912345678").body["customers"]
    assert [c["customer_id"] for c in found] == [made[0].body["customer_id"]]


def test_parallel_creates_with_one_plate_typed_differently_make_one_vehicle(shop):
    owner = a_customer(shop, name="王大明")
    typed = ["ABC1234", "abc-1234", "abc 1234", "ABC-1234"] * 2
    bodies = [new_vehicle(owner["customer_id"], plate=plate) for plate in typed]
    answers = burst([lambda body=body: shop.advisor.post("/api/vehicles", body)
                     for body in bodies])
    assert sorted(answer.status for answer in answers) == [201] + [409] * (BURST - 1)
    refused = [answer for answer in answers if answer.status == 409]
    assert {answer.error for answer in refused} == {"plate_taken"}
    assert all("ABC-1234" in answer.body["error"]["message"]
               and "王大明" in answer.body["error"]["message"] for answer in refused)
    found = shop.advisor.get("/api/vehicles?plate=ABC1234").body["vehicles"]
    assert len(found) == 1


def test_a_changed_number_frees_the_old_one_and_claims_the_new(shop):
    first = a_customer(shop, mobile="0912-345-678")
    path = f"/api/customers/{first['customer_id']}"
    assert shop.advisor.patch(path, {"mobile": "0933-111-222"}).status == 200
    again = shop.advisor.post("/api/customers", new_customer(name="新客戶",
                                                             mobile="0912-345-678"))
    assert again.status == 201, again.body
    taken = shop.advisor.post("/api/customers", new_customer(mobile="0933111222"))
    assert (taken.status, taken.error) == (409, "mobile_taken")


# --- consent on record ---

def test_a_new_customer_without_the_privacy_notice_is_refused(shop):
    body = new_customer()
    body.pop("consent")
    refused = shop.advisor.post("/api/customers", body)
    assert (refused.status, refused.error) == (422, "consent_required")
    assert "個資" in refused.body["error"]["message"]
    assert shop.advisor.get(f"/api/customers/{body['customer_id']}").status == 404


def test_only_the_notice_version_in_force_is_accepted(shop):
    assert customers.NOTICE_VERSION == CONSENT["version"]
    old = shop.advisor.post("/api/customers",
                            new_customer(consent={"version": "2019-01", "method": "tablet"}))
    assert old.status == 422
    assert customers.NOTICE_VERSION in old.body["error"]["message"]


def test_marketing_consent_is_recorded_with_version_time_and_history(shop):
    customer = a_customer(shop, marketing={"agreed": True, "method": "tablet"})
    assert customer["marketing"]["agreed"] is True
    assert customer["marketing"]["version"] == customers.MARKETING_VERSION
    assert customer["marketing"]["at"].endswith("Z")
    changed = shop.advisor.patch(f"/api/customers/{customer['customer_id']}",
                                 {"marketing": {"agreed": False, "method": "phone"}})
    assert changed.status == 200, changed.body
    assert changed.body["marketing"]["agreed"] is False
    assert [m["agreed"] for m in changed.body["marketing_history"]] == [True, False]
    exported = portability.customer_data(shop.shop_id, customer["customer_id"])["customer"]
    assert [m["agreed"] for m in exported["marketing_history"]] == [True, False]
    assert exported["consent_history"][0]["version"] == customers.NOTICE_VERSION


def test_a_customer_who_declined_marketing_gets_no_reminder(shop, clock, chalice_client):
    worn = [(f"tyres.LF.{g}", 1.4) for g in ("inner", "centre", "outer")]
    order = delivered(shop, clock, [SERVICE], walk_values=worn, mileage=42_000)
    customer_id = order["customer"]["customer_id"]
    declined = shop.advisor.patch(f"/api/customers/{customer_id}",
                                  {"marketing": {"agreed": False, "method": "tablet"}})
    assert declined.status == 200, declined.body
    clock.value = taipei(DELIVERY_DAY + timedelta(days=14), 9)
    run_daily_job(chalice_client)
    tyres = vehicle_reminders(shop, order)["tyres"]
    assert tyres["status"] == "no_consent", tyres


# --- company customers and the people who bring the car ---

def test_a_company_customer_keeps_its_tax_id_and_contact_people(shop):
    body = new_customer(name="大明貨運", company={"tax_id": GOOD_TAX_ID, "title": "大明貨運有限公司"},
                        contacts=[{"name": "李司機", "mobile": "0922-333-444", "role": "送修人"},
                                  {"name": "張會計", "role": "會計"}])
    made = shop.advisor.post("/api/customers", body)
    assert made.status == 201, made.body
    assert made.body["company"] == {"tax_id": GOOD_TAX_ID, "title": "大明貨運有限公司"}
    assert made.body["contacts"][0] == {"name": "李司機", "mobile": "+886922333444",
                                        "role": "送修人"}
    path = f"/api/customers/{body['customer_id']}"
    cleared = shop.advisor.patch(path, {"company": None, "contacts": []})
    assert cleared.status == 200 and "company" not in cleared.body
    assert cleared.body["contacts"] == []


def test_a_wrong_tax_id_is_refused(shop):
    refused = shop.advisor.post("/api/customers", new_customer(
        company={"tax_id": BAD_TAX_ID, "title": "某公司"}))
    assert refused.status == 422 and "統一編號" in refused.body["error"]["message"]
    customer = a_customer(shop)
    patched = shop.advisor.patch(f"/api/customers/{customer['customer_id']}",
                                 {"company": {"tax_id": "1234567", "title": "某公司"}})
    assert patched.status == 422


# --- merging two records of one customer ---

def two_records(shop):
    """The same person on file twice: a car and an order under each, consents on each."""
    kept = a_customer(shop, name="林美玲", mobile="0912-345-678")
    other = a_customer(shop, name="林美玲", mobile="0933-111-222",
                       marketing={"agreed": True, "method": "paper"})
    car = a_vehicle(shop, other["customer_id"], plate="XYZ-5678")
    order = shop.advisor.post("/api/orders", {
        "order_id": new_id("ord"), "customer_id": other["customer_id"],
        "vehicle_id": car["vehicle_id"], "concerns": ["異音"]})
    assert order.status == 201, order.body
    return kept, other, car, order.body


def test_a_merge_moves_cars_orders_and_consents_and_leaves_a_tombstone(shop):
    kept, other, car, order = two_records(shop)
    merged = shop.manager.post(f"/api/customers/{kept['customer_id']}/merge",
                               {"from_customer_id": other["customer_id"]})
    assert merged.status == 200, merged.body
    assert [v["vehicle_id"] for v in merged.body["vehicles"]] == [car["vehicle_id"]]
    assert len(merged.body["consent_history"]) == 2
    assert merged.body["marketing"]["agreed"] is True
    assert shop.advisor.get(f"/api/vehicles/{car['vehicle_id']}").body["customer_id"] == \
        kept["customer_id"]
    header = models.Order.read(models.order_key(shop.shop_id, order["order_id"]))
    assert header["customer"]["customer_id"] == kept["customer_id"]
    data = portability.customer_data(shop.shop_id, kept["customer_id"])
    assert [o["order_id"] for o in data["orders"]] == [order["order_id"]]
    tombstone = shop.advisor.get(f"/api/customers/{other['customer_id']}").body
    assert tombstone["merged_into"] == kept["customer_id"]
    assert shop.advisor.get("/api/customers?phone=0933111222").body == \
        {"customers": []}
    refused = shop.advisor.patch(f"/api/customers/{other['customer_id']}", {"name": "x"})
    assert (refused.status, refused.error) == (409, "customer_merged")


def test_a_merge_retried_answers_the_same_and_moves_nothing_twice(shop):
    kept, other, car, _ = two_records(shop)
    path = f"/api/customers/{kept['customer_id']}/merge"
    first = shop.owner.post(path, {"from_customer_id": other["customer_id"]})
    again = shop.owner.post(path, {"from_customer_id": other["customer_id"]})
    assert first.status == again.status == 200
    assert again.body["consent_history"] == first.body["consent_history"]
    assert again.body["vehicles"] == first.body["vehicles"]


def test_parallel_merges_of_one_pair_end_in_one_merge(shop):
    kept, other, car, order = two_records(shop)
    path = f"/api/customers/{kept['customer_id']}/merge"
    answers = burst([lambda: shop.manager.post(path, {"from_customer_id": other["customer_id"]})
                     for _ in range(BURST)])
    assert {answer.status for answer in answers} == {200}, [a.body for a in answers]
    final = shop.manager.get(f"/api/customers/{kept['customer_id']}").body
    assert len(final["consent_history"]) == 2
    assert [v["vehicle_id"] for v in final["vehicles"]] == [car["vehicle_id"]]
    marks = list(models.CustomerOrder.query(
        models.customer_key(shop.shop_id, kept["customer_id"])["pk"],
        models.Item.sk.startswith(models.CUSTOMER_ORDER_PREFIX)))
    assert [mark.order_id for mark in marks] == [order["order_id"]]


def test_merging_a_into_b_and_b_into_a_at_once_lets_one_win(shop):
    a, b, _, _ = two_records(shop)
    answers = burst([
        lambda: shop.manager.post(f"/api/customers/{a['customer_id']}/merge",
                                  {"from_customer_id": b["customer_id"]}),
        lambda: shop.owner.post(f"/api/customers/{b['customer_id']}/merge",
                                {"from_customer_id": a["customer_id"]})])
    assert sorted(answer.status for answer in answers) == [200, 409], \
        [answer.body for answer in answers]
    tombstones = [shop.owner.get(f"/api/customers/{c['customer_id']}").body.get("merged_into")
                  for c in (a, b)]
    assert sum(1 for tombstone in tombstones if tombstone) == 1


def test_a_merge_races_a_change_of_the_kept_customer_and_keeps_both(shop):
    kept, other, _, _ = two_records(shop)
    path = f"/api/customers/{kept['customer_id']}"
    answers = burst([
        lambda: shop.manager.post(f"{path}/merge", {"from_customer_id": other["customer_id"]}),
        *[lambda n=n: shop.advisor.patch(path, {"notes": f"第 {n} 次"}) for n in range(4)]])
    assert {answer.status for answer in answers} == {200}, [a.body for a in answers]
    final = shop.manager.get(path).body
    assert len(final["consent_history"]) == 2 and final["notes"].startswith("第")


def test_only_owners_and_managers_merge_and_never_a_customer_into_itself(shop):
    kept, other, _, _ = two_records(shop)
    path = f"/api/customers/{kept['customer_id']}/merge"
    refused = shop.advisor.post(path, {"from_customer_id": other["customer_id"]})
    assert refused.status == 403
    itself = shop.manager.post(path, {"from_customer_id": kept["customer_id"]})
    assert (itself.status, itself.error) == (422, "same_customer")
    missing = shop.manager.post(path, {"from_customer_id": new_id("cust")})
    assert missing.status == 404


def test_a_merged_customer_takes_no_new_vehicle(shop):
    kept, other, _, _ = two_records(shop)
    shop.manager.post(f"/api/customers/{kept['customer_id']}/merge",
                      {"from_customer_id": other["customer_id"]})
    refused = shop.advisor.post("/api/vehicles", new_vehicle(other["customer_id"],
                                                             plate="QQQ-1111"))
    assert (refused.status, refused.error) == (409, "customer_merged")


def test_an_order_of_the_merged_customer_still_opens_from_the_kept_one(shop):
    order = an_order(shop)
    kept = a_customer(shop, name="林美玲")
    merged = shop.manager.post(f"/api/customers/{kept['customer_id']}/merge",
                               {"from_customer_id": order["customer"]["customer_id"]})
    assert merged.status == 200, merged.body
    opened = shop.advisor.get(f"/api/orders/{order['order_id']}")
    assert opened.status == 200
    assert opened.body["customer"]["customer_id"] == kept["customer_id"]


# --- LINE by QR ---

def test_the_line_link_comes_with_a_qr_the_tablet_shows(shop):
    customer = a_customer(shop)
    link = shop.advisor.get(f"/api/customers/{customer['customer_id']}/line-link")
    assert link.status == 200, link.body
    assert link.body["qr_svg"].lstrip().startswith(("<?xml", "<svg"))
    assert link.body["code"] in link.body["url"] or "%E7%B6%81" in link.body["url"]


def test_once_the_code_from_the_qr_is_sent_the_customer_shows_line_linked(channels, shop):
    customer = a_customer(shop)
    path = f"/api/customers/{customer['customer_id']}"
    assert "line_linked_at" not in shop.advisor.get(path).body
    link = shop.advisor.get(f"{path}/line-link").body
    body = a_text_event(f"綁定通知 {link['code']}")
    sent = shop.anonymous.post("/api/line/webhook", raw=body,
                               headers={"x-line-signature": signed(body)})
    assert sent.status == 200 and sent.body["linked"] == 1
    shown = shop.advisor.get(path).body
    assert shown["line_linked_at"].endswith("Z")
    assert "line_user_id" not in shown  # LINE's id for the person stays on the server
