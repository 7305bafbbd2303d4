"""Signed documents on DynamoDB Local and s3rver: drawing up, signing, the guards of the state
machine, frozen means frozen (in the database too), new versions, the chain, verification."""
import json
import subprocess

import pytest

from chalicelib import models
from chalicelib.core import objects
from chalicelib.core import aws
from chalicelib.work import order_store, signatures
from chalicelib.api import Caller
from chalicelib.core.config import settings
from tests.builders import (STROKES, a_signature, an_added_line, an_order, checked, new_id,
                            settled)


def move(person, order_id, to):
    """The step; before delivery the bill is paid at the counter (test_payments.py)."""
    if to == "delivered":
        settled(person, order_id)
    return person.post(f"/api/orders/{order_id}/transitions", {"to": to, "client_id": new_id("step")})


def draft(person, order_id, kind):
    answer = person.get(f"/api/orders/{order_id}/documents/{kind}")
    assert answer.status == 200, answer.body
    return answer.body


def signing(order_id, kind, content_hash, **fields):
    return {"signature_id": new_id("sig"), "kind": kind, "content_hash": content_hash,
            "signer_name": "林美玲", "consent": True, "strokes": STROKES, "width": 600,
            "height": 200, **fields}


def stored(shop, order_id):
    return order_store.load(shop.shop_id, order_id)


# --- the documents ---

def test_the_authorization_shows_what_the_customer_consents_to(shop):
    order = an_order(shop, lines=True, promised_at="2026-11-29T17:00:00+08:00",
                     old_parts="take_back")
    shop.advisor.patch(f"/api/orders/{order['order_id']}/inspection", {"changes": [
        {"field": "lights.engine", "value": True, "changed_at": "2026-11-29T01:00:00Z"},
        {"field": "tyres.LF.inner", "value": 1.2, "changed_at": "2026-11-29T01:00:00Z"},
        {"field": "fuel_eighths", "value": 3, "changed_at": "2026-11-29T01:00:00Z"}]})
    document = draft(shop.advisor, order["order_id"], "authorization")
    content = document["content"]
    assert document["signable"] and document["version"] == 1
    assert content["title"] == {"zh": "委修確認單", "en": "Service authorization"}
    assert content["customer"]["name"] == "林美玲"
    assert content["vehicle"]["plate"] == order["vehicle"]["plate"]
    assert content["vehicle"]["fuel_eighths"] == 3
    assert content["order"]["old_parts"] == "take_back"
    assert content["order"]["promised_at"] == "2026-11-29T09:00:00.000Z"
    assert content["order"]["concerns"] == ["冷氣不冷"]
    assert [line["description"] for line in content["lines"]] == ["冷氣系統檢查", "冷媒 R134a"]
    assert content["totals"] == {"total": 2700, "sales": 2571, "tax": 129}  # the lines' sum
    assert content["inspection"]["lights"][0]["code"] == "engine"
    assert content["inspection"]["items"][0] == {"zh": "左前輪胎", "en": "Left front tyre",
                                                 "colour": "red", "note": "1.2 mm"}
    assert content["privacy"]["version"] and "個人資料保護法" in content["privacy"]["zh"]
    assert document["content_hash"] == signatures.digest(content)
    assert draft(shop.advisor, order["order_id"], "authorization")["content_hash"] == \
        document["content_hash"]


def test_a_document_that_cannot_be_signed_now_says_why(shop):
    order = an_order(shop)
    empty = draft(shop.advisor, order["order_id"], "authorization")
    assert not empty["signable"] and empty["reason"]["code"] == "not_signable"
    checkout = draft(shop.advisor, order["order_id"], "checkout")
    assert not checkout["signable"] and "待交車" in checkout["reason"]["zh"]
    assert shop.advisor.get(f"/api/orders/{order['order_id']}/documents/invoice").status == 404


# --- signing the authorization ---

def test_signing_the_authorization_lets_work_start(shop):
    order = an_order(shop, lines=True)
    refused = move(shop.advisor, order["order_id"], "authorized")
    assert refused.status == 409 and "委修確認單" in refused.body["error"]["message"]
    signed = a_signature(shop, order["order_id"], "authorization")
    assert signed["kind"] == "authorization" and signed["version"] == 1
    assert len(signed["hash"]) == 64 and signed["previous_hash"] is None
    assert signed["witness"]["staff_id"] == shop.advisor.staff_id
    assert signed["method"] == "in_person" and signed["signer_name"] == "林美玲"
    assert signed["verify_url"].endswith(f"/api/verify/{signed['hash']}")
    answer = move(shop.advisor, order["order_id"], "authorized")
    assert answer.status == 200
    assert answer.body["signed"]["authorization"]["hash"] == signed["hash"]
    assert answer.body["consented_total"] == 2700
    assert [item["signature_id"] for item in answer.body["signatures"]] == [signed["signature_id"]]
    assert all(line["state"] == "approved" for line in answer.body["lines"])


