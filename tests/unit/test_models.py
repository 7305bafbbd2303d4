"""The models against the table the cloud stack declares (infra/resources.json): every key and
index a model uses exists there, and every one there is used; each model says its keys."""
import json
from pathlib import Path

import pytest

from chalicelib import models
from chalicelib.models.base import Item

TABLE = json.loads((Path(__file__).resolve().parents[2] / "infra" / "resources.json")
                   .read_text())["Resources"]["Table"]["Properties"]
ITEM_TYPES = sorted(Item._get_discriminator_attribute().get_registered_subclasses(Item),
                    key=lambda model: model.__name__)


def _schema(key_schema):
    return {entry["KeyType"]: entry["AttributeName"] for entry in key_schema}


def test_the_table_keys_are_the_models_keys():
    assert _schema(TABLE["KeySchema"]) == {"HASH": Item._hash_keyname, "RANGE": Item._range_keyname}


def test_every_index_of_the_table_is_a_model_index_and_the_other_way_round():
    declared = {index["IndexName"]: (_schema(index["KeySchema"]), index["Projection"])
                for index in TABLE["GlobalSecondaryIndexes"]}
    modelled = {}
    for index in (Item.lookup, Item.lists):
        keys = {("HASH" if attribute.is_hash_key else "RANGE"): name
                for name, attribute in index.Meta.attributes.items()}
        modelled[index.Meta.index_name] = (keys, {"ProjectionType": "ALL"})
    assert modelled == declared


def test_every_key_attribute_is_declared_as_a_string_by_the_models():
    types = {definition["AttributeName"]: definition["AttributeType"]
             for definition in TABLE["AttributeDefinitions"]}
    attributes = Item.get_attributes()
    assert set(types) == {"pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"}
    for name, kind in types.items():
        assert attributes[name].attr_type == kind == "S"


def test_the_ttl_attribute_is_a_number_wherever_a_model_has_it():
    ttl = TABLE["TimeToLiveSpecification"]["AttributeName"]
    holders = [model for model in ITEM_TYPES if ttl in model.get_attributes()]
    assert holders, "no model expires"
    for model in holders:
        assert model.get_attributes()[ttl].attr_type == "N", model.__name__


@pytest.mark.parametrize("model", ITEM_TYPES, ids=lambda model: model.__name__)
def test_each_model_states_its_keys_and_how_they_are_built(model):
    assert model.__doc__ and ("PK" in model.__doc__ or "SK" in model.__doc__), model.__name__
    assert callable(getattr(model, "key", None)), f"{model.__name__}.key builds its key"


def test_item_types_are_told_apart_by_their_type():
    names = [Item._get_discriminator_attribute().get_discriminator(model) for model in ITEM_TYPES]
    assert len(names) == len(set(names)) and all(names)


def test_numbers_are_ints_when_whole_and_decimals_otherwise_never_floats():
    from decimal import Decimal

    number = models.Number()
    assert number.deserialize("12") == 12 and isinstance(number.deserialize("12"), int)
    assert number.deserialize("1.5") == Decimal("1.5")
    assert isinstance(number.deserialize("2.0"), Decimal)  # written as a decimal: kept so
    with pytest.raises(TypeError):
        number.serialize(1.5)


def test_a_dict_with_a_name_its_model_does_not_declare_is_refused():
    with pytest.raises(models.UndeclaredAttribute):
        models.Shop.from_dict({**models.Shop.key("s1"), "shop_id": "s1", "name": "順安",
                               "nmae": "typo"})


def test_every_shop_item_key_starts_with_its_shop():
    assert models.Shop.key("s1")["pk"] == "SHOP#s1"
    assert models.Staff.key("s1", "u9") == {"pk": "SHOP#s1", "sk": "STAFF#u9"}
    assert models.order_key("s1", "o1")["pk"].startswith("SHOP#s1#")
    assert models.order_of(models.order_pk("s1", "o1")) == ("s1", "o1")
