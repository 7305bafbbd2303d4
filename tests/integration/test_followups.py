"""Follow-up calls after delivery (維修後關懷) and the cases they open, on DynamoDB Local.

The daily job is invoked as CloudWatch Events invokes the scheduled Lambda; the shop's clock
(clock.now) is moved to the days the cars are delivered and the morning the job runs.
"""
from datetime import date, datetime, timedelta, timezone

from chalicelib import models
from chalicelib.core import pieces
from tests.builders import a_shop, an_order, new_id

JOB_DAY = date(2026, 11, 23)  # the morning the daily job lists the cars delivered on the 20th
TAIPEI = timezone(timedelta(hours=8))


def morning(days_after_job_day: int) -> datetime:
    """06:00 in Taipei (when the daily job runs), that many days after JOB_DAY."""
    day = JOB_DAY + timedelta(days=days_after_job_day)
    return datetime(day.year, day.month, day.day, 6, 0, tzinfo=TAIPEI)


def run_daily_job(chalice_client) -> dict:
    """The schedule's Lambda as CloudWatch Events invokes it: it asks for one piece per shard
    and answers at once; locally the pieces run on threads, and are waited for."""
    event = chalice_client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[])
    asked = chalice_client.lambda_.invoke("daily_jobs", event).payload
    assert asked["pieces"] == models.SHARDS, asked
    pieces.wait()
    return asked


def due_ids(shop) -> list[str]:
    answer = shop.advisor.get("/api/followups")
    assert answer.status == 200, answer.body
    return [item["order_id"] for item in answer.body["followups"]]


def delivered(shop, clock, days_before_job: int = 3) -> dict:
    clock.value = morning(-days_before_job) + timedelta(hours=5)  # 11:00 that day
    return an_order(shop, state="delivered")


def due_order(shop, clock, chalice_client) -> dict:
    """An order delivered three days ago, on the list after this morning's job."""
    order = delivered(shop, clock)
    clock.value = morning(0)
    run_daily_job(chalice_client)
    assert order["order_id"] in due_ids(shop)
    return order


def call(shop, order_id, person=None, **fields):
    body = {"client_id": new_id("call"), **fields}
    return (person or shop.advisor).post(f"/api/orders/{order_id}/followup", body)


def an_issue(owner_id: str, **fields) -> dict:
    return {"outcome": "reached", "reaction": "issue", "note": "煞車有異音",
            "case": {"case_id": new_id("case"), "summary": "交車後煞車有異音",
                     "owner_id": owner_id, "due_on": "2026-11-27", **fields}}


# --- the daily job ---

def test_the_daily_job_lists_orders_delivered_three_days_ago_once(shop, clock, chalice_client):
    three_days_ago = delivered(shop, clock, 3)
    followed_up_already = delivered(shop, clock, 3)
    moved = shop.advisor.post(f"/api/orders/{followed_up_already['order_id']}/transitions",
                              {"to": "followed_up", "client_id": new_id("step")})
    assert moved.status == 200, moved.body
    two_days_ago = delivered(shop, clock, 2)
    clock.value = morning(0)
    still_open = an_order(shop, state="ready")

    first = run_daily_job(chalice_client)
    assert first["date"] == morning(0).date().isoformat()
    listed = due_ids(shop)
    assert listed == [three_days_ago["order_id"]]
    for left_out in (followed_up_already, two_days_ago, still_open):
        assert left_out["order_id"] not in listed

    run_daily_job(chalice_client)  # again: nothing moves twice
    assert due_ids(shop) == [three_days_ago["order_id"]]

    (item,) = shop.advisor.get("/api/followups").body["followups"]
    assert item["number"] == three_days_ago["number"]
    assert item["customer"]["mobile"] and item["vehicle"]["plate"] == three_days_ago["vehicle"]["plate"]
    assert item["delivered_on"] == "2026-11-20" and item["due_on"] == "2026-11-23"
    assert item["status"] == "due" and item["calls"] == []

    clock.value = morning(1)  # the next morning, the order delivered two days before is due
    run_daily_job(chalice_client)
    assert due_ids(shop) == [three_days_ago["order_id"], two_days_ago["order_id"]]


def test_the_days_after_delivery_are_the_shops_setting(shop, clock, chalice_client):
    for refused in (0, 31, "three"):
        answer = shop.owner.patch("/api/shop/settings", {"followup_after_days": refused})
        assert answer.status == 422, answer.body
    assert shop.owner.get("/api/shop/settings").body["followup_after_days"] == 3
    assert shop.advisor.patch("/api/shop/settings", {"followup_after_days": 1}).status == 403
    changed = shop.owner.patch("/api/shop/settings", {"followup_after_days": 1})
    assert changed.status == 200 and changed.body["followup_after_days"] == 1
    yesterday = delivered(shop, clock, 1)
    clock.value = morning(0)
    run_daily_job(chalice_client)
    assert due_ids(shop) == [yesterday["order_id"]]


