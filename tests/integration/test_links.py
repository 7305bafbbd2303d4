"""The customer's progress link (/t/<token>): derived tokens, one 404 for every failure, the
page, remote approval of additional work and the old-parts choice, through the routes."""
import base64
import hashlib
import hmac
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from boto3.dynamodb.conditions import Key

from chalicelib import models
from chalicelib.core import clock as times
from chalicelib.core import aws, secrets
from chalicelib.outward import approval_codes, links, texted_codes
from chalicelib import customer_routes
from chalicelib.work import orders
from tests.builders import STROKES, a_part_tag, an_added_line, an_order, new_id


@pytest.fixture(autouse=True)
def own_ip(monkeypatch):
    """Each test guesses from an address of its own (the limit counts per client per minute)."""
    ip = f"198.51.100.{uuid.uuid4().int % 250 + 1}-{uuid.uuid4().hex[:6]}"
    monkeypatch.setattr(customer_routes, "client", lambda: {"ip": ip, "user_agent": "pytest"})
    return ip


def link_of(shop, order_id):
    answer = shop.advisor.get(f"/api/orders/{order_id}/link")
    assert answer.status == 200, answer.body
    return answer.body


def path_of(url):
    return "/t/" + url.rsplit("/t/", 1)[1]


def page(shop, path, **kw):
    answer = shop.anonymous.request("GET", path, headers={"accept": "text/html"}, **kw)
    if isinstance(answer.body, bytes):
        answer.body = answer.body.decode()
    return answer


def test_the_token_is_derived_and_only_its_hash_is_stored(shop):
    order = an_order(shop)
    link = link_of(shop, order["order_id"])
    token = link["url"].rsplit("/", 1)[1]
    key = secrets.get("link-signing-key").encode()
    mac = hmac.new(key, f"{shop.shop_id}:{order['order_id']}:1".encode(), hashlib.sha256).digest()
    assert token == base64.urlsafe_b64encode(mac[:24]).decode().rstrip("=")
    assert len(token) == 32 and link["generation"] == 1 and link["qr_svg"].startswith("<?xml")
    assert links.url_for(shop.shop_id, order["order_id"]) == link["url"]
    items = aws.table().query(KeyConditionExpression=Key("pk").eq(
        models.order_pk(shop.shop_id, order["order_id"])))["Items"]
    stored = json.dumps(items, default=str)
    assert token not in stored
    assert hashlib.sha256(token.encode()).hexdigest() in stored
    assert links.url_for(shop.shop_id, "no-such-order") is None


def test_every_failure_is_the_same_404(shop):
    order = an_order(shop, state="delivered")
    good = path_of(link_of(shop, order["order_id"])["url"])
    assert page(shop, good).status == 200
    revoked_order = an_order(shop)
    revoked = path_of(link_of(shop, revoked_order["order_id"])["url"])
    assert shop.advisor.delete(f"/api/orders/{revoked_order['order_id']}/link").status == 200
    assert links.url_for(shop.shop_id, revoked_order["order_id"]) is None
    later = times.now() + timedelta(days=31)
    real_now = times.now
    times.now = lambda: later
    try:
        expired = page(shop, good)
    finally:
        times.now = real_now
    answers = [expired, page(shop, revoked), page(shop, "/t/" + "A" * 32),
               page(shop, "/t/short"), page(shop, "/t/" + "%E4%B8%AD" * 40)]
    first = answers[0]
    assert first.status == 404
    for answer in answers:
        assert (answer.status, answer.body) == (first.status, first.body)
        assert {k.lower(): v for k, v in answer.headers.items()} == \
            {k.lower(): v for k, v in first.headers.items()}
    assert "找不到這個連結" in first.body and order["order_id"] not in first.body


