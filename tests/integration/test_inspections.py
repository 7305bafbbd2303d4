"""The walk-around through the API on DynamoDB Local: who may do what, field-by-field merging of
two tablets, the freeze at authorization, mileage, the shop's settings and checklist, and bad
input refused with nothing stored."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.work import inspections
from chalicelib.api import Caller
from tests.builders import a_signature, an_order, new_id

BASE = datetime(2026, 6, 15, 1, 0, tzinfo=timezone.utc)


def at(seconds: float) -> str:
    return (BASE + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def changes(*items, seconds=0):
    """`(field, value)` pairs as one PATCH body, a second apart from `seconds`."""
    return {"changes": [{"field": field, "value": value, "changed_at": at(seconds + n)}
                        for n, (field, value) in enumerate(items)]}


def path(order):
    return f"/api/orders/{order['order_id']}/inspection"


STANDARD = [
    ("mileage_km", 70_100), ("fuel_eighths", 3), ("lights.engine", True), ("lights.tpms", True),
    *[(f"tyres.{pos}.{groove}", depth) for pos, depths in
      {"LF": (3.5, 3.0, 2.5), "RF": (4, 4, 4), "LR": (1.4, 2.0, 2.2), "RR": (6, 6, 6)}.items()
      for groove, depth in zip(("inner", "centre", "outer"), depths)],
    ("tyres.LF.dot", "0118"), ("brakes.front.pad_mm", 2.5), ("brakes.rear.pad_mm", 6),
    ("checklist.wiper_blades", {"status": "red", "note": "雨刷片硬化"}),
    ("checklist.leak_underbody", {"status": "red"}),
    ("damage.front-bumper", {"x": 0.5, "y": 0.05, "kind": "scratch", "note": "前保桿刮傷"}),
    ("valuables_reminded", True), ("customer_present", True),
]


def test_a_standard_walk_around_is_stored_and_judged_in_one_place(shop):
    order = an_order(shop)
    answer = shop.advisor.patch(path(order), changes(*STANDARD))
    assert answer.status == 200, answer.body
    found = answer.body["findings"]
    assert found["tyres"]["LF"] == {"colour": "yellow", "worst_mm": 2.5, "uneven": False,
                                    "dot_old": True}
    assert found["tyres"]["LR"]["colour"] == "red" and found["tyres"]["RR"]["colour"] == "green"
    assert found["brakes"] == {"front": {"colour": "red", "pad_mm": 2.5},
                               "rear": {"colour": "green", "pad_mm": 6}}
    assert found["lights"]["amber"] == ["engine", "tpms"]
    # red: LR tyre, front pad, two checklist items; yellow: LF tyre, two amber lights
    assert found["counts"] == {"red": 4, "yellow": 3}
    assert answer.body["editable"] is True
    assert answer.body["changed"]["fuel_eighths"]["by"]["staff_id"] == shop.advisor.staff_id
    again = shop.technician.get(path(order))
    assert again.status == 200 and again.body["values"] == answer.body["values"]
    assert again.body["values"]["tyres.LF.inner"] == 3.5
    vehicle = shop.owner.get(f"/api/vehicles/{order['vehicle']['vehicle_id']}").body
    assert vehicle["mileage"]["km"] == 70_100
    assert vehicle["mileage_history"][0]["source"] == "walkaround"


def test_the_order_itself_reads_as_before(shop):
    order = an_order(shop)
    before = shop.advisor.get(f"/api/orders/{order['order_id']}").body
    shop.advisor.patch(path(order), changes(("fuel_eighths", 4)))
    after = shop.advisor.get(f"/api/orders/{order['order_id']}").body
    assert after == before


@pytest.mark.parametrize("role, status", [
    ("owner", 200), ("manager", 200), ("advisor", 200), ("technician", 403), ("anonymous", 401)])
def test_front_desk_fills_in_the_walk_around(shop, role, status):
    order = an_order(shop)
    answer = shop.as_role(role).patch(path(order), changes(("fuel_eighths", 5)))
    assert answer.status == status, answer.body
    if status == 403:
        assert "檢修確認表" in answer.body["error"]["message"]


def test_every_staff_member_reads_it_and_a_new_one_is_empty(shop):
    order = an_order(shop, booked=True)  # booked: the walk-around may already begin
    answer = shop.technician.get(path(order))
    assert answer.status == 200
    assert answer.body == {"order_id": order["order_id"], "values": {}, "changed": {},
                           "findings": {"tyres": {}, "brakes": {},
                                        "lights": {"red": [], "amber": [], "green": [],
                                                   "blue": []},
                                        "counts": {"red": 0, "yellow": 0}},
                           "photos": [], "editable": True}
    assert shop.technician.get(f"/api/orders/{new_id('order')}/inspection").status == 404


def test_two_tablets_out_of_order_keep_the_newest_value_of_each_field(shop):
    order = an_order(shop)
    # The manager's tablet was offline: its older changes arrive after the advisor's newer ones.
    newer = shop.advisor.patch(path(order), changes(("fuel_eighths", 6), ("tyres.LF.inner", 4),
                                                    seconds=100))
    assert newer.status == 200
    older = shop.manager.patch(path(order), changes(("fuel_eighths", 2), ("tyres.RF.inner", 5),
                                                    ("tyres.LF.inner", None), seconds=10))
    assert older.status == 200
    values = older.body["values"]
    assert values["fuel_eighths"] == 6 and values["tyres.LF.inner"] == 4
    assert values["tyres.RF.inner"] == 5  # nothing else of the older tablet is lost
    assert older.body["changed"]["fuel_eighths"]["by"]["staff_id"] == shop.advisor.staff_id
    # A newer clear wins over an older value, and the clear is kept against older writes.
    cleared = shop.manager.patch(path(order), changes(("tyres.LF.inner", None), seconds=200))
    assert "tyres.LF.inner" not in cleared.body["values"]
    late = shop.advisor.patch(path(order), changes(("tyres.LF.inner", 7), seconds=150))
    assert "tyres.LF.inner" not in late.body["values"]


def test_a_replayed_patch_changes_nothing(shop):
    order = an_order(shop)
    body = changes(("fuel_eighths", 6), ("mileage_km", 90_000))
    first = shop.advisor.patch(path(order), body)
    again = shop.advisor.patch(path(order), body)
    assert again.status == 200 and again.body == first.body
    vehicle = shop.owner.get(f"/api/vehicles/{order['vehicle']['vehicle_id']}").body
    assert [r["source"] for r in vehicle["mileage_history"]].count("walkaround") == 1


BURST = 8


def test_copies_of_one_patch_arriving_together_record_the_mileage_once(shop):
    """A tablet's queue replays a PATCH whose answer it never got, while the first copy is still
    being written: the reading goes on the vehicle once, by the copy that wins."""
    order = an_order(shop, mileage_km=18_350)
    body = changes(("mileage_km", 18_362), ("fuel_eighths", 6))
    start = threading.Barrier(BURST)

    def send(_):
        start.wait()
        return shop.advisor.patch(path(order), body)

    with ThreadPoolExecutor(BURST) as pool:
        answers = list(pool.map(send, range(BURST)))
    assert [answer.status for answer in answers] == [200] * BURST, [a.body for a in answers]
    assert all(answer.body["values"] == answers[0].body["values"] for answer in answers)
    vehicle = shop.owner.get(f"/api/vehicles/{order['vehicle']['vehicle_id']}").body
    readings = [(r["source"], r["km"]) for r in vehicle["mileage_history"]]
    assert readings.count(("walkaround", 18_362)) == 1, readings
    assert vehicle["mileage"]["km"] == 18_362


def test_tablets_writing_at_once_lose_nothing(shop):
    """The read-modify-write is guarded by a version: a lost race is merged again, not dropped."""
    order = an_order(shop)
    callers = [Caller(shop.shop_id, client.staff_id, client.role, client.role)
               for client in (shop.advisor, shop.manager, shop.owner)]
    errors = []

    def write(caller, number):
        try:
            for n in range(4):
                inspections.update_inspection(caller, order["order_id"],
                                              inspections.InspectionChanges.model_validate(
                                                  changes((f"damage.t{number}-{n}",
                                                           {"x": 0.1, "y": 0.2, "kind": "dent"}),
                                                          seconds=n)))
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=write, args=(caller, number))
               for number, caller in enumerate(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    values = shop.advisor.get(path(order)).body["values"]
    assert len([field for field in values if field.startswith("damage.")]) == 12


def test_signing_the_authorization_freezes_the_walk_around(shop):
    order = an_order(shop, lines=True)
    assert shop.advisor.patch(path(order), changes(("fuel_eighths", 4))).status == 200
    a_signature(shop, order["order_id"], "authorization")  # frozen at once, before the step
    refused = shop.advisor.patch(path(order), changes(("fuel_eighths", 1), seconds=500))
    assert refused.status == 409 and refused.error == "inspection_frozen"
    assert "委修確認單" in refused.body["error"]["message"]
    now = shop.advisor.get(path(order)).body
    assert now["values"] == {"fuel_eighths": 4} and now["editable"] is False


@pytest.mark.parametrize("state", ["in_progress", "delivered", "cancelled"])
def test_later_states_refuse_changes_too(shop, state):
    order = an_order(shop, state=state)
    answer = shop.owner.patch(path(order), changes(("fuel_eighths", 1)))
    assert answer.status == 409 and answer.error == "inspection_frozen"


def test_a_lower_mileage_needs_confirming_and_then_counts(shop):
    order = an_order(shop, mileage_km=80_000)
    vehicle_path = f"/api/vehicles/{order['vehicle']['vehicle_id']}"
    lower = shop.advisor.patch(path(order), changes(("mileage_km", 12_000), ("fuel_eighths", 2)))
    assert lower.status == 409 and lower.error == "mileage_lower"
    assert "80,000" in lower.body["error"]["message"]
    assert shop.advisor.get(path(order)).body["values"] == {}  # nothing of the PATCH stored
    confirmed = shop.advisor.patch(path(order), {"changes": [
        {"field": "mileage_km", "value": 12_000, "changed_at": at(5), "confirm_lower": True}]})
    assert confirmed.status == 200 and confirmed.body["values"]["mileage_km"] == 12_000
    vehicle = shop.owner.get(vehicle_path).body
    assert vehicle["mileage"] == {**vehicle["mileage"], "km": 12_000, "source": "walkaround"}


@pytest.mark.parametrize("field, value, words", [
    ("tyres.LF.inner", 25, "胎紋深度"), ("tyres.LF.inner", -1, "胎紋深度"),
    ("tyres.LF.pressure_kpa", 900, "胎壓"), ("mileage_km", -5, "里程"),
    ("lights.warp_drive", True, "故障燈代碼"), ("tyres.XY.inner", 3, "輪胎位置"),
    ("checklist.rocket_engine", {"status": "red"}, "檢查項目"),
    ("brakes.front.pad_mm", 40, "煞車來令片"),
    ("damage.m1", {"x": 2, "y": 0, "kind": "dent"}, "外觀損傷"),
    ("tyres.LF.dot", "5820", "DOT"), ("colour", "red", "欄位")])
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_stored(shop, field, value,
                                                                        words):
    order = an_order(shop)
    answer = shop.advisor.patch(path(order), changes(("fuel_eighths", 3), (field, value)))
    assert answer.status == 400 and answer.error == "invalid_change", answer.body
    assert words in answer.body["error"]["message"] and field in answer.body["error"]["message"]
    assert shop.advisor.get(path(order)).body["values"] == {}


def test_bad_input_reads_in_english_when_asked(shop):
    order = an_order(shop)
    shop.advisor.language = "en"
    answer = shop.advisor.patch(path(order), changes(("tyres.LF.inner", 21)))
    assert answer.body["error"]["message"] == \
        "changes[0] tyres.LF.inner: must be 0 to 20 mm in steps of 0.1 mm."


@pytest.mark.parametrize("body", [
    {"changes": [{"field": "fuel_eighths", "value": 1, "changed_at": at(n)} for n in range(101)]},
    {"changes": []}, {"changes": [{"field": "fuel_eighths", "value": 1}]},
    {"changes": [{"field": "fuel_eighths", "value": 1, "changed_at": "yesterday"}]},
    {"changes": [{"field": "fuel_eighths", "value": 1, "changed_at": at(0), "extra": 1}]}])
def test_malformed_bodies_are_refused_and_nothing_is_stored(shop, body):
    order = an_order(shop)
    answer = shop.advisor.patch(path(order), body)
    assert answer.status == 422, answer.body
    assert shop.advisor.get(path(order)).body["values"] == {}


def test_a_tablet_clock_running_ahead_cannot_hold_a_field_forever(shop):
    order = an_order(shop)
    future = (datetime.now(timezone.utc) + timedelta(days=365)).isoformat()
    shop.advisor.patch(path(order), {"changes": [
        {"field": "fuel_eighths", "value": 8, "changed_at": future}]})
    now = datetime.now(timezone.utc) + timedelta(seconds=2)
    answer = shop.advisor.patch(path(order), {"changes": [
        {"field": "fuel_eighths", "value": 1, "changed_at": now.isoformat()}]})
    assert answer.body["values"]["fuel_eighths"] == 1


def test_the_warning_light_catalogue_is_there_for_everyone(shop):
    answer = shop.technician.get("/api/catalogue/warning-lights")
    assert answer.status == 200
    lights = {light["code"]: light for light in answer.body["lights"]}
    assert len(lights) == 18
    assert lights["oil_pressure"] == {"code": "oil_pressure", "colour": "red",
                                      "zh": "機油壓力警示燈", "en": "Oil pressure"}
    assert shop.anonymous.get("/api/catalogue/warning-lights").status == 401


def test_managers_set_the_thresholds_and_the_findings_follow(shop):
    defaults = shop.technician.get("/api/shop/settings")
    assert defaults.body == {"tread_yellow_mm": 3, "pad_red_mm": 3, "pad_yellow_mm": 5,
                             "uneven_mm": 1.5, "tread_legal_min_mm": 1.6,
                             "tyre_max_age_years": 6, "warranty_months": 12,
                             "warranty_km": 20000, "link_days_after_delivery": 30,
                             "remote_code_above": 20000, "followup_after_days": 3,
                             "service_months": 6, "service_km": 5000, "reminder_gap_days": 30,
                             "dates_roc": False}
    assert shop.advisor.patch("/api/shop/settings", {"tread_yellow_mm": 4}).status == 403
    assert shop.manager.patch("/api/shop/settings", {"tread_yellow_mm": 1.5}).status == 422
    assert shop.manager.patch("/api/shop/settings", {"pad_red_mm": 6}).status == 422
    changed = shop.manager.patch("/api/shop/settings", {"tread_yellow_mm": 4.0})
    assert changed.status == 200 and changed.body["tread_yellow_mm"] == 4
    order = an_order(shop)
    answer = shop.advisor.patch(path(order), changes(("tyres.RR.inner", 3.5)))
    assert answer.body["findings"]["tyres"]["RR"]["colour"] == "yellow"


def test_the_checklist_is_the_default_until_the_shop_replaces_it(shop):
    default = shop.technician.get("/api/shop/inspection-template")
    assert default.status == 200
    items = {item["item_id"]: item for item in default.body["items"]}
    assert items["wiper_blades"]["zh"] == "雨刷片" and items["wiper_blades"]["group"] == "wipers"
    assert {"group": "fluids", "zh": "油液", "en": "Fluids"} in default.body["groups"]
    mine = {"items": [{"item_id": "tow_hook", "zh": "拖車勾", "en": "Tow hook", "group": "extras"},
                      {"item_id": "wiper_blades", "zh": "雨刷", "en": "Wipers", "group": "wipers"}]}
    assert shop.advisor.put("/api/shop/inspection-template", mine).status == 403
    twice = {"items": mine["items"] * 2}
    assert shop.owner.put("/api/shop/inspection-template", twice).status == 422
    replaced = shop.owner.put("/api/shop/inspection-template", mine)
    assert replaced.status == 200
    assert [item["item_id"] for item in replaced.body["items"]] == ["tow_hook", "wiper_blades"]
    assert {"group": "extras", "zh": "extras", "en": "extras"} in replaced.body["groups"]
    order = an_order(shop)
    ok = shop.advisor.patch(path(order), changes(("checklist.tow_hook", {"status": "yellow"})))
    assert ok.status == 200
    gone = shop.advisor.patch(path(order), changes(("checklist.engine_oil", {"status": "red"})))
    assert gone.status == 400 and gone.error == "invalid_change"
