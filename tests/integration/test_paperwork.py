"""The standard's documents printed from the API (KPS5220-004v1): the 預約表 of a day or a week,
the whole 檢修確認表, the 維修後關懷紀錄表 of a day, and the drafts of the signed documents; each
read back with pdftotext, dates in 民國 years when the shop says so, each shop's own only."""
import subprocess
import urllib.request
from datetime import timedelta

import pytest

from tests.builders import a_shop, an_order, new_id
from tests.integration.test_followups import an_issue, call, due_order, morning
from tests.integration.test_inspections import STANDARD, changes, path
from tests.integration.test_photos import a_jpeg, complete, presign, upload


def text_of(link: dict, tmp_path) -> str:
    """The PDF behind a 15-minute link, as pdftotext reads it (layout kept, spaces dropped)."""
    with urllib.request.urlopen(link["url"]) as response:
        assert response.headers["Content-Type"] == "application/pdf"
        data = response.read()
    file = tmp_path / f"{new_id('pdf')}.pdf"
    file.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(file), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.replace(" ", "")


def images_in(link: dict, tmp_path) -> int:
    with urllib.request.urlopen(link["url"]) as response:
        file = tmp_path / f"{new_id('pdf')}.pdf"
        file.write_bytes(response.read())
    listed = subprocess.run(["pdfimages", "-list", str(file)], capture_output=True, text=True,
                            check=True).stdout.splitlines()
    return len(listed) - 2  # two lines of headings


def book(shop, order, at: str, purpose: str = "定期保養", **fields) -> dict:
    answer = shop.advisor.post("/api/appointments", {
        "appointment_id": new_id("appt"), "at": at, "duration_minutes": 90,
        "purpose": purpose, "source": "phone", "customer_id": order["customer"]["customer_id"],
        "vehicle_id": order["vehicle"]["vehicle_id"], **fields})
    assert answer.status == 201, answer.body
    return answer.body


def roc_dates(shop) -> None:
    answer = shop.owner.patch("/api/shop/settings", {"dates_roc": True})
    assert answer.status == 200 and answer.body["dates_roc"] is True, answer.body


# --- 預約表 ---

def test_a_days_bookings_print_with_time_plate_customer_wish_source_and_state(shop, tmp_path):
    order = an_order(shop)
    book(shop, order, "2026-11-30T09:30:00+08:00", parts_to_prepare=["機油濾芯"])
    book(shop, order, "2026-11-30T14:00:00+08:00", purpose="冷氣不冷")
    link = shop.advisor.get("/api/appointments/pdf?day=2026-11-30")
    assert link.status == 200, link.body
    text = text_of(link.body, tmp_path)
    assert "預約表" in text and "2026-11-30" in text and "2筆" in text
    assert "09:30" in text and "14:00" in text
    assert order["vehicle"]["plate"] in text and order["customer"]["name"] in text
    assert "定期保養" in text and "冷氣不冷" in text and "機油濾芯" in text
    assert "電話" in text and "90分鐘" in text and "已預約" in text


def test_a_weeks_bookings_run_from_its_monday_to_its_sunday(shop, tmp_path):
    order = an_order(shop)
    book(shop, order, "2026-12-01T10:00:00+08:00", purpose="換輪胎")  # a Tuesday
    book(shop, order, "2026-12-06T16:00:00+08:00", purpose="鈑金估價")  # the Sunday
    book(shop, order, "2026-12-07T10:00:00+08:00", purpose="下週的預約")
    link = shop.advisor.get("/api/appointments/pdf?week=2026-12-03")
    assert link.status == 200, link.body
    text = text_of(link.body, tmp_path)
    assert "2026-11-30–2026-12-06" in text and "2筆" in text
    for day in ("2026-11-30（一）", "2026-12-01（二）", "2026-12-06（日）"):
        assert day in text
    assert "換輪胎" in text and "鈑金估價" in text and "下週的預約" not in text
    assert text.count("這天沒有預約") == 5


