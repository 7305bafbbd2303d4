"""Customers and vehicles (docs/api.md): look-ups as typed, one plate per shop, owners over
time, mileage readings, who may write, replays and bad input."""
import pytest

from chalicelib import models
from chalicelib.core import aws
from tests.builders import CONSENT, a_customer, a_shop, a_vehicle, new_id

WRITERS = ("owner", "manager", "advisor")


def customer_body(**fields):
    return {"customer_id": new_id("cust"), "name": "陳志明", "mobile": "0912-345-678",
            "channel": "line", "consent": CONSENT, **fields}


def vehicle_body(customer_id, **fields):
    return {"vehicle_id": new_id("veh"), "plate": "abc 1234", "make": "Honda", "model": "CR-V",
            "fuel": "gasoline", "customer_id": customer_id, **fields}


# --- customers ---

def test_a_customer_is_created_with_a_normalised_mobile_and_consent_stamped_by_the_server(shop):
    body = customer_body(email=" Chen@Example.TW ", notes="喜歡早上來",
                         consent={"version": "2026-01", "method": "tablet"})
    answer = shop.advisor.post("/api/customers", body)
    assert answer.status == 201
    customer = answer.body
    assert customer["mobile"] == "+886912345678"
    assert customer["email"] == "chen@example.tw"
    assert customer["channel"] == "line" and customer["notes"] == "喜歡早上來"
    assert customer["consent"]["version"] == "2026-01"
    assert customer["consent"]["method"] == "tablet"
    assert customer["consent"]["at"].endswith("Z")
    assert customer["consent"]["by"]["staff_id"] == shop.advisor.staff_id
    assert shop.technician.get(f"/api/customers/{body['customer_id']}").body == \
        {**customer, "vehicles": []}


@pytest.mark.parametrize("role", WRITERS)
def test_front_desk_roles_may_create_and_change_customers(shop, role):
    body = customer_body()
    assert shop.as_role(role).post("/api/customers", body).status == 201
    changed = shop.as_role(role).patch(f"/api/customers/{body['customer_id']}", {"notes": "VIP"})
    assert changed.status == 200 and changed.body["notes"] == "VIP"


def test_a_technician_cannot_create_or_change_a_customer(shop):
    body = customer_body()
    refused = shop.technician.post("/api/customers", body)
    assert refused.status == 403 and refused.error == "forbidden"
    assert shop.owner.get(f"/api/customers/{body['customer_id']}").status == 404
    customer = a_customer(shop)
    refused = shop.technician.patch(f"/api/customers/{customer['customer_id']}", {"name": "x"})
    assert refused.status == 403
    assert shop.owner.get(f"/api/customers/{customer['customer_id']}").body["name"] == "林美玲"


def test_nobody_signed_in_reads_no_customer(shop):
    customer = a_customer(shop)
    assert shop.anonymous.get(f"/api/customers/{customer['customer_id']}").status == 401
    assert shop.anonymous.get("/api/customers?phone=0912").status == 401


def test_a_replayed_customer_create_changes_nothing_and_answers_the_same(shop):
    body = customer_body()
    first = shop.advisor.post("/api/customers", body)
    again = shop.manager.post("/api/customers", {**body, "name": "改過的名字"})
    assert again.status == 201 and again.body == first.body
    found = shop.advisor.get("/api/customers?phone=0912345678").body["customers"]
    assert [c["customer_id"] for c in found] == [body["customer_id"]]


@pytest.mark.parametrize("change, code", [
    ({"nickname": "阿明"}, "validation"),                  # unknown field
    ({"name": 42}, "validation"),                          # wrong type
    ({"name": "林" * 101}, "validation"),                  # oversize
    ({"name": "   "}, "validation"),                       # blank once trimmed
    ({"mobile": "12345"}, "validation"),                   # not a Taiwan number
    ({"mobile": None}, "validation"),
    ({"email": "not-an-email"}, "validation"),
    ({"channel": "fax"}, "validation"),
    ({"channel": "sms", "mobile": "02-2345-6789"}, "validation"),  # SMS needs a mobile
    ({"channel": "line", "mobile": "02-2345-6789"}, "validation"),
    ({"notes": "x" * 2001}, "validation"),
    ({"consent": {"version": "1"}}, "validation"),
    ({"consent": {"version": "1", "method": "tablet", "at": "2020-01-01T00:00:00Z"}},
     "validation"),                                        # `at` is the server's
])
def test_bad_customer_input_is_refused_and_nothing_is_stored(shop, change, code):
    body = customer_body(**change)
    answer = shop.advisor.post("/api/customers", body)
    assert answer.status == 422 and answer.error == code
    assert answer.body["error"]["message"]
    assert shop.advisor.get(f"/api/customers/{body['customer_id']}").status == 404


