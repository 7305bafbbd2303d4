"""Data rights and portability on DynamoDB Local and s3rver: a customer's export, their erasure
(nothing personal left in any item or index key of the shop; signed documents sealed and still
verifiable), the shop's export, and the CSV import (bad rows by line, the rest exactly once)."""
import csv
import io
import json
import random
import zipfile
from concurrent.futures import ThreadPoolExecutor

import requests

from chalicelib import models
from chalicelib.core import clock as times
from chalicelib.core import objects
from chalicelib.core import aws, pieces
from chalicelib.outward import notify
from chalicelib.records import customers
from tests.builders import CONSENT, a_shop, a_signature, add_lines, checked, new_id, paid_in_full
from tests.integration.test_photos import a_jpeg, complete, exists, presign, upload


def export(person, kind="shop", customer_id=None):
    """An export started, waited for (its pieces run on this process's threads) and answered
    as `GET /api/exports/<job>` answers it then; or the start's refusal."""
    started = person.post("/api/exports", {"job_id": new_id("export"), "kind": kind,
                                           **({"customer_id": customer_id} if customer_id
                                              else {})})
    if started.status != 202:
        return started
    pieces.wait()
    return person.get(f"/api/exports/{started.body['job_id']}")


def erase(person, customer_id, name, client_id=None):
    """An erasure asked for as the PWA asks (the typed name), waited for, and answered as
    `GET /api/erasures/<job>` answers it then; or the start's refusal (a wrong name)."""
    started = person.post(f"/api/customers/{customer_id}/erasure",
                          {"client_id": client_id or new_id("erase"), "confirm_name": name})
    if started.status != 202:
        return started
    pieces.wait()
    return person.get(f"/api/erasures/{started.body['job_id']}")


def import_file(person, text, import_id=None):
    """A CSV sent as the PWA sends it (an upload form, the file to S3, the start), waited for
    and answered as `GET /api/imports/<id>` answers it then; or the first refusal."""
    import_id = import_id or new_id("imp")
    form = person.post("/api/imports/uploads", {"import_id": import_id})
    if form.status != 200:
        return form
    upload(form.body["upload"], text.encode("utf-8"), content_type="text/csv",
           filename="客戶.csv")
    started = person.post("/api/imports", {"import_id": import_id})
    if started.status != 202:
        return started
    pieces.wait()
    return person.get(f"/api/imports/{import_id}")


def a_person(shop):
    """A customer whose every personal value is unique to this test (searched for later)."""
    name = "".join(random.choice("陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周") for _ in range(4))
    mobile = f"09{random.randint(10_000_000, 99_999_999)}"
    email = f"{new_id('mail')}@example.tw"
    answer = shop.advisor.post("/api/customers", {
        "customer_id": new_id("cust"), "name": name, "mobile": mobile, "email": email,
        "channel": "sms", "notes": f"{name} 習慣下午來",
        "consent": {"version": "2026-01", "method": "tablet"}})
    assert answer.status == 201, answer.body
    customer = answer.body
    line_user = "U" + new_id("line").replace("-", "")
    assert customers.link_line(shop.shop_id, customer["customer_id"], line_user)
    letters = "".join(random.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3))
    vehicle = shop.advisor.post("/api/vehicles", {
        "vehicle_id": new_id("veh"), "plate": f"{letters}-{random.randint(1000, 9999)}",
        "make": "Toyota", "model": "Altis", "fuel": "gasoline",
        "customer_id": customer["customer_id"]})
    assert vehicle.status == 201, vehicle.body
    # A browser of theirs subscribed to Web Push (its endpoint identifies the device).
    endpoint = f"https://fcm.googleapis.com/fcm/send/{new_id('device')}"
    aws.table().put_item(Item={
        **models.PushSubscription.key(shop.shop_id, customer["customer_id"], new_id("hash")),
        "type": "push_subscription", "endpoint": endpoint,
        "keys": {"p256dh": "BPk", "auth": "Aq"}})
    personal = {"name": name, "mobile": customer["mobile"], "national": mobile,
                "dashed": f"{mobile[:4]}-{mobile[4:7]}-{mobile[7:]}", "email": email,
                "line": line_user, "push": endpoint}
    return customer, vehicle.body, personal


def an_order_of(shop, customer, vehicle, to=("authorized", "in_progress", "quality_check",
                                              "ready", "delivered"), signer="林美玲"):
    order = shop.advisor.post("/api/orders", {
        "order_id": new_id("order"), "customer_id": customer["customer_id"],
        "vehicle_id": vehicle["vehicle_id"], "concerns": ["冷氣不冷"]}).body
    return walk(shop, add_lines(shop, order["order_id"]), to, signer)


