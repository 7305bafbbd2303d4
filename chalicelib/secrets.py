"""Secrets by name (infra/secrets.json): SSM Parameter Store in the cloud, files locally.

Locally, a secret that may be generated (the JWT signing key) is made on first use in a file
only its owner can read, under the stack's data folder; nothing secret is ever in the repo.
"""
from __future__ import annotations

import os
import secrets as random
from functools import lru_cache
from pathlib import Path

from chalicelib.config import settings

GENERATED = {"jwt-signing-key", "link-signing-key"}
CACHE_SECONDS = 300  # a rotated key reaches every warm Lambda within five minutes


def get(name: str) -> str:
    folder = settings().secrets_dir
    if folder:
        return _from_file(Path(folder), name)
    from aws_lambda_powertools.utilities import parameters

    path = f"/servicelane/{settings().stage}/{name}"
    return parameters.get_parameter(path, decrypt=True, max_age=CACHE_SECONDS)


@lru_cache(maxsize=None)
def _from_file(folder: Path, name: str) -> str:
    path = folder / name.replace("/", "__")
    if not path.exists() and name in GENERATED:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it a moment ago
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(random.token_urlsafe(32))
    return path.read_text().strip()
