"""The workshop floor on the real engines: a technician's finding with its photo, priced by the
advisor and answered by the customer; time on each job; the final check; the promised time
revised; a call for support; and the checkout list that can only be signed when it is true."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from chalicelib.core import clock as times
from chalicelib.records import auth, shops
from tests.builders import (ApiClient, PASSWORD, a_dispatched_order, a_handover, a_passed_check,
                            a_signature, an_order, new_id,
                            password_hash, quality_answers, work_done)
from tests.integration.test_links import link_of, own_ip, page, path_of  # noqa: F401 (fixture)
from tests.integration.test_photos import a_jpeg, complete, presign, upload


def another_technician(shop, client) -> ApiClient:
    staff_id = new_id("technician")
    member = shops.NewStaff(staff_id=staff_id, name="阿德師傅", role="technician",
                            email=f"{staff_id}@{shop.shop_id}.test", password=PASSWORD)
    assert shops.add_staff(shop.shop_id, member, password_hash())
    return ApiClient(client, auth.access_token(shops.get_staff(shop.shop_id, staff_id), None),
                     staff_id=staff_id, role="technician")


def tap(person, order, line, action, **fields):
    return person.post(f"/api/orders/{order['order_id']}/lines/{line['line_id']}/clock",
                       {"client_id": new_id("tap"), "action": action, **fields})


def board_card(shop, order):
    board = shop.advisor.get("/api/board").body
    return next(card for cards in board["columns"].values() for card in cards
                if card["order_id"] == order["order_id"])


def step(person, order, to, **fields):
    return person.post(f"/api/orders/{order['order_id']}/transitions",
                       {"to": to, "client_id": new_id("step"), **fields})


# --- a technician's finding ---

def test_a_finding_with_its_photo_is_priced_approved_and_comes_back_to_who_found_it(shop):
    order = a_dispatched_order(shop)
    line_id = new_id("line")
    target = presign(shop.technician, order, a_jpeg(), subject=f"line.{line_id}")
    upload(target["upload"], a_jpeg())
    assert complete(shop.technician, order, target["photo_id"]).status == 201
    found = shop.technician.post(f"/api/orders/{order['order_id']}/findings", {
        "line_id": line_id, "kind": "part", "description": "前煞車來令片",
        "reason": "來令片剩 2 mm，煞車時有金屬聲", "area": "左前輪", "quantity": 1})
    assert found.status == 201, found.body
    line = found.body["lines"][-1]
    assert (line["state"], line["origin"], line["amount"], line["unpriced"]) == \
        ("proposed", "additional", 0, True)
    assert board_card(shop, order)["found"] == 1  # the advisor's badge, from the header
    estimate = shop.advisor.get(f"/api/orders/{order['order_id']}/documents/estimate").body
    assert not estimate["signable"] and estimate["reason"]["code"] == "unpriced"

    priced = shop.advisor.patch(f"/api/orders/{order['order_id']}/lines/{line_id}",
                                {"unit_price": 2400})
    assert priced.status == 200, priced.body
    assert priced.body["lines"][-1]["amount"] == 2400 and "unpriced" not in priced.body["lines"][-1]
    assert board_card(shop, order)["found"] == 0
    estimate = shop.advisor.get(f"/api/orders/{order['order_id']}/documents/estimate").body
    assert estimate["content"]["lines"][0]["photo_ids"] == [target["photo_id"]]
    assert estimate["content"]["lines"][0]["area"] == "左前輪"
    a_signature(shop, order["order_id"], "estimate")

    jobs = shop.technician.get("/api/jobs").body["jobs"]
    mine = next(job for job in jobs if job["line"]["line_id"] == line_id)
    assert mine["line"]["state"] == "approved"  # back to them: no new dispatch
    assert tap(shop.technician, order, mine["line"], "start").status == 200


def test_a_finding_waits_for_work_to_start_and_a_price_needs_what_its_kind_needs(shop):
    order = an_order(shop, lines=True)  # checked in: lines go on the authorization
    answer = shop.technician.post(f"/api/orders/{order['order_id']}/findings", {
        "line_id": new_id("line"), "kind": "labour", "description": "冷氣濾網更換",
        "reason": "很髒"})
    assert answer.status == 409 and answer.error == "not_in_progress"
    order = a_dispatched_order(shop)
    line_id = new_id("line")
    assert shop.technician.post(f"/api/orders/{order['order_id']}/findings", {
        "line_id": line_id, "kind": "labour", "description": "冷氣濾網更換",
        "reason": ""}).status == 422  # why it is needed is what the customer reads
    assert shop.technician.post(f"/api/orders/{order['order_id']}/findings", {
        "line_id": line_id, "kind": "labour", "description": "冷氣濾網更換",
        "reason": "很髒"}).status == 201
    half = shop.advisor.patch(f"/api/orders/{order['order_id']}/lines/{line_id}", {"hours": 0.5})
    assert half.status == 422 and "rate" in half.body["error"]["message"]
    assert shop.technician.patch(f"/api/orders/{order['order_id']}/lines/{line_id}",
                                 {"hours": 0.5, "rate": 800}).status == 403


# --- dispatch and the job list ---

def test_discounts_and_parts_the_customer_brought_are_never_jobs(shop):
    order = an_order(shop, lines=True)
    for body in ({"kind": "discount", "description": "老客戶折扣", "amount": 200},
                 {"kind": "part", "description": "客戶自備機油", "quantity": 4, "unit_price": 0,
                  "customer_supplied": True}):
        assert shop.advisor.post(f"/api/orders/{order['order_id']}/lines",
                                 {"line_id": new_id("line"), **body}).status == 201
    answer = shop.advisor.post(f"/api/orders/{order['order_id']}/dispatch",
                               {"technician_id": shop.technician.staff_id})
    given = [line["description"] for line in answer.body["lines"] if line.get("technician_id")]
    assert sorted(given) == ["冷媒 R134a", "冷氣系統檢查"]
    jobs = shop.technician.get("/api/jobs").body["jobs"]
    assert {job["line"]["description"] for job in jobs} == {"冷媒 R134a", "冷氣系統檢查"}


def test_the_job_list_runs_in_the_order_of_the_promised_time(shop):
    late = an_order(shop, lines=True, promised_at="2026-12-24T18:00")
    early = an_order(shop, lines=True, promised_at="2026-12-24T10:00")
    for order in (late, early):
        shop.advisor.post(f"/api/orders/{order['order_id']}/dispatch",
                          {"technician_id": shop.technician.staff_id})
    jobs = shop.technician.get("/api/jobs").body["jobs"]
    assert [job["order_id"] for job in jobs] == [early["order_id"]] * 2 + [late["order_id"]] * 2
    assert jobs[0]["promised_at"] == "2026-12-24T02:00:00.000Z"
    # Before the authorization the time is simply changed: the lists follow it.
    assert shop.advisor.patch(f"/api/orders/{late['order_id']}",
                              {"promised_at": "2026-12-24T08:00"}).status == 200
    jobs = shop.technician.get("/api/jobs").body["jobs"]
    assert [job["order_id"] for job in jobs] == [late["order_id"]] * 2 + [early["order_id"]] * 2


# --- time on a job ---

def test_start_pause_resume_finish_counts_the_time_and_the_board_shows_who_works(shop, clock):
    order = a_dispatched_order(shop)
    line = order["lines"][0]
    start = times.now()
    clock.value = start
    assert tap(shop.technician, order, line, "start").status == 200
    card = board_card(shop, order)
    assert [(w["line_id"], w["state"]) for w in card["at_work"]] == [(line["line_id"], "running")]
    assert (card["at_work"][0]["sold_hours"], card["at_work"][0]["seconds"]) == (1.5, 0)
    clock.value = start + timedelta(minutes=40)
    assert tap(shop.technician, order, line, "pause").status == 422  # no reason
    assert tap(shop.technician, order, line, "pause", reason="parts").status == 200
    assert board_card(shop, order)["at_work"][0]["reason"] == "parts"
    clock.value = start + timedelta(minutes=70)
    assert tap(shop.technician, order, line, "resume").status == 200
    clock.value = start + timedelta(minutes=95)
    done = tap(shop.technician, order, line, "finish")
    assert done.status == 200, done.body
    finished = next(item for item in done.body["lines"] if item["line_id"] == line["line_id"])
    assert finished["state"] == "done"
    assert finished["clock"]["seconds"] == (40 + 25) * 60  # the pause is not counted
    assert finished["clock"]["by_staff"] == {shop.technician.staff_id: 65 * 60}
    assert board_card(shop, order)["at_work"] == []
    again = tap(shop.technician, order, line, "start")
    assert again.status == 409 and again.error == "clock_state"


def test_a_tap_held_offline_counts_from_when_it_was_tapped_and_a_replay_counts_once(shop, clock):
    order = a_dispatched_order(shop)
    line = order["lines"][0]
    start = times.now()
    clock.value = start
    tap(shop.technician, order, line, "start")
    tapped = start + timedelta(minutes=30)  # the phone lost the network here
    clock.value = start + timedelta(minutes=50)  # and sent it once back
    body = {"client_id": new_id("tap"), "action": "pause", "reason": "break",
            "at": times.iso(tapped)}
    path = f"/api/orders/{order['order_id']}/lines/{line['line_id']}/clock"
    first, second = shop.technician.post(path, body), shop.technician.post(path, body)
    assert first.status == second.status == 200
    paused = next(item for item in second.body["lines"] if item["line_id"] == line["line_id"])
    assert paused["clock"]["seconds"] == 30 * 60
    taps = [e for e in second.body["events"] if (e.get("job") or {}).get("action") == "pause"]
    assert len(taps) == 1
    future = {"client_id": new_id("tap"), "action": "resume",
              "at": times.iso(clock.value + timedelta(hours=3))}  # a phone's clock ahead
    resumed = shop.technician.post(path, future).body
    line_now = next(item for item in resumed["lines"] if item["line_id"] == line["line_id"])
    assert line_now["clock"]["since"] == times.iso(clock.value)


def test_a_burst_of_starts_on_one_job_starts_it_once(shop):
    order = a_dispatched_order(shop)
    line = order["lines"][0]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: tap(shop.technician, order, line, "start"), range(8)))
    assert sorted(a.status for a in answers).count(200) == 1, [a.body for a in answers]
    assert {a.error for a in answers if a.status != 200} == {"clock_state"}
    final = shop.advisor.get(f"/api/orders/{order['order_id']}").body
    starts = [e for e in final["events"] if (e.get("job") or {}).get("action") == "start"]
    assert len(starts) == 1 and len(final["at_work"]) == 1


def test_only_the_technician_given_the_job_clocks_it(shop, chalice_client):
    order = a_dispatched_order(shop)
    other = another_technician(shop, chalice_client)
    refused = tap(other, order, order["lines"][0], "start")
    assert refused.status == 403
    assert tap(shop.advisor, order, order["lines"][0], "start").status == 200


# --- the final check ---

def test_ready_needs_a_passed_check_and_a_failed_one_sends_the_car_back_with_the_note(shop):
    order = a_dispatched_order(shop)
    order = work_done(shop, order)
    order = step(shop.advisor, order, "quality_check").body
    refused = step(shop.advisor, order, "ready")
    assert refused.status == 409 and "品檢" in refused.body["error"]["message"]
    path = f"/api/orders/{order['order_id']}/quality-check"
    partial = quality_answers()
    del partial["torque"]
    assert shop.advisor.put(path, {"client_id": new_id("qc"), "items": partial}).error == \
        "quality_incomplete"
    no_note = {**quality_answers(), "lights": {"ok": False}}
    assert shop.advisor.put(path, {"client_id": new_id("qc"), "items": no_note}).status == 422
    failed = shop.advisor.put(path, {"client_id": new_id("qc"), "items": quality_answers(
        {"no_warning_lamps": "引擎故障燈亮"})})
    assert failed.status == 200, failed.body
    assert failed.body["state"] == "in_progress" and not failed.body["quality"]["passed"]
    job = shop.technician.get("/api/jobs").body["jobs"][0]
    assert "引擎故障燈亮" in job["line"]["rework"]["note"]
    # The job is worked on again, timed, and finished anew: the note goes.
    assert tap(shop.technician, failed.body, job["line"], "start").status == 200
    again = tap(shop.technician, failed.body, job["line"], "finish")
    assert again.status == 200, again.body
    redone = next(line for line in again.body["lines"] if line["line_id"] == job["line"]["line_id"])
    assert redone["state"] == "done" and "rework" not in redone

    order = step(shop.technician, failed.body, "quality_check").body
    passed = a_passed_check(shop, order["order_id"])
    assert passed["road_test"] == {"done": True, "note": "試車 5 km"}
    assert step(shop.advisor, passed, "ready").status == 200


def test_the_technician_who_did_the_work_does_not_check_it_when_the_shop_has_another(
        shop, chalice_client):
    order = a_dispatched_order(shop)
    order = work_done(shop, order)
    order = step(shop.advisor, order, "quality_check").body
    body = {"client_id": new_id("qc"), "items": quality_answers()}
    path = f"/api/orders/{order['order_id']}/quality-check"
    alone = shop.technician.put(path, body)  # the shop's only technician: allowed
    assert alone.status == 200, alone.body
    order = step(shop.advisor, alone.body, "in_progress").body
    order = step(shop.advisor, order, "quality_check").body
    assert "quality" not in order  # back at the check: checked anew
    other = another_technician(shop, chalice_client)
    own = shop.technician.put(path, {**body, "client_id": new_id("qc")})
    assert own.status == 409 and own.error == "own_work"
    assert other.put(path, {**body, "client_id": new_id("qc")}).status == 200


# --- the checkout list is signed only when it is true ---

def test_the_checkout_list_waits_for_every_job_done_or_declined(shop):
    order = an_order(shop, state="ready")
    added = shop.advisor.post(f"/api/orders/{order['order_id']}/lines", {
        "line_id": new_id("line"), "kind": "labour", "description": "雨刷更換", "hours": 0.2,
        "rate": 800})
    assert added.status == 201
    draft = shop.advisor.get(f"/api/orders/{order['order_id']}/documents/checkout").body
    assert not draft["signable"] and draft["reason"]["code"] == "work_open"
    assert "雨刷更換" in draft["reason"]["zh"]
    line_id = added.body["lines"][-1]["line_id"]
    assert shop.advisor.patch(f"/api/orders/{order['order_id']}/lines/{line_id}",
                              {"state": "declined"}).status == 200
    draft = shop.advisor.get(f"/api/orders/{order['order_id']}/documents/checkout").body
    assert draft["reason"]["code"] == "handover_unchecked"  # the walk around the car comes last
    a_handover(shop, order["order_id"])
    assert shop.advisor.get(
        f"/api/orders/{order['order_id']}/documents/checkout").body["signable"]


# --- the promised time ---

def test_a_revised_promise_keeps_the_signed_authorization_intact_and_is_an_event(shop):
    order = an_order(shop, state="in_progress", promised_at="2026-12-24T17:00")
    revised = shop.advisor.post(f"/api/orders/{order['order_id']}/promise", {
        "client_id": new_id("promise"), "at": "2026-12-25T12:00", "reason": "追加更換來令片"})
    assert revised.status == 200, revised.body
    body = revised.body
    assert body["promised_at"] == "2026-12-24T09:00:00.000Z"  # as signed
    assert body["promise"]["at"] == "2026-12-25T04:00:00.000Z"
    assert body["promise"]["previous"] == "2026-12-24T09:00:00.000Z"
    assert body["integrity"] == {"ok": True}  # the signed time is kept, the new one beside it
    assert any((e.get("promise") or {}).get("at") == "2026-12-25T04:00:00.000Z"
               for e in body["events"])
    assert board_card(shop, order)["promised_at"] == "2026-12-25T04:00:00.000Z"
    shown = page(shop, path_of(link_of(shop, order["order_id"])["url"]))
    assert shown.status == 200 and "12/25 12:00" in shown.body and "追加更換來令片" in shown.body
    assert shop.technician.post(f"/api/orders/{order['order_id']}/promise", {
        "client_id": new_id("promise"), "at": "2026-12-25T12:00",
        "reason": "x"}).status == 403


# --- asking for support ---

def test_a_call_for_support_shows_on_the_board_until_someone_takes_it(shop):
    order = a_dispatched_order(shop)
    asked = shop.technician.post(f"/api/orders/{order['order_id']}/help", {
        "client_id": new_id("help"), "line_id": order["lines"][0]["line_id"],
        "note": "螺絲鏽死，需要人幫忙扶"})
    assert asked.status == 200, asked.body
    card = board_card(shop, order)
    assert card["help"]["note"] == "螺絲鏽死，需要人幫忙扶"
    assert card["help"]["by"]["staff_id"] == shop.technician.staff_id
    assert shop.technician.post(f"/api/orders/{order['order_id']}/help/taken",
                                {"client_id": new_id("help")}).status == 403
    taken = shop.advisor.post(f"/api/orders/{order['order_id']}/help/taken",
                              {"client_id": new_id("help")})
    assert taken.status == 200 and "help" not in taken.body
    assert board_card(shop, order)["help"] is None


@pytest.mark.parametrize("state", ["checked_in", "delivered"])
def test_no_time_is_recorded_outside_the_work(shop, state):
    order = an_order(shop, state=state, lines=True)
    answer = tap(shop.advisor, order, order["lines"][0], "start")
    assert answer.status == 409


# --- the 派工表 ---

def test_the_dispatch_sheet_shows_each_technicians_jobs_hours_and_efficiency(shop, chalice_client,
                                                                             clock, tmp_path):
    import subprocess
    import urllib.request

    order = a_dispatched_order(shop)  # 冷氣系統檢查 1.5 h sold, and the refrigerant part
    other = another_technician(shop, chalice_client)
    labour, part = order["lines"]
    shop.advisor.post(f"/api/orders/{order['order_id']}/dispatch",
                      {"technician_id": other.staff_id, "line_ids": [part["line_id"]]})
    start = times.now() - timedelta(hours=3)
    for minutes, action in ((0, "start"), (120, "finish")):  # 2 h on a job sold at 1.5 h
        clock.value = start + timedelta(minutes=minutes)
        assert tap(shop.technician, order, labour, action).status == 200
    clock.value = start + timedelta(minutes=130)
    assert tap(other, order, part, "start").status == 200
    clock.value = None

    sheet = shop.advisor.get("/api/dispatch-sheet").body
    people = {person["name"]: person for person in sheet["technicians"]}
    mine = people[shop.technician.get("/api/me").body["name"]]
    assert [(j["description"], j["status"], j["sold_hours"], j["worked_hours"])
            for j in mine["jobs"]] == [("冷氣系統檢查", "finished", 1.5, 2.0)]
    assert (mine["sold_hours"], mine["worked_hours"], mine["efficiency"]) == (1.5, 2.0, 75)
    assert [j["status"] for j in people["阿德師傅"]["jobs"]] == ["running"]
    assert shop.technician.get("/api/dispatch-sheet").status == 403

    link = shop.advisor.get("/api/dispatch-sheet/pdf").body
    with urllib.request.urlopen(link["url"]) as response:
        (tmp_path / "sheet.pdf").write_bytes(response.read())
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "sheet.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = text.replace(" ", "")
    assert "派工表" in flat and "阿德師傅" in flat and order["vehicle"]["plate"] in flat
    assert "冷氣系統檢查" in flat and "1.50" in flat and "2.00" in flat and "工時效率75%" in flat


def test_jobs_go_to_different_technicians_and_a_redispatch_moves_one_list_to_another(
        shop, chalice_client):
    order = a_dispatched_order(shop)
    other = another_technician(shop, chalice_client)
    labour, part = order["lines"]
    path = f"/api/orders/{order['order_id']}/dispatch"
    moved = shop.advisor.post(path, {"technician_id": other.staff_id, "line_ids": [part["line_id"]]})
    assert moved.status == 200
    assert sorted(moved.body["technician_names"]) == sorted(["阿德師傅", labour["technician_name"]])
    assert [j["line"]["line_id"] for j in shop.technician.get("/api/jobs").body["jobs"]] == \
        [labour["line_id"]]
    assert [j["line"]["line_id"] for j in other.get("/api/jobs").body["jobs"]] == [part["line_id"]]

    assert tap(shop.technician, order, labour, "start").status == 200
    refused = shop.advisor.post(path, {"technician_id": other.staff_id,
                                       "line_ids": [labour["line_id"]]})
    assert refused.status == 409 and refused.error == "job_running"
    assert tap(shop.advisor, order, labour, "pause", reason="other").status == 200
    assert shop.advisor.post(path, {"technician_id": other.staff_id,
                                    "line_ids": [labour["line_id"]]}).status == 200
    assert shop.technician.get("/api/jobs").body["jobs"] == []
    assert {j["line"]["line_id"] for j in other.get("/api/jobs").body["jobs"]} == \
        {labour["line_id"], part["line_id"]}


# --- the delivery walk-around (交車檢查) ---

def test_the_delivery_walk_around_is_on_the_signed_checkout_list_and_frozen_by_it(shop, tmp_path):
    import subprocess
    import urllib.request

    order = an_order(shop, state="in_progress")
    path = f"/api/orders/{order['order_id']}/handover"
    early = shop.advisor.put(path, {"client_id": new_id("h"), "valuables_returned": True})
    assert early.status == 409 and early.error == "not_ready"
    order = an_order(shop, state="ready")
    path = f"/api/orders/{order['order_id']}/handover"
    assert shop.technician.put(path, {"client_id": new_id("h"),
                                      "valuables_returned": True}).status == 403
    body = {"client_id": new_id("h"), "valuables_returned": True, "new_damage": [
        {"mark_id": new_id("mark"), "x": 0.2, "y": 0.15, "kind": "scratch",
         "note": "左前保桿新刮痕，客戶確認非本廠造成"}]}
    walked = shop.advisor.put(path, body)
    assert walked.status == 200, walked.body
    assert walked.body["handover"]["new_damage"][0]["kind"] == "scratch"
    content = shop.advisor.get(f"/api/orders/{order['order_id']}/documents/checkout").body
    assert content["content"]["order"]["handover"]["valuables_returned"] is True
    signed = a_signature(shop, order["order_id"], "checkout")
    again = shop.advisor.put(path, {**body, "client_id": new_id("h"), "new_damage": []})
    assert again.status == 409 and again.error == "document_signed"
    assert shop.advisor.get(f"/api/orders/{order['order_id']}").body["integrity"] == {"ok": True}

    link = shop.advisor.get(
        f"/api/orders/{order['order_id']}/signatures/{signed['signature_id']}/pdf").body
    with urllib.request.urlopen(link["url"]) as response:
        (tmp_path / "checkout.pdf").write_bytes(response.read())
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "checkout.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout.replace(" ", "")
    assert "交車檢查" in text and "交車時新發現1處" in text and "左前保桿新刮痕" in text
    assert "貴重物品已歸還" in text and "試車5km" in text


def test_the_shop_edits_its_final_check_and_a_check_already_recorded_keeps_its_names(shop):
    before = a_dispatched_order(shop)
    before = step(shop.advisor, work_done(shop, before), "quality_check").body
    recorded = a_passed_check(shop, before["order_id"])
    shipped = shop.owner.get("/api/quality-check").body["items"]
    mine = [{"item_id": item["item_id"], "zh": item["zh"], "en": item["en"], "group": "quality"}
            for item in shipped if item["item_id"] != "cleaned"]
    mine = [{**item, "zh": "路試 5 公里以上"} if item["item_id"] == "road_test" else item
            for item in mine] + [{"item_id": "tyre_pressure", "zh": "胎壓調整", "en": "Tyre pressure",
                                  "group": "quality"}]
    assert shop.advisor.put("/api/shop/quality-check-template", {"items": mine}).status == 403
    twice = {"items": mine + [mine[0]]}
    assert shop.owner.put("/api/shop/quality-check-template", twice).status == 422
    saved = shop.owner.put("/api/shop/quality-check-template", {"items": mine})
    assert saved.status == 200, saved.body
    items = shop.technician.get("/api/quality-check").body["items"]
    assert [item["item_id"] for item in items] == [item["item_id"] for item in mine]
    assert next(item for item in items if item["item_id"] == "road_test")["kind"] == "road_test"

    order = a_dispatched_order(shop)
    order = step(shop.advisor, work_done(shop, order), "quality_check").body
    path = f"/api/orders/{order['order_id']}/quality-check"
    old_list = shop.advisor.put(path, {"client_id": new_id("qc"), "items": quality_answers()})
    assert old_list.status == 422  # "cleaned" is not on the shop's list any more
    partial = quality_answers(items=items)
    del partial["tyre_pressure"]
    missing = shop.advisor.put(path, {"client_id": new_id("qc"), "items": partial})
    assert missing.error == "quality_incomplete" and "胎壓調整" in missing.body["error"]["message"]
    passed = shop.advisor.put(path, {"client_id": new_id("qc"), "items": quality_answers(items=items)})
    assert passed.status == 200 and passed.body["quality"]["passed"], passed.body
    names = {item["item_id"]: item["zh"] for item in passed.body["quality"]["items"]}
    assert names["road_test"] == "路試 5 公里以上" and names["tyre_pressure"] == "胎壓調整"
    kept = shop.owner.get(f"/api/orders/{recorded['order_id']}").body["quality"]["items"]
    assert {item["item_id"]: item["zh"] for item in kept}["cleaned"] == "車內外清潔"
