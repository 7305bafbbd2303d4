"""A vehicle's 維修履歷 on the real engines: three visits built through the API give the tread,
pad and mileage series and the declined work still open; the PDF for the owner reads back with
the car and its work and nobody's contact details."""
from __future__ import annotations

import subprocess
import urllib.request

import pytest

from tests.builders import a_customer_and_vehicle, a_shop, a_visit, new_id


def three_visits(shop):
    """Oil at each visit; pads and wipers declined at the first, wipers done at the second."""
    customer, vehicle = a_customer_and_vehicle(shop)
    visits = [
        a_visit(shop, vehicle, 30_000, {"LF": (6, 5.5, 6), "RR": (7, 7, 7)},
                {"front": 8, "rear": 9},
                [("機油更換", "approved"), ("前煞車來令片更換", "declined"), ("雨刷更換", "declined")]),
        a_visit(shop, vehicle, 40_000, {"LF": (4.5, 4, 4.2), "RR": (6, 6.5, 6)},
                {"front": 5, "rear": 8},
                [("機油更換", "approved"), ("雨刷 更換", "approved")]),
        a_visit(shop, vehicle, 50_000, {"LF": (2, 1.5, 2), "RR": (5, 5, 5)},
                {"front": 3, "rear": 7}, [("機油更換", "approved")]),
    ]
    return customer, vehicle, visits


def test_three_visits_give_the_tread_pad_and_mileage_series_oldest_first(shop):
    _, vehicle, visits = three_visits(shop)
    answer = shop.advisor.get(f"/api/vehicles/{vehicle['vehicle_id']}/history")
    assert answer.status == 200, answer.body
    history = answer.body
    assert [visit["number"] for visit in history["visits"]] == \
        [visit["number"] for visit in reversed(visits)]  # newest first
    newest = history["visits"][0]
    assert newest["mileage_km"] == 50_000 and newest["state"] == "delivered"
    assert newest["state_zh"] == "已交車"
    assert [(line["description"], line["state"]) for line in newest["lines"]] == \
        [("機油更換", "done")]
    assert newest["lines"][0]["amount"] == 1000
    # a tyre per visit is its worst groove
    assert [point["mm"] for point in history["tyres"]["LF"]] == [5.5, 4, 1.5]
    assert [point["mm"] for point in history["tyres"]["RR"]] == [7, 6, 5]
    assert set(history["tyres"]) == {"LF", "RR"}
    assert [point["mm"] for point in history["brakes"]["front"]] == [8, 5, 3]
    assert [point["mm"] for point in history["brakes"]["rear"]] == [9, 8, 7]
    assert [reading["km"] for reading in history["mileage"]] == [30_000, 40_000, 50_000]
    assert history["legal_tread_mm"] == 1.6 and history["more"] is False
    assert history["vehicle"]["plate"] == vehicle["plate"]


def test_declined_work_stays_open_until_a_later_visit_does_it(shop):
    _, vehicle, visits = three_visits(shop)
    history = shop.advisor.get(f"/api/vehicles/{vehicle['vehicle_id']}/history").body
    # the wipers were done at the second visit (however the words were spaced); the pads never
    assert [(line["description"], line["number"]) for line in history["declined_open"]] == \
        [("前煞車來令片更換", visits[0]["number"])]
    first = history["visits"][-1]
    assert [line["state"] for line in first["lines"]] == ["done", "declined", "declined"]
    assert first["total"] == 1000  # what was declined is not counted


def test_a_cancelled_order_is_not_a_visit(shop):
    _, vehicle = a_customer_and_vehicle(shop)
    order_id = new_id("order")
    opened = shop.advisor.post("/api/orders", {
        "order_id": order_id, "customer_id": vehicle["customer_id"],
        "vehicle_id": vehicle["vehicle_id"]})
    assert opened.status == 201, opened.body
    cancelled = shop.advisor.post(f"/api/orders/{order_id}/transitions",
                                  {"to": "cancelled", "client_id": new_id("step")})
    assert cancelled.status == 200, cancelled.body
    history = shop.advisor.get(f"/api/vehicles/{vehicle['vehicle_id']}/history").body
    assert history["visits"] == [] and history["declined_open"] == []


def test_the_history_pdf_holds_the_car_and_its_work_and_no_contact_details(shop, tmp_path):
    customer, vehicle, visits = three_visits(shop)
    link = shop.advisor.get(f"/api/vehicles/{vehicle['vehicle_id']}/history/pdf")
    assert link.status == 200, link.body
    assert link.body["content_type"] == "application/pdf"
    assert vehicle["plate"] not in link.body["filename"]
    with urllib.request.urlopen(link.body["url"]) as response:
        (tmp_path / "history.pdf").write_bytes(response.read())
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "history.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout.replace(" ", "")
    assert "維修履歷" in text and vehicle["plate"] in text and "Toyota" in text
    assert all(visit["number"] in text for visit in visits)
    assert "50,000km" in text and "30,000km" in text and "機油更換" in text
    assert "左前胎1.5mm" in text and "前來令片3.0mm" in text
    assert "建議尚未施作" in text and "前煞車來令片更換" in text
    assert customer["name"] not in text and "0912" not in text and "345-678" not in text


@pytest.mark.parametrize("role", ["owner", "manager", "advisor", "technician"])
def test_every_role_reads_the_history(shop, role):
    _, vehicle = a_customer_and_vehicle(shop)
    assert shop.as_role(role).get(f"/api/vehicles/{vehicle['vehicle_id']}/history").status == 200


def test_a_technician_cannot_print_the_history_for_the_customer(shop):
    _, vehicle = a_customer_and_vehicle(shop)
    answer = shop.technician.get(f"/api/vehicles/{vehicle['vehicle_id']}/history/pdf")
    assert answer.status == 403


def test_nobody_signed_in_reads_no_history(shop):
    _, vehicle = a_customer_and_vehicle(shop)
    assert shop.anonymous.get(f"/api/vehicles/{vehicle['vehicle_id']}/history").status == 401


def test_another_shop_reads_neither_the_history_nor_its_pdf(shop, chalice_client):
    _, vehicle, _ = three_visits(shop)
    other = a_shop(chalice_client, name="別家保養廠")
    for path in ("history", "history/pdf"):
        answer = other.owner.get(f"/api/vehicles/{vehicle['vehicle_id']}/{path}")
        assert answer.status == 404, (path, answer.body)