def walk(shop, order, to, signer="林美玲"):
    for step in to:
        if step == "authorized":
            a_signature(shop, order["order_id"], "authorization", signer_name=signer)
        if step == "delivered":
            a_signature(shop, order["order_id"], "checkout", signer_name=signer)
            paid_in_full(shop, order["order_id"])
        if step == "ready":
            checked(shop, order["order_id"])
        moved = shop.advisor.post(f"/api/orders/{order['order_id']}/transitions",
                                  {"to": step, "client_id": new_id("step")})
        assert moved.status == 200, moved.body
        order = moved.body
    return order


def a_photo(shop, order):
    data = a_jpeg(800, 600)
    target = presign(shop.advisor, order, data, subject="general")
    upload(target["upload"], data)
    answer = complete(shop.advisor, order, target["photo_id"])
    assert answer.status == 201, answer.body
    return answer.body


def every_item():
    items, kwargs = [], {}
    while True:
        page = aws.table().scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def of_shop(items, shop_id):
    """Every item of the shop: its partitions, and any item whose index keys name the shop."""
    return [item for item in items if any(shop_id in str(item.get(key, "")) for key in
                                          ("pk", "gsi1pk", "gsi2pk", "shop_id"))]


def download(url) -> bytes:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, response.text
    return response.content


