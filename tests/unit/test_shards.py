"""The shards of the lists every shop writes to (models.SHARDS, models.shard_of): a shop's
shard is the same everywhere, the shops spread evenly, and no such list has one key for all."""
from chalicelib import models


def test_the_shards_spread_shops_and_keep_each_shop_s_lists_apart():
    ids = [f"shop-{n}" for n in range(models.SHARDS * 100)]
    counts = [0] * models.SHARDS
    for shop_id in ids:
        counts[models.shard_of(shop_id)] += 1
    assert min(counts) > 50 and max(counts) < 150, counts  # 100 each on average
    # The same in every process and release: a stable hash, not Python's hash() of a string.
    assert models.shard_of("shop-demo") == 5 and models.shard_of("shop-a") == 34
    shard = models.shard_of("shop-a")
    assert models.reminder_pending_index("2027-01-01", "shop-a", "v", "service")["gsi2pk"] \
        == f"REMINDERS_PENDING#{shard}"
    assert models.followup_pending_index("2027-01-01", "shop-a", "o")["gsi2pk"] \
        == f"FOLLOWUPS_PENDING#{shard}"
    assert models.message_due_index("2027-01-01T00:00", "shop-a", "o", "m")["gsi2pk"] \
        == f"MESSAGES_DUE#{shard}"
    assert models.SignedRecently.key("2027-01-01", "shop-a", "o", "s")["pk"] \
        == f"SIGNED#2027-01-01#{shard}"
    assert models.idempotency_pk("shop-a", "o") == "IDEMPOTENCY#notify#shop-a#o"