def test_the_signature_records_how_it_was_made(shop):
    order = an_order(shop, lines=True)
    shown = draft(shop.advisor, order["order_id"], "authorization")
    body = signing(order["order_id"], "authorization", shown["content_hash"])
    answer = shop.advisor.post(f"/api/orders/{order['order_id']}/signatures", body,
                               headers={"user-agent": "Mozilla/5.0 (iPad) Safari"})
    assert answer.status == 201, answer.body
    item = stored(shop, order["order_id"])["signatures"][0]
    record = json.loads(item["record"])
    assert record["content"] == shown["content"] and record["content_hash"] == shown["content_hash"]
    assert record["signature"]["strokes"] == STROKES
    assert record["user_agent"] == "Mozilla/5.0 (iPad) Safari" and record["ip"]
    assert record["consent"] == {"accepted": True, "privacy_version": shown["content"]["privacy"]["version"]}
    assert record["signed_at"] == item["signed_at"]
    assert signatures.digest(record) == item["hash"] == answer.body["hash"]
    png = aws.client("s3").get_object(Bucket=settings().bucket_name, Key=objects.signature_object(
        shop.shop_id, order["order_id"], body["signature_id"], "png"))["Body"].read()
    assert png.startswith(b"\x89PNG")


def test_sending_the_same_signature_again_answers_the_same(shop):
    order = an_order(shop, lines=True)
    shown = draft(shop.advisor, order["order_id"], "authorization")
    body = signing(order["order_id"], "authorization", shown["content_hash"])
    first = shop.advisor.post(f"/api/orders/{order['order_id']}/signatures", body)
    again = shop.advisor.post(f"/api/orders/{order['order_id']}/signatures", body)
    assert first.status == again.status == 201 and first.body == again.body
    twice = shop.advisor.post(f"/api/orders/{order['order_id']}/signatures",
                              signing(order["order_id"], "authorization", shown["content_hash"]))
    assert twice.status == 409 and twice.error == "already_signed"
    assert len(stored(shop, order["order_id"])["signatures"]) == 1


def test_a_document_changed_since_it_was_shown_is_409_and_nothing_is_stored(shop):
    order = an_order(shop, lines=True)
    shown = draft(shop.advisor, order["order_id"], "authorization")
    an_added_line(shop, order["order_id"], "雨刷", 600)  # before work: an authorization line
    answer = shop.advisor.post(f"/api/orders/{order['order_id']}/signatures",
                               signing(order["order_id"], "authorization", shown["content_hash"]))
    assert answer.status == 409 and answer.error == "document_changed"
    assert stored(shop, order["order_id"])["signatures"] == []


@pytest.mark.parametrize("change, code", [
    ({"strokes": [[[300, 100, 0]] * 12]}, "signature_too_short"),
    ({"strokes": [[[10, 10, 0], [20, 10, 5], [30, 10, 10], [40, 10, 15]]] * 3}, "signature_too_short"),
    ({"consent": False}, "consent_required"),
    ({"signer_name": "  "}, "validation"),
    ({"strokes": []}, "validation"),
    ({"strokes": [[[10, 10, 0], [200, 10, 50], [400, 10, 100], [590, 10, 150]]] * 3 + [[]]},
     "validation"),  # an empty stroke beside good ones
    ({"strokes": [[[1.5, 2, 3]]]}, "validation"),
    ({"content_hash": "not-a-hash"}, "validation"),
    ({"decisions": {"line-12345678": "approved"}}, "validation"),
])
def test_bad_signatures_are_refused_and_nothing_is_stored(shop, change, code):
    order = an_order(shop, lines=True)
    shown = draft(shop.advisor, order["order_id"], "authorization")
    answer = shop.advisor.post(f"/api/orders/{order['order_id']}/signatures",
                               {**signing(order["order_id"], "authorization",
                                          shown["content_hash"]), **change})
    assert answer.status == 422 and answer.error == code, answer.body
    assert stored(shop, order["order_id"])["signatures"] == []


def test_only_the_front_desk_witnesses_a_signature(shop):
    order = an_order(shop, lines=True)
    shown = draft(shop.technician, order["order_id"], "authorization")
    answer = shop.technician.post(f"/api/orders/{order['order_id']}/signatures",
                                  signing(order["order_id"], "authorization",
                                          shown["content_hash"]))
    assert answer.status == 403


def test_a_cancelled_order_cannot_be_signed(shop):
    order = an_order(shop, lines=True)
    shown = draft(shop.advisor, order["order_id"], "authorization")
    assert move(shop.advisor, order["order_id"], "cancelled").status == 200
    answer = shop.advisor.post(f"/api/orders/{order['order_id']}/signatures",
                               signing(order["order_id"], "authorization", shown["content_hash"]))
    assert answer.status == 409 and answer.error == "order_closed"
    assert stored(shop, order["order_id"])["signatures"] == []


# --- signed means frozen ---

def test_what_the_signed_authorization_covers_cannot_change(shop):
    order = an_order(shop, lines=True, old_parts="take_back")
    a_signature(shop, order["order_id"], "authorization")
    order_id, line = order["order_id"], order["lines"][0]
    price = shop.advisor.patch(f"/api/orders/{order_id}/lines/{line['line_id']}", {"rate": 1500})
    removal = shop.advisor.delete(f"/api/orders/{order_id}/lines/{line['line_id']}")
    added = shop.advisor.post(f"/api/orders/{order_id}/lines", {
        "line_id": new_id("line"), "kind": "labour", "description": "洗車", "hours": 1, "rate": 300})
    concerns = shop.advisor.patch(f"/api/orders/{order_id}", {"concerns": ["異音"]})
    wish = shop.advisor.patch(f"/api/orders/{order_id}", {"old_parts": "dispose"})
    walkaround = shop.advisor.patch(f"/api/orders/{order_id}/inspection", {"changes": [
        {"field": "fuel_eighths", "value": 5, "changed_at": "2026-11-29T02:00:00Z"}]})
    for answer in (price, removal, added, concerns, wish):
        assert answer.status == 409 and answer.error == "document_signed", answer.body
    assert walkaround.status == 409
    same = shop.advisor.patch(f"/api/orders/{order_id}", {"concerns": ["冷氣不冷"]})
    assert same.status == 200  # the same value again (a replayed edit) changes nothing
    after = stored(shop, order_id)
    assert after["totals"]["total"] == 2700 and len(after["lines"]) == 2
    assert after["inspection"] is None