# --- the record of a call ---

def test_a_satisfied_customer_closes_the_follow_up_and_the_order(shop, clock, chalice_client):
    order = due_order(shop, clock, chalice_client)
    body = {"client_id": new_id("call"), "outcome": "reached", "reaction": "satisfied",
            "note": "車況很好"}
    path = f"/api/orders/{order['order_id']}/followup"
    first = shop.advisor.post(path, body)
    assert first.status == 200, first.body
    assert first.body["status"] == "done"
    assert [c["reaction"] for c in first.body["calls"]] == ["satisfied"]
    replay = shop.advisor.post(path, body)  # the tablet's queue sends it again
    assert replay.status == 200 and replay.body == first.body
    after = shop.advisor.get(f"/api/orders/{order['order_id']}").body
    assert after["state"] == "followed_up"
    assert [e["to"] for e in after["events"]].count("followed_up") == 1
    assert order["order_id"] not in due_ids(shop)
    again = call(shop, order["order_id"], outcome="no_answer")
    assert again.status == 409 and again.error == "followup_done"


def test_no_answer_and_call_back_keep_the_follow_up_on_the_list(shop, clock, chalice_client):
    order = due_order(shop, clock, chalice_client)
    assert call(shop, order["order_id"], outcome="no_answer").status == 200
    refused = call(shop, order["order_id"], outcome="call_back")
    assert refused.status == 422, refused.body
    later = call(shop, order["order_id"], outcome="call_back",
                 call_back_at="2026-11-23T18:30:00+08:00", note="客戶在開會")
    assert later.status == 200, later.body
    (item,) = shop.advisor.get("/api/followups").body["followups"]
    assert item["call_back_at"] == "2026-11-23T10:30:00.000Z"
    assert [c["outcome"] for c in item["calls"]] == ["no_answer", "call_back"]
    assert shop.advisor.get(f"/api/orders/{order['order_id']}").body["state"] == "delivered"


def test_a_call_before_the_day_puts_the_follow_up_on_the_list(shop, clock):
    order = delivered(shop, clock, 1)
    assert call(shop, order["order_id"], outcome="no_answer").status == 200
    assert due_ids(shop) == [order["order_id"]]


def test_an_issue_opens_a_case_and_invites_the_customer_back(shop, clock, chalice_client):
    order = due_order(shop, clock, chalice_client)
    appointment_id = new_id("appt")
    issue = an_issue(shop.advisor.staff_id, invite={
        "appointment_id": appointment_id, "at": "2026-11-25T09:30:00+08:00"})
    recorded = call(shop, order["order_id"], **issue)
    assert recorded.status == 200, recorded.body
    assert recorded.body["case_id"] == issue["case"]["case_id"]
    assert shop.advisor.get(f"/api/orders/{order['order_id']}").body["state"] == "followed_up"

    (case,) = shop.manager.get("/api/cases").body["cases"]
    assert case["case_id"] == issue["case"]["case_id"] and case["state"] == "open"
    assert case["owner"]["staff_id"] == shop.advisor.staff_id
    assert case["due_on"] == "2026-11-27" and case["summary"] == "交車後煞車有異音"
    assert case["number"] == order["number"] and case["appointment_id"] == appointment_id
    booked = shop.advisor.get("/api/appointments?date=2026-11-25").body["appointments"]
    (invitation,) = [a for a in booked if a["appointment_id"] == appointment_id]
    assert invitation["source"] == "invitation" and invitation["plate"] == order["vehicle"]["plate"]
    assert invitation["purpose"].startswith("回廠處理")