def test_day_and_week_together_are_refused(shop):
    answer = shop.advisor.get("/api/appointments/pdf?day=2026-11-30&week=2026-11-30")
    assert answer.status == 422, answer.body


# --- 民國 years ---

def test_a_shop_that_prints_roc_years_gets_them_on_every_document(shop, tmp_path):
    assert shop.advisor.get("/api/shop/settings").body["dates_roc"] is False
    assert shop.advisor.patch("/api/shop/settings", {"dates_roc": True}).status == 403
    order = an_order(shop)
    book(shop, order, "2026-11-30T09:30:00+08:00")
    roc_dates(shop)
    # another setting changed later keeps the choice
    assert shop.owner.patch("/api/shop/settings", {"warranty_months": 6}).body["dates_roc"]
    text = text_of(shop.advisor.get("/api/appointments/pdf?day=2026-11-30").body, tmp_path)
    assert "民國115年11月30日" in text and "2026-11-30" not in text
    text = text_of(shop.advisor.get(f"{path(order)}/pdf").body, tmp_path)
    assert "民國" in text and "年" in text
    draft = shop.advisor.get(f"/api/orders/{order['order_id']}/documents/authorization/pdf")
    assert "民國" in text_of(draft.body, tmp_path)
    sheet = shop.advisor.get("/api/dispatch-sheet/pdf?date=2026-11-30")
    assert "民國115年11月30日" in text_of(sheet.body, tmp_path)


# --- 檢修確認表 ---

def test_the_whole_walk_around_prints_every_field_with_the_green_items_and_photos(
        shop, tmp_path):
    order = an_order(shop)
    answer = shop.advisor.patch(path(order), changes(
        *STANDARD, ("checklist.engine_oil", {"status": "green"}),
        ("tyres.LF.pressure_kpa", 230), ("brakes.front.disc_note", "碟盤有溝痕"),
        ("damage.rear-door", {"x": 0.9, "y": 0.6, "kind": "dent"})))
    assert answer.status == 200, answer.body
    target = presign(shop.advisor, order, a_jpeg(1600, 1200, gps=False), subject="tyre.LF")
    upload(target["upload"], a_jpeg(1600, 1200, gps=False))
    assert complete(shop.advisor, order, target["photo_id"]).status == 201

    link = shop.technician.get(f"{path(order)}/pdf")
    assert link.status == 200, link.body
    text = text_of(link.body, tmp_path)
    assert "檢修確認表" in text and order["number"] in text
    assert order["vehicle"]["plate"] in text and order["customer"]["name"] in text
    assert "70,100km" in text and "3/8" in text
    assert "引擎故障燈" in text and "胎壓警示燈" in text
    assert "外側mm" in text and "中間mm" in text and "內側mm" in text and "中側" not in text
    assert "製造週/年" in text and "第01週/2018年" in text and "超過六年" in text
    assert "已檢查4條" in text and "230" in text
    assert "碟盤有溝痕" in text and "2.5" in text
    assert "外觀損傷（2處）" in text and "前保桿刮傷" in text and "凹陷" in text
    # every item of the checklist: the green one, the red ones, those not checked
    assert "機油（油量、油質）" in text and "正常" in text
    assert "雨刷片硬化" in text and "需處理" in text
    assert "避震器" in text and "未檢查" in text
    assert "照片（1張）" in text and "輪胎左前" in text
    assert images_in(link.body, tmp_path) == 1  # the photo (the outline is drawn in vectors)


def test_an_empty_walk_around_prints_as_not_checked(shop, tmp_path):
    order = an_order(shop)
    text = text_of(shop.advisor.get(f"{path(order)}/pdf").body, tmp_path)
    assert "檢修確認表" in text and "未檢查" in text and "外觀損傷（0處）" in text


