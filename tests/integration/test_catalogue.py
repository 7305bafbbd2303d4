"""The shop's catalogue: a manager edits rates, operations, menus and parts one at a time; every
staff member reads the tablets' copy, a gzip JSON snapshot built once per change."""
import gzip
import json
from concurrent.futures import ThreadPoolExecutor

from chalicelib import models
from chalicelib.core import aws
from chalicelib.core.config import settings
from tests.builders import a_catalogue, a_shop


def snapshot(answer_body: dict) -> dict:
    """The snapshot the answer's link names, as the tablet reads it (through S3, gunzipped)."""
    import urllib.request

    with urllib.request.urlopen(answer_body["url"]) as response:
        assert response.headers["Content-Type"] == "application/gzip"
        data = response.read()
    assert len(data) == answer_body["bytes"]
    return json.loads(gzip.decompress(data))


def head(shop) -> dict:
    return models.CatalogueHead.read(models.CatalogueHead.key(shop.shop_id), consistent=True)


def test_an_empty_catalogue_is_version_0_with_empty_lists(shop):
    answer = shop.technician.get("/api/catalogue")
    assert answer.status == 200, answer.body
    assert answer.body["version"] == 0 and answer.body["rates"] == []
    assert answer.body["counts"] == {"parts": 0, "operations": 0, "menus": 0}
    assert snapshot(answer.body) == {
        "version": 0, "rates": [], "operations": [], "menus": [],
        "parts": {column: [] for column in ("part_key", "part_number", "name", "grade", "brand",
                                           "price")}}


def test_the_snapshot_holds_what_the_manager_wrote_parts_as_columns(shop):
    made = a_catalogue(shop)
    shop.manager.put("/api/catalogue/operations/OIL", {
        "name": "更換機油", "name_en": "Oil change", "hours": 0.5, "rate_id": "general",
        "by_model": {"toyota|altis": 0.4}})
    answer = shop.advisor.get("/api/catalogue")
    assert answer.status == 200, answer.body
    # rates, 2 operations, 3 parts, 2 menus, and OIL again: 9 changes
    assert answer.body["version"] == 9
    assert answer.body["counts"] == {"parts": 3, "operations": 2, "menus": 2}
    assert answer.body["rates"] == made["rates"]["rates"]
    got = snapshot(answer.body)
    assert got["version"] == 9
    assert got["rates"] == [{"rate_id": "general", "name": "一般工資", "name_en": "General",
                             "rate": 1600}]
    oil = next(op for op in got["operations"] if op["code"] == "OIL")
    assert oil == {"code": "OIL", "name": "更換機油", "name_en": "Oil change", "hours": 0.5,
                   "by_model": {"TOYOTA|ALTIS": 0.4}, "rate_id": "general"}
    parts = got["parts"]
    assert {len(column) for column in parts.values()} == {3}
    row = parts["part_key"].index("04152YZZA1~TOYOTA")
    assert (parts["part_number"][row], parts["grade"][row], parts["brand"][row],
            parts["price"][row]) == ("04152-YZZA1", "oem", "TOYOTA", 380)
    assert "F026407209~BOSCH" in parts["part_key"]
    altis = next(menu for menu in got["menus"] if menu["menu_id"] == "altis-10k")
    assert (altis["make"], altis["model"], altis["mileage_km"], altis["months"],
            altis["price"]) == ("TOYOTA", "ALTIS", 10000, 6, 2800)
    assert altis["items"][2] == {"kind": "part", "part_key": "04152YZZA1~TOYOTA", "quantity": 1}
    generic = next(menu for menu in got["menus"] if menu["menu_id"] == "generic-10k")
    assert generic["make"] is None and generic["price"] is None


def test_the_snapshot_is_built_once_per_version_and_again_after_a_change(shop):
    a_catalogue(shop)
    first = shop.technician.get("/api/catalogue").body
    again = shop.technician.get("/api/catalogue").body
    assert again["version"] == first["version"] and head(shop)["object"] in again["url"]
    stored = aws.client("s3").list_objects_v2(Bucket=settings().bucket_name,
                                              Prefix=f"catalogue/{shop.shop_id}/")
    assert stored["KeyCount"] == 1
    assert shop.manager.delete("/api/catalogue/menus/generic-10k").status == 204
    after = shop.technician.get("/api/catalogue").body
    assert after["version"] == first["version"] + 1
    assert after["counts"]["menus"] == 1
    assert [menu["menu_id"] for menu in snapshot(after)["menus"]] == ["altis-10k"]
    stored = aws.client("s3").list_objects_v2(Bucket=settings().bucket_name,
                                              Prefix=f"catalogue/{shop.shop_id}/")
    assert stored["KeyCount"] == 1  # the old snapshot replaced


