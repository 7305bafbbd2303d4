import re

from chalicelib import models
from chalicelib.core import clock as times


def test_every_shop_item_key_starts_with_its_shop():
    assert models.Shop.key("s1")["pk"] == "SHOP#s1"
    assert models.Staff.key("s1", "u9") == {"pk": "SHOP#s1", "sk": "STAFF#u9"}


def test_a_sign_in_name_key_names_no_shop_so_it_can_find_one():
    assert models.Login.old_key("a@b.tw") == {"pk": "LOGIN#a@b.tw", "sk": "LOGIN"}


def test_times_are_utc_iso_8601_to_the_millisecond():
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", times.now_iso())