def test_guessing_is_limited_per_client(shop, monkeypatch):
    order = an_order(shop)
    good = path_of(link_of(shop, order["order_id"])["url"])
    monkeypatch.setattr(links, "LIMIT_PER_MINUTE", 3)
    # One minute of its own, held still: the count is per client and minute, and neither the
    # minute turning mid-test nor other tests' look-ups from this client may move it.
    still = datetime(2026, 11, 28, 3, 7, 30, tzinfo=timezone.utc)
    monkeypatch.setattr(times, "now", lambda: still)
    for _ in range(3):
        assert page(shop, "/t/" + "B" * 32).status == 404
    limited = page(shop, good)  # even a good token, from this client, this minute
    assert limited.status == 404 and "Retry-After" in limited.headers
    guards = [guard.as_dict() for guard in models.ClientGuard.scan(
        models.ClientGuard.pk.startswith("GUARD#link#"))]
    assert guards and all("198.51.100" not in json.dumps(item, default=str) for item in guards)


def test_reissue_invalidates_the_old_url(shop):
    order = an_order(shop)
    old = link_of(shop, order["order_id"])["url"]
    assert shop.technician.post(f"/api/orders/{order['order_id']}/link").status == 403
    new = shop.advisor.post(f"/api/orders/{order['order_id']}/link")
    assert new.status == 200 and new.body["url"] != old and new.body["generation"] == 2
    assert page(shop, path_of(old)).status == 404
    assert page(shop, path_of(new.body["url"])).status == 200
    assert links.url_for(shop.shop_id, order["order_id"]) == new.body["url"]


def test_the_page_masks_the_plate_and_is_sent_with_strict_headers(shop):
    order = an_order(shop, promised_at="2026-11-29T17:00:00+08:00")
    answer = page(shop, path_of(link_of(shop, order["order_id"])["url"]))
    assert answer.status == 200
    plate = order["vehicle"]["plate"]
    masked = plate[:4] + "**" + plate[-2:]
    assert masked in answer.body and plate not in answer.body
    assert "0912" not in answer.body and "林美玲" not in answer.body
    assert "已接車" in answer.body and "11/29 17:00" in answer.body
    headers = {k.lower(): v for k, v in answer.headers.items()}
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp and "base-uri 'none'" in csp
    assert headers["x-robots-tag"].startswith("noindex") and 'name=robots content=noindex' in answer.body
    assert headers["referrer-policy"] == "no-referrer" and headers["cache-control"] == "no-store"


def test_a_link_token_opens_no_staff_route(shop):
    order = an_order(shop)
    token = link_of(shop, order["order_id"])["url"].rsplit("/", 1)[1]
    from tests.builders import ApiClient

    holder = ApiClient(shop.anonymous.client, token)
    for path in (f"/api/orders/{order['order_id']}", f"/api/orders/{order['order_id']}/link",
                 "/api/board", "/api/me"):
        assert holder.get(path).status in (401, 403), path  # refused by the authorizer


def test_remote_approval_end_to_end(shop):
    order = an_order(shop, state="in_progress")
    brake = an_added_line(shop, order["order_id"], "前煞車來令片", 2400)
    wipers = an_added_line(shop, order["order_id"], "雨刷", 600)
    shop.advisor.post(f"/api/orders/{order['order_id']}/transitions",
                      {"to": "awaiting_approval", "client_id": new_id("step")})
    path = path_of(link_of(shop, order["order_id"])["url"])
    shown = page(shop, path)
    assert shown.status == 200 and "前煞車來令片" in shown.body and "id=approve" in shown.body
    content_hash = shown.body.split('data-hash="', 1)[1].split('"', 1)[0]
    body = {"signature_id": new_id("sig"), "kind": "estimate", "content_hash": content_hash,
            "signer_name": "林美玲", "consent": True, "strokes": STROKES, "width": 600,
            "height": 200,
            "decisions": {brake["line_id"]: "approved", wipers["line_id"]: "declined"}}
    stale = shop.anonymous.post(path + "/signatures", {**body, "content_hash": "0" * 64,
                                                       "signature_id": new_id("sig")})
    assert stale.status == 409 and stale.error == "document_changed"
    signed = shop.anonymous.post(path + "/signatures", body)
    assert signed.status == 200, signed.body
    assert signed.body["method"] == "remote" and signed.body["witness"] is None
    again = shop.anonymous.post(path + "/signatures", {**body, "signature_id": new_id("sig")})
    assert again.status == 409 and again.error == "already_answered"
    after = shop.advisor.get(f"/api/orders/{order['order_id']}").body
    states = {line["line_id"]: line["state"] for line in after["lines"]}
    assert states[brake["line_id"]] == "approved" and states[wipers["line_id"]] == "declined"
    assert after["signatures"][-1]["method"] == "remote"
    record = json.loads(orders.load(shop.shop_id, order["order_id"])["signatures"][-1]["record"])
    assert record["channel"] == "link" and record["ip"]
    refreshed = page(shop, path)
    assert "id=approve" not in refreshed.body and "估價單" in refreshed.body
    doc = refreshed.body.split('href="/t/', 1)[1].split('"', 1)[0]
    download = shop.anonymous.get("/t/" + doc)
    assert download.status == 302 and "X-Amz-Signature" in download.headers["Location"]


