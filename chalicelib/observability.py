"""Structured JSON logs (Powertools Logger). Log ids and states, never names, phones or plates."""
from __future__ import annotations

from aws_lambda_powertools import Logger

logger = Logger(service="servicelane")
