"""Old-part tags end to end on DynamoDB Local and s3rver: tagging, the custody paths, batch
moves, another shop's codes, the month's report, and labels that a real decoder (zbarimg)
reads from the PDF rendered at the printer's resolution (pdftoppm)."""
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from chalicelib import models
from chalicelib.core import clock as times
from chalicelib.core import aws
from chalicelib.work import parts
from chalicelib.core.config import settings
from tests import screenshots
from tests.builders import a_part_tag, a_shop, an_order, new_id



def tag_path(tag, rest=""):
    return f"/api/parts/{tag['code']}{rest}"


def event(to, **fields):
    return {"event_id": new_id("ev"), "to": to, **fields}


def move(person, tag, to, **fields):
    answer = person.post(tag_path(tag, "/events"), event(to, **fields))
    assert answer.status == 200, answer.body
    return answer.body


def fetch(url) -> bytes:
    response = requests.get(url, timeout=30)
    assert response.status_code == 200, response.text
    return response.content


@pytest.fixture
def order(shop):
    """An open order with a labour and a part line (checked in: the quickest to make; a tag
    is the same on any open order)."""
    return an_order(shop, lines=True)


# --- tagging ---

def test_a_tag_from_a_job_line_takes_the_lines_part_and_the_orders_wish(shop, order):
    line = next(line for line in order["lines"] if line["kind"] == "part")
    tag = shop.technician.post("/api/parts", {"tag_id": new_id("tag"),
                                              "order_id": order["order_id"],
                                              "line_id": line["line_id"],
                                              "reason": "壓縮機洩漏"})
    assert tag.status == 201, tag.body
    tag = tag.body
    assert parts.normalise_code(tag["code"]) == tag["code"]
    assert tag["display_code"] == f"{tag['code'][:4]} {tag['code'][4:]}"
    assert tag["url"] == f"{settings().public_origin}/q/{tag['code']}"
    assert (tag["part_name"], tag["part_number"], tag["quantity"]) == ("冷媒 R134a",
                                                                        "R134A-500", 2)
    assert tag["wish"] == order.get("old_parts", "decide_at_delivery")
    assert (tag["order_number"], tag["plate"]) == (order["number"], order["vehicle"]["plate"])
    assert tag["state"] == "removed" and [e["to"] for e in tag["events"]] == ["removed"]
    assert tag["events"][0]["by"]["staff_id"] == shop.technician.staff_id
    assert set(tag["actions"]) == {"held", "shown_to_customer"}  # a technician does not decide

    seen = shop.advisor.get(f"/api/parts/{tag['code'][:4].lower()}-{tag['code'][4:].lower()}")
    assert seen.status == 200 and seen.body["code"] == tag["code"]
    assert "disposed" not in seen.body["actions"]  # the customer has not decided yet


def test_a_replayed_create_answers_the_same_tag_and_makes_no_second(shop, order):
    body = {"tag_id": new_id("tag"), "order_id": order["order_id"], "part_name": "空氣濾芯",
            "quantity": 1}
    first = shop.technician.post("/api/parts", body)
    again = shop.technician.post("/api/parts", body)
    assert first.status == again.status == 201
    assert again.body == first.body
    listed = shop.advisor.get(f"/api/orders/{order['order_id']}/parts").body
    assert [tag["code"] for tag in listed["tags"]] == [first.body["code"]]


def test_a_free_standing_tag_needs_no_order(shop):
    tag = a_part_tag(shop, wish="dispose", supplier="和泰零件", part_name="新品不良：含氧感知器")
    assert "order_id" not in tag and tag["wish"] == "dispose"
    assert shop.owner.get(tag_path(tag)).body["code"] == tag["code"]


def test_a_closed_order_takes_no_new_tags(shop):
    cancelled = an_order(shop, state="cancelled")
    answer = shop.technician.post("/api/parts", {"tag_id": new_id("tag"),
                                                 "order_id": cancelled["order_id"],
                                                 "part_name": "機油濾芯"})
    assert answer.status == 409 and answer.error == "order_closed"