def test_approving_after_the_order_moved_on_changes_nothing(shop):
    order = an_order(shop, state="in_progress")
    brake = an_added_line(shop, order["order_id"], "前煞車來令片", 2400)
    path = path_of(link_of(shop, order["order_id"])["url"])
    content_hash = page(shop, path).body.split('data-hash="', 1)[1].split('"', 1)[0]
    shop.advisor.post(f"/api/orders/{order['order_id']}/transitions",
                      {"to": "cancelled", "client_id": new_id("step")})
    late = shop.anonymous.post(path + "/signatures", {
        "signature_id": new_id("sig"), "kind": "estimate", "content_hash": content_hash,
        "signer_name": "林美玲", "consent": True, "strokes": STROKES, "width": 600,
        "height": 200, "decisions": {brake["line_id"]: "approved"}})
    assert late.status == 409
    after = shop.advisor.get(f"/api/orders/{order['order_id']}").body
    assert {line["line_id"]: line["state"] for line in after["lines"]}[brake["line_id"]] == "proposed"


def test_the_customer_chooses_what_happens_to_an_old_part(shop):
    order = an_order(shop, state="in_progress")
    undecided = a_part_tag(shop, order, wish="decide_at_delivery")
    decided = a_part_tag(shop, order, wish="take_back")
    path = path_of(link_of(shop, order["order_id"])["url"])
    shown = page(shop, path)
    assert f'data-code="{undecided["code"]}"' in shown.body
    assert f'data-code="{decided["code"]}"' not in shown.body
    chosen = shop.anonymous.post(f"{path}/parts/{undecided['code']}", {"wish": "dispose"})
    assert chosen.status == 200 and chosen.body["wish"] == "dispose"
    assert shop.advisor.get(f"/api/parts/{undecided['code']}").body["wish"] == "dispose"
    refused = shop.anonymous.post(f"{path}/parts/{decided['code']}", {"wish": "dispose"})
    assert refused.status == 409
    bad = shop.anonymous.post(f"{path}/parts/{undecided['code']}", {"wish": "keep"})
    assert bad.status == 422
    broken = shop.anonymous.request("POST", f"{path}/parts/{undecided['code']}", raw="{wish")
    assert broken.status == 400 and broken.error == "malformed_json"
    other = an_order(shop, state="in_progress")
    foreign = a_part_tag(shop, other, wish="decide_at_delivery")
    assert shop.anonymous.post(f"{path}/parts/{foreign['code']}", {"wish": "dispose"}).status == 404


def test_the_first_view_fits_the_budget(shop):
    """HTML, CSS and JS of the first view under 30 KB gzipped (photos come later, lazily)."""
    import gzip
    import time

    order = an_order(shop, state="in_progress")
    an_added_line(shop, order["order_id"], "前煞車來令片", 2400)
    a_part_tag(shop, order, wish="decide_at_delivery")
    path = path_of(link_of(shop, order["order_id"])["url"])
    page(shop, path)
    started = time.perf_counter()
    answer = page(shop, path)
    took = (time.perf_counter() - started) * 1000
    size = len(gzip.compress(answer.body.encode(), 9))
    print(f"\ncustomer page: {len(answer.body.encode())} B, {size} B gzip, {took:.0f} ms")
    assert answer.status == 200 and size < 30_000