def test_a_bad_customer_id_or_body_is_refused(shop):
    assert shop.advisor.post("/api/customers", customer_body(customer_id="short")).status == 422
    assert shop.advisor.post("/api/customers", raw="{not json").error == "malformed_json"
    assert shop.advisor.post("/api/customers", ["a list"]).status == 422


def test_a_landline_customer_is_fine_without_notifications(shop):
    customer = a_customer(shop, mobile="02-2345-6789", channel="none")
    assert customer["mobile"] == "+886223456789"


def test_errors_are_in_chinese_unless_english_is_asked_for(shop):
    zh = shop.advisor.post("/api/customers", customer_body(channel="sms", mobile="02-2345-6789"))
    assert "手機" in zh.body["error"]["message"]
    shop.advisor.language = "en"
    en = shop.advisor.post("/api/customers", customer_body(channel="sms", mobile="02-2345-6789"))
    assert "mobile" in en.body["error"]["message"]


def test_customers_are_found_by_the_digits_typed_so_far_within_the_shop(shop, chalice_client):
    chen = a_customer(shop, name="陳先生", mobile="0912-345-678")
    lin = a_customer(shop, name="林小姐", mobile="0912-888-111")
    office = a_customer(shop, name="王公司", mobile="02-2345-6789", channel="none")
    other_shop = a_shop(chalice_client)
    a_customer(other_shop, mobile="0912-345-678")

    def found(typed):
        answer = shop.technician.get(f"/api/customers?phone={typed}")
        assert answer.status == 200
        return sorted(c["customer_id"] for c in answer.body["customers"])

    assert found("0912") == sorted([chen["customer_id"], lin["customer_id"]])
    assert found("0912-345") == [chen["customer_id"]]
    assert found("%2B886912888") == [lin["customer_id"]]
    assert found("02-2345") == [office["customer_id"]]
    assert found("0933") == []


def test_a_second_customer_with_a_number_already_on_file_is_refused_naming_the_first(shop):
    first = a_customer(shop, name="陳志明", mobile="0912-345-678")
    again = customer_body(name="陳志明", mobile="0912345678")
    refused = shop.advisor.post("/api/customers", again)
    assert (refused.status, refused.error) == (409, "mobile_taken"), refused.body
    assert "陳志明" in refused.body["error"]["message"]
    assert "0912-345-678" in refused.body["error"]["message"]
    assert shop.advisor.get(f"/api/customers/{again['customer_id']}").status == 404
    found = shop.advisor.get("/api/customers?phone=0912345678").body["customers"]
    assert [c["customer_id"] for c in found] == [first["customer_id"]]
    shop.advisor.language = "en"
    english = shop.advisor.post("/api/customers", again)
    assert "already" in english.body["error"]["message"]


def test_a_number_cannot_be_moved_onto_another_customer(shop):
    first = a_customer(shop, mobile="0912-345-678")
    second = a_customer(shop, name="王小姐", mobile="0933-111-222")
    path = f"/api/customers/{second['customer_id']}"
    refused = shop.advisor.patch(path, {"mobile": "0912 345 678"})
    assert (refused.status, refused.error) == (409, "mobile_taken"), refused.body
    assert shop.advisor.get(path).body["mobile"] == "+886933111222"
    own = shop.advisor.patch(f"/api/customers/{first['customer_id']}",
                             {"mobile": "0912-345-678", "notes": "同一支手機"})
    assert own.status == 200 and own.body["notes"] == "同一支手機"