def test_export_then_erase_leaves_no_personal_field_of_that_customer_in_the_table(shop):
    customer, vehicle, personal = a_person(shop)
    cid = customer["customer_id"]
    done = an_order_of(shop, customer, vehicle, to=("authorized", "in_progress"),
                       signer=personal["name"])
    photo = a_photo(shop, done)
    done = walk(shop, done, ("quality_check", "ready", "delivered"), signer=personal["name"])
    notify.queue(shop.shop_id, done["order_id"], "ready", ["sms"],
                 f"{personal['name']} 您好，您的愛車已可交車。", times.now())
    # The follow-up call: the customer was unhappy, a case was opened (it copies their name).
    call = shop.advisor.post(f"/api/orders/{done['order_id']}/followup", {
        "client_id": new_id("call"), "outcome": "reached", "reaction": "issue",
        "note": f"{personal['name']} 說煞車有異音",
        "case": {"case_id": new_id("case"), "summary": "交車後煞車有異音",
                 "owner_id": shop.manager.staff_id, "due_on": "2026-12-03"}})
    assert call.status == 200, call.body
    booking = shop.advisor.post("/api/appointments", {
        "appointment_id": new_id("appt"), "at": "2026-12-01T09:00:00+08:00",
        "duration_minutes": 60, "purpose": "定期保養", "source": "phone",
        "customer_id": cid, "vehicle_id": vehicle["vehicle_id"]}).body

    exported = export(shop.manager, "customer", cid)
    assert exported.status == 200, exported.body
    assert exported.body["counts"] == {"vehicles": 1, "orders": 1, "photos": 1, "signatures": 2,
                                       "followups": 1}
    for link in (exported.body["files"]["json"], exported.body["files"]["csv"]):
        assert all(value not in link["url"] + link["filename"] for value in personal.values())
    data = json.loads(download(exported.body["files"]["json"]["url"]))
    assert data["customer"]["name"] == personal["name"]
    assert data["customer"]["line_user_id"] == personal["line"]
    assert data["customer"]["consent_history"][0]["version"] == "2026-01"
    (order,) = data["orders"]
    assert [s["kind"] for s in order["signatures"]] == ["authorization", "checkout"]
    assert "strokes" not in json.dumps(order["signatures"])
    assert data["appointments"][0]["appointment_id"] == booking["appointment_id"]
    # the call after delivery and the case it opened are the customer's too, states in words
    assert order["followup"]["status"] == "done" and order["followup"]["status_zh"] == "已關懷"
    assert order["followup"]["calls"][0]["reaction"] == "issue"
    assert [(case["summary"], case["state_zh"]) for case in data["cases"]] == \
        [("交車後煞車有異音", "處理中")]
    assert order["state_zh"] == "已關懷" and order["lines"][0]["state_zh"] == "完工"
    archive = zipfile.ZipFile(io.BytesIO(download(exported.body["files"]["csv"]["url"])))
    assert set(archive.namelist()) >= {"customer.csv", "vehicles.csv", "orders.csv",
                                       "lines.csv", "signatures.csv", "photos.csv",
                                       "followups.csv", "cases.csv"}
    followups_csv = archive.read("followups.csv").decode("utf-8-sig")
    assert "已關懷" in followups_csv and "{" not in followups_csv  # readable, not JSON
    assert archive.read(order["photos"][0]["file"])[:2] == b"\xff\xd8"  # the photo itself
    raw = archive.read("customer.csv")
    assert raw.startswith(b"\xef\xbb\xbf") and personal["name"] in raw.decode("utf-8-sig")

    # refused while a booking or an order is open; then a wrong name erases nothing
    refused = erase(shop.manager, cid, personal["name"])
    assert (refused.body["state"], refused.body["error"]["code"]) == ("failed",
                                                                      "open_appointment")
    assert "預約" in refused.body["error"]["message"]
    shop.advisor.patch(f"/api/appointments/{booking['appointment_id']}", {"state": "cancelled"})
    open_order = an_order_of(shop, customer, vehicle, to=())
    refused = erase(shop.manager, cid, personal["name"])
    assert (refused.body["state"], refused.body["error"]["code"]) == ("failed", "open_order")
    shop.advisor.post(f"/api/orders/{open_order['order_id']}/transitions",
                      {"to": "cancelled", "client_id": new_id("step")})
    wrong = erase(shop.manager, cid, "別人")
    assert (wrong.status, wrong.error) == (422, "confirm_name")
    assert shop.owner.get(f"/api/customers/{cid}").body["name"] == personal["name"]

    erased = erase(shop.owner, cid, personal["name"])
    assert erased.body["state"] == "done", erased.body
    record = erased.body["erasure"]
    counts = record["counts"]
    assert counts["orders"] == 2 and counts["signatures_sealed"] == 2
    assert counts["photos_removed"] == 1 and counts["appointments"] == 1

    shop_items = of_shop(every_item(), shop.shop_id)
    assert len(shop_items) > 25
    for item in every_item():
        text = json.dumps(item, ensure_ascii=False, default=str)
        found = [kind for kind, value in personal.items() if value in text]
        assert not found, (item["pk"], item["sk"], found)
    audits = [item for item in shop_items if item.get("type") == "audit"]
    assert sorted(item["action"] for item in audits) == ["customer_erasure", "customer_export"]
    assert all(item["by"]["staff_id"] for item in audits)

    # the signed documents are kept, sealed, and still verify; the photo is gone from S3
    after = shop.owner.get(f"/api/orders/{done['order_id']}").body
    assert after["customer"]["name"] == "（已刪除）"
    for signature in after["signatures"]:
        verified = shop.anonymous.get(f"/api/verify/{signature['hash']}")
        assert verified.body["intact"] is True, verified.body
        sealed = objects.sealed_record_object(shop.shop_id, done["order_id"],
                                         signature["signature_id"])
        assert exists(sealed)
    assert not exists(objects.photo_object(shop.shop_id, done["order_id"], photo["photo_id"],
                                      "display"))
    assert shop.advisor.get(f"/api/customers?phone={personal['national']}").body["customers"] == []
    shown = shop.owner.get(f"/api/customers/{cid}").body
    assert shown["name"] == "（已刪除）" and shown["erased_at"]
    again = shop.owner.post(f"/api/customers/{cid}/erasure",
                            {"client_id": new_id("erase"), "confirm_name": personal["name"]})
    assert again.body["state"] == "done" and again.body["erasure"] == record
    replayed = shop.owner.post(f"/api/customers/{cid}/erasure",
                               {"client_id": erased.body["job_id"],
                                "confirm_name": personal["name"]})
    assert replayed.body["erasure"] == record
    changed = shop.advisor.patch(f"/api/customers/{cid}", {"name": "回來了"})
    assert (changed.status, changed.error) == (409, "customer_erased")


IMPORT = "\n".join([
    "姓名,手機,Email,車牌,廠牌,車型,年份,燃料",
    "王大明,0912-000-101,ming@example.tw,AKB-1101,Toyota,Altis,2019,汽油",  # 2
    "李小華,0912000102,,akb1102,Honda,Fit,2020,油電",  # 3: plate typed without the hyphen
    "陳錯號,12345,,,,,,",  # 4: not a phone number
    "張車牌,0912000104,,AK-B-1,Ford,Focus,2018,",  # 5: not a plate
    "",  # 6: blank, skipped
    "林年份,0912000106,,AKB-1106,Mazda,3,明年,",  # 7: not a year
    ",0912000107,,,,,,",  # 8: no name
    "\"吳備註\",0912000108,,AKB-1108,Nissan,\"Sentra\",2021,柴油",  # 9
    "王大明,0912-000-101,,AKB-1109,Toyota,Yaris,2017,",  # 10: the same person's second car
    "許燃料,0912000110,,AKB-1110,Tesla,3,2022,核能",  # 11: no such fuel
])