def test_only_the_owner_or_a_manager_changes_or_closes_a_case(shop, clock, chalice_client):
    order = due_order(shop, clock, chalice_client)
    issue = an_issue(shop.manager.staff_id)
    assert call(shop, order["order_id"], **issue).status == 200
    case_id = issue["case"]["case_id"]
    path = f"/api/cases/{case_id}"
    close = {"client_id": new_id("close"), "resolution": "已更換煞車來令片，客戶滿意"}

    assert shop.advisor.get(path).body["may_close"] is False
    assert shop.advisor.post(f"{path}/close", close).status == 403  # not theirs
    handed = shop.manager.patch(path, {"owner_id": shop.advisor.staff_id, "due_on": "2026-11-28"})
    assert handed.status == 200 and handed.body["owner"]["staff_id"] == shop.advisor.staff_id
    assert shop.advisor.get(path).body["may_close"] is True
    assert shop.manager.patch(path, {"owner_id": "nobody-here"}).status == 404
    assert shop.manager.patch(path, {"due_on": "2026-02-30"}).status == 422
    assert shop.advisor.post(f"{path}/close", {"client_id": new_id("close"),
                                               "resolution": " "}).status == 422

    closed = shop.advisor.post(f"{path}/close", close)
    assert closed.status == 200, closed.body
    assert closed.body["state"] == "closed" and closed.body["resolution"] == close["resolution"]
    assert closed.body["closed_by"]["staff_id"] == shop.advisor.staff_id
    assert shop.advisor.post(f"{path}/close", close).body == closed.body  # a replay
    other = shop.manager.post(f"{path}/close", {"client_id": new_id("close"), "resolution": "x"})
    assert other.status == 409 and other.error == "case_closed"
    assert shop.manager.get("/api/cases").body["cases"] == []
    assert [c["case_id"] for c in shop.manager.get("/api/cases?state=closed").body["cases"]] \
        == [case_id]


def test_technicians_neither_record_calls_nor_see_cases(shop, clock, chalice_client):
    order = due_order(shop, clock, chalice_client)
    assert call(shop, order["order_id"], shop.technician, outcome="no_answer").status == 403
    assert shop.technician.get("/api/followups").status == 403
    assert shop.technician.get("/api/cases").status == 403
    assert shop.owner.get("/api/followups").status == 200


def test_bad_input_gets_a_4xx_and_changes_nothing(shop, clock, chalice_client):
    order = due_order(shop, clock, chalice_client)
    order_id = order["order_id"]
    refused = [
        call(shop, order_id, outcome="reached"),  # satisfied or not?
        call(shop, order_id, outcome="reached", reaction="issue"),  # an issue without a case
        call(shop, order_id, outcome="reached", reaction="satisfied",
             case=an_issue(shop.advisor.staff_id)["case"]),
        call(shop, order_id, outcome="no_answer", reaction="satisfied"),
        call(shop, order_id, outcome="no_answer", call_back_at="2026-11-23T18:30:00+08:00"),
        call(shop, order_id, outcome="call_back", call_back_at="tomorrow"),
        call(shop, order_id, outcome="hung_up"),
        call(shop, order_id, **an_issue(shop.advisor.staff_id, due_on="2026-13-01")),
        shop.advisor.post(f"/api/orders/{order_id}/followup", raw=b"{not json"),
    ]
    assert [answer.status for answer in refused] == [422] * 8 + [400]
    assert refused[1].body["error"]["message"].startswith("客戶有問題時")
    unknown_owner = call(shop, order_id, **an_issue("nobody-here"))
    assert unknown_owner.status == 404
    not_delivered = an_order(shop, state="ready")
    assert call(shop, not_delivered["order_id"], outcome="no_answer").status == 404
    (item,) = shop.advisor.get("/api/followups").body["followups"]
    assert item["calls"] == [] and item["status"] == "due"
    assert shop.manager.get("/api/cases").body["cases"] == []
    assert shop.advisor.get(f"/api/orders/{order_id}").body["state"] == "delivered"


def test_another_shop_sees_and_changes_nothing_of_these(shop, clock, chalice_client):
    order = due_order(shop, clock, chalice_client)
    issue = an_issue(shop.advisor.staff_id)
    assert call(shop, order["order_id"], **issue).status == 200
    other = due_order(shop, clock, chalice_client)
    case_id = issue["case"]["case_id"]
    clock.value = None  # B's people sign in now: their tokens expire by the real clock
    intruder = a_shop(chalice_client, name="B 廠")
    assert intruder.owner.get("/api/followups").body["followups"] == []
    assert intruder.owner.get("/api/cases").body["cases"] == []
    assert call(intruder, other["order_id"], intruder.owner, outcome="no_answer").status == 404
    assert intruder.owner.get(f"/api/cases/{case_id}").status == 404
    assert intruder.owner.patch(f"/api/cases/{case_id}",
                                {"owner_id": intruder.owner.staff_id}).status == 404
    assert intruder.owner.post(f"/api/cases/{case_id}/close", {
        "client_id": new_id("close"), "resolution": "x"}).status == 404
    (case,) = shop.manager.get("/api/cases").body["cases"]
    assert case["state"] == "open" and case["owner"]["staff_id"] == shop.advisor.staff_id
    (item,) = shop.advisor.get("/api/followups").body["followups"]
    assert item["order_id"] == other["order_id"] and item["calls"] == []
