"""What an order line should hold of the stock, from its state (chalicelib/work/stock.py)."""
import pytest

from chalicelib.work import stock


@pytest.mark.parametrize("state,held,cancelled,wanted", [
    ("proposed", None, False, None),             # not yet the customer's
    ("approved", None, False, "reserved"),       # authorized: reserved
    ("approved", None, True, None),              # its order cancelled: nothing
    ("approved", "reserved", True, None),        # released
    ("done", "reserved", False, "issued"),       # on the car
    ("done", None, False, "issued"),             # kept after it was approved: issued all the same
    ("declined", "reserved", False, None),       # released
    ("approved", "issued", False, "issued"),     # sent back by the final check: still on the car
    ("declined", "issued", True, "issued"),      # never given back by the stream
])
def test_a_line_holds_what_its_state_says(state, held, cancelled, wanted):
    assert stock.wanted(state, held, cancelled) == wanted


def test_an_issue_takes_back_the_reservation_it_replaces():
    assert stock.DELTAS[(None, "reserved")] == (0, 1)
    assert stock.DELTAS[("reserved", "issued")] == (-1, -1)
    assert stock.DELTAS[(None, "issued")] == (-1, 0)
    assert stock.DELTAS[("reserved", None)] == (0, -1)


@pytest.mark.parametrize("line,moves", [
    ({"kind": "part", "part_key": "04152YZZA1"}, True),
    ({"kind": "part", "part_key": "04152YZZA1", "customer_supplied": True}, False),
    ({"kind": "part"}, False),                   # typed by hand, not from the catalogue
    ({"kind": "labour", "part_key": "X"}, False),
])
def test_only_catalogue_parts_the_shop_supplies_move_stock(line, moves):
    assert stock.moves_stock(line) is moves