def test_an_import_reports_bad_rows_by_line_and_imports_the_rest_exactly_once(shop):
    text = IMPORT
    first = import_file(shop.manager, text)
    assert first.status == 200, first.body
    assert [error["line"] for error in first.body["errors"]] == [4, 5, 7, 8, 11]
    assert "電話" in first.body["errors"][0]["message"]
    assert "車牌" in first.body["errors"][1]["message"]
    assert first.body["rows"] == 9 and first.body["row_limit"] == 50_000
    assert first.body["bad_rows"] == 5
    assert (first.body["customers_created"], first.body["customers_existing"]) == (3, 1)
    assert (first.body["vehicles_created"], first.body["vehicles_existing"]) == (4, 0)

    second = import_file(shop.manager, text)
    assert second.status == 200, second.body
    assert second.body["errors"] == first.body["errors"]
    assert (second.body["customers_created"], second.body["vehicles_created"]) == (0, 0)
    assert (second.body["customers_existing"], second.body["vehicles_existing"]) == (4, 4)

    mobile = text.splitlines()[1].split(",")[1]
    (ming,) = shop.advisor.get(f"/api/customers?phone={mobile}").body["customers"]
    page = shop.advisor.get(f"/api/customers/{ming['customer_id']}").body
    assert sorted(v["model"] for v in page["vehicles"]) == ["Altis", "Yaris"]
    english = shop.manager.__class__(shop.manager.client, shop.manager.token, "en")
    answer = import_file(english, text)
    assert answer.body["errors"][0]["message"].startswith("mobile")


def test_an_import_without_the_columns_or_above_the_row_limit_is_refused_whole(shop):
    missing = import_file(shop.manager, "車牌\nABC-1234\n")
    assert (missing.status, missing.error) == (422, "csv_columns")
    rows = "\n".join(f"客{n},09{n:08d}" for n in range(50_001))
    many = import_file(shop.manager, "姓名,手機\n" + rows)
    assert (many.status, many.error) == (422, "too_many_rows")
    latin = import_file(shop.manager, "姓名,手機\n".encode("big5").decode("latin-1"))
    assert (latin.status, latin.error) == (422, "csv_columns")
    never = shop.manager.post("/api/imports", {"import_id": new_id("imp")})
    assert (never.status, never.error) == (404, "file_not_uploaded")
    assert shop.advisor.get("/api/customers?phone=0900000001").body["customers"] == []


def test_a_long_import_runs_in_pieces_taken_up_where_cut_off_each_row_once(shop, monkeypatch):
    """700 rows (above the old one-request limit of 500), 50 a save, each piece one save; the
    fourth save's run dies once: every row is imported once, and the report is whole."""
    from chalicelib.after import imports, jobs

    monkeypatch.setattr(imports, "ROWS_PER_SAVE", 50)
    monkeypatch.setattr(jobs, "PIECE_SECONDS", 0)
    base = random.randint(10_000_000, 99_000_000)
    lines = [f"客{n},09{base + n}" for n in range(700)] + ["壞號碼,123"]
    real_save, saves = jobs.save, []

    def cut_off_once(job, **changes):
        saves.append(changes.get("cursor"))
        if len(saves) == 4:
            raise TimeoutError("Task timed out")
        real_save(job, **changes)

    monkeypatch.setattr(jobs, "save", cut_off_once)
    done = import_file(shop.manager, "姓名,手機\n" + "\n".join(lines))
    assert done.body["state"] == "done", done.body
    assert done.body["rows"] == 701 and done.body["errors"] == [
        {"line": 702, "message": done.body["errors"][0]["message"]}]
    assert done.body["customers_created"] + done.body["customers_existing"] == 700
    assert done.body["customers_created"] >= 650  # the rows redone after the cut count twice
    for n in (0, 349, 699):
        found = shop.advisor.get(f"/api/customers?phone=09{base + n}").body["customers"]
        assert len(found) == 1, n