def _estimate_waiting(shop, amounts):
    order = an_order(shop, state="in_progress")
    lines = [an_added_line(shop, order["order_id"], f"追加項目 {n}", amount)
             for n, amount in enumerate(amounts)]
    path = path_of(link_of(shop, order["order_id"])["url"])
    shown = page(shop, path).body
    content_hash = shown.split('data-hash="', 1)[1].split('"', 1)[0]
    body = {"signature_id": new_id("sig"), "kind": "estimate", "content_hash": content_hash,
            "signer_name": "林美玲", "consent": True, "strokes": STROKES, "width": 600,
            "height": 200, "decisions": {line["line_id"]: "approved" for line in lines}}
    return order, path, shown, body


def _texted_code(order_id):
    from chalicelib.outward.notify import outbox

    texts = [item["text"] for item in outbox.recent() if item["order_id"] == order_id
             and item["step"] == "approval_code"]
    assert texts, "no code was texted"
    return texts[0].split("確認碼 ", 1)[1][:6]


def test_a_large_remote_approval_needs_the_code_texted_to_the_customer(shop):
    assert shop.manager.patch("/api/shop/settings", {"remote_code_above": 3000}).status == 200
    order, path, shown, body = _estimate_waiting(shop, [2400, 600])
    assert 'data-code-above="3000"' in shown and "id=sendcode" in shown
    # 3,000 + tax is above the shop's amount: the signature alone is not enough
    bare = shop.anonymous.post(path + "/signatures", body)
    assert bare.status == 422 and bare.error == "code_required"
    sent = shop.anonymous.post(path + "/code", {})
    assert sent.status == 200, sent.body
    assert sent.body["sent_to"] == "0912-***-678"
    assert shop.anonymous.post(path + "/code", {}).status == 429  # once a minute
    code = _texted_code(order["order_id"])
    wrong = shop.anonymous.post(path + "/signatures",
                                {**body, "code": f"{(int(code) + 1) % 1_000_000:06d}"})
    assert wrong.status == 422 and wrong.error == "code_wrong" and "4" in wrong.body["error"]["message"]
    signed = shop.anonymous.post(path + "/signatures", {**body, "code": code})
    assert signed.status == 200, signed.body
    stored = orders.load(shop.shop_id, order["order_id"])
    record = json.loads(stored["signatures"][-1]["record"])
    assert record["verification"]["method"] == "sms_code"
    assert record["verification"]["to"] == "0912-***-678"
    assert aws.table().get_item(Key=models.ApprovalCode.key(shop.shop_id, order["order_id"])).get(
        "Item") is None  # used up
    # the order screen shows the text went out, without the code in it
    messages = shop.advisor.get(f"/api/orders/{order['order_id']}/messages").body["messages"]
    texted = [m for m in messages if m["step"] == "approval_code"]
    assert texted and texted[0]["state"] == "sent"
    stored_text = aws.table().get_item(Key=models.Message.key(
        shop.shop_id, order["order_id"], texted[0]["message_id"]))["Item"]["text"]
    assert code not in stored_text and "••••••" in stored_text


def test_below_the_amount_no_code_is_asked(shop):
    assert shop.manager.patch("/api/shop/settings", {"remote_code_above": 50_000}).status == 200
    _, path, shown, body = _estimate_waiting(shop, [2400])
    assert 'data-code-above="50000"' in shown
    assert shop.anonymous.post(path + "/signatures", body).status == 200