@pytest.mark.parametrize("fields", [
    {"quantity": -1}, {"quantity": 0}, {"quantity": "many"}, {"unit": "gallon"},
    {"wish": "sell"}, {"part_name": ""}, {"order_id": None, "line_id": "line-x1234567"},
    {"surprise": 1}])
def test_a_bad_tag_is_refused_and_nothing_is_stored(shop, order, fields):
    tag_id = new_id("tag")
    answer = shop.technician.post("/api/parts", {"tag_id": tag_id, "part_name": "機油濾芯",
                                                 "order_id": order["order_id"], **fields})
    assert answer.status == 422 and answer.error == "validation", answer.body
    assert aws.table().get_item(Key=models.PartClientId.key(shop.shop_id, tag_id)).get("Item") is None
    assert shop.advisor.get(f"/api/orders/{order['order_id']}/parts").body["tags"] == []


def test_an_unknown_line_or_photo_is_refused(shop, order):
    base = {"tag_id": new_id("tag"), "order_id": order["order_id"], "part_name": "機油濾芯"}
    assert shop.technician.post("/api/parts", {**base, "line_id": "line-nope1234"}).status == 404
    answer = shop.technician.post("/api/parts", {**base, "photo_id": "photo-nope1234"})
    assert answer.status == 422 and answer.error == "unknown_photo"


# --- custody paths ---

def test_the_path_of_a_part_the_customer_takes_back(shop, order):
    tag = a_part_tag(shop, order, wish="take_back")
    held = move(shop.technician, tag, "held", location="A-03", note="放在紙箱")
    assert (held["state"], held["location"]) == ("held", "A-03")
    shown = move(shop.advisor, tag, "shown_to_customer")
    assert "returned_to_customer" in shown["actions"] and "disposed" not in shown["actions"]
    done = move(shop.advisor, tag, "returned_to_customer", note="客戶點收")
    assert done["state"] == "returned_to_customer" and done["actions"] == []
    assert [e["to"] for e in done["events"]] == ["removed", "held", "shown_to_customer",
                                                 "returned_to_customer"]
    assert [e["from"] for e in done["events"]][1:] == ["removed", "held", "shown_to_customer"]
    assert done["events"][1]["by"]["staff_id"] == shop.technician.staff_id
    assert done["events"][3]["by"]["staff_id"] == shop.advisor.staff_id

    again = shop.advisor.post(tag_path(tag, "/events"), event("returned_to_customer"))
    assert again.status == 409 and again.error == "tag_closed"
    assert shop.advisor.get(tag_path(tag)).body["events"] == done["events"]


def test_a_disposal_is_recorded_with_its_category_recycler_and_manifest(shop, order):
    oil = a_part_tag(shop, order, wish="dispose", part_name="廢機油", quantity=4.5, unit="litre")
    move(shop.technician, oil, "held", location="廢油桶")
    done = move(shop.manager, oil, "disposed", disposal={
        "category": "waste_oil", "recycler": "綠能環保回收", "manifest_number": "A1130001"})
    last = done["events"][-1]
    assert done["state"] == "disposed"
    assert last["disposal"] == {"category": "waste_oil", "quantity": 4.5, "unit": "litre",
                                "recycler": "綠能環保回收", "manifest_number": "A1130001"}


def test_a_return_to_the_supplier_carries_batch_rma_and_tracking(shop, order):
    coil = a_part_tag(shop, order, wish="dispose", part_name="點火線圈", supplier="和泰零件")
    done = move(shop.advisor, coil, "returned_to_supplier", supplier_return={
        "batch": "LOT-2309", "rma": "RMA-7781", "tracking": "黑貓 9034-1122-7781"})
    assert done["events"][-1]["supplier_return"] == {
        "supplier": "和泰零件", "batch": "LOT-2309", "rma": "RMA-7781",
        "tracking": "黑貓 9034-1122-7781"}