@pytest.mark.parametrize("typed", ["abc", "0", "", "0912345678901234567890123456789"])
def test_a_phone_look_up_needs_digits(shop, typed):
    assert shop.advisor.get(f"/api/customers?phone={typed}").status == 422
    assert shop.advisor.get("/api/customers").status == 422


def test_changing_the_mobile_moves_the_look_up_and_name_follows_onto_vehicles(shop):
    customer = a_customer(shop)
    vehicle = a_vehicle(shop, customer["customer_id"])
    changed = shop.advisor.patch(f"/api/customers/{customer['customer_id']}",
                                 {"mobile": "0933 111 222", "name": "林美玲（改）",
                                  "email": "lin@example.tw"})
    assert changed.status == 200
    assert changed.body["mobile"] == "+886933111222" and changed.body["email"] == "lin@example.tw"
    assert shop.advisor.get("/api/customers?phone=0912").body["customers"] == []
    assert [c["customer_id"] for c in
            shop.advisor.get("/api/customers?phone=0933").body["customers"]] == \
        [customer["customer_id"]]
    found = shop.advisor.get("/api/vehicles?plate=ABC").body["vehicles"]
    assert [v["customer_name"] for v in found] == ["林美玲（改）"]
    assert shop.advisor.get(f"/api/vehicles/{vehicle['vehicle_id']}").body["customer_name"] == \
        "林美玲（改）"
    cleared = shop.advisor.patch(f"/api/customers/{customer['customer_id']}", {"email": None})
    assert "email" not in cleared.body


def test_a_patch_cannot_leave_sms_on_a_landline(shop):
    customer = a_customer(shop, channel="sms")
    refused = shop.advisor.patch(f"/api/customers/{customer['customer_id']}",
                                 {"mobile": "02-2345-6789"})
    assert refused.status == 422
    assert shop.advisor.get(f"/api/customers/{customer['customer_id']}").body["mobile"] == \
        "+886912345678"
    moved = shop.advisor.patch(f"/api/customers/{customer['customer_id']}",
                               {"mobile": "02-2345-6789", "channel": "none"})
    assert moved.status == 200 and moved.body["channel"] == "none"


def test_a_new_consent_replaces_the_shown_one_and_the_history_keeps_both(shop):
    customer = a_customer(shop, consent={"version": "2026-01", "method": "paper"})
    changed = shop.advisor.patch(f"/api/customers/{customer['customer_id']}",
                                 {"consent": {"version": "2026-01", "method": "tablet"}})
    assert changed.body["consent"]["method"] == "tablet"
    assert changed.body["consent"]["at"] >= customer["consent"]["at"]
    assert [c["method"] for c in changed.body["consent_history"]] == ["paper", "tablet"]


def test_another_shops_customer_is_not_found(shop, chalice_client):
    other = a_shop(chalice_client)
    theirs = a_customer(other)
    path = f"/api/customers/{theirs['customer_id']}"
    assert shop.owner.get(path).status == 404
    assert shop.owner.patch(path, {"notes": "x"}).status == 404
    assert other.owner.get(path).body["notes"] == ""


# --- vehicles ---

def test_a_vehicle_is_created_with_a_normalised_plate_vin_and_first_reading(shop):
    customer = a_customer(shop)
    body = vehicle_body(customer["customer_id"], vin="jhmrw2h50kx000001", year=2019,
                        colour="珍珠白", mileage_km=52000)
    answer = shop.advisor.post("/api/vehicles", body)
    assert answer.status == 201
    vehicle = answer.body
    assert vehicle["plate"] == "ABC-1234" and vehicle["vin"] == "JHMRW2H50KX000001"
    assert vehicle["customer_name"] == "林美玲"
    assert vehicle["mileage"]["km"] == 52000 and vehicle["mileage"]["source"] == "reception"
    page = shop.technician.get(f"/api/vehicles/{body['vehicle_id']}").body
    assert page["mileage_history"] == [vehicle["mileage"]]
    assert page["owners"] == [{"customer_id": customer["customer_id"], "customer_name": "林美玲",
                               "from": vehicle["created_at"]}]
    assert page["orders"] == []
    owned = shop.advisor.get(f"/api/customers/{customer['customer_id']}").body["vehicles"]
    assert [v["vehicle_id"] for v in owned] == [body["vehicle_id"]]