def test_the_database_refuses_a_change_to_a_signed_line_from_a_stale_read(shop):
    """A tablet read the order before the signature and writes after it: the version guard
    would catch it, and so does the line's own condition, checked here alone."""
    order = an_order(shop, lines=True)
    before = stored(shop, order["order_id"])
    a_signature(shop, order["order_id"], "authorization")
    now = stored(shop, order["order_id"])
    stale_line = {**before["lines"][0], "rate": 1500, "amount": 2250}
    caller = Caller(shop.shop_id, shop.advisor.staff_id, "advisor", "advisor")
    with pytest.raises(models.LostRace):
        order_store.save(caller, now, {}, puts=[stale_line], unfrozen=[stale_line["sk"]])
    assert stored(shop, order["order_id"])["lines"][0]["rate"] == before["lines"][0]["rate"]


def test_a_new_version_of_the_authorization_can_be_drawn_up_and_signed(shop):
    order = an_order(shop, lines=True)
    first = a_signature(shop, order["order_id"], "authorization")
    revised = shop.advisor.post(f"/api/orders/{order['order_id']}/documents/authorization/revisions",
                                {"client_id": new_id("rev")})
    assert revised.status == 200 and "authorization" not in revised.body["signed"]
    assert revised.body["signatures"][0]["superseded_at"]
    line = order["lines"][0]
    assert shop.advisor.patch(f"/api/orders/{order['order_id']}/lines/{line['line_id']}",
                              {"rate": 1500}).status == 200
    assert move(shop.advisor, order["order_id"], "authorized").status == 409
    second = a_signature(shop, order["order_id"], "authorization")
    assert second["version"] == 2 and second["previous_hash"] == first["hash"]
    assert move(shop.advisor, order["order_id"], "authorized").status == 200
    old = shop.anonymous.get(f"/api/verify/{first['hash']}").body
    assert old["intact"] and old["superseded"]


def test_a_signed_authorization_cannot_be_redone_once_work_started(shop):
    order = an_order(shop, state="authorized")
    answer = shop.advisor.post(f"/api/orders/{order['order_id']}/documents/authorization/revisions",
                               {"client_id": new_id("rev")})
    assert answer.status == 409 and answer.error == "not_signable"


# --- additional work: the estimate ---

def test_an_additional_item_is_done_only_after_a_signed_estimate(shop):
    order = an_order(shop, state="in_progress")
    brake = an_added_line(shop, order["order_id"])
    wipers = an_added_line(shop, order["order_id"], "雨刷", 600)
    approved = shop.advisor.patch(f"/api/orders/{order['order_id']}/lines/{brake['line_id']}",
                                  {"state": "approved"})  # the customer said yes on the phone
    assert approved.status == 200
    early = shop.advisor.patch(f"/api/orders/{order['order_id']}/lines/{brake['line_id']}",
                               {"state": "done"})
    assert early.status == 409 and early.error == "needs_signed_estimate"
    estimate = draft(shop.advisor, order["order_id"], "estimate")
    assert [line["line_id"] for line in estimate["content"]["lines"]] == [brake["line_id"],
                                                                          wipers["line_id"]]
    assert estimate["content"]["consented_total"] == 2700
    signed = a_signature(shop, order["order_id"], "estimate",
                         decisions={brake["line_id"]: "approved", wipers["line_id"]: "declined"})
    after = shop.advisor.get(f"/api/orders/{order['order_id']}").body
    states = {line["line_id"]: line["state"] for line in after["lines"]}
    assert states[brake["line_id"]] == "approved" and states[wipers["line_id"]] == "declined"
    assert after["totals"]["total"] == 2700 + 2400 == after["consented_total"]
    record = json.loads(stored(shop, order["order_id"])["signatures"][-1]["record"])
    assert [line["decision"] for line in record["content"]["lines"]] == ["approved", "declined"]
    assert record["content"]["new_total"] == 5100 and signed["kind"] == "estimate"
    done = shop.advisor.patch(f"/api/orders/{order['order_id']}/lines/{brake['line_id']}",
                              {"state": "done"})
    assert done.status == 200
    declined_price = shop.advisor.patch(
        f"/api/orders/{order['order_id']}/lines/{wipers['line_id']}", {"unit_price": 500})
    assert declined_price.status == 409 and declined_price.error == "document_signed"
    nothing_left = draft(shop.advisor, order["order_id"], "estimate")
    assert not nothing_left["signable"]