def test_tablets_asking_at_once_end_with_one_head_naming_its_own_bytes(shop):
    a_catalogue(shop)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: shop.technician.get("/api/catalogue"), range(8)))
    assert {answer.status for answer in answers} == {200}
    stored = head(shop)
    assert stored["built"] == stored["version"] == 8
    assert {answer.body["version"] for answer in answers} == {8}
    data = aws.client("s3").get_object(Bucket=settings().bucket_name,
                                       Key=stored["object"])["Body"].read()
    assert len(data) == stored["bytes"]
    assert json.loads(gzip.decompress(data))["version"] == 8
    listed = aws.client("s3").list_objects_v2(Bucket=settings().bucket_name,
                                              Prefix=f"catalogue/{shop.shop_id}/")
    assert [item["Key"] for item in listed["Contents"]] == [stored["object"]]
    for answer in answers:
        assert snapshot(answer.body)["version"] == 8


def test_edits_at_once_each_move_the_version(shop):
    shop.manager.put("/api/catalogue/rates", {"rates": [
        {"rate_id": "general", "name": "一般工資", "rate": 1600}]})

    def put(n):
        return shop.manager.put(f"/api/catalogue/parts/P{n}", {
            "part_number": f"P{n}", "name": "零件", "grade": "aftermarket", "price": 100 + n})

    with ThreadPoolExecutor(10) as pool:
        assert {answer.status for answer in pool.map(put, range(10))} == {200}
    assert head(shop)["version"] == 11
    assert shop.technician.get("/api/catalogue").body["counts"]["parts"] == 10


def test_bad_input_is_refused_with_a_field_named(shop):
    shop.manager.put("/api/catalogue/rates", {"rates": [
        {"rate_id": "general", "name": "一般工資", "rate": 1600}]})
    part = {"part_number": "04152-YZZA1", "name": "機油芯", "grade": "oem", "brand": "toyota",
            "price": 380}
    wrong_key = shop.manager.put("/api/catalogue/parts/04152YZZA1", part)
    assert wrong_key.status == 422 and wrong_key.error == "part_key_mismatch"
    assert "04152YZZA1~TOYOTA" in wrong_key.body["error"]["message"]
    assert shop.manager.put("/api/catalogue/parts/04152YZZA1~TOYOTA", part).status == 200
    assert shop.manager.put("/api/catalogue/parts/X", {**part, "grade": "new"}).status == 422
    assert shop.manager.put("/api/catalogue/parts/X", {**part, "price": -1}).status == 422
    unknown_rate = shop.manager.put("/api/catalogue/operations/OIL", {
        "name": "更換機油", "hours": 0.5, "rate_id": "body"})
    assert unknown_rate.status == 422 and unknown_rate.error == "unknown_rate"
    assert shop.manager.put("/api/catalogue/operations/OIL", {
        "name": "更換機油", "hours": -1, "rate_id": "general"}).status == 422
    assert shop.manager.put("/api/catalogue/operations/OIL", {
        "name": "更換機油", "hours": 0.5, "rate_id": "general",
        "by_model": {"ALTIS": 0.4}}).status == 422
    assert shop.manager.put("/api/catalogue/operations/O%20L", {
        "name": "更換機油", "hours": 0.5, "rate_id": "general"}).status == 422
    assert shop.manager.put("/api/catalogue/menus/m1", {
        "name": "保養", "items": []}).status == 422
    assert shop.manager.put("/api/catalogue/menus/m1", {
        "name": "保養", "model": "ALTIS", "items": [{"kind": "labour", "code": "OIL"}]}
    ).status == 422
    assert shop.manager.put("/api/catalogue/menus/m1", {
        "name": "保養", "items": [{"kind": "part"}]}).status == 422
    assert shop.manager.put("/api/catalogue/rates", {"rates": [
        {"rate_id": "general", "name": "一般", "rate": 1600},
        {"rate_id": "general", "name": "二", "rate": 1}]}).status == 422
    assert shop.manager.put("/api/catalogue/rates", {"rates": []}).status == 422
    assert shop.manager.delete("/api/catalogue/menus/none").status == 404
    assert shop.manager.delete("/api/catalogue/operations/NONE").status == 404


def test_managers_and_owners_edit_everyone_reads(shop):
    rates = {"rates": [{"rate_id": "general", "name": "一般工資", "rate": 1600}]}
    for role in ("advisor", "technician"):
        assert shop.as_role(role).put("/api/catalogue/rates", rates).status == 403
        assert shop.as_role(role).delete("/api/catalogue/parts/X").status == 403
        assert shop.as_role(role).get("/api/catalogue").status == 200
    assert shop.owner.put("/api/catalogue/rates", rates).status == 200
    assert shop.anonymous.get("/api/catalogue").status == 401


def test_another_shops_catalogue_is_not_seen(shop, chalice_client):
    a_catalogue(shop)
    other = a_shop(chalice_client, name="別家保養廠")
    answer = other.technician.get("/api/catalogue")
    assert answer.body["version"] == 0 and snapshot(answer.body)["parts"]["part_key"] == []
    assert other.manager.delete("/api/catalogue/menus/altis-10k").status == 404
    assert len(snapshot(shop.technician.get("/api/catalogue").body)["menus"]) == 2