@pytest.mark.parametrize("role", WRITERS)
def test_front_desk_roles_may_create_and_change_vehicles(shop, role):
    customer = a_customer(shop)
    body = vehicle_body(customer["customer_id"], plate=f"AB-{1000 + WRITERS.index(role)}")
    assert shop.as_role(role).post("/api/vehicles", body).status == 201
    changed = shop.as_role(role).patch(f"/api/vehicles/{body['vehicle_id']}", {"colour": "黑"})
    assert changed.status == 200 and changed.body["colour"] == "黑"


def test_a_technician_cannot_create_change_or_hand_over_a_vehicle(shop):
    customer = a_customer(shop)
    body = vehicle_body(customer["customer_id"])
    assert shop.technician.post("/api/vehicles", body).status == 403
    assert shop.advisor.get(f"/api/vehicles/{body['vehicle_id']}").status == 404
    vehicle = a_vehicle(shop, customer["customer_id"])
    path = f"/api/vehicles/{vehicle['vehicle_id']}"
    assert shop.technician.patch(path, {"model": "x"}).status == 403
    other = a_customer(shop, name="別人")
    assert shop.technician.post(f"{path}/owner", {"customer_id": other["customer_id"]}).status \
        == 403
    assert shop.advisor.get(path).body["model"] == "Altis"


def test_a_replayed_vehicle_create_changes_nothing_and_answers_the_same(shop):
    customer = a_customer(shop)
    body = vehicle_body(customer["customer_id"], mileage_km=1000)
    first = shop.advisor.post("/api/vehicles", body)
    again = shop.advisor.post("/api/vehicles", body)
    assert again.status == 201 and again.body == first.body
    page = shop.advisor.get(f"/api/vehicles/{body['vehicle_id']}").body
    assert len(page["mileage_history"]) == 1 and len(page["owners"]) == 1


def test_one_shop_cannot_have_two_vehicles_with_one_plate(shop):
    customer = a_customer(shop)
    a_vehicle(shop, customer["customer_id"], plate="ABC-1234")
    duplicate = vehicle_body(customer["customer_id"], plate="abc1234")
    answer = shop.advisor.post("/api/vehicles", duplicate)
    assert answer.status == 409 and answer.error == "plate_taken"
    assert "ABC-1234" in answer.body["error"]["message"]
    assert "林美玲" in answer.body["error"]["message"]  # the owner of the car on file
    assert shop.advisor.get(f"/api/vehicles/{duplicate['vehicle_id']}").status == 404
    assert len(shop.advisor.get("/api/vehicles?plate=ABC1234").body["vehicles"]) == 1


def test_another_shop_may_have_the_same_plate_and_never_sees_ours(shop, chalice_client):
    ours = a_vehicle(shop, a_customer(shop)["customer_id"], plate="ABC-1234")
    other = a_shop(chalice_client)
    theirs = a_vehicle(other, a_customer(other)["customer_id"], plate="ABC-1234")
    def found(client):
        return [v["vehicle_id"] for v in client.get("/api/vehicles?plate=ABC").body["vehicles"]]

    assert found(shop.advisor) == [ours["vehicle_id"]]
    assert found(other.advisor) == [theirs["vehicle_id"]]
    path = f"/api/vehicles/{theirs['vehicle_id']}"
    assert shop.owner.get(path).status == 404
    assert shop.owner.patch(path, {"colour": "紅"}).status == 404
    assert shop.owner.post(f"{path}/mileage", {"km": 10, "source": "manual"}).status == 404
    assert shop.owner.post(f"{path}/owner", {"customer_id": new_id("cust")}).status == 404


def test_a_vehicle_needs_a_customer_of_the_same_shop(shop, chalice_client):
    other = a_shop(chalice_client)
    theirs = a_customer(other)
    body = vehicle_body(theirs["customer_id"])
    answer = shop.advisor.post("/api/vehicles", body)
    assert answer.status == 404 and answer.error == "not_found"
    assert shop.advisor.get("/api/vehicles?plate=ABC").body["vehicles"] == []
    # the plate was not claimed by the refused create
    a_vehicle(shop, a_customer(shop)["customer_id"], plate="ABC-1234")