def test_an_estimate_must_answer_every_item(shop):
    order = an_order(shop, state="in_progress")
    brake = an_added_line(shop, order["order_id"])
    an_added_line(shop, order["order_id"], "雨刷", 600)
    shown = draft(shop.advisor, order["order_id"], "estimate")
    answer = shop.advisor.post(f"/api/orders/{order['order_id']}/signatures", signing(
        order["order_id"], "estimate", shown["content_hash"],
        decisions={brake["line_id"]: "approved"}))
    assert answer.status == 422 and answer.error == "decisions_incomplete"
    assert stored(shop, order["order_id"])["signatures"][-1]["kind"] == "authorization"


def test_work_resumes_once_the_customer_answered_every_added_item(shop):
    order = an_order(shop, state="in_progress")
    brake = an_added_line(shop, order["order_id"])
    assert move(shop.advisor, order["order_id"], "awaiting_approval").status == 200
    assert move(shop.advisor, order["order_id"], "in_progress").status == 409
    a_signature(shop, order["order_id"], "estimate", decisions={brake["line_id"]: "approved"})
    assert move(shop.advisor, order["order_id"], "in_progress").status == 200


# --- the checkout list and delivery ---

def test_delivery_needs_the_signed_checkout_list(shop):
    order = an_order(shop, state="ready")
    refused = move(shop.advisor, order["order_id"], "delivered")
    assert refused.status == 409 and "結帳清單" in refused.body["error"]["message"]
    checkout = draft(shop.advisor, order["order_id"], "checkout")["content"]
    assert checkout["road_test"] == {"done": True, "note": "試車 5 km"}  # the final check's
    assert checkout["warranty"] == {"months": 12, "km": 20000}
    assert checkout["totals"]["total"] == checkout["consented_total"] == 2700
    signed = a_signature(shop, order["order_id"], "checkout")
    chain = [item["hash"] for item in stored(shop, order["order_id"])["signatures"]]
    assert signed["previous_hash"] == chain[0] and chain[1] == signed["hash"]
    buyer = shop.advisor.patch(f"/api/orders/{order['order_id']}", {"buyer": {
        "tax_id": "22099131", "title": "順安物流股份有限公司"}})
    assert buyer.status == 409 and buyer.error == "document_signed"
    assert move(shop.advisor, order["order_id"], "delivered").status == 200


def test_a_total_above_what_the_customer_consented_to_is_not_delivered(shop):
    order = an_order(shop, state="in_progress")
    extra = an_added_line(shop, order["order_id"])
    shop.advisor.patch(f"/api/orders/{order['order_id']}/lines/{extra['line_id']}",
                       {"state": "approved"})  # a phone call is not a signed estimate
    assert move(shop.advisor, order["order_id"], "quality_check").status == 200
    checked(shop, order["order_id"])
    assert move(shop.advisor, order["order_id"], "ready").status == 200
    # The added line cannot be done, nor the checkout list signed, nor the car delivered.
    done = shop.advisor.patch(f"/api/orders/{order['order_id']}/lines/{extra['line_id']}",
                              {"state": "done"})
    assert done.status == 409 and done.error == "needs_signed_estimate"
    draft = shop.advisor.get(f"/api/orders/{order['order_id']}/documents/checkout").body
    assert draft["reason"]["code"] == "work_open"
    refused = move(shop.advisor, order["order_id"], "delivered")
    assert refused.status == 409
    a_signature(shop, order["order_id"], "estimate", decisions={extra["line_id"]: "approved"})
    assert shop.advisor.patch(f"/api/orders/{order['order_id']}/lines/{extra['line_id']}",
                              {"state": "done"}).status == 200
    a_signature(shop, order["order_id"], "checkout")
    assert move(shop.advisor, order["order_id"], "delivered").status == 200


# --- verification ---

def test_verification_says_intact_with_no_personal_data(shop):
    order = an_order(shop, lines=True)
    signed = a_signature(shop, order["order_id"], "authorization")
    answer = shop.anonymous.get(f"/api/verify/{signed['hash']}")
    assert answer.status == 200
    plate = order["vehicle"]["plate"]
    assert answer.body == {"intact": True, "kind": "authorization",
                           "title": {"zh": "委修確認單", "en": "Service authorization"},
                           "version": 1, "signed_at": signed["signed_at"], "method": "in_person",
                           "method_name": ["現場簽署", "Signed in person"],
                           "shop": {"name": "測試保養廠"}, "plate": plate[:4] + "**" + plate[-2:],
                           "order_number": order["number"], "superseded": False}
    page = shop.anonymous.get(f"/api/verify/{signed['hash']}", headers={"accept": "text/html"})
    assert {k.lower(): v for k, v in page.headers.items()}["content-type"].startswith("text/html")
    html = page.body.decode("utf-8")
    assert "文件完整" in html and "林美玲" not in html and plate not in html


def test_unknown_or_malformed_hashes_are_404(shop):
    assert shop.anonymous.get(f"/api/verify/{'a' * 64}").status == 404
    assert shop.anonymous.get("/api/verify/not-a-hash").status == 404


def tamper(item, field, value):
    if field.startswith("record."):
        record = json.loads(item["record"])
        target = record
        *path, last = field.removeprefix("record.").split(".")
        for part in path:
            target = target[part]
        target[last] = value
        changed = {"record": signatures.canonical(record).decode()}
    else:
        changed = {field: value}
    aws.table().put_item(Item={**item, **changed})


