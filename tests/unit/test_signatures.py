"""The canonical form a signature's hash is taken over, its seal, what a signed document
covers compared with the order, and the ink rule (pure, no engines)."""
import hashlib
import json
import random
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.work import signatures
from chalicelib.core.errors import Unprocessable
from chalicelib.records.vehicles import mask_plate
from tests.builders import STROKES

# JSON-like values as a document holds them: text (Chinese too), integers, Decimals, booleans.
scalars = st.one_of(st.text(max_size=12), st.integers(-10**9, 10**9), st.booleans(), st.none(),
                    st.decimals(allow_nan=False, allow_infinity=False, places=3,
                                min_value=-10**6, max_value=10**6))
documents = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=8), inner, max_size=6)),
    max_leaves=30)


def shuffled(value):
    """The same value with every object's keys in another order."""
    if isinstance(value, dict):
        keys = list(value)
        random.shuffle(keys)
        return {key: shuffled(value[key]) for key in keys}
    if isinstance(value, list):
        return [shuffled(item) for item in value]
    return value


@given(documents)
def test_reordering_keys_gives_the_same_hash(value):
    assert signatures.digest(shuffled(value)) == signatures.digest(value)


@given(documents)
def test_serialising_again_gives_the_same_bytes(value):
    once = signatures.canonical(value)
    assert signatures.canonical(json.loads(once)) == once


def test_canonical_json_is_sorted_compact_utf8_with_integers_for_money():
    content = {"total": Decimal("12600"), "customer": "林美玲", "hours": Decimal("1.50")}
    assert signatures.canonical(content) == \
        '{"customer":"林美玲","hours":"1.5","total":12600}'.encode("utf-8")


def test_one_quantity_has_one_spelling():
    assert signatures.digest({"q": Decimal("2.500")}) == signatures.digest({"q": Decimal("2.5")})
    assert signatures.digest({"q": Decimal("10")}) == signatures.digest({"q": 10})


def test_floats_are_refused_rather_than_hashed_ambiguously():
    with pytest.raises(TypeError):
        signatures.canonical({"amount": 0.1})


def test_any_change_of_content_changes_the_hash():
    content = {"lines": [{"amount": 1800}], "customer": {"name": "林美玲"}}
    assert signatures.digest(content) != signatures.digest(
        {"lines": [{"amount": 1801}], "customer": {"name": "林美玲"}})


def signature(strokes, width=600):
    return signatures.NewSignature(signature_id="sig-12345678", kind="authorization",
                                   content_hash="0" * 64, signer_name="林美玲", consent=True,
                                   strokes=strokes, width=width, height=200)


def test_a_real_signature_has_enough_ink():
    signatures._check_ink(signature(STROKES))


@pytest.mark.parametrize("strokes", [
    [[[300, 100, 0]] * 12],                                  # a dot, tapped at length
    [[[300, 100, 0], [310, 100, 10], [320, 100, 20]]],       # too few points
    [[[300, 100, i * 10], [301, 101, i * 10 + 5]] for i in range(10)],  # many points, no length
])
def test_a_dot_or_a_scratch_is_not_a_signature(strokes):
    with pytest.raises(Unprocessable) as refused:
        signatures._check_ink(signature(strokes))
    assert refused.value.code == "signature_too_short"


def test_the_drawn_signature_is_a_png_of_the_pad_size_with_ink():
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(signatures.draw(STROKES, 600, 200)))
    assert image.format == "PNG" and image.size == (600, 200)
    alpha = image.getchannel("A")
    assert alpha.getpixel((190, 100)) > 0 and alpha.getpixel((500, 100)) == 0
    assert signatures.draw(STROKES, 600, 200) == signatures.draw(STROKES, 600, 200)


@pytest.mark.parametrize("plate, masked", [("ABC-1234", "ABC-**34"), ("AB-1234", "AB-**34"),
                                           ("1234-AB", "**34-AB"), ("ABC-123", "ABC-*23")])
def test_plates_are_masked_on_public_pages(plate, masked):
    assert mask_plate(plate) == masked


# --- what a signed document covers, compared with the order as it is ---

def an_authorized_order():
    """An order as read, and the content its authorization showed when signed."""
    line = {"line_id": "line-1", "kind": "labour", "description": "冷氣系統檢查",
            "hours": Decimal("1.5"), "rate": 1200, "amount": 1800, "origin": "authorization",
            "state": "approved", "frozen_by": ["sig-1"]}
    order = {"concerns": ["冷氣不冷"], "waits_in_shop": False, "old_parts": "decide_at_delivery",
             "mileage_km": 18_350, "lines": [line],
             "inspection": {"values": {"mileage_km": 18_362, "fuel_eighths": 4}}}
    content = {"kind": "authorization",
               "order": {"concerns": ["冷氣不冷"], "waits_in_shop": False,
                         "old_parts": "decide_at_delivery", "mileage_km": 18_362},
               "vehicle": {"fuel_eighths": 4},
               "lines": [signatures._plain(signatures._doc_line(line))]}
    return order, content


def codes(order, content):
    return [code for code, _, _ in signatures.differences(order, content)]


def test_an_order_as_signed_has_no_differences_and_its_work_may_go_on():
    order, content = an_authorized_order()
    assert codes(order, content) == []
    order["lines"][0].update(state="done", technician_id="tech-1", technician_name="陳技師")
    order["old_parts"] = "take_back"  # left to decide at delivery: deciding is no change
    assert codes(order, content) == []


@pytest.mark.parametrize("change, code", [
    (lambda order: order["lines"][0].update(amount=1), "line_changed"),
    (lambda order: order["lines"][0].update(description="免費"), "line_changed"),
    (lambda order: order["lines"][0].update(hours=Decimal("0.5")), "line_changed"),
    (lambda order: order["lines"].clear(), "line_removed"),
    (lambda order: order.update(concerns=["異音"]), "field_changed"),
    (lambda order: order.update(waits_in_shop=True), "field_changed"),
    (lambda order: order["inspection"]["values"].update(fuel_eighths=7), "walkaround_changed"),
    (lambda order: order["inspection"]["values"].pop("mileage_km"), "walkaround_changed"),
])
def test_a_change_to_what_was_signed_is_named(change, code):
    order, content = an_authorized_order()
    change(order)
    assert codes(order, content) == [code]


def test_an_estimate_s_decisions_are_not_differences():
    order, content = an_authorized_order()
    content = {**content, "kind": "estimate",
               "lines": [{**content["lines"][0], "decision": "approved"}]}
    assert codes(order, content) == []


def test_the_seal_is_keyed_not_a_plain_hash(tmp_path, monkeypatch):
    from chalicelib.core import config, secrets

    monkeypatch.setenv("SL_SECRETS_DIR", str(tmp_path))
    config.settings.cache_clear()
    secrets._from_file.cache_clear()
    try:
        signature_hash = signatures.digest({"content": "委修確認單"})
        sealed = signatures.seal(signature_hash)
        assert len(sealed) == 64 and sealed != signature_hash
        assert sealed != hashlib.sha256(signature_hash.encode()).hexdigest()
        assert signatures.sealed({"hash": signature_hash, "seal": sealed})
        assert not signatures.sealed({"hash": signature_hash, "seal": "0" * 64})
        assert not signatures.sealed({"hash": signature_hash})
        (tmp_path / "document-seal-key").write_text("another key")
        secrets._from_file.cache_clear()
        assert signatures.seal(signature_hash) != sealed  # the key, not the table, makes it
    finally:
        config.settings.cache_clear()
        secrets._from_file.cache_clear()