@pytest.mark.parametrize("change", [
    {"plate": "ABCDE-1"}, {"plate": "車牌"}, {"plate": "5A1234"}, {"plate": "A" * 21},
    {"vin": "JHMRW2H50KX00000"}, {"vin": "JHMRW2H50KX0000O1"},
    {"year": 1949}, {"year": 2200}, {"year": "2019"},
    {"fuel": "coal"}, {"make": ""}, {"model": "x" * 61},
    {"mileage_km": -1}, {"mileage_km": "52000"}, {"mileage_km": 1.5},
    {"colour": "藍" * 31}, {"owner": "x"}, {"customer_id": None},
])
def test_bad_vehicle_input_is_refused_and_nothing_is_stored(shop, change):
    customer = a_customer(shop)
    body = {**vehicle_body(customer["customer_id"]), **change}
    answer = shop.advisor.post("/api/vehicles", body)
    assert answer.status == 422 and answer.error == "validation", answer.body
    assert shop.advisor.get(f"/api/vehicles/{body['vehicle_id']}").status == 404
    assert shop.advisor.get(f"/api/customers/{customer['customer_id']}").body["vehicles"] == []


def test_a_bad_plate_is_explained_with_an_example(shop):
    answer = shop.advisor.post("/api/vehicles",
                               vehicle_body(a_customer(shop)["customer_id"], plate="12"))
    assert "車牌" in answer.body["error"]["message"]
    assert "ABC-1234" in answer.body["error"]["message"]


def test_vehicles_are_found_by_the_plate_typed_so_far(shop):
    customer = a_customer(shop)
    altis = a_vehicle(shop, customer["customer_id"], plate="ABC-1234")
    rav4 = a_vehicle(shop, customer["customer_id"], plate="ABC-5678")
    fit = a_vehicle(shop, customer["customer_id"], plate="1234-AB")

    def found(typed):
        answer = shop.technician.get(f"/api/vehicles?plate={typed}")
        assert answer.status == 200
        return sorted(v["vehicle_id"] for v in answer.body["vehicles"])

    assert found("ABC") == sorted([altis["vehicle_id"], rav4["vehicle_id"]])
    assert found("abc12") == [altis["vehicle_id"]]
    assert found("ABC-12") == [altis["vehicle_id"]]
    assert found("1234") == [fit["vehicle_id"]]
    assert found("XYZ") == []
    hit = shop.technician.get("/api/vehicles?plate=ABC-1234").body["vehicles"][0]
    assert hit["customer_name"] == "林美玲" and hit["plate"] == "ABC-1234"


def test_a_plate_look_up_returns_at_most_twenty(shop):
    customer = a_customer(shop)
    for number in range(21):
        a_vehicle(shop, customer["customer_id"], plate=f"AAA-{1000 + number}")
    assert len(shop.advisor.get("/api/vehicles?plate=AAA").body["vehicles"]) == 20


@pytest.mark.parametrize("typed", ["", "AB%231", "ABCDEFGHJ"])
def test_a_plate_look_up_refuses_what_no_plate_begins_with(shop, typed):
    assert shop.advisor.get(f"/api/vehicles?plate={typed}").status == 422


def test_a_vehicle_patch_changes_only_what_is_sent(shop):
    vehicle = a_vehicle(shop, a_customer(shop)["customer_id"], year=2018, colour="白")
    path = f"/api/vehicles/{vehicle['vehicle_id']}"
    changed = shop.advisor.patch(path, {"fuel": "hybrid", "vin": "jtdbr32e720123456",
                                        "colour": None})
    assert changed.status == 200
    assert changed.body["fuel"] == "hybrid" and changed.body["vin"] == "JTDBR32E720123456"
    assert "colour" not in changed.body and changed.body["year"] == 2018
    assert changed.body["plate"] == "ABC-1234" and changed.body["make"] == "Toyota"
    for bad in ({"plate": "XYZ-9999"}, {"make": None}, {"vin": "too short"}, {"year": 3000}):
        refused = shop.advisor.patch(path, bad)
        assert refused.status == 422, bad
    assert shop.advisor.get(path).body["fuel"] == "hybrid"
    assert shop.advisor.patch(f"/api/vehicles/{new_id('veh')}", {"colour": "紅"}).status == 404