@pytest.mark.parametrize("field, value", [
    ("record.content.totals.total", 1),
    ("record.content.customer.name", "王大明"),
    ("record.signer_name", "王大明"),
    ("record.signed_at", "2026-01-01T00:00:00.000Z"),
    ("record.signature.strokes", [[[0, 0, 0], [500, 100, 10]]]),
    ("record.previous_hash", "f" * 64),
    ("signer_name", "王大明"),
    ("signed_at", "2026-01-01T00:00:00.000Z"),
    ("version", 7),
    ("plate", "XYZ-9999"),
    ("record", "{not json"),
])
def test_tampering_with_any_stored_field_is_detected(shop, field, value):
    order = an_order(shop, lines=True)
    signed = a_signature(shop, order["order_id"], "authorization")
    item = stored(shop, order["order_id"])["signatures"][0]
    tamper(item, field, value)
    assert shop.anonymous.get(f"/api/verify/{signed['hash']}").body["intact"] is False


def test_a_replaced_signature_picture_is_detected(shop):
    order = an_order(shop, lines=True)
    signed = a_signature(shop, order["order_id"], "authorization")
    aws.client("s3").put_object(
        Bucket=settings().bucket_name, Body=signatures.draw(STROKES[:2], 600, 200),
        Key=objects.signature_object(shop.shop_id, order["order_id"], signed["signature_id"], "png"))
    assert shop.anonymous.get(f"/api/verify/{signed['hash']}").body["intact"] is False


def test_a_signature_dropped_from_the_chain_is_detected(shop):
    order = an_order(shop, state="ready")
    checkout = a_signature(shop, order["order_id"], "checkout")
    first = stored(shop, order["order_id"])["signatures"][0]
    aws.table().delete_item(Key={"pk": first["pk"], "sk": first["sk"]})
    assert shop.anonymous.get(f"/api/verify/{checkout['hash']}").body["intact"] is False


# --- the paper copy ---