def test_a_part_kept_as_evidence_is_closed(shop, order):
    tag = a_part_tag(shop, order, wish="take_back", part_name="斷裂的正時皮帶")
    done = move(shop.owner, tag, "kept_as_evidence", location="保險箱", note="保險理賠")
    assert done["state"] == "kept_as_evidence" and done["actions"] == []


@pytest.mark.parametrize("wish, to, body, code", [
    ("take_back", "disposed", {"disposal": {"category": "filter", "recycler": "綠能"}},
     "customer_wants_it_back"),
    ("take_back", "returned_to_supplier", {"supplier_return": {"supplier": "和泰"}},
     "customer_wants_it_back"),
    ("decide_at_delivery", "disposed", {"disposal": {"category": "filter", "recycler": "綠能"}},
     "customer_has_not_decided"),
])
def test_illegal_moves_are_409_and_change_nothing(shop, order, wish, to, body, code):
    tag = a_part_tag(shop, order, wish=wish)
    before = shop.owner.get(tag_path(tag)).body
    answer = shop.owner.post(tag_path(tag, "/events"), event(to, **body))
    assert answer.status == 409 and answer.error == code, answer.body
    assert answer.body["error"]["message"]  # zh-TW, for the person holding the part
    assert shop.owner.get(tag_path(tag)).body == before


def test_a_technician_moves_parts_but_does_not_decide_their_fate(shop, order):
    tag = a_part_tag(shop, order, wish="dispose")
    refused = shop.technician.post(tag_path(tag, "/events"), event(
        "disposed", disposal={"category": "filter", "recycler": "綠能"}))
    assert refused.status == 403
    assert shop.technician.patch(tag_path(tag), {"wish": "take_back"}).status == 403
    assert shop.technician.post("/api/parts", {"tag_id": new_id("tag"), "part_name": "機油濾芯",
                                               "wish": "dispose"}).status == 403
    assert shop.technician.patch(tag_path(tag), {"reason": "濾芯破裂"}).status == 200


def test_the_wish_changes_while_the_tag_is_open_and_then_the_disposal_is_allowed(shop, order):
    tag = a_part_tag(shop, order)  # decide at delivery
    changed = shop.advisor.patch(tag_path(tag), {"wish": "dispose"})
    assert changed.status == 200 and changed.body["wish"] == "dispose"
    assert "disposed" in changed.body["actions"]
    closed = move(shop.advisor, tag, "kept_as_evidence")
    refused = shop.advisor.patch(tag_path(tag), {"wish": "take_back"})
    assert refused.status == 409 and refused.error == "tag_closed"
    assert shop.advisor.get(tag_path(tag)).body["wish"] == closed["wish"] == "dispose"


def test_a_replayed_event_changes_nothing(shop, order):
    tag = a_part_tag(shop, order)
    body = event("held", location="B-01")
    first = shop.technician.post(tag_path(tag, "/events"), body)
    later = move(shop.advisor, tag, "shown_to_customer")
    again = shop.technician.post(tag_path(tag, "/events"), body)  # the tablet's queue, late
    assert first.status == again.status == 200
    assert again.body["state"] == "shown_to_customer"
    assert again.body["events"] == later["events"]


def test_an_event_older_than_the_latest_is_refused_and_a_future_one_too(shop, order):
    tag = a_part_tag(shop, order)
    move(shop.technician, tag, "held", location="B-01")
    stale = shop.technician.post(tag_path(tag, "/events"), event(
        "shown_to_customer", at="2020-01-01T09:00:00+08:00"))
    assert stale.status == 409 and stale.error == "event_out_of_order"
    future = shop.technician.post(tag_path(tag, "/events"), event(
        "shown_to_customer", at="2999-01-01T09:00:00+08:00"))
    assert future.status == 422 and future.error == "event_in_future"
    assert shop.technician.get(tag_path(tag)).body["state"] == "held"