def test_a_new_owner_takes_the_vehicle_and_its_history_stays(shop):
    first = a_customer(shop, name="陳先生")
    second = a_customer(shop, name="王小姐", mobile="0922-000-111")
    vehicle = a_vehicle(shop, first["customer_id"], mileage_km=80000)
    path = f"/api/vehicles/{vehicle['vehicle_id']}"
    moved = shop.advisor.post(f"{path}/owner", {"customer_id": second["customer_id"]})
    assert moved.status == 200
    assert moved.body["customer_id"] == second["customer_id"]
    assert moved.body["customer_name"] == "王小姐"
    again = shop.advisor.post(f"{path}/owner", {"customer_id": second["customer_id"]})
    assert again.status == 200 and again.body == moved.body
    page = shop.advisor.get(path).body
    assert [o["customer_id"] for o in page["owners"]] == [second["customer_id"],
                                                          first["customer_id"]]
    assert page["mileage_history"][0]["km"] == 80000
    assert shop.advisor.get(f"/api/customers/{first['customer_id']}").body["vehicles"] == []
    assert [v["vehicle_id"] for v in
            shop.advisor.get(f"/api/customers/{second['customer_id']}").body["vehicles"]] == \
        [vehicle["vehicle_id"]]
    assert shop.advisor.get("/api/vehicles?plate=ABC").body["vehicles"][0]["customer_name"] == \
        "王小姐"


def test_a_vehicle_cannot_go_to_an_unknown_customer(shop):
    vehicle = a_vehicle(shop, a_customer(shop)["customer_id"])
    answer = shop.advisor.post(f"/api/vehicles/{vehicle['vehicle_id']}/owner",
                               {"customer_id": new_id("cust")})
    assert answer.status == 404
    assert len(shop.advisor.get(f"/api/vehicles/{vehicle['vehicle_id']}").body["owners"]) == 1


def test_every_mileage_reading_is_kept_with_its_date_and_source(shop):
    vehicle = a_vehicle(shop, a_customer(shop)["customer_id"], mileage_km=10000)
    path = f"/api/vehicles/{vehicle['vehicle_id']}"
    first = shop.technician.post(f"{path}/mileage", {"km": 10500, "source": "walkaround"})
    assert first.status == 200 and first.body["mileage"]["km"] == 10500
    same = shop.technician.post(f"{path}/mileage", {"km": 10500, "source": "manual"})
    assert same.status == 200
    history = shop.advisor.get(path).body["mileage_history"]
    assert [(r["km"], r["source"]) for r in history] == \
        [(10500, "manual"), (10500, "walkaround"), (10000, "reception")]
    assert all(r["at"].endswith("Z") for r in history)


def test_a_lower_reading_is_refused_unless_confirmed(shop):
    vehicle = a_vehicle(shop, a_customer(shop)["customer_id"], mileage_km=120000)
    path = f"/api/vehicles/{vehicle['vehicle_id']}"
    refused = shop.advisor.post(f"{path}/mileage", {"km": 500, "source": "manual"})
    assert refused.status == 409 and refused.error == "conflict"
    assert "里程" in refused.body["error"]["message"]
    assert shop.advisor.get(path).body["mileage"]["km"] == 120000
    assert len(shop.advisor.get(path).body["mileage_history"]) == 1
    confirmed = shop.advisor.post(f"{path}/mileage",
                                  {"km": 500, "source": "manual", "confirm_lower": True})
    assert confirmed.status == 200 and confirmed.body["mileage"]["km"] == 500
    assert [r["km"] for r in shop.advisor.get(path).body["mileage_history"]] == [500, 120000]