@pytest.mark.parametrize("role, status", [("owner", 200), ("advisor", 200),
                                          ("technician", 200), ("anonymous", 401)])
def test_everyone_in_the_shop_may_print_the_walk_around(shop, role, status):
    order = an_order(shop)
    assert shop.as_role(role).get(f"{path(order)}/pdf").status == status


# --- 維修後關懷紀錄表 ---

def test_a_days_follow_up_calls_and_the_cases_they_opened_print_for_the_manager(
        shop, clock, chalice_client, tmp_path):
    unhappy = due_order(shop, clock, chalice_client)
    unreached = due_order(shop, clock, chalice_client)
    clock.value = morning(0) + timedelta(hours=3)  # 09:00
    assert call(shop, unreached["order_id"], outcome="no_answer", note="響很久沒人接").status == 200
    clock.value = morning(0) + timedelta(hours=4)
    answer = call(shop, unhappy["order_id"], **an_issue(shop.manager.staff_id))
    assert answer.status == 200, answer.body
    clock.value = morning(1)  # the next day, a call on another day is not this day's
    call(shop, unreached["order_id"], outcome="no_answer", note="隔天再打")

    day = morning(0).date().isoformat()
    link = shop.advisor.get(f"/api/followups/pdf?day={day}")
    assert link.status == 200, link.body
    text = text_of(link.body, tmp_path)
    assert "維修後關懷紀錄表" in text and day in text and "2通" in text and "1件" in text
    assert "09:00" in text and "10:00" in text
    for order in (unhappy, unreached):
        assert order["vehicle"]["plate"] in text and order["number"] in text
    assert unhappy["customer"]["name"] in text
    assert "未接" in text and "響很久沒人接" in text and "隔天再打" not in text
    assert "有問題" in text and "交車後煞車有異音" in text and "2026-11-27" in text
    assert "處理中" in text

    roc_dates(shop)
    assert "民國" in text_of(shop.advisor.get(f"/api/followups/pdf?day={day}").body, tmp_path)
    assert shop.technician.get(f"/api/followups/pdf?day={day}").status == 403


def test_a_day_without_calls_prints_an_empty_record(shop, tmp_path):
    text = text_of(shop.advisor.get("/api/followups/pdf?day=2026-11-02").body, tmp_path)
    assert "這天沒有關懷電話紀錄" in text and "這天沒有開立案件" in text


# --- drafts of the signed documents ---

def test_a_document_not_yet_signed_prints_as_a_draft(shop, tmp_path):
    order = an_order(shop, lines=True)
    link = shop.advisor.get(f"/api/orders/{order['order_id']}/documents/authorization/pdf")
    assert link.status == 200, link.body
    text = text_of(link.body, tmp_path)
    assert "委修確認單" in text and order["number"] in text and "草稿" in text
    assert order["customer"]["name"] in text and order["lines"][0]["description"] in text
    for kind, title in (("estimate", "估價單"), ("checkout", "結帳清單")):
        link = shop.advisor.get(f"/api/orders/{order['order_id']}/documents/{kind}/pdf")
        assert link.status == 200, link.body
        assert title in text_of(link.body, tmp_path)
    missing = shop.advisor.get(f"/api/orders/{order['order_id']}/documents/invoice/pdf")
    assert missing.status == 404


# --- each shop's own ---

def test_another_shop_prints_none_of_this_shops_papers(shop, chalice_client, tmp_path):
    order = an_order(shop)
    book(shop, order, "2026-11-30T09:30:00+08:00")
    other = a_shop(chalice_client, name="別家保養廠")
    assert other.advisor.get(f"{path(order)}/pdf").status == 404
    assert other.advisor.get(
        f"/api/orders/{order['order_id']}/documents/authorization/pdf").status == 404
    text = text_of(other.advisor.get("/api/appointments/pdf?day=2026-11-30").body, tmp_path)
    assert order["vehicle"]["plate"] not in text and "這天沒有預約" in text
