"""The local stack: the product on real engines on one machine (`make dev`, `make test`).

DynamoDB Local and s3rver run as child processes; Chalice's local server and the stream poller
run in this process. Nothing here is imported by the Lambdas.
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class StackError(Exception):
    """A problem the person running the stack can fix; printed as one clear line, no traceback."""
