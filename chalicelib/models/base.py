"""What every item of the single table shares: its keys, its two indexes, its type, and how it
is read and written (docs/design.md, "The table").

- `pk` / `sk` are the table's keys; `gsi1pk`/`gsi1sk` (index `gsi1`, look-ups by a natural key)
  and `gsi2pk`/`gsi2sk` (index `gsi2`, lists in order) are set by the item types that are found
  through them. The key formats live on each model, next to the attributes they index.
- `type` names the item type (a discriminator): a Query of an order's partition answers each
  item as its own model, and the stream's images are read the same way (`from_image`).
- Items travel through the domain as plain dicts (`as_dict`, `from_dict`), with the same names
  and values a stored item has: numbers as `int` or `Decimal`, never `float`.

One connection serves every model (one botocore client for the table), made on first use from
`chalicelib.core.config`: the table's name and endpoint are read when a request first needs them.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable, Iterator, TypeVar

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from pynamodb.attributes import (Attribute, BooleanAttribute, DiscriminatorAttribute,
                                 UnicodeAttribute, VersionAttribute)
from pynamodb.constants import LIST, MAP, NUMBER
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.core import aws
from chalicelib.core.config import settings

__all__ = ["Text", "Number", "Flag", "Document", "Values", "Version", "Item", "Lookup", "Lists",
           "UndeclaredAttribute"]

_serializer, _deserializer = TypeSerializer(), TypeDeserializer()
T = TypeVar("T", bound="Item")

Text = UnicodeAttribute
Flag = BooleanAttribute
Version = VersionAttribute


class Number(Attribute[Any]):
    """A number as the domain holds it: `int` when whole, else `Decimal` (PynamoDB's own
    NumberAttribute answers floats, which money, tread depths and signed hashes cannot take)."""
    attr_type = NUMBER

    def serialize(self, value: int | Decimal) -> str:
        if isinstance(value, float) or isinstance(value, bool):
            raise TypeError(f"{self.attr_name}: store int or Decimal, not {type(value).__name__}")
        return str(value)

    def deserialize(self, value: str) -> int | Decimal:
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() and "." not in value \
            and "e" not in value.lower() else number


class Document(Attribute[dict]):
    """A map of plain values (a customer's summary on an order, the walk-around's fields):
    stored as a DynamoDB map, read back with boto3's types (numbers as Decimal)."""
    attr_type = MAP

    def serialize(self, value: dict) -> dict:
        return {str(key): _serializer.serialize(item) for key, item in value.items()}

    def deserialize(self, value: dict) -> dict:
        return {key: _deserializer.deserialize(item) for key, item in value.items()}


class Values(Attribute[list]):
    """A list of plain values (an order's concerns, the signatures that froze a line)."""
    attr_type = LIST

    def serialize(self, value: Iterable) -> list:
        return [_serializer.serialize(item) for item in value]

    def deserialize(self, value: list) -> list:
        return [_deserializer.deserialize(item) for item in value]


class Lookup(GlobalSecondaryIndex):
    """gsi1: an item found by a natural key (a shop's plate or phone, a document's hash, a
    link's token hash, a vehicle's orders)."""
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Lists(GlobalSecondaryIndex):
    """gsi2: lists in order (the board of a day, a technician's jobs, what is due)."""
    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class UndeclaredAttribute(Exception):
    """A stored item holds an attribute its model does not declare: on the local engines this
    stops the request, so a model and the code writing its items cannot drift apart unseen."""