@pytest.mark.parametrize("body", [
    {"to": "held"},                                                         # no location
    {"to": "removed"},
    {"to": "disposed"},                                                     # no disposal
    {"to": "disposed", "disposal": {"category": "oil", "recycler": "x"}},
    {"to": "disposed", "disposal": {"category": "tyre", "recycler": "x", "quantity": -4}},
    {"to": "held", "location": "A-1", "disposal": {"category": "tyre", "recycler": "x"}},
    {"to": "shown_to_customer", "at": "yesterday"},
    {"to": "flying"},
])
def test_a_malformed_event_is_422_and_nothing_is_stored(shop, order, body):
    tag = a_part_tag(shop, order, wish="dispose")
    answer = shop.advisor.post(tag_path(tag, "/events"), {"event_id": new_id("ev"), **body})
    assert answer.status == 422, answer.body
    assert shop.advisor.get(tag_path(tag)).body["events"] == tag["events"]


def test_a_disposal_counted_in_another_unit_needs_its_quantity(shop, order):
    tag = a_part_tag(shop, order, wish="dispose", part_name="機油濾芯")  # pieces
    refused = shop.advisor.post(tag_path(tag, "/events"), event(
        "disposed", disposal={"category": "waste_oil", "recycler": "綠能"}))
    assert refused.status == 422 and refused.error == "quantity_needed"
    done = move(shop.advisor, tag, "disposed",
                disposal={"category": "waste_oil", "recycler": "綠能", "quantity": 0.3})
    assert done["events"][-1]["disposal"]["quantity"] == 0.3


def test_unknown_and_malformed_codes(shop):
    assert shop.advisor.get("/api/parts/ABCD2345").error == "not_found"
    for malformed in ("ABC", "ABCD0000", "ABCDEFGHJ", "ABCD%2FEFG"):
        answer = shop.advisor.get(f"/api/parts/{malformed}")
        assert answer.status == 422 and answer.error == "invalid_code", malformed
    assert shop.anonymous.get("/api/parts/ABCD0000/public").status == 422
    assert shop.anonymous.get("/api/parts/ABCD2345/public").status == 404


# --- the order's parts and the delivery guard's reason ---

def test_the_orders_parts_list_says_why_delivery_would_wait(shop, order):
    kept = a_part_tag(shop, order, wish="take_back", part_name="前煞車來令片")
    a_part_tag(shop, order, wish="dispose", part_name="機油濾芯")
    listed = shop.advisor.get(f"/api/orders/{order['order_id']}/parts")
    assert listed.status == 200
    assert [tag["part_name"] for tag in listed.body["tags"]] == ["前煞車來令片", "機油濾芯"]
    assert [tag["decided"] for tag in listed.body["tags"]] == [False, True]
    assert "前煞車來令片" in listed.body["undecided"]["zh"]
    move(shop.advisor, kept, "returned_to_customer")
    assert shop.advisor.get(f"/api/orders/{order['order_id']}/parts").body["undecided"] is None


# --- batch moves ---

def count_requests():
    counts = {"dynamodb": 0}

    def count(**_):
        counts["dynamodb"] += 1

    # boto3's clients and the models' one connection (chalicelib/models/base.py)
    clients = (aws.client("dynamodb"), aws.table().meta.client,
               models.Item._get_connection().connection.client)
    for client in clients:
        client.meta.events.register("before-send", count)
    return counts, lambda: [client.meta.events.unregister("before-send", count)
                            for client in clients]


