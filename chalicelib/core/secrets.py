"""Secrets by name (infra/secrets.json): SSM Parameter Store in the cloud, files locally.

Locally, a secret that may be generated (the JWT signing key, the link key, the key sealing
signed documents, the Web Push VAPID key pair, a shop's account at the e-invoice centre's local
stand-in and its QR key) is made on first use in a file only its owner can read, under the
stack's data folder; nothing secret is ever in the repo.
"""
from __future__ import annotations

import os
import re
import secrets as random
import string
import threading
from functools import lru_cache
from pathlib import Path

from chalicelib.core.config import settings

GENERATED = {"jwt-signing-key", "link-signing-key", "document-seal-key", "vapid/private-key",
             "vapid/public-key"}
# A shop's e-invoice account (outward/einvoice) and QR key (core/einvoice_codes), made up
# locally for the stand-in of the value-added centre, which reads the same folder.
EINVOICE = re.compile(r"einvoice/[^/]+/(merchant-id|hash-key|hash-iv|qr-key)")
CACHE_SECONDS = 300  # a rotated key reaches every warm Lambda within five minutes


class Missing(LookupError):
    """No such secret: not set (`python -m infra.ssm set <name>`), or not readable."""


def get(name: str) -> str:
    folder = settings().secrets_dir
    if folder:
        try:
            return _from_file(Path(folder), name)
        except FileNotFoundError as err:
            raise Missing(name) from err
    from aws_lambda_powertools.utilities import parameters

    path = f"/servicelane/{settings().stage}/{name}"
    try:
        return parameters.get_parameter(path, decrypt=True, max_age=CACHE_SECONDS)
    except parameters.exceptions.GetParameterError as err:
        raise Missing(name) from err


@lru_cache(maxsize=None)
def _from_file(folder: Path, name: str) -> str:
    path = folder / name.replace("/", "__")
    einvoice = EINVOICE.fullmatch(name)
    if not path.exists() and einvoice:
        folder.mkdir(parents=True, exist_ok=True)
        _write_once(path, _einvoice_value(einvoice.group(1)))
    if not path.exists() and name in GENERATED:
        folder.mkdir(parents=True, exist_ok=True)
        if name == "vapid/public-key":
            # The pair's other half, derived from the private key: never a mismatched pair.
            _write_once(path, _vapid_public(_from_file(folder, "vapid/private-key")))
        else:
            _write_once(path, _vapid_private() if name == "vapid/private-key"
                        else random.token_urlsafe(32))
    return path.read_text().strip()


def _write_once(path: Path, value: str) -> None:
    """The file made whole or not at all: written aside, then linked into place (the first
    maker wins), so a reader at the same moment never reads it half written (empty)."""
    aside = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(value)
    try:
        os.link(aside, path)
    except FileExistsError:  # another process or thread made it a moment ago
        pass
    finally:
        os.unlink(aside)


def _einvoice_value(part: str) -> str:
    letters = string.ascii_letters + string.digits
    if part == "merchant-id":
        return str(3000000 + random.randbelow(1000000))  # 7 digits, as ECPay's
    if part == "qr-key":
        return random.token_hex(16)  # an AES-128 key in hex, as the platform gives it
    return "".join(random.choice(letters) for _ in range(16))  # HashKey / HashIV


def _b64url(raw: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _vapid_private() -> str:
    """A P-256 private key as Web Push libraries take it: base64url of the 32-byte scalar."""
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    return _b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def _vapid_public(private: str) -> str:
    """The applicationServerKey a browser subscribes with: base64url of the uncompressed point."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    scalar = int.from_bytes(base64.urlsafe_b64decode(private + "=" * (-len(private) % 4)), "big")
    point = ec.derive_private_key(scalar, ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return _b64url(point)