def test_the_shop_export_holds_everything_and_its_vehicles_csv_imports_back_as_nothing_new(shop):
    customer, vehicle, personal = a_person(shop)
    an_order_of(shop, customer, vehicle)
    exported = export(shop.owner)
    assert exported.status == 200, exported.body
    assert exported.body["counts"] == {"customers": 1, "vehicles": 1, "orders": 1, "lines": 2}
    data = json.loads(download(exported.body["files"]["json"]["url"]))
    assert [line["description"] for line in data["orders"][0]["lines"]] == ["冷氣系統檢查",
                                                                         "冷媒 R134a"]
    archive = zipfile.ZipFile(io.BytesIO(download(exported.body["files"]["csv"]["url"])))
    vehicles_csv = archive.read("vehicles.csv").decode("utf-8-sig")
    assert personal["name"] in vehicles_csv and vehicle["plate"] in vehicles_csv
    back = import_file(shop.manager, vehicles_csv)
    assert back.status == 200, back.body
    assert back.body["errors"] == []
    assert (back.body["customers_created"], back.body["vehicles_created"]) == (0, 0)


def test_only_a_manager_or_owner_may_and_only_for_their_own_shop(shop, chalice_client):
    customer, _, personal = a_person(shop)
    cid = customer["customer_id"]
    calls = [("POST", "/api/exports", {"job_id": new_id("x"), "kind": "customer",
                                       "customer_id": cid}),
             ("POST", f"/api/customers/{cid}/erasure",
              {"client_id": new_id("e"), "confirm_name": personal["name"]}),
             ("POST", "/api/exports", {"job_id": new_id("x"), "kind": "shop"}),
             ("POST", "/api/imports/uploads", {"import_id": new_id("i")}),
             ("POST", "/api/imports", {"import_id": new_id("i")})]
    for person in (shop.advisor, shop.technician):
        for method, path, body in calls:
            answer = person.request(method, path, body)
            assert (answer.status, answer.error) == (403, "forbidden"), (person.role, path)
    other = a_shop(chalice_client, name="別家")
    for method, path, body in calls[:2]:
        answer = other.owner.request(method, path, body)
        assert (answer.status, answer.error) == (404, "not_found"), path
    assert shop.owner.get(f"/api/customers/{cid}").body["name"] == personal["name"]
    audits = [item for item in every_item() if item.get("type") == "audit"
              and item["shop_id"] in (shop.shop_id, other.shop_id)]
    assert audits == []


# What people type at the counter and spreadsheets read as a formula (OWASP's list: ASCII and
# full-width = + - @, tab and carriage return), and apostrophes a person typed themselves.
TYPED = ["=1+1 王大明", "＝1+1 陳小華", "+886 林先生", "＋仁和", "-阿明", "－阿德", "@小美",
         "＠阿華", "'阿嬤", "'=SUM(A1) 李", "''黃", "阿'珠"]


def test_the_shop_csv_guards_formulas_and_imports_back_exactly_what_was_typed(shop,
                                                                             chalice_client):
    base = random.randint(10_000_000, 99_999_000)
    for n, name in enumerate(TYPED):
        made = shop.advisor.post("/api/customers", {
            "customer_id": new_id("cust"), "name": name, "mobile": f"09{base + n}",
            "channel": "sms", "notes": f"{name[:1]}\t{name}",  # a tab after the first sign
            "consent": CONSENT, **({"marketing": {"agreed": n == 0, "method": "tablet"}}
                                   if n < 2 else {})})
        assert made.status == 201, made.body
    exported = export(shop.owner)
    assert exported.status == 200, exported.body
    archive = zipfile.ZipFile(io.BytesIO(download(exported.body["files"]["csv"]["url"])))
    text = archive.read("customers.csv").decode("utf-8-sig")
    cells = {row["姓名"]: row for row in csv.DictReader(io.StringIO(text, newline=""))}
    for guarded in ("'=1+1 王大明", "'＝1+1 陳小華", "'＋仁和", "'－阿德", "'＠阿華", "''=SUM(A1) 李"):
        assert guarded in cells, (guarded, sorted(cells))
    for plain in ("'阿嬤", "''黃", "阿'珠"):  # no formula follows: shown as typed
        assert plain in cells, (plain, sorted(cells))
    assert cells["'＝1+1 陳小華"]["備註"] == "'＝\t＝1+1 陳小華"
    # the consents, in words: the notice's version and time, the marketing answer or none
    assert {row["個資告知版本"] for row in cells.values()} == {CONSENT["version"]}
    assert all(row["個資告知同意時間"] for row in cells.values())
    assert [cells[name]["行銷訊息"] for name in ("'=1+1 王大明", "'＝1+1 陳小華", "'＋仁和")] == \
        ["同意 agreed", "不同意 declined", "未詢問 not asked"]

    other = a_shop(chalice_client, name="新開的店")
    back = import_file(other.manager, text)
    assert back.status == 200, back.body
    assert back.body["errors"] == [] and back.body["customers_created"] == len(TYPED)
    for n, name in enumerate(TYPED):
        (found,) = other.advisor.get(f"/api/customers?phone=09{base + n}").body["customers"]
        page = other.advisor.get(f"/api/customers/{found['customer_id']}").body
        assert (page["name"], page["notes"]) == (name, f"{name[:1]}\t{name}")