def test_a_crate_of_tags_moves_to_the_shelf_in_one_request(chalice_client, shop, order):
    crate = [a_part_tag(shop, order, wish="dispose", part_name=f"火星塞 {n}") for n in range(5)]
    other_shop = a_part_tag(a_shop(chalice_client, name="別家"), wish="dispose")
    codes = [tag["code"] for tag in crate] + ["ABCD2345", "bad!", other_shop["code"]]
    body = {"codes": codes, "event": event("held", location="SHELF-3")}
    counts, stop = count_requests()
    answer = shop.technician.post("/api/parts/moves", body)
    stop()
    assert answer.status == 200, answer.body
    results = {result["code"]: result for result in answer.body["results"]}
    assert answer.body["moved"] == 5 and answer.body["failed"] == 3
    assert all(results[tag["code"]]["ok"] for tag in crate)
    assert results[crate[0]["code"]]["tag"]["location"] == "SHELF-3"
    assert results["ABCD2345"]["error"]["code"] == "not_found"
    assert results["bad!"]["error"]["code"] == "invalid_code"
    assert results[other_shop["code"]]["error"]["code"] == "not_found"  # no leak
    assert "別家" not in str(answer.body)
    # The session's check (one read of the person, as on every write), two batched reads
    # (claims, tags) and one conditional write per tag: not a round trip each.
    assert counts["dynamodb"] == 1 + 2 + len(crate)

    again = shop.technician.post("/api/parts/moves", body)  # the queue replays it
    assert [r["ok"] for r in again.body["results"]] == [r["ok"] for r in answer.body["results"]]
    for tag in crate:
        assert len(shop.advisor.get(tag_path(tag)).body["events"]) == 2


def test_a_batch_disposal_refuses_only_the_part_the_customer_wants_back(shop, order):
    drum = [a_part_tag(shop, order, wish="dispose", part_name="廢機油", quantity=4,
                       unit="litre") for _ in range(3)]
    wanted = a_part_tag(shop, order, wish="take_back", part_name="廢機油", quantity=4,
                        unit="litre")
    answer = shop.manager.post("/api/parts/moves", {
        "codes": [tag["code"] for tag in [*drum, wanted]],
        "event": event("disposed", disposal={"category": "waste_oil", "recycler": "綠能",
                                             "manifest_number": "M-88"})})
    assert answer.status == 200
    assert [r["ok"] for r in answer.body["results"]] == [True, True, True, False]
    assert answer.body["results"][3]["error"]["code"] == "customer_wants_it_back"
    assert shop.advisor.get(tag_path(wanted)).body["state"] == "removed"


def test_a_batch_is_at_most_100_codes(shop):
    answer = shop.technician.post("/api/parts/moves", {
        "codes": ["ABCD2345"] * 101, "event": event("held", location="A")})
    assert answer.status == 422


# --- another shop ---

def test_another_shops_code_is_not_found_on_every_route(chalice_client, shop, order):
    tag = a_part_tag(shop, order, wish="dispose")
    before = shop.owner.get(tag_path(tag)).body
    other = a_shop(chalice_client, name="別家").owner
    assert other.get(tag_path(tag)).status == 404
    assert other.patch(tag_path(tag), {"wish": "take_back"}).status == 404
    assert other.post(tag_path(tag, "/events"), event("held", location="X")).status == 404
    assert other.get(tag_path(tag, "/label")).status == 404
    assert other.post("/api/parts/labels", {"codes": [tag["code"]]}).status == 404
    assert other.get(f"/api/orders/{order['order_id']}/parts").status == 404
    report = other.get("/api/reports/parts").body
    assert report["disposals"]["items"] == [] and report["supplier_returns"]["pending"] == []
    assert shop.owner.get(tag_path(tag)).body == before


def test_the_public_answer_names_the_shop_and_nothing_personal(shop, order):
    tag = a_part_tag(shop, order)
    answer = shop.anonymous.get(tag_path(tag, "/public"))
    assert answer.status == 200
    assert answer.body == {"code": tag["code"], "kind": "part_tag", "shop": {"name": "測試保養廠"}}
    assert shop.anonymous.get(tag_path(tag)).status == 401


# --- the month's report ---

