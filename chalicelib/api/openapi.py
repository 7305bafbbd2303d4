"""The OpenAPI 3.1 document of the API, generated from the routes' own body and query models."""
from __future__ import annotations

import re
from functools import lru_cache

from chalicelib.api import RouteDoc
from chalicelib.core.config import settings

ERROR_SCHEMA = {
    "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"],
                             "properties": {"code": {"type": "string"},
                                            "message": {"type": "string"}}}},
}


def document(routes: list[RouteDoc]) -> dict:
    return _document(tuple(routes))


@lru_cache(maxsize=1)
def _document(routes: tuple[RouteDoc, ...]) -> dict:
    schemas: dict = {"Error": ERROR_SCHEMA}
    paths: dict = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "ServiceLane API", "version": settings().version},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "staff": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }


def _operation(route: RouteDoc, schemas: dict) -> dict:
    error = {"description": "error", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}
    ok = {"description": "ok"} if route.status == 204 else {
        "description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}
    operation: dict = {
        "operationId": route.name,
        "summary": route.summary.splitlines()[0],
        "parameters": [{"name": name, "in": "path", "required": True,
                        "schema": {"type": "string"}}
                       for name in re.findall(r"{(\w+)}", route.path)],
        "responses": {str(route.status): ok, "4XX": error},
    }
    if route.query is not None:
        schema = route.query.model_json_schema()
        operation["parameters"] += [
            {"name": name, "in": "query", "required": name in schema.get("required", []),
             "schema": prop} for name, prop in schema["properties"].items()]
    if route.body is not None:
        schema = route.body.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[route.body.__name__] = schema
        operation["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{route.body.__name__}"}}}}
    if not route.public:
        operation["security"] = [{"staff": []}]
    return operation
