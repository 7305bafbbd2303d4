"""The domain's modules as the routes name them, each imported when a route first uses it.

This is the one place chalicelib's modules are imported lazily, and why: a Lambda's cold start
imports app.py before its first answer. Importing the models (PynamoDB, and with it botocore)
costs about 150 ms and Pydantic's models of every body more; the authorizer, `GET /api/health`
and a route of one module need none of the others. So app.py and the customer's routes name
each module through `lazy(...)`, and a route's body and query models by "module:Name" strings
(`chalicelib.api.model_of`): a module is imported by the first request that calls it, then
stays. Inside chalicelib, modules import each other at the top, downwards only
(docs/design.md, "Layers").
"""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """A chalicelib module, imported on first use of one of its names."""

    def __init__(self, name: str) -> None:
        self._name = f"chalicelib.{name}"

    def _module(self) -> ModuleType:
        return importlib.import_module(self._name)  # sys.modules keeps it after the first time

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._module(), attribute)

    def __repr__(self) -> str:
        return f"<lazy {self._name}>"


def lazy(name: str) -> Any:
    """`orders = lazy("work.orders")`: `orders.board(...)` imports chalicelib.work.orders first."""
    return LazyModule(name)