def test_the_signed_pdf_downloads_with_the_customer_plate_and_total(shop, tmp_path):
    import urllib.request

    order = an_order(shop, lines=True)
    signed = a_signature(shop, order["order_id"], "authorization")
    link = shop.advisor.get(f"/api/orders/{order['order_id']}/signatures/{signed['signature_id']}/pdf")
    assert link.status == 200 and link.body["filename"].startswith("委修確認單-")
    with urllib.request.urlopen(link.body["url"]) as response:
        pdf = response.read()
        assert response.headers["content-type"] == "application/pdf"
    assert pdf.startswith(b"%PDF")
    (tmp_path / "signed.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "signed.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "林美玲" in text and order["vehicle"]["plate"] in text and "2,700" in text and "2,835" not in text
    assert signed["hash"] in text.replace("\n", "").replace(" ", "")


def test_another_shop_cannot_read_a_signed_document(shop, chalice_client):
    from tests.builders import a_shop

    order = an_order(shop, lines=True)
    signed = a_signature(shop, order["order_id"], "authorization")
    other = a_shop(chalice_client, name="別家保養廠")
    path = f"/api/orders/{order['order_id']}/signatures/{signed['signature_id']}/pdf"
    assert other.advisor.get(path).status == 404
    assert other.advisor.get(f"/api/orders/{order['order_id']}/documents/authorization").status == 404


def test_old_parts_left_to_decide_at_delivery_can_still_be_decided(shop):
    undecided = an_order(shop, lines=True)
    a_signature(shop, undecided["order_id"], "authorization")
    decided = shop.advisor.patch(f"/api/orders/{undecided['order_id']}", {"old_parts": "take_back"})
    assert decided.status == 200 and decided.body["old_parts"] == "take_back"
    again = shop.advisor.patch(f"/api/orders/{undecided['order_id']}", {"old_parts": "dispose"})
    assert again.status == 409 and again.error == "document_signed"


def test_the_checkout_list_lists_the_old_parts_and_delivery_waits_for_them(shop):
    order = an_order(shop, state="ready", old_parts="take_back")
    tag = shop.technician.post("/api/parts", {"tag_id": new_id("tag"), "order_id": order["order_id"],
                                              "part_name": "機油濾芯"})
    assert tag.status == 201, tag.body
    # The old part is not handed back yet: the checkout list cannot record it as signed for.
    waiting = draft(shop.advisor, order["order_id"], "checkout")
    assert not waiting["signable"] and waiting["reason"]["code"] == "old_parts_undecided"
    assert "機油濾芯" in waiting["reason"]["zh"]
    refused = move(shop.advisor, order["order_id"], "delivered")
    assert refused.status == 409 and "結帳清單" in refused.body["error"]["message"]
    returned = shop.advisor.post(f"/api/parts/{tag.body['code']}/events", {
        "event_id": new_id("ev"), "to": "returned_to_customer"})
    assert returned.status in (200, 201), returned.body
    checkout = draft(shop.advisor, order["order_id"], "checkout")["content"]
    assert checkout["parts"] == [{"code": tag.body["code"], "part_name": "機油濾芯",
                                  "quantity": 1, "unit": "piece",
                                  "state": "returned_to_customer", "wish": "take_back"}]
    a_signature(shop, order["order_id"], "checkout")
    assert move(shop.advisor, order["order_id"], "delivered").status == 200


def test_a_remote_signature_names_the_link_s_channel_and_no_witness(shop):
    order = an_order(shop, state="in_progress")
    brake = an_added_line(shop, order["order_id"])
    shown = draft(shop.advisor, order["order_id"], "estimate")
    body = signatures.NewSignature(**signing(order["order_id"], "estimate", shown["content_hash"],
                                             decisions={brake["line_id"]: "approved"}))
    signed = signatures.sign_remotely(shop.shop_id, order["order_id"], body,
                                      {"ip": "203.0.113.9", "user_agent": "Line/14.0"}, "line")
    assert signed["method"] == "remote" and signed["witness"] is None
    record = json.loads(stored(shop, order["order_id"])["signatures"][-1]["record"])
    assert record["channel"] == "line" and record["user_agent"] == "Line/14.0"
    after = shop.advisor.get(f"/api/orders/{order['order_id']}").body
    assert after["events"][-1]["by"]["name"] == "林美玲"
    assert shop.anonymous.get(f"/api/verify/{signed['hash']}").body["method"] == "remote"


def test_added_work_carries_its_reason_and_photo_to_the_estimate(shop):
    from tests.integration.test_photos import a_jpeg, complete, presign, upload

    order = an_order(shop, state="in_progress")
    data = a_jpeg(400, 300, gps=False)
    target = presign(shop.technician, order, data, subject="general")
    upload(target["upload"], data)
    photo = complete(shop.technician, order, target["photo_id"]).body
    path = f"/api/orders/{order['order_id']}/lines"
    unknown = shop.advisor.post(path, {"line_id": new_id("line"), "kind": "part",
                                       "description": "前煞車碟盤", "quantity": 2,
                                       "unit_price": 2800, "photo_id": new_id("photo")})
    assert unknown.status == 422 and unknown.error == "unknown_photo"
    added = shop.advisor.post(path, {"line_id": new_id("line"), "kind": "part",
                                     "description": "前煞車碟盤", "quantity": 2, "unit_price": 2800,
                                     "reason": "碟盤磨損低於 22 mm 下限", "photo_id": photo["photo_id"]})
    assert added.status == 201, added.body
    line = draft(shop.advisor, order["order_id"], "estimate")["content"]["lines"][0]
    assert line["reason"] == "碟盤磨損低於 22 mm 下限" and line["photo_id"] == photo["photo_id"]
    link = shop.advisor.get(f"/api/orders/{order['order_id']}/link").body["url"]
    page = shop.anonymous.get(link[link.index("/t/"):], headers={"accept": "text/html"})
    html = page.body.decode("utf-8") if isinstance(page.body, bytes) else page.body
    assert page.status == 200 and "碟盤磨損低於 22 mm 下限" in html
    assert f"{photo['photo_id']}/thumb.jpg" in html  # the photo, as a lazy thumbnail


# --- the mileage a document shows ---

def test_documents_show_the_walk_around_s_mileage_not_the_one_typed_at_creation(shop, tmp_path):
    import urllib.request

    typed_only = an_order(shop, lines=True, mileage_km=18_350)
    shown = draft(shop.advisor, typed_only["order_id"], "authorization")["content"]
    assert shown["order"]["mileage_km"] == 18_350  # no walk-around yet: the reception's reading
    order = an_order(shop, lines=True, mileage_km=18_350)
    walked = shop.advisor.patch(f"/api/orders/{order['order_id']}/inspection", {"changes": [
        {"field": "mileage_km", "value": 18_362, "changed_at": "2026-06-15T01:00:00Z"}]})
    assert walked.status == 200, walked.body
    assert draft(shop.advisor, order["order_id"], "authorization")["content"]["order"][
        "mileage_km"] == 18_362
    signed = a_signature(shop, order["order_id"], "authorization")
    record = json.loads(stored(shop, order["order_id"])["signatures"][0]["record"])
    assert record["content"]["order"]["mileage_km"] == 18_362
    link = shop.advisor.get(f"/api/orders/{order['order_id']}/signatures/"
                            f"{signed['signature_id']}/pdf").body["url"]
    with urllib.request.urlopen(link) as response:
        (tmp_path / "signed.pdf").write_bytes(response.read())
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "signed.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "18,362 km" in text and "18,350" not in text


# --- the checkout list and the old parts ---

def part_event(person, tag, to, **fields):
    answer = person.post(f"/api/parts/{tag['code']}/events",
                         {"event_id": new_id("ev"), "to": to, **fields})
    assert answer.status == 200, answer.body
    return answer.body


def test_the_checkout_list_cannot_be_signed_before_every_old_part_is_settled(shop):
    from tests.builders import a_part_tag

    order = an_order(shop, state="ready")
    kept = a_part_tag(shop, order, part_name="舊電瓶", wish="take_back")
    undecided = a_part_tag(shop, order, part_name="雨刷片")  # the order said: decide at delivery
    a_part_tag(shop, order, part_name="機油濾芯", wish="dispose")  # left to the shop: settled
    shown = draft(shop.advisor, order["order_id"], "checkout")
    assert not shown["signable"] and shown["reason"]["code"] == "old_parts_undecided"
    assert "舊電瓶" in shown["reason"]["zh"] and "雨刷片" in shown["reason"]["zh"]
    refused = shop.advisor.post(f"/api/orders/{order['order_id']}/signatures",
                                signing(order["order_id"], "checkout", shown["content_hash"]))
    assert refused.status == 409 and refused.error == "old_parts_undecided"
    part_event(shop.advisor, kept, "returned_to_customer")
    assert shop.advisor.patch(f"/api/parts/{undecided['code']}",
                              {"wish": "dispose"}).status == 200
    a_signature(shop, order["order_id"], "checkout")
    assert move(shop.advisor, order["order_id"], "delivered").status == 200


def test_an_old_part_moved_after_the_checkout_was_signed_sets_the_signature_aside(shop):
    from tests.builders import a_part_tag

    order = an_order(shop, state="ready")
    tag = a_part_tag(shop, order, wish="dispose")
    first = a_signature(shop, order["order_id"], "checkout")
    part_event(shop.technician, tag, "held", location="回收區")
    after = shop.advisor.get(f"/api/orders/{order['order_id']}").body
    assert "checkout" not in after["signed"]
    voided = next(s for s in after["signatures"] if s["signature_id"] == first["signature_id"])
    assert voided["superseded_at"] and voided["superseded_reason"]["code"] == "old_part_changed"
    assert after["sign_again"]["checkout"]["code"] == "old_part_changed"
    assert tag["code"] in after["sign_again"]["checkout"]["zh"].replace(" ", "")
    assert after["events"][-1]["document"] == {"kind": "checkout", "version": 1,
                                               "signature_id": first["signature_id"],
                                               "superseded": True}
    assert not any(first["signature_id"] in line.get("frozen_by", [])
                   for line in stored(shop, order["order_id"])["lines"])
    refused = move(shop.advisor, order["order_id"], "delivered")
    assert refused.status == 409 and "結帳清單" in refused.body["error"]["message"]
    again = draft(shop.advisor, order["order_id"], "checkout")
    assert again["signable"] and again["version"] == 2
    assert again["content"]["parts"][0]["state"] == "held"
    second = a_signature(shop, order["order_id"], "checkout")
    assert second["previous_hash"] == first["hash"]
    assert "sign_again" not in shop.advisor.get(f"/api/orders/{order['order_id']}").body
    assert move(shop.advisor, order["order_id"], "delivered").status == 200
    # After delivery the shop disposes of what it kept: the delivered order's list stands.
    part_event(shop.advisor, tag, "disposed",
               disposal={"category": "filter", "recycler": "綠能環保回收"})
    assert stored(shop, order["order_id"])["signed"]["checkout"]["signature_id"] == \
        second["signature_id"]


def test_a_decision_changed_after_the_checkout_was_signed_sets_it_aside(shop):
    from tests.builders import a_part_tag

    order = an_order(shop, state="ready")
    tag = a_part_tag(shop, order, wish="dispose")
    a_signature(shop, order["order_id"], "checkout")
    changed = shop.advisor.patch(f"/api/parts/{tag['code']}", {"wish": "take_back"})
    assert changed.status == 200, changed.body
    after = stored(shop, order["order_id"])
    assert "checkout" not in after["signed"] and after["signatures"][-1]["superseded_at"]
    # The customer now takes it back: a new checkout list waits until it is handed over.
    assert draft(shop.advisor, order["order_id"], "checkout")["reason"]["code"] == \
        "old_parts_undecided"
    part_event(shop.advisor, tag, "returned_to_customer")
    a_signature(shop, order["order_id"], "checkout")
    assert move(shop.advisor, order["order_id"], "delivered").status == 200


def test_a_crate_moved_after_the_checkout_was_signed_sets_it_aside(shop):
    from tests.builders import a_part_tag

    order = an_order(shop, state="ready")
    tags = [a_part_tag(shop, order, wish="dispose") for _ in range(2)]
    a_signature(shop, order["order_id"], "checkout")
    moved = shop.technician.post("/api/parts/moves", {
        "codes": [tag["code"] for tag in tags],
        "event": {"event_id": new_id("ev"), "to": "held", "location": "B-02"}})
    assert moved.status == 200 and moved.body["moved"] == 2, moved.body
    after = stored(shop, order["order_id"])
    assert "checkout" not in after["signed"]
    assert [s["superseded_at"] is not None for s in after["signatures"]
            if s["kind"] == "checkout"] == [True]


def test_what_the_checkout_list_does_not_show_may_change_and_a_replay_changes_nothing(shop):
    from tests.builders import a_part_tag

    order = an_order(shop, state="ready")
    tag = a_part_tag(shop, order, wish="dispose")
    part_event(shop.technician, tag, "held", location="A-01")
    signed = a_signature(shop, order["order_id"], "checkout")
    event = {"event_id": new_id("ev"), "to": "held", "location": "A-02"}  # another shelf
    for _ in range(2):
        answer = shop.technician.post(f"/api/parts/{tag['code']}/events", event)
        assert answer.status == 200, answer.body
    assert shop.advisor.patch(f"/api/parts/{tag['code']}",
                              {"reason": "濾芯堵塞"}).status == 200
    after = stored(shop, order["order_id"])
    assert after["signed"]["checkout"]["signature_id"] == signed["signature_id"]
    assert move(shop.advisor, order["order_id"], "delivered").status == 200


def test_an_old_part_tagged_after_the_checkout_was_signed_asks_for_it_again(shop):
    from tests.builders import a_part_tag

    order = an_order(shop, state="ready")
    a_signature(shop, order["order_id"], "checkout")
    a_part_tag(shop, order, part_name="舊煞車來令片", wish="dispose")
    after = shop.advisor.get(f"/api/orders/{order['order_id']}").body
    assert after["sign_again"]["checkout"]["code"] == "old_parts_changed"
    refused = move(shop.advisor, order["order_id"], "delivered")
    assert refused.status == 409 and "舊煞車來令片" in refused.body["error"]["message"]
    revised = shop.advisor.post(f"/api/orders/{order['order_id']}/documents/checkout/revisions",
                                {"client_id": new_id("rev")})
    assert revised.status == 200
    a_signature(shop, order["order_id"], "checkout")
    assert move(shop.advisor, order["order_id"], "delivered").status == 200


# --- integrity: the seal, and what the documents cover ---

def rehashed(item, record):
    """What someone with table access can do: edit the record and recompute its SHA-256."""
    new_hash = signatures.digest(record)
    aws.table().put_item(Item={**item, "record": signatures.canonical(record).decode(),
                               "hash": new_hash, **models.signature_hash_index(new_hash)})
    return new_hash


def test_a_record_edited_and_hashed_again_in_the_table_is_not_intact(shop):
    order = an_order(shop, lines=True)
    a_signature(shop, order["order_id"], "authorization")
    item = stored(shop, order["order_id"])["signatures"][0]
    record = json.loads(item["record"])
    record["content"]["totals"]["total"] = 1
    new_hash = rehashed(item, record)
    answer = shop.anonymous.get(f"/api/verify/{new_hash}")
    assert answer.status == 200 and answer.body["intact"] is False


def test_a_seal_that_does_not_match_is_not_intact(shop):
    order = an_order(shop, lines=True)
    signed = a_signature(shop, order["order_id"], "authorization")
    item = stored(shop, order["order_id"])["signatures"][0]
    assert item["seal"] == signatures.seal(item["hash"]) != item["hash"]
    for seal in ("0" * 64, None):
        changed = {**item, "seal": seal} if seal else {k: v for k, v in item.items()
                                                       if k != "seal"}
        aws.table().put_item(Item=changed)
        assert shop.anonymous.get(f"/api/verify/{signed['hash']}").body["intact"] is False
    aws.table().put_item(Item=item)
    assert shop.anonymous.get(f"/api/verify/{signed['hash']}").body["intact"] is True


def test_an_order_whose_documents_match_reads_intact_through_its_whole_life(shop):
    order = an_order(shop, state="in_progress")
    assert shop.advisor.get(f"/api/orders/{order['order_id']}").body["integrity"] == {"ok": True}
    brake = an_added_line(shop, order["order_id"])
    wipers = an_added_line(shop, order["order_id"], "雨刷", 600)
    a_signature(shop, order["order_id"], "estimate",
                decisions={brake["line_id"]: "approved", wipers["line_id"]: "declined"})
    for line in order["lines"] + [brake]:
        assert shop.advisor.patch(f"/api/orders/{order['order_id']}/lines/{line['line_id']}",
                                  {"state": "done"}).status == 200
    assert move(shop.advisor, order["order_id"], "quality_check").status == 200
    checked(shop, order["order_id"])
    assert move(shop.advisor, order["order_id"], "ready").status == 200
    a_signature(shop, order["order_id"], "checkout")
    delivered = move(shop.advisor, order["order_id"], "delivered")
    assert delivered.status == 200 and delivered.body["integrity"] == {"ok": True}


def edit(key, **changes):
    """Change stored attributes behind the API's back."""
    aws.table().update_item(Key={"pk": key["pk"], "sk": key["sk"]},
                            UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in changes),
                            ExpressionAttributeNames={f"#{k}": k for k in changes},
                            ExpressionAttributeValues={f":{k}": v for k, v in changes.items()})