def test_personal_data_downloads_are_saved_as_files_and_never_cached(shop):
    customer, vehicle, _ = a_person(shop)
    order = an_order_of(shop, customer, vehicle, to=("authorized", "in_progress"))
    a_photo(shop, order)
    mine = export(shop.manager, "customer", customer["customer_id"]).body["files"]
    data = json.loads(download(mine["json"]["url"]))
    everything = export(shop.owner).body["files"]
    assert data["orders"][0]["photos"][0]["file"].endswith(".jpg")  # in the zip, not a link
    exports = [mine["json"], mine["csv"], everything["json"], everything["csv"]]
    for link in exports:
        response = requests.get(link["url"], timeout=10)
        assert response.status_code == 200, response.text
        assert response.headers["Cache-Control"] == "no-store", link
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;"), disposition
    # The signed document is read on the phone, often inside LINE: shown, but kept nowhere.
    signed = shop.advisor.get(f"/api/orders/{order['order_id']}").body["signatures"][0]
    link = shop.advisor.get(f"/api/orders/{order['order_id']}/signatures/"
                            f"{signed['signature_id']}/pdf").body
    response = requests.get(link["url"], timeout=10)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("inline;")


def test_both_exports_give_the_walk_around_s_mileage_not_the_one_typed_at_creation(shop):
    customer, vehicle, _ = a_person(shop)
    order = shop.advisor.post("/api/orders", {
        "order_id": new_id("order"), "customer_id": customer["customer_id"],
        "vehicle_id": vehicle["vehicle_id"], "mileage_km": 18_350}).body
    walked = shop.advisor.patch(f"/api/orders/{order['order_id']}/inspection", {"changes": [
        {"field": "mileage_km", "value": 18_362, "changed_at": times.now_iso()}]})
    assert walked.status == 200, walked.body

    mine = json.loads(download(export(shop.manager, "customer", customer["customer_id"])
                               .body["files"]["json"]["url"]))
    everything = json.loads(download(export(shop.owner).body["files"]["json"]["url"]))
    assert [o["mileage_km"] for o in mine["orders"]] == [18_362]
    assert [o["mileage_km"] for o in everything["orders"]] == [18_362]


# --- exports as jobs ---

def reads_of(work):
    """Items DynamoDB read (ScannedCount of Queries, Responses of BatchGetItems) and requests
    made while `work` ran, on this thread and the pieces' threads alike."""
    seen = {"items": 0, "requests": 0}

    def count(parsed, model, **kw):
        seen["requests"] += 1
        if model.name == "Query":
            seen["items"] += parsed.get("ScannedCount", 0)
        if model.name == "BatchGetItem":
            seen["items"] += sum(len(items) for items in parsed.get("Responses", {}).values())
        if model.name == "GetItem":
            seen["items"] += "Item" in parsed

    clients = (aws.table().meta.client, models.Item._get_connection().connection.client)
    for client in clients:
        client.meta.events.register("after-call.dynamodb", count)
    try:
        answer = work()
    finally:
        for client in clients:
            client.meta.events.unregister("after-call.dynamodb", count)
    return answer, seen


def test_a_customers_export_and_erasure_read_that_customers_items_not_the_shops(shop):
    """Another customer's orders added between two runs change nothing of what is read."""
    customer, vehicle, personal = a_person(shop)
    an_order_of(shop, customer, vehicle)
    other, other_vehicle, _ = a_person(shop)
    cid = customer["customer_id"]
    _, before = reads_of(lambda: export(shop.manager, "customer", cid))
    for _ in range(4):
        an_order_of(shop, other, other_vehicle)
    exported, after = reads_of(lambda: export(shop.manager, "customer", cid))
    assert exported.body["counts"]["orders"] == 1
    assert after == before, (before, after)

    erased, erasing = reads_of(lambda: erase(shop.manager, cid, personal["name"]))
    assert erased.body["state"] == "done", erased.body
    assert erasing["items"] < 40, erasing  # its one order, car and partition; not the shop's 5


