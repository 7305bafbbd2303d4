"""The shop's numbers: what a change counts, and figures read back from bucket histograms."""
from chalicelib.after import dashboard
from chalicelib.after.dashboard import BUCKETS, bucket, event_counts, line_counts, line_history, quantile


def an_event(event_id, start, to, at):
    return {"event_id": event_id, "from": start, "to": to, "at": at}


EVENTS = [an_event("created-o1", None, "checked_in", "2026-03-02T01:00:00.000Z"),
          an_event("e1", "checked_in", "authorized", "2026-03-02T01:20:00.000Z"),
          an_event("sig", "authorized", "authorized", "2026-03-02T01:21:00.000Z"),
          an_event("e2", "authorized", "in_progress", "2026-03-02T01:30:00.000Z"),
          an_event("e3", "in_progress", "awaiting_approval", "2026-03-02T02:00:00.000Z"),
          an_event("e4", "awaiting_approval", "in_progress", "2026-03-02T02:40:00.000Z"),
          an_event("e5", "in_progress", "quality_check", "2026-03-02T04:00:00.000Z")]


def test_a_duration_falls_in_the_bucket_below_its_bound():
    assert bucket(0) == 0 and bucket(299) == 0 and bucket(300) == 1
    assert bucket(20 * 60) == 4  # 20–30 min
    assert bucket(40 * 86400) == len(BUCKETS)  # longer than the last bound


def test_each_pair_of_neighbouring_buckets_is_at_most_twice_as_wide():
    assert all(high <= 2 * low for low, high in zip(BUCKETS, BUCKETS[1:]))


def test_a_quantile_is_read_within_its_bucket():
    histogram = [0] * (len(BUCKETS) + 1)
    assert quantile(histogram, 0.5) is None
    histogram[bucket(25 * 60)] = 1  # one stay of 25 min: 20–30 min
    assert 20 * 60 <= quantile(histogram, 0.5) <= 30 * 60
    histogram[bucket(5 * 3600)] = 9  # nine of 5 h: 4–6 h
    assert 4 * 3600 <= quantile(histogram, 0.5) <= 6 * 3600
    assert 4 * 3600 <= quantile(histogram, 0.9) <= 6 * 3600


def test_an_event_counts_the_stay_it_ends_and_what_the_step_means():
    header = {"totals": {"total": 2835}}
    assert event_counts(EVENTS[0], EVENTS, header, None) == {"opened": 1}
    authorized = event_counts(EVENTS[1], EVENTS, header, {"values": {"mileage_km": 1}})
    assert authorized == {f"t.checked_in.{bucket(20 * 60)}": 1, "walk_checked": 1,
                          "walk_complete": 0}
    assert event_counts(EVENTS[2], EVENTS, header, None) == {}  # a signature keeps the state
    # back in progress after the answer: the second stay counts from its own start
    assert event_counts(EVENTS[6], EVENTS, header, None) == {
        f"t.in_progress.{bucket(80 * 60)}": 1}
    delivered = an_event("e9", "ready", "delivered", "2026-03-02T07:00:00.000Z")
    ready = an_event("e8", "quality_check", "ready", "2026-03-02T04:20:00.000Z")
    counts = event_counts(delivered, [*EVENTS, ready, delivered], header, None)
    assert counts["delivered"] == 1 and "revenue" not in counts  # money taken counts it
    assert counts[f"t.ready.{bucket(160 * 60)}"] == 1


def test_money_taken_is_the_days_revenue_by_method_and_a_refund_takes_it_back():
    taken = dashboard.payment_counts({"amount": 2835, "method": "line_pay"})
    assert taken == {"revenue": 2835, "revenue_tax": 135, "pay.line_pay": 2835}
    back = dashboard.payment_counts({"amount": -1050, "method": "cash"})
    assert back == {"revenue": -1050, "revenue_tax": -50, "pay.cash": -1050}


def test_a_complete_walkaround_has_what_the_standard_lists():
    values = {"mileage_km": 42000, "fuel_eighths": 4, "lights_none": True,
              "valuables_reminded": True,
              **{f"tyres.{pos}.inner": 5 for pos in ("LF", "RF", "LR", "RR")}}
    assert dashboard.walkaround_complete(values)
    assert not dashboard.walkaround_complete({**values, "tyres.RR.inner": None})
    assert not dashboard.walkaround_complete({**values, "lights_none": None})
    assert dashboard.walkaround_complete({**values, "lights_none": None, "lights.abs": True})


def test_an_additional_line_counts_when_proposed_and_when_answered():
    line = {"origin": "additional", "line_id": "l1", "amount": 2400, "state": "proposed",
            "created_at": "2026-03-02T02:00:00.000Z"}
    assert line_counts(line, {}) == [("proposed", "2026-03-02",
                                      {"add_proposed": 1, "add_proposed_amount": 2400})]
    answered = {**line, "state": "approved", "updated_at": "2026-03-02T02:40:00.000Z"}
    assert line_counts(answered, line) == [("approved", "2026-03-02", {
        "add_approved": 1, "add_approved_amount": 2400, f"appr.{bucket(40 * 60)}": 1})]
    assert line_counts({**answered, "state": "done"}, answered) == []
    assert line_counts({**line, "origin": "authorization"}, {}) == []
    assert [what for what, _, _ in line_history({**answered, "state": "done"})] == [
        "proposed", "approved"]


def test_a_message_counts_once_per_recorded_delivery():
    sent = {"state": "sent", "channel": "line", "updated_at": "2026-03-02T02:00:00.000Z"}
    assert dashboard.message_counts(sent, {"state": "queued"}) == {"msg.line.sent": 1}
    assert dashboard.message_counts(sent, sent) == {}
    assert dashboard.message_counts({**sent, "state": "queued"}, {}) == {}
    assert dashboard.message_counts({**sent, "state": "failed", "channel": "fax"}, {}) == {
        "msg.none.failed": 1}
