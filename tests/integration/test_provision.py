"""The local table and bucket are the cloud template's, and making them again is harmless."""
import json
import urllib.error
import urllib.request

import pytest

from chalicelib import models
from chalicelib.core import aws
from chalicelib.records import auth, shops
from devstack import provision, seed
from tests.tables import own_table


def _without_order(items):
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))


def test_the_local_table_equals_the_one_the_cloud_stack_declares(app_env):
    declared = provision.template()["Resources"]["Table"]["Properties"]
    table = aws.client("dynamodb").describe_table(TableName=app_env)["Table"]

    assert table["KeySchema"] == declared["KeySchema"]
    assert _without_order(table["AttributeDefinitions"]) == _without_order(
        declared["AttributeDefinitions"])
    local_indexes = [{key: index[key] for key in ("IndexName", "KeySchema", "Projection")}
                     for index in table["GlobalSecondaryIndexes"]]
    assert _without_order(local_indexes) == _without_order(declared["GlobalSecondaryIndexes"])
    assert table["StreamSpecification"] == {
        "StreamEnabled": True, "StreamViewType": declared["StreamSpecification"]["StreamViewType"]}
    assert table["BillingModeSummary"]["BillingMode"] == declared["BillingMode"]
    ttl = aws.client("dynamodb").describe_time_to_live(TableName=app_env)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == declared["TimeToLiveSpecification"]["AttributeName"]


def test_creating_the_table_again_is_harmless_and_keeps_its_items(app_env):
    aws.table().put_item(Item={"pk": "X", "sk": "Y", "kept": True})
    assert provision.ensure_table(aws.client("dynamodb"), app_env) == "unchanged"
    assert aws.table().get_item(Key={"pk": "X", "sk": "Y"})["Item"]["kept"] is True


def test_an_index_the_template_gained_is_added_to_an_existing_table(app_env):
    dynamodb = aws.client("dynamodb")
    older = provision.table_definition()
    older["GlobalSecondaryIndexes"] = older["GlobalSecondaryIndexes"][:1]
    older["AttributeDefinitions"] = [a for a in older["AttributeDefinitions"]
                                     if not a["AttributeName"].startswith("gsi2")]
    dynamodb.create_table(TableName=app_env + "-old", **older)
    try:
        assert provision.ensure_table(dynamodb, app_env + "-old") == "updated"
        indexes = dynamodb.describe_table(TableName=app_env + "-old")["Table"]["GlobalSecondaryIndexes"]
        assert sorted(index["IndexName"] for index in indexes) == ["gsi1", "gsi2"]
    finally:
        dynamodb.delete_table(TableName=app_env + "-old")


def test_the_bucket_lets_the_pwa_origin_upload_and_no_other(app_env, local_engines):
    rules = aws.client("s3").get_bucket_cors(Bucket=app_env)["CORSRules"]
    assert rules[0]["AllowedOrigins"] == ["http://127.0.0.1:8000"]

    def preflight(origin):
        request = urllib.request.Request(
            f"{local_engines['SL_S3_ENDPOINT']}/{app_env}/photo.jpg", method="OPTIONS",
            headers={"Origin": origin, "Access-Control-Request-Method": "PUT"})
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, response.headers.get("Access-Control-Allow-Origin")
        except urllib.error.HTTPError as refused:
            return refused.code, refused.headers.get("Access-Control-Allow-Origin")

    status, allowed = preflight("http://127.0.0.1:8000")
    assert status == 200 and allowed  # s3rver answers a matched preflight with "*"
    assert preflight("https://evil.example") == (403, None)


def _all_items(table_name):
    pages = aws.client("dynamodb").get_paginator("scan").paginate(TableName=table_name)
    return [item for page in pages for item in page["Items"]]


@pytest.fixture(scope="module")
def demo_table(local_engines, tmp_path_factory):
    """One table with the demo shop seeded in it, for the tests of seeding: a first seed draws
    the signed documents and walks orders through their steps, the slowest thing here."""
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch, own_table(local_engines, patch, folder) as name:
        seed.seed(folder)
        yield name, folder


@pytest.fixture
def demo(demo_table):
    """The seeded table's name and the data folder its login file is kept in."""
    aws.reset()  # a test with a table of its own (app_env) may have run just before
    return demo_table


def test_seeding_twice_does_not_duplicate_the_demo_data(demo):
    table, folder = demo
    before = _all_items(table)
    login = seed.saved_login(folder)

    assert seed.seed(folder) == login
    assert _without_order(_all_items(table)) == _without_order(before)
    # A login is keyed by the name it signs in with, per shop (`LOGIN#<name>` / `SHOP#<id>`).
    kinds = {item["pk"]["S"].split("#")[0] if item["pk"]["S"].startswith("LOGIN#")
             else item["sk"]["S"].split("#")[0] for item in before}
    assert {"LOGIN", "SHOP", "STAFF", "CUSTOMER", "VEHICLE", "PLATE", "OWNER", "MILEAGE",
            "APPT", "INSPECTION", "PHOTO"} <= kinds
    # the demo catalogue: its head, parts, operations and menus (a second run moves no version)
    assert {"HEAD", "PART", "OP", "MENU"} <= kinds
    head = models.CatalogueHead.read(models.CatalogueHead.key(seed.DEMO_SHOP_ID))
    assert head["version"] == len(seed.DEMO_OPERATIONS) + len(seed.DEMO_PARTS) + 12 + 1


def test_the_demo_login_works_with_the_printed_password(demo):
    _, folder = demo
    login = seed.saved_login(folder)
    owner = shops.get_staff(seed.DEMO_SHOP_ID, seed.DEMO_OWNER_ID)
    assert owner["email"] == login.email and owner["role"] == "owner"
    assert auth.secret_matches(owner["password_hash"], login.password)
    assert not auth.secret_matches(owner["password_hash"], login.password + "x")
    assert login.password not in json.dumps(owner, default=str)


def test_a_lost_login_file_gives_the_existing_owner_a_new_password(demo):
    _, folder = demo
    lost = seed.saved_login(folder)
    (folder / seed.LOGIN_FILE).unlink()

    login = seed.seed(folder)
    owner = shops.get_staff(seed.DEMO_SHOP_ID, seed.DEMO_OWNER_ID)
    assert login.password != lost.password
    assert auth.secret_matches(owner["password_hash"], login.password)
    assert not auth.secret_matches(owner["password_hash"], lost.password)
    assert seed.saved_login(folder) == login
