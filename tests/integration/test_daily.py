"""The daily job in pieces, one per shard of shops, on DynamoDB Local: every shard's shops get
their morning's work, one shop's failure stops no other, and a piece out of time hands over to
the next.

Each test has a table of its own (app_env), so what a piece did is counted exactly; its shops
are made with ids that fall in the shards it needs (models.shard_of).
"""
import json
import os
import subprocess
import sys

import pytest

from chalicelib import models
from chalicelib.after import daily, followups
from chalicelib.core import clock as times
from chalicelib.core import pieces
from chalicelib.work import signatures
from devstack import ROOT
from tests.builders import a_shop, a_signature, an_order, new_id
from tests.integration.test_followups import delivered, due_ids, morning, run_daily_job


def a_shop_in(chalice_client, shard: int):
    """A fresh shop whose id falls in `shard`."""
    while not models.shard_of(shop_id := new_id("shop")) == shard:
        pass
    return a_shop(chalice_client, shop_id=shop_id)


def pending_key(shop, order) -> str:
    """The gsi2 partition a delivered order's follow-up waits in."""
    item = models.FollowUp.read(models.FollowUp.key(shop.shop_id, order["order_id"]))
    return item["gsi2pk"]


def test_the_pieces_of_a_day_reach_the_shops_of_every_shard(app_env, chalice_client, clock):
    shards = (0, models.SHARDS // 2, models.SHARDS - 1)
    shops = [a_shop_in(chalice_client, shard) for shard in shards]  # signed in before the clock
    orders = [delivered(shop, clock, 3) for shop in shops]
    for shop, order, shard in zip(shops, orders, shards):
        assert pending_key(shop, order) == models.followups_pending_pk(shard)
    clock.value = morning(0)
    asked = run_daily_job(chalice_client)  # one piece per shard, then waited for
    assert asked == {"date": morning(0).date().isoformat(), "pieces": models.SHARDS}
    for shop, order in zip(shops, orders):
        assert due_ids(shop) == [order["order_id"]]


def test_one_shop_s_failure_stops_no_other_shop_in_its_shard_or_another(app_env, chalice_client,
                                                                         clock, monkeypatch):
    shard = models.SHARDS // 3
    failing, neighbour = a_shop_in(chalice_client, shard), a_shop_in(chalice_client, shard)
    elsewhere = a_shop_in(chalice_client, shard + 1)
    orders = {shop.shop_id: [delivered(shop, clock, 3), delivered(shop, clock, 3)]
              for shop in (failing, neighbour, elsewhere)}
    clock.value = morning(0)
    real = followups.make_one_due

    def breaks_for_one_shop(item):
        if item.shop_id == failing.shop_id:
            raise RuntimeError("this shop's data cannot be read")
        return real(item)

    monkeypatch.setattr(followups, "make_one_due", breaks_for_one_shop)
    today = morning(0).date().isoformat()
    with pytest.raises(daily.DailyPieceFailed) as failed:
        daily.run_piece({"date": today, "shard": shard})
    assert failing.shop_id in str(failed.value) and neighbour.shop_id not in str(failed.value)
    assert failed.value.counts["followups"]["due"] == 2  # the neighbour's two
    done = daily.run_here(today)  # every piece: the failing shard is named, the others done
    assert done["failed_shards"] == [shard]
    assert done["followups"] == {"due": 2, "closed_elsewhere": 0}  # the other shard's two
    assert due_ids(failing) == []
    for shop in (neighbour, elsewhere):
        assert sorted(due_ids(shop)) == sorted(order["order_id"] for order in orders[shop.shop_id])

    monkeypatch.setattr(followups, "make_one_due", real)  # the piece tried again (Lambda's retry)
    again = daily.run_piece({"date": today, "shard": shard})
    assert again["followups"]["due"] == 2
    assert sorted(due_ids(failing)) == sorted(order["order_id"]
                                              for order in orders[failing.shop_id])


def test_a_piece_out_of_time_hands_the_rest_of_its_shard_to_the_next(app_env, chalice_client,
                                                                       clock):
    shard = models.SHARDS // 4
    shop = a_shop_in(chalice_client, shard)
    orders = [delivered(shop, clock, 3) for _ in range(3)]
    clock.value = morning(0)
    today = morning(0).date().isoformat()
    first = daily.run_piece({"date": today, "shard": shard}, seconds=0)  # one unit, then over
    assert first["continued"] is True
    assert sum(first["followups"].values()) == 1
    pieces.wait()  # the next piece, asked for by the first, does the rest
    assert sorted(due_ids(shop)) == sorted(order["order_id"] for order in orders)


def test_the_signed_documents_of_a_shard_are_read_a_shop_at_a_time_from_where_a_piece_stopped(
        app_env, chalice_client):
    shard = models.SHARDS // 5
    first, second = sorted((a_shop_in(chalice_client, shard) for _ in range(2)),
                           key=lambda shop: shop.shop_id)
    for shop in (first, second, first):
        order = an_order(shop, lines=True)
        a_signature(shop, order["order_id"], "authorization")
    today = times.local_date()
    listed = list(signatures.signed_by_shop(today, shard))
    assert [(shop_id, len(items)) for shop_id, items in listed] == [
        (first.shop_id, 2), (second.shop_id, 1)]  # shop after shop, each once
    assert [shop_id for shop_id, _ in signatures.signed_by_shop(
        today, shard, after=first.shop_id)] == [second.shop_id]
    # A piece that stopped in the check, after the first shop: the tasks before are done.
    resumed = daily.run_piece({"date": today, "shard": shard,
                               "resume": {"task": "signed_orders", "after": first.shop_id}})
    assert resumed["followups"] == {"due": 0, "closed_elsewhere": 0}
    assert resumed["signed_orders"]["checked"] == 1
    assert daily.run_piece({"date": today, "shard": shard})["signed_orders"]["checked"] == 3


def test_make_daily_runs_every_piece_here_and_prints_what_they_did(app_env, chalice_client,
                                                                    clock):
    shop = a_shop(chalice_client)
    order = delivered(shop, clock, 3)
    # os.environ handed over as it is now (this test's table): after some other tests the
    # environment a child inherits by default was seen naming the session's table instead.
    run = subprocess.run([sys.executable, "-m", "devstack", "daily", "--date",
                          morning(0).date().isoformat()], cwd=ROOT, env=dict(os.environ),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    done = json.loads(run.stdout.strip().splitlines()[-1])
    assert done["date"] == morning(0).date().isoformat() and "failed_shards" not in done
    assert done["followups"] == {"due": 1, "closed_elsewhere": 0}
    assert set(done) == {"date", *(task.name for task in daily.TASKS)}
    assert due_ids(shop) == [order["order_id"]]