def test_wrong_codes_end_the_code_and_an_old_code_expires(shop, monkeypatch):
    assert shop.manager.patch("/api/shop/settings", {"remote_code_above": 0}).status == 200
    order, path, _, body = _estimate_waiting(shop, [500])
    assert shop.anonymous.post(path + "/code", {}).status == 200
    code = _texted_code(order["order_id"])
    other = f"{(int(code) + 7) % 1_000_000:06d}"
    errors = [shop.anonymous.post(path + "/signatures", {**body, "code": other}).error
              for _ in range(5)]
    assert errors == ["code_wrong"] * 4 + ["code_expired"]
    # the right code no longer works either: the customer asks for a new one
    assert shop.anonymous.post(path + "/signatures", {**body, "code": code}).error == "code_expired"
    later = times.now() + timedelta(minutes=2)
    monkeypatch.setattr(times, "now", lambda: later)
    assert shop.anonymous.post(path + "/code", {}).status == 200
    newest = _texted_code(order["order_id"])  # the newest first
    expired = later + timedelta(minutes=11)
    monkeypatch.setattr(times, "now", lambda: expired)
    too_late = shop.anonymous.post(path + "/signatures", {**body, "code": newest})
    assert too_late.status == 422 and too_late.error == "code_expired"
    after = shop.advisor.get(f"/api/orders/{order['order_id']}").body
    assert all(line["state"] == "proposed" for line in after["lines"]
               if line.get("origin") == "additional")


def test_no_mobile_on_file_means_no_code(shop):
    assert shop.manager.patch("/api/shop/settings", {"remote_code_above": 0}).status == 200
    order = an_order(shop, state="in_progress")
    an_added_line(shop, order["order_id"], "雨刷", 600)
    aws.table().update_item(Key=models.customer_key(shop.shop_id, order["customer"]["customer_id"]),
                            UpdateExpression="REMOVE mobile")  # e-mail only, say
    path = path_of(link_of(shop, order["order_id"])["url"])
    answer = shop.anonymous.post(path + "/code", {})
    assert answer.status == 409 and answer.error == "no_mobile"


# --- the texted code under a burst: tries taken atomically, before any comparison ---

def _burst(count, send):
    """`count` requests at once, from as many threads (the link's own guard set out of the way:
    it is not what these tests count)."""
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(send, range(count)))


def test_a_burst_of_wrong_codes_compares_five_at_most_and_the_code_can_be_sent_again(
        shop, clock, monkeypatch):
    monkeypatch.setattr(links, "LIMIT_PER_MINUTE", 1000)
    assert shop.manager.patch("/api/shop/settings", {"remote_code_above": 0}).status == 200
    order, path, _, body = _estimate_waiting(shop, [500])
    assert shop.anonymous.post(path + "/code", {}).status == 200
    code = _texted_code(order["order_id"])
    compared = []
    real_mac = approval_codes._mac

    def counted(shop_id, order_id, typed):
        compared.append(typed)
        return real_mac(shop_id, order_id, typed)

    monkeypatch.setattr(approval_codes, "_mac", counted)
    wrong = [f"{(int(code) + n) % 1_000_000:06d}" for n in range(1, 25)]
    answers = _burst(24, lambda n: shop.anonymous.post(path + "/signatures",
                                                       {**body, "code": wrong[n]}))
    statuses = sorted(answer.status for answer in answers)
    print(f"\n24 wrong codes at once: {len(compared)} compared, statuses {statuses}")
    assert len(compared) <= texted_codes.MAX_TRIES
    assert statuses == [422] * 24, [answer.body for answer in answers if answer.status != 422]
    assert {answer.error for answer in answers} <= {"code_wrong", "code_expired"}
    # The right code, in a burst after the tries are used up, is refused like any other.
    compared.clear()
    late = _burst(8, lambda n: shop.anonymous.post(
        path + "/signatures", {**body, "code": code, "signature_id": new_id("sig")}))
    assert [(answer.status, answer.error) for answer in late] == [(422, "code_expired")] * 8
    assert compared == []
    after = shop.advisor.get(f"/api/orders/{order['order_id']}").body
    assert all(line["state"] == "proposed" for line in after["lines"]
               if line.get("origin") == "additional")
    # The ended code left no half item behind: a new one can be asked for, and it works.
    clock.value = times.now() + timedelta(minutes=2)
    again = shop.anonymous.post(path + "/code", {})
    assert again.status == 200, again.body
    newest = _texted_code(order["order_id"])
    signed = shop.anonymous.post(path + "/signatures", {**body, "code": newest,
                                                        "signature_id": new_id("sig")})
    assert signed.status == 200, signed.body