class Item(Model):
    """The base of every item type (one subclass each, `discriminator` = its `type`)."""

    class Meta:
        table_name = None  # from the settings, on first use (see _get_connection)
        region = None
        host = None
        # As the boto3 clients (chalicelib/core/aws.py, read_timeout): three tries in all.
        connect_timeout_seconds = 1
        read_timeout_seconds = aws.READ_TIMEOUT["dynamodb"]
        max_retry_attempts = aws.ATTEMPTS - 1
        max_pool_connections = 20

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    type = DiscriminatorAttribute()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    lookup = Lookup()
    lists = Lists()

    @classmethod
    def _get_connection(cls):
        """One connection for every model: they are one table (PynamoDB would make a client per
        model class, each costing a cold start its service description)."""
        meta, cfg = Item.Meta, settings()
        if (meta.table_name, meta.host, meta.region) != (cfg.table_name, cfg.dynamodb_endpoint,
                                                         cfg.region):
            meta.table_name, meta.host, meta.region = (cfg.table_name, cfg.dynamodb_endpoint,
                                                       cfg.region)
            meta.read_timeout_seconds = aws.read_timeout("dynamodb")
            Item._connection = None
        return Model._get_connection.__func__(Item)

    # An item type whose attributes are named by what they hold (a day's counters) declares
    # OPEN: the others are read into `extra` instead of being refused.
    OPEN = False
    # Attributes the domain reads as present even when empty (stored as NULL before models).
    KEEP_NULL: tuple[str, ...] = ()

    @classmethod
    def _instantiate(cls: type[T], attribute_values: dict) -> T:
        item = super()._instantiate(attribute_values)
        known = {attribute.attr_name for attribute in type(item).get_attributes().values()}
        unknown = set(attribute_values) - known
        item.extra = {name: _deserializer.deserialize(attribute_values[name])
                      for name in unknown} if type(item).OPEN else {}
        if unknown and not type(item).OPEN and settings().stage == "local":
            raise UndeclaredAttribute(f"{type(item).__name__} does not declare "
                                      f"{', '.join(sorted(unknown))}")
        return item

    # --- plain dicts in and out ---

    def as_dict(self) -> dict:
        """The item as stored: its attributes by their stored names, `type` as text."""
        out = dict(getattr(self, "extra", None) or {})
        for name, attribute in self.get_attributes().items():
            value = getattr(self, name)
            if value is None and attribute.attr_name not in self.KEEP_NULL:
                continue
            out[attribute.attr_name] = self.type_name() if name == "type" else value
        return out

    @classmethod
    def from_dict(cls: type[T], values: dict) -> T:
        """A model of `values` (stored names; `type` may be given and must be this model's)."""
        names = {attribute.attr_name: name for name, attribute in cls.get_attributes().items()}
        fields = {}
        for key, value in values.items():
            if key == "type":
                if value != cls.type_name():
                    raise ValueError(f"{cls.__name__} is not a {value!r} item")
                continue
            if key not in names:
                raise UndeclaredAttribute(f"{cls.__name__} does not declare {key}")
            if value is not None:
                fields[names[key]] = value
        return cls(**fields)

    @classmethod
    def from_image(cls, image: dict) -> "Item":
        """A stream record's image (DynamoDB's typed JSON) as its model."""
        return cls.from_raw_data(image)

    # --- reading ---

    @classmethod
    def read(cls, key: dict, consistent: bool = False) -> dict | None:
        """The item at `key` ({pk, sk}, as the key builders make it) as a dict, or None."""
        try:
            return cls.get(key["pk"], key["sk"], consistent_read=consistent).as_dict()
        except cls.DoesNotExist:
            return None

    @classmethod
    def items(cls, pk: str, condition: Any = None, **options: Any) -> Iterator[dict]:
        """Every item of a partition (or the part `condition` names), page after page."""
        return (item.as_dict() for item in cls.query(pk, condition, **options))

    @classmethod
    def type_name(cls) -> str:
        """The item type's name, as stored in `type` (`order`, `order_line`, …)."""
        return cls._get_discriminator_attribute().get_discriminator(cls)

    @staticmethod
    def model_of(type_name: str) -> type["Item"]:
        """The model of an item type by its `type` (a dict of any type written as its model)."""
        return Item._get_discriminator_attribute().deserialize(type_name)