def test_a_shop_export_in_many_pieces_holds_every_row_once_and_says_how_far_it_is(shop,
                                                                                 monkeypatch):
    from chalicelib.after import exports, jobs

    monkeypatch.setattr(exports, "PAGE", 2)
    monkeypatch.setattr(exports, "ORDERS_PAGE", 2)
    monkeypatch.setattr(jobs, "PIECE_SECONDS", 0)  # each piece one page, then the next
    people = [a_person(shop) for _ in range(5)]
    for customer, vehicle, _ in people[:3]:
        an_order_of(shop, customer, vehicle)
    percents = []
    real_save = jobs.save

    def watched(job, **changes):
        real_save(job, **changes)
        percents.append(job.percent)

    monkeypatch.setattr(jobs, "save", watched)
    exported = export(shop.owner)
    assert exported.status == 200 and exported.body["state"] == "done", exported.body
    assert exported.body["counts"] == {"customers": 5, "vehicles": 5, "orders": 3, "lines": 6}
    job = models.Job.get(**dict(zip(("hash_key", "range_key"), models.Job.key(
        shop.shop_id, exported.body["job_id"]).values())))
    # the shop's own items in one page, the catalogue's and the stock's one each, then
    # 3 + 3 + 2 pages; the last one joins the files
    assert job.pieces == 11, job.pieces
    assert percents == sorted(percents) and percents[-1] == 100, percents
    data = json.loads(download(exported.body["files"]["json"]["url"]))
    assert sorted(c["customer_id"] for c in data["customers"]) == sorted(
        p[0]["customer_id"] for p in people)
    assert len(data["vehicles"]) == 5 and len(data["orders"]) == 3


def test_a_piece_cut_off_is_taken_up_where_it_saved_and_a_twice_run_piece_adds_nothing(
        shop, monkeypatch):
    from chalicelib.after import exports, jobs

    monkeypatch.setattr(exports, "PAGE", 1)
    monkeypatch.setattr(exports, "ORDERS_PAGE", 1)
    people = [a_person(shop) for _ in range(3)]
    for customer, vehicle, _ in people:
        an_order_of(shop, customer, vehicle)
    real_page, failures = exports.PAGES["orders"], []

    def cut_off_once(shop_id, cursor):
        if cursor and not failures:  # the second page of orders: the run dies
            failures.append(cursor)
            raise TimeoutError("Task timed out")
        return real_page(shop_id, cursor)

    monkeypatch.setitem(exports.PAGES, "orders", cut_off_once)
    exported = export(shop.owner)
    assert failures and exported.body["state"] == "done", exported.body
    assert exported.body["counts"]["orders"] == 3
    data = json.loads(download(exported.body["files"]["json"]["url"]))
    assert len({o["order_id"] for o in data["orders"]}) == len(data["orders"]) == 3

    # The same piece handed over four times at once (retries, a duplicate): one moves the job.
    monkeypatch.setitem(exports.PAGES, "orders", real_page)
    started = shop.owner.post("/api/exports", {"job_id": new_id("export"), "kind": "shop"})
    assert started.status == 202, started.body
    payload = {"shop_id": shop.shop_id, "job_id": started.body["job_id"]}
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: exports.run_piece(payload), range(4)))
    pieces.wait()
    again = shop.owner.get(f"/api/exports/{started.body['job_id']}").body
    assert again["state"] == "done" and again["counts"] == exported.body["counts"], again
    data = json.loads(download(again["files"]["json"]["url"]))
    assert len(data["customers"]) == 3 and len(data["orders"]) == 3


def test_a_replayed_start_is_the_same_job_and_bad_starts_are_refused(shop, chalice_client):
    customer, _, _ = a_person(shop)
    body = {"job_id": new_id("export"), "kind": "customer",
            "customer_id": customer["customer_id"]}
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: shop.manager.post("/api/exports", body), range(6)))
    assert {answer.status for answer in answers} == {202}
    pieces.wait()
    audits = [item for item in of_shop(every_item(), shop.shop_id)
              if item.get("type") == "audit" and item.get("job_id") == body["job_id"]]
    assert len(audits) == 1
    taken = shop.manager.post("/api/exports", {**body, "kind": "shop"})
    assert (taken.status, taken.error) == (409, "job_id"), taken.body
    nobody = shop.manager.post("/api/exports", {"job_id": new_id("export"), "kind": "customer"})
    assert (nobody.status, nobody.error) == (422, "customer_id"), nobody.body
    for bad in ({"job_id": "x", "kind": "shop"}, {"job_id": new_id("e"), "kind": "all"}):
        assert shop.manager.post("/api/exports", bad).status == 422
    other = a_shop(chalice_client, name="別家")
    assert other.owner.get(f"/api/exports/{body['job_id']}").status == 404
    assert shop.advisor.get(f"/api/exports/{body['job_id']}").status == 403