def test_a_burst_of_code_requests_texts_one_code(shop, monkeypatch):
    from chalicelib.outward.notify import outbox

    monkeypatch.setattr(links, "LIMIT_PER_MINUTE", 1000)
    assert shop.manager.patch("/api/shop/settings", {"remote_code_above": 0}).status == 200
    order, path, _, _ = _estimate_waiting(shop, [500])
    answers = _burst(12, lambda n: shop.anonymous.post(path + "/code", {}))
    statuses = sorted(answer.status for answer in answers)
    texts = [item for item in outbox.recent() if item["order_id"] == order["order_id"]
             and item["step"] == "approval_code"]
    print(f"\n12 code requests at once: statuses {statuses}, {len(texts)} texted")
    assert statuses == [200] + [429] * 11
    assert len(texts) == 1


def test_a_code_item_left_half_written_does_not_stop_a_new_code(shop):
    """What a wrong try left behind before tries were taken conditionally: an item with only
    `tries`. Asking for a code must still work, not answer 500 for the order's life."""
    assert shop.manager.patch("/api/shop/settings", {"remote_code_above": 0}).status == 200
    order, path, _, body = _estimate_waiting(shop, [500])
    aws.table().put_item(Item={**models.ApprovalCode.key(shop.shop_id, order["order_id"]),
                               "tries": 1})
    wrong = shop.anonymous.post(path + "/signatures", {**body, "code": "000000"})
    assert (wrong.status, wrong.error) == (422, "code_expired")
    sent = shop.anonymous.post(path + "/code", {})
    assert sent.status == 200, sent.body
    signed = shop.anonymous.post(path + "/signatures",
                                 {**body, "code": _texted_code(order["order_id"])})
    assert signed.status == 200, signed.body



# --- the per-client guard holds under a burst ---

def _turns_taken(ip, minute):
    """The client's guard at the link, as stored: how many look-ups found nothing."""
    item = aws.table().get_item(Key=models.ClientGuard.key(links.client_hash(ip), "link",
                                                           minute.strftime("%Y%m%d%H%M")))
    return int(item.get("Item", {}).get("turns", 0))


def test_a_burst_of_bad_tokens_is_looked_up_no_more_than_the_limit(shop, clock, monkeypatch,
                                                                    own_ip):
    monkeypatch.setattr(links, "LIMIT_PER_MINUTE", 5)
    clock.value = datetime(2026, 11, 28, 3, 7, 30, tzinfo=timezone.utc)  # one minute, still
    order = an_order(shop)
    good = path_of(link_of(shop, order["order_id"])["url"])
    # A link that opens is no failure: opened again and again, at once, it is never limited
    # and takes no turn.
    assert [answer.status for answer in _burst(12, lambda n: page(shop, good))] == [200] * 12
    assert _turns_taken(own_ip, clock.value) == 0
    # A token the guard let through and that found nothing goes on to `_unlisted` (its look-up
    # on gsi1 and the decoy partition): counted there, past the one transaction.
    looked_up = []
    real_unlisted = links._unlisted
    monkeypatch.setattr(links, "_unlisted", lambda token, digest, turn: looked_up.append(token)
                        or real_unlisted(token, digest, turn))
    answers = _burst(30, lambda n: page(shop, f"/t/{n:032d}"))
    limited = [answer for answer in answers if "Retry-After" in answer.headers]
    print(f"\n30 bad tokens at once, limit 5: {len(looked_up)} looked up, {len(limited)} "
          "told to wait")
    assert [answer.status for answer in answers] == [404] * 30
    assert len(looked_up) <= 5 and len(limited) >= 25
    assert _turns_taken(own_ip, clock.value) == len(looked_up)
    # Past the limit even a good token is refused.
    after = page(shop, good)
    assert after.status == 404 and "Retry-After" in after.headers
