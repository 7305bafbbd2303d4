"""The advisor's board (看板): a day's orders by state, from their headers alone.

A module of its own because the board is the first screen of the morning, often the first
request a cold Lambda answers: it needs the models and the states, none of the documents, PDFs,
labels or parts that the order's other rules import (docs/bench.md, "cold start").
"""
from __future__ import annotations

from pydantic import Field

from chalicelib import models
from chalicelib.api import Body, Caller
from chalicelib.core import clock
from chalicelib.work.order_store import STATES


class BoardQuery(Body):
    date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")


def board(caller: Caller, query: BoardQuery) -> dict:
    """The day's board: every open order and those closed that day, by state.

    Reads only what it shows: today's is one Query (gsi2sk >= today: the orders closed today,
    then the open ones, which sort after every date); an earlier day's is two, the orders
    closed that day and the open ones, never the days between (a year back would read every
    order closed since)."""
    today = clock.local_date()
    day = query.date or today
    pk = models.board_pk(caller.shop_id)
    if day >= today:
        found = [models.Order.lists.query(pk, models.Order.gsi2sk >= day)]
    else:
        found = [models.Order.lists.query(pk, models.Order.gsi2sk.startswith(f"{day}#")),
                 models.Order.lists.query(pk, models.Order.gsi2sk.startswith(models.BOARD_OPEN))]
    columns: dict[str, list] = {state: [] for state in STATES}
    for order in (header.as_dict() for headers in found for header in headers):
        if order.get("closed_on") and order["closed_on"] != day:
            continue  # a later day's, on a board of a day to come
        columns[order["state"]].append(models.order_summary(order))
    for cards in columns.values():
        cards.sort(key=lambda card: (card.get("promised_at") or "~", card["number"]))
    return {"date": day, "columns": columns,
            "counts": {state: len(cards) for state, cards in columns.items()}}