def test_the_months_report_counts_disposals_by_category_and_supplier_returns(shop, order):
    oil = [a_part_tag(shop, order, wish="dispose", part_name="廢機油", quantity=q,
                      unit="litre") for q in (4.5, 3.5)]
    battery = a_part_tag(shop, order, wish="dispose", part_name="電瓶 75D23L")
    tyres = a_part_tag(shop, order, wish="dispose", part_name="舊輪胎", quantity=4)
    pending = a_part_tag(shop, order, wish="dispose", part_name="點火線圈", supplier="和泰零件")
    returned = a_part_tag(shop, order, wish="dispose", part_name="含氧感知器", supplier="博世")
    a_part_tag(shop, order, wish="dispose", part_name="還在架上")
    for tag in oil:
        move(shop.manager, tag, "disposed", disposal={"category": "waste_oil",
                                                     "recycler": "綠能環保", "manifest_number": "M1"})
    move(shop.manager, battery, "disposed", disposal={"category": "battery", "recycler": "電池回收"})
    move(shop.manager, tyres, "disposed", disposal={"category": "tyre", "recycler": "輪胎回收"})
    move(shop.manager, returned, "returned_to_supplier", supplier_return={"rma": "RMA-1"})

    month = times.local_date()[:7]
    report = shop.manager.get(f"/api/reports/parts?month={month}")
    assert report.status == 200, report.body
    totals = {row["category"]: (row["quantity"], row["unit"], row["tags"])
              for row in report.body["disposals"]["totals"]}
    assert totals == {"waste_oil": (8, "litre", 2), "battery": (1, "piece", 1),
                      "tyre": (4, "piece", 1)}
    done = report.body["supplier_returns"]["done"]
    assert [(row["code"], row["supplier"], row["rma"]) for row in done] == [
        (returned["code"], "博世", "RMA-1")]
    assert [row["code"] for row in report.body["supplier_returns"]["pending"]] == [
        pending["code"]]
    assert shop.manager.get("/api/reports/parts?month=2020-01").body["disposals"]["totals"] == []

    csv_link = shop.manager.get(f"/api/reports/parts?month={month}&format=csv")
    assert csv_link.status == 200 and csv_link.body["filename"] == f"old-parts-{month}.csv"
    text = fetch(csv_link.body["url"]).decode("utf-8")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("類型,日期,標籤代碼,品名")
    assert len(lines) == 1 + 4 + 1 + 1  # four disposals, one return, one pending
    assert sum(line.startswith("報廢,") for line in lines) == 4
    assert any(line.startswith("待退回供應商,") and "點火線圈" in line for line in lines)
    counted = {line.split(",")[3]: line for line in lines if line.startswith("報廢,")}
    assert ",4,條," in counted["舊輪胎"] and ",1,顆," in counted["電瓶 75D23L"]  # measure words

    assert shop.technician.get("/api/reports/parts").status == 403
    assert shop.manager.get("/api/reports/parts?month=2026-13").status == 422


# --- codes stay unique: the claim is a conditional write ---

EXISTING = 5_000  # DynamoDB Local stores ~1,300 items a second: a busy shop's years of tags