def test_the_catalogue_and_stock_travel_in_the_shop_export_and_import_into_another_shop(
        shop, chalice_client):
    from chalicelib.after import portability
    from tests.builders import a_catalogue

    a_catalogue(shop)
    models.StockItem.from_dict({
        **models.StockItem.key(shop.shop_id, "04152YZZA1~TOYOTA"), "shop_id": shop.shop_id,
        "part_key": "04152YZZA1~TOYOTA", "part_number": "04152-YZZA1", "name": "機油芯",
        "on_hand": 12, "minimum": 4, "updated_at": "2026-12-07T10:00:00+08:00"}).save()
    exported = export(shop.owner)
    assert exported.status == 200, exported.body
    data = json.loads(download(exported.body["files"]["json"]["url"]))
    kinds = [row["type"] for row in data["catalogue"]]
    assert sorted(set(kinds)) == ["catalogue_head", "catalogue_part", "labour_op",
                                  "service_menu", "stock_item"]
    (head,) = [row for row in data["catalogue"] if row["type"] == "catalogue_head"]
    assert set(head) == {"type", "shop_id", "rates", "updated_at"}  # no version, no snapshot
    oem = next(row for row in data["catalogue"] if row.get("part_key") == "04152YZZA1~TOYOTA"
               and row["type"] == "catalogue_part")
    assert (oem["grade"], oem["grade_zh"]) == ("oem", "正廠")
    archive = zipfile.ZipFile(io.BytesIO(download(exported.body["files"]["csv"]["url"])))
    parts_csv = archive.read("records/catalogue_part.csv").decode("utf-8-sig")
    assert "04152-YZZA1" in parts_csv and "BOSCH" in parts_csv

    branch = a_shop(chalice_client, name="二店")
    rows = data["catalogue"]
    assert branch.advisor.post("/api/catalogue/restore", {"rows": rows}).status == 403
    broken = [*rows, {"type": "catalogue_part", "part_number": "X-1", "name": "壞", "grade": "oem",
                      "price": -5}]
    refused = branch.manager.post("/api/catalogue/restore", {"rows": broken})
    assert refused.status == 422, refused.body
    for bad in ({"type": "labour_op", "name": "x", "hours": 1, "rate_id": "general"},  # no code
                {"type": "service_menu", "name": "x", "items": []},  # no menu_id, no items
                {"type": "catalogue_part", "part_number": "-", "name": "x", "grade": "oem",
                 "price": 1},  # a number of no letters or digits
                {"type": "stock_item", "part_key": "A"}):  # a count of nothing
        answer = branch.manager.post("/api/catalogue/restore", {"rows": [*rows, bad]})
        assert answer.status == 422, (bad, answer.body)
    assert branch.technician.get("/api/catalogue").body["counts"]["parts"] == 0  # none of it
    restored = branch.manager.post("/api/catalogue/restore", {"rows": rows})
    assert restored.status == 200, restored.body
    assert restored.body == {"parts": 3, "operations": 2, "menus": 2, "rates": 1, "stock": 1}
    ours = shop.technician.get("/api/catalogue").body
    theirs = branch.technician.get("/api/catalogue").body
    assert theirs["counts"] == ours["counts"] and theirs["rates"] == ours["rates"]
    assert theirs["version"] == 1  # moved once for the whole import
    from tests.integration.test_catalogue import snapshot
    mine, copied = snapshot(ours), snapshot(theirs)
    for name in ("rates", "operations", "menus", "parts"):
        assert copied[name] == mine[name], name
    stock = models.StockItem.read(models.StockItem.key(branch.shop_id, "04152YZZA1~TOYOTA"))
    assert (stock["on_hand"], stock["minimum"]) == (12, 4)
    # imported again: nothing doubles
    portability.import_catalogue(caller_of(branch.manager, branch.shop_id), data["catalogue"])
    assert branch.technician.get("/api/catalogue").body["counts"] == ours["counts"]
    assert shop.advisor.get("/api/catalogue").status == 200


def caller_of(person, shop_id):
    from chalicelib.api import Caller

    return Caller(shop_id=shop_id, staff_id=person.staff_id, role=person.role, name="店長")