@pytest.mark.parametrize("reading", [
    {"km": -1, "source": "manual"}, {"km": "100", "source": "manual"},
    {"km": 100, "source": "guess"}, {"km": 100}, {"km": 100, "source": "manual", "note": "x"},
    {"km": 3_000_001, "source": "manual"}, {"km": True, "source": "manual"},
    {"km": 100, "source": "manual", "confirm_lower": "yes"},
])
def test_bad_mileage_input_is_refused(shop, reading):
    vehicle = a_vehicle(shop, a_customer(shop)["customer_id"])
    answer = shop.advisor.post(f"/api/vehicles/{vehicle['vehicle_id']}/mileage", reading)
    assert answer.status == 422
    assert "mileage" not in shop.advisor.get(f"/api/vehicles/{vehicle['vehicle_id']}").body


def test_mileage_of_an_unknown_vehicle_is_not_found(shop):
    answer = shop.technician.post(f"/api/vehicles/{new_id('veh')}/mileage",
                                  {"km": 1, "source": "manual"})
    assert answer.status == 404


def test_record_mileage_refuses_what_the_route_would_refuse(shop):
    from chalicelib.api import Caller
    from chalicelib.core.errors import Unprocessable
    from chalicelib.records.vehicles import record_mileage

    vehicle = a_vehicle(shop, a_customer(shop)["customer_id"])
    caller = Caller(shop.shop_id, shop.technician.staff_id, "technician", "技師")
    with pytest.raises(Unprocessable):
        record_mileage(caller, vehicle["vehicle_id"], -5, "manual")
    with pytest.raises(Unprocessable):
        record_mileage(caller, vehicle["vehicle_id"], 5, "guess")
    assert record_mileage(caller, vehicle["vehicle_id"], 5, "reception")["mileage"]["km"] == 5


def test_a_vehicles_page_lists_its_orders_newest_first(shop):
    customer = a_customer(shop)
    vehicle = a_vehicle(shop, customer["customer_id"])
    other = a_vehicle(shop, customer["customer_id"], plate="XYZ-9999")
    made = []
    for vehicle_id in (vehicle["vehicle_id"], other["vehicle_id"], vehicle["vehicle_id"]):
        if made and vehicle_id == vehicle["vehicle_id"]:  # a car has one open order at a time
            cancelled = shop.advisor.post(f"/api/orders/{made[0]['order_id']}/transitions",
                                          {"to": "cancelled", "client_id": new_id("step")})
            assert cancelled.status == 200, cancelled.body
        answer = shop.advisor.post("/api/orders", {"order_id": new_id("order"),
                                                   "customer_id": customer["customer_id"],
                                                   "vehicle_id": vehicle_id})
        assert answer.status == 201, answer.body
        made.append(answer.body)
    page = shop.advisor.get(f"/api/vehicles/{vehicle['vehicle_id']}").body
    assert [o["order_id"] for o in page["orders"]] == [made[2]["order_id"], made[0]["order_id"]]
    newest = page["orders"][0]
    assert set(newest) >= {"order_id", "number", "state", "created_at", "totals", "plate",
                           "make", "model", "customer_name", "waits_in_shop", "total"}
    assert newest["state"] == "checked_in" and newest["number"] == made[2]["number"]
    assert newest["plate"] == "ABC-1234" and newest["customer_name"] == "林美玲"


def test_lookups_read_with_queries_only(shop, monkeypatch):
    """No Scan on a request path: the table's scan is made to fail."""
    customer = a_customer(shop)
    vehicle = a_vehicle(shop, customer["customer_id"])
    table = aws.table()

    def no_scan(**kwargs):
        raise AssertionError("a Scan on a request path")

    monkeypatch.setattr(type(table), "scan", lambda self, **kw: no_scan(**kw), raising=False)
    assert shop.advisor.get("/api/vehicles?plate=ABC").status == 200
    assert shop.advisor.get("/api/customers?phone=0912").status == 200
    assert shop.advisor.get(f"/api/customers/{customer['customer_id']}").status == 200
    assert shop.advisor.get(f"/api/vehicles/{vehicle['vehicle_id']}").status == 200


def test_the_plate_claim_names_the_vehicle_that_holds_it(shop):
    vehicle = a_vehicle(shop, a_customer(shop)["customer_id"], plate="AB-123")
    claim = aws.table().get_item(Key=models.PlateClaim.key(shop.shop_id, "AB-123"))["Item"]
    assert claim["vehicle_id"] == vehicle["vehicle_id"]