def test_a_code_already_claimed_is_refused_and_drawn_again(shop, order, monkeypatch):
    """Codes drawn as the service draws them are stored as claims; a new tag whose first
    draws hit them is refused by the conditional write and draws again; of 100,000 further
    draws, every one that hits a stored code is refused by that same write."""
    started = time.perf_counter()
    existing = sorted({parts.new_code() for _ in range(EXISTING)})
    client, table = aws.client("dynamodb"), aws.table().name

    def claim(code):
        return {"pk": {"S": models.PartCode.key(code)["pk"]}, "sk": {"S": "PARTCODE"},
                "type": {"S": "part_code"}, "code": {"S": code}, "shop_id": {"S": "elsewhere"}}

    def store(chunk):
        pending = {table: [{"PutRequest": {"Item": claim(code)}} for code in chunk]}
        while pending:
            pending = client.batch_write_item(RequestItems=pending)["UnprocessedItems"]

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(store, [existing[i:i + 25] for i in range(0, len(existing), 25)]))
    stored = time.perf_counter() - started

    real = parts.new_code
    draws = iter(existing[:3])
    monkeypatch.setattr(parts, "new_code", lambda: next(draws, None) or real())
    tag = a_part_tag(shop, order)
    assert next(draws, None) is None  # all three taken codes were drawn, and refused
    assert tag["code"] not in existing
    for code in existing[:3]:
        assert aws.table().get_item(Key=models.PartCode.key(code))["Item"]["shop_id"] == "elsewhere"
    monkeypatch.setattr(parts, "new_code", real)

    taken = set(existing)
    hits = [code for code in (real() for _ in range(100_000)) if code in taken]
    for code in hits + existing[-3:]:  # expected hits ≈ 100,000 × 5,000 / 32^8 ≈ 0.0005
        with pytest.raises(models.Refused):
            with models.transaction() as writes:
                writes.save(models.PartCode.from_dict({**models.PartCode.key(code), "code": code,
                                                       "shop_id": shop.shop_id}),
                            condition=models.PartCode.pk.does_not_exist())
    made = [a_part_tag(shop, order)["code"] for _ in range(20)]
    assert len(set(made)) == 20 and not set(made) & taken
    elapsed = time.perf_counter() - started
    print(f"\n{EXISTING} claims stored in {stored:.1f} s; {len(hits)} of 100,000 draws hit one; "
          f"test {elapsed:.1f} s")
    assert elapsed < 60  # ~11 s here; a loose bound, so a busy CI machine does not fail it


# --- labels that really scan ---

def zbar(*images: Path) -> list[str]:
    """What zbarimg (Debian zbar-tools) decodes: QR codes only, one line each."""
    result = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable",
                             *map(str, images)], capture_output=True, text=True)
    assert result.returncode in (0, 4), result.stderr  # 4: an image had no code
    return result.stdout.split()


def rasterise(pdf: bytes, dpi: int, folder: Path) -> list[Path]:
    """The PDF as the printer would put it on paper: pages rendered at its resolution."""
    (folder / "label.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(folder / "label.pdf"),
                    str(folder / "page")], check=True)
    return sorted(folder.glob("page*.png"))


def test_the_thermal_label_pdf_scans_at_203_dpi(shop, order, tmp_path):
    tag = a_part_tag(shop, order, part_name="前煞車來令片（一組）", quantity=1)
    link = shop.technician.get(tag_path(tag, "/label?format=pdf"))
    assert link.status == 200, link.body
    assert link.body["filename"] == f"label-{tag['code']}.pdf"
    pdf = fetch(link.body["url"])
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout
    assert b"141.73 x 85.04 pts" in info  # 50 x 30 mm
    pages = rasterise(pdf, 203, tmp_path)
    assert len(pages) == 1
    assert zbar(pages[0]) == [tag["url"]]
    from PIL import Image

    with Image.open(pages[0]) as page:
        assert page.size == (400, 240)  # 50 x 30 mm at 203 dpi
        page.convert("L").save(screenshots.folder() / "label-thermal.png", optimize=True)


def test_the_png_label_scans(shop, order, tmp_path):
    tag = a_part_tag(shop, order)
    link = shop.technician.get(tag_path(tag, "/label?format=png"))
    assert link.status == 200 and link.body["content_type"] == "image/png"
    (tmp_path / "label.png").write_bytes(fetch(link.body["url"]))
    assert zbar(tmp_path / "label.png") == [tag["url"]]
    assert shop.technician.get(tag_path(tag, "/label?format=gif")).status == 422


