"""Structured JSON logs (Powertools Logger). Log ids and states, never names, phones or plates."""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def logger():
    """Made on first use: importing Powertools costs the API's cold start ~20 ms otherwise."""
    from aws_lambda_powertools import Logger

    return Logger(service="servicelane")
