"""What the customer's page (/t/<token>) costs in DynamoDB requests, counted as they are sent to
DynamoDB Local (a botocore hook on the clients that reach the table, as `make bench` counts):
at most 3 whatever the order holds, and a failure costs no more."""
import pytest

from chalicelib import models
from chalicelib.core import aws
from chalicelib.outward import links
from tests.builders import a_part_tag, a_signature, add_lines, an_added_line, an_order, new_id
from tests.integration.test_inspections import STANDARD, changes
from tests.integration.test_links import link_of, own_ip, page, path_of  # noqa: F401 (fixture)

OUR_CHECKLIST = {"items": [
    {"item_id": "wiper_blades", "zh": "雨刷片（本店清單）", "en": "Wipers (our list)",
     "group": "wipers"},
    {"item_id": "leak_underbody", "zh": "底盤滲漏（本店清單）", "en": "Underbody leaks (our list)",
     "group": "underbody"}]}


@pytest.fixture
def sent():
    """The operations sent to DynamoDB from now on (`TransactWriteItems`, `Query`, …)."""
    names: list[str] = []

    def count(model, **_):
        names.append(model.name)

    clients = [models.Item._get_connection().connection.client, aws.table().meta.client,
               aws.client("dynamodb")]
    for client in clients:
        client.meta.events.register("before-call.dynamodb.*", count)
    yield names
    for client in clients:
        client.meta.events.unregister("before-call.dynamodb.*", count)


def _walk_around_then_added_work(shop):
    """The heaviest page: the shop's own settings and checklist, a walk-around with findings
    done at check-in, work under way, two added items waiting for the customer's answer (above
    the amount that asks for a texted code) and an old part to decide."""
    assert shop.manager.patch("/api/shop/settings", {"remote_code_above": 1500,
                                                     "pad_red_mm": 2}).status == 200
    assert shop.owner.put("/api/shop/inspection-template", OUR_CHECKLIST).status == 200
    order = an_order(shop)
    walked = shop.advisor.patch(f"/api/orders/{order['order_id']}/inspection",
                                changes(*STANDARD))
    assert walked.status == 200, walked.body
    add_lines(shop, order["order_id"])
    a_signature(shop, order["order_id"], "authorization")
    for step in ("authorized", "in_progress"):
        moved = shop.advisor.post(f"/api/orders/{order['order_id']}/transitions",
                                  {"to": step, "client_id": new_id("step")})
        assert moved.status == 200, moved.body
    an_added_line(shop, order["order_id"], "前煞車來令片", 2400)
    an_added_line(shop, order["order_id"], "雨刷片", 600)
    a_part_tag(shop, order, wish="decide_at_delivery")
    return order


def test_the_heaviest_page_costs_three_requests(shop, sent):
    order = _walk_around_then_added_work(shop)
    path = path_of(link_of(shop, order["order_id"])["url"])
    sent.clear()
    shown = page(shop, path)
    assert shown.status == 200
    print(f"\nthe customer's page, walk-around and an estimate waiting: {sent}")
    assert len(sent) <= 3, sent
    # Everything it shows is there: what the shop set and its own checklist were read.
    assert "id=approve" in shown.body and 'data-code-above="1500"' in shown.body
    assert "檢修確認表" in shown.body and "雨刷片（本店清單）" in shown.body
    assert "data-wish=take_back" in shown.body and "前煞車來令片" in shown.body
    # The same page again costs the same: nothing is written on the way.
    sent.clear()
    assert page(shop, path).body == shown.body
    assert len(sent) <= 3, sent


@pytest.mark.parametrize("state", ["checked_in", "in_progress", "delivered"])
def test_a_plain_page_costs_three_requests(shop, sent, state):
    order = an_order(shop, state=state)
    path = path_of(link_of(shop, order["order_id"])["url"])
    sent.clear()
    assert page(shop, path).status == 200
    assert len(sent) <= 3, sent


def test_what_the_page_does_costs_three_requests_to_open(shop, sent):
    """The page's own requests (the manifest here) open the order the same way."""
    order = an_order(shop, state="in_progress")
    path = path_of(link_of(shop, order["order_id"])["url"])
    sent.clear()
    answer = shop.anonymous.get(path + "/manifest.webmanifest")
    assert answer.status == 200 and answer.body["name"] == "測試保養廠"
    assert len(sent) <= 3, sent


def test_a_failure_costs_no_more_than_a_page(shop, sent):
    order = an_order(shop)
    revoked = path_of(link_of(shop, order["order_id"])["url"])
    assert shop.advisor.delete(f"/api/orders/{order['order_id']}/link").status == 200
    for path in (revoked, "/t/" + "C" * 32, "/t/short"):
        sent.clear()
        assert page(shop, path).status == 404
        assert len(sent) <= 3, (path, sent)


def test_a_link_made_before_its_entry_gets_one_on_first_view(shop, sent):
    """Links issued before entries by hash existed are found on gsi1 as before, once: the
    first view writes the entry, and the next costs three requests."""
    order = an_order(shop, state="in_progress")
    link = link_of(shop, order["order_id"])
    path = path_of(link["url"])
    token = path.rsplit("/", 1)[1]
    entry = models.LinkHash.key(links.token_hash(token))
    aws.table().delete_item(Key=entry)
    assert page(shop, path).status == 200
    stored = aws.table().get_item(Key=entry)["Item"]
    assert (stored["shop_id"], stored["order_id"]) == (shop.shop_id, order["order_id"])
    sent.clear()
    assert page(shop, path).status == 200
    assert len(sent) <= 3, sent


def test_the_entry_by_hash_follows_the_link(shop):
    """Made with the link, moved on re-issue, gone on revoke: only a working token has one."""
    order = an_order(shop)
    first = path_of(link_of(shop, order["order_id"])["url"]).rsplit("/", 1)[1]

    def entry(token):
        return aws.table().get_item(Key=models.LinkHash.key(links.token_hash(token))).get("Item")

    assert entry(first)["order_id"] == order["order_id"]
    second = path_of(shop.advisor.post(f"/api/orders/{order['order_id']}/link").body["url"])
    second = second.rsplit("/", 1)[1]
    assert entry(first) is None and entry(second)["order_id"] == order["order_id"]
    assert page(shop, "/t/" + first).status == 404
    assert shop.advisor.delete(f"/api/orders/{order['order_id']}/link").status == 200
    assert entry(second) is None and page(shop, "/t/" + second).status == 404