def test_every_label_of_an_a4_sheet_scans_at_300_dpi(shop, order, tmp_path):
    from PIL import Image

    from chalicelib.work import labels

    names = ["機油濾芯", "前煞車來令片（一組）原廠件", "電瓶 75D23L", "廢機油", "空氣濾芯",
             "點火線圈", "雨刷片", "舊輪胎"]
    tags = [a_part_tag(shop, order, part_name=names[n % len(names)], quantity=1 + n % 3)
            for n in range(27)]
    link = shop.advisor.post("/api/parts/labels", {"codes": [t["code"] for t in tags],
                                                   "layout": "a4"})
    assert link.status == 200, link.body
    assert link.body["count"] == 27
    pages = rasterise(fetch(link.body["url"]), 300, tmp_path)
    assert len(pages) == 1
    # A camera frames one label at a time: each label's area of the page, cut out, must
    # decode to its own tag (zbar's search for many codes in one image is not what is tested).
    size, sheet = labels.SHEET_LABEL, labels.A4
    cells = []
    with Image.open(pages[0]) as page:
        for index in range(27):
            row, column = divmod(index, sheet.columns)
            left = size.px(sheet.left_mm + column * (size.width_mm + sheet.gap_mm))
            top = size.px(sheet.top_mm + row * size.height_mm)
            cell = tmp_path / f"cell-{index:02d}.png"
            page.crop((left, top, left + size.px(size.width_mm),
                       top + size.px(size.height_mm))).save(cell)
            cells.append(cell)
        half = page.convert("L").resize((page.width // 2, page.height // 2),
                                        Image.Resampling.LANCZOS)
        half.quantize(16).save(screenshots.folder() / "label-a4.png", optimize=True)  # 150 dpi
    # Each cut-out holds one label only, so 27 distinct decodes are each label's own.
    assert sorted(zbar(*cells)) == sorted(tag["url"] for tag in tags)


def test_thermal_labels_for_several_tags_are_one_page_each(shop, order, tmp_path):
    tags = [a_part_tag(shop, order) for _ in range(3)]
    link = shop.advisor.post("/api/parts/labels", {"codes": [t["code"] for t in tags],
                                                   "layout": "thermal"})
    assert link.status == 200 and link.body["count"] == 3
    pages = rasterise(fetch(link.body["url"]), 203, tmp_path)
    assert [zbar(page) for page in pages] == [[tag["url"]] for tag in tags]
    unknown = shop.advisor.post("/api/parts/labels", {"codes": [tags[0]["code"], "ABCD2345"]})
    assert unknown.status == 404


def test_failed_public_look_ups_are_limited_per_client(shop, order, clock, monkeypatch):
    """A scan needs no sign-in, so guessing codes is limited like guessing links: failed
    look-ups per client and minute, counted atomically, past the limit a 429 and when to retry."""
    from datetime import datetime, timezone

    import app as app_module
    from chalicelib.outward import links

    monkeypatch.setattr(links, "LIMIT_PER_MINUTE", 5)
    clock.value = datetime(2026, 11, 28, 3, 7, 30, tzinfo=timezone.utc)  # one minute, still
    ip = f"198.51.100.7-{new_id()}"  # a client of this test's own
    monkeypatch.setattr(app_module.api, "client", lambda: {"ip": ip, "user_agent": "pytest"})
    tag = a_part_tag(shop, order)
    # A label that is found is no failure: scanned again and again, it is never limited.
    assert [shop.anonymous.get(tag_path(tag, "/public")).status for _ in range(8)] == [200] * 8
    looked_up = []
    real_claim = parts._claim
    monkeypatch.setattr(parts, "_claim", lambda code: looked_up.append(code) or real_claim(code))
    guesses = [parts.new_code() for _ in range(20)]
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda code: shop.anonymous.get(f"/api/parts/{code}/public"),
                                guesses))
    statuses = sorted(answer.status for answer in answers)
    print(f"\n20 unknown codes at once, limit 5: {len(looked_up)} looked up, {statuses}")
    assert len(looked_up) <= 5 and statuses.count(429) >= 15
    assert set(statuses) <= {404, 429}
    for answer in answers:
        if answer.status == 429:
            assert answer.error == "too_many_attempts" and "Retry-After" in answer.headers
    assert shop.anonymous.get(tag_path(tag, "/public")).status == 429
    monkeypatch.setattr(app_module.api, "client", lambda: {"ip": "203.0.113.9-other",
                                                           "user_agent": "pytest"})
    assert shop.anonymous.get(tag_path(tag, "/public")).status == 200
