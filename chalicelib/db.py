"""What is left of the boto3 Table resource's helpers while the modules move to the models
(chalicelib/models/): nothing new may use these; each caller is to write through a model."""
from __future__ import annotations

GSI_LOOKUP = "gsi1"
GSI_LISTS = "gsi2"


def refused(err: Exception) -> bool:
    """Whether DynamoDB refused a write on its condition (a single write's failed condition, or
    a transaction it cancelled): the one test every "only if" write makes of its error."""
    from botocore.exceptions import ClientError

    return isinstance(err, ClientError) and err.response["Error"]["Code"] in (
        "ConditionalCheckFailedException", "TransactionCanceledException")


def transact_put(items: list[dict], condition: str = "attribute_not_exists(pk)") -> None:
    """Put items all or none, each only if new (raises TransactionCanceledException otherwise)."""
    from boto3.dynamodb.types import TypeSerializer

    from chalicelib.core import aws

    serializer = TypeSerializer()
    aws.client("dynamodb").transact_write_items(TransactItems=[
        {"Put": {"TableName": aws.table().name, "ConditionExpression": condition,
                 "Item": {key: serializer.serialize(value) for key, value in item.items()}}}
        for item in items])


def transact_write(actions: list[dict]) -> None:
    """All or none, for writes that mix kinds: `{"Put"|"Update"|"ConditionCheck": {...}}`.

    Each action is written as for the Table resource (Python values, no TableName); this adds
    the table and the DynamoDB types. Raises TransactionCanceledException when a condition fails.
    """
    from boto3.dynamodb.types import TypeSerializer

    from chalicelib.core import aws

    serializer = TypeSerializer()

    def typed(values: dict) -> dict:
        return {key: serializer.serialize(value) for key, value in values.items()}

    items = []
    for action in actions:
        (kind, params), = action.items()
        params = {**params, "TableName": aws.table().name}
        for field in ("Item", "Key", "ExpressionAttributeValues"):
            if field in params:
                params[field] = typed(params[field])
        items.append({kind: params})
    aws.client("dynamodb").transact_write_items(TransactItems=items)


def kind_of(sk: str) -> str:
    """The item type from its sort key (`STAFF#…` → `STAFF`), as the stream handler routes by it."""
    return sk.split("#", 1)[0]