@pytest.mark.parametrize("what", ["line_amount", "line_description", "line_removed", "concerns",
                                  "fuel", "record"])
def test_a_signed_order_changed_in_the_table_says_so_on_the_order(shop, what):
    from decimal import Decimal

    order = an_order(shop, lines=True)
    shop.advisor.patch(f"/api/orders/{order['order_id']}/inspection", {"changes": [
        {"field": "fuel_eighths", "value": 4, "changed_at": "2026-06-15T01:00:00Z"}]})
    signed = a_signature(shop, order["order_id"], "authorization")
    now = stored(shop, order["order_id"])
    line, header = now["lines"][0], models.order_key(shop.shop_id, order["order_id"])
    if what == "line_amount":
        edit(line, amount=Decimal(1), rate=Decimal(1))
    elif what == "line_description":
        edit(line, description="免費檢查")
    elif what == "line_removed":
        aws.table().delete_item(Key={"pk": line["pk"], "sk": line["sk"]})
    elif what == "concerns":
        edit(header, concerns=["客戶沒說過的項目"])
    elif what == "fuel":
        edit(now["inspection"], values={**now["inspection"]["values"], "fuel_eighths": 8})
    else:
        record = json.loads(now["signatures"][0]["record"])
        record["content"]["lines"][0]["amount"] = 1
        rehashed(now["signatures"][0], record)
        edit(header, signed={"authorization": {**now["signed"]["authorization"],
                                               "hash": signatures.digest(record)}})
    answer = shop.advisor.get(f"/api/orders/{order['order_id']}").body
    integrity = answer["integrity"]
    assert integrity["ok"] is False, integrity
    (problem,) = integrity["problems"]
    assert problem["signature_id"] == signed["signature_id"] and problem["kind"] == "authorization"
    assert problem["zh"] and problem["en"]
    if what.startswith("line"):
        assert "冷氣系統檢查" in problem["zh"]
