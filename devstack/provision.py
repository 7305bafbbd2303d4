"""The local table and bucket, made from the cloud stack's own template (infra/resources.json).

Safe to run at every start: what exists is kept, what the template added since is added.
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from devstack import ROOT
from devstack import StackError

TEMPLATE = ROOT / "infra" / "resources.json"


@lru_cache(maxsize=1)
def template() -> dict:
    return json.loads(TEMPLATE.read_text())


def _properties(resource: str) -> dict:
    return template()["Resources"][resource]["Properties"]


def table_definition() -> dict[str, Any]:
    """The template's table as CreateTable parameters (the shapes differ only in the stream)."""
    props = _properties("Table")
    return {
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "GlobalSecondaryIndexes": props["GlobalSecondaryIndexes"],
        "BillingMode": props["BillingMode"],
        "StreamSpecification": {"StreamEnabled": True, **props["StreamSpecification"]},
    }


def time_to_live() -> dict:
    return _properties("Table")["TimeToLiveSpecification"]


def cors_rules(origin: str) -> list[dict]:
    """The bucket's CORS rules in the S3 API's shape, with the PWA origin filled in."""
    rules = []
    for rule in _properties("FilesBucket")["CorsConfiguration"]["CorsRules"]:
        origins = [origin if value == {"Ref": "PwaOrigin"} else value
                   for value in rule["AllowedOrigins"]]
        rules.append({"AllowedOrigins": origins, "AllowedMethods": rule["AllowedMethods"],
                      "AllowedHeaders": rule.get("AllowedHeaders", []),
                      "ExposeHeaders": rule.get("ExposedHeaders", []),
                      "MaxAgeSeconds": rule.get("MaxAge", 0)})
    return rules


def ensure_table(dynamodb: Any, name: str) -> str:
    """Create the table, or bring an existing one up to the template. Says what it did."""
    definition = table_definition()
    try:
        current = dynamodb.describe_table(TableName=name)["Table"]
    except dynamodb.exceptions.ResourceNotFoundException:
        dynamodb.create_table(TableName=name, **definition)
        dynamodb.get_waiter("table_exists").wait(TableName=name)
        _ensure_ttl(dynamodb, name)
        return "created"

    changed = False
    if current["KeySchema"] != definition["KeySchema"]:
        raise StackError(f"Table {name} has other keys than infra/resources.json declares; "
                         "remove the local data folder (.local/ddb) to start afresh.")
    existing = {index["IndexName"]: index for index in current.get("GlobalSecondaryIndexes", [])}
    for index in definition["GlobalSecondaryIndexes"]:
        if index["IndexName"] in existing:
            if existing[index["IndexName"]]["KeySchema"] != index["KeySchema"]:
                raise StackError(f"Index {index['IndexName']} of {name} differs from the "
                                 "template; remove .local/ddb to start afresh.")
            continue
        # DynamoDB adds one index per UpdateTable call.
        dynamodb.update_table(TableName=name,
                              AttributeDefinitions=definition["AttributeDefinitions"],
                              GlobalSecondaryIndexUpdates=[{"Create": index}])
        dynamodb.get_waiter("table_exists").wait(TableName=name)
        changed = True
    if not current.get("StreamSpecification", {}).get("StreamEnabled"):
        dynamodb.update_table(TableName=name,
                              StreamSpecification=definition["StreamSpecification"])
        changed = True
    changed = _ensure_ttl(dynamodb, name) or changed
    return "updated" if changed else "unchanged"


def _ensure_ttl(dynamodb: Any, name: str) -> bool:
    wanted = time_to_live()
    ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    if ttl.get("TimeToLiveStatus") == "ENABLED" and ttl.get("AttributeName") == wanted["AttributeName"]:
        return False
    dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=wanted)
    return True


def ensure_bucket(s3: Any, name: str, origin: str) -> str:
    """Create the bucket if missing and set its CORS for the PWA's origin.

    s3rver does not implement encryption, versioning, public-access blocks or lifecycle rules;
    the cloud stack sets those, and the infra checks test them in the template.
    """
    created = "unchanged"
    try:
        s3.head_bucket(Bucket=name)
    except s3.exceptions.ClientError:
        s3.create_bucket(Bucket=name)
        created = "created"
    s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": cors_rules(origin)})
    return created
