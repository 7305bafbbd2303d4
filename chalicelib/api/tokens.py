"""Access tokens: a short-lived JWT names the person, their shop, role and device.

Apart from records/auth.py (sign-in, sessions), so that the authorizer, which checks a token on
every signed-in request, imports no model and reads nothing from the table.
"""
from __future__ import annotations

from datetime import timedelta

from chalicelib.api import Caller
from chalicelib.core import clock
from chalicelib.core import secrets

ACCESS_MINUTES = 15
ISSUER = "servicelane"


def _signing_key() -> str:
    return secrets.get("jwt-signing-key")


def access_token(staff: dict, device_id: str | None) -> str:
    import jwt  # PyJWT (with cryptography) on first use: a cold start that checks none skips it

    issued = clock.now()
    claims = {"iss": ISSUER, "sub": staff["staff_id"], "shop": staff["shop_id"],
              "role": staff["role"], "name": staff["name"], "dev": device_id or "",
              "ver": token_version(staff),
              "iat": issued, "exp": issued + timedelta(minutes=ACCESS_MINUTES)}
    return jwt.encode(claims, _signing_key(), algorithm="HS256")


def verify_access(token: str) -> Caller | None:
    """The caller a token names, or None when it is not one of ours or has expired."""
    import jwt

    try:
        claims = jwt.decode(token, _signing_key(), algorithms=["HS256"], issuer=ISSUER,
                            options={"require": ["exp", "sub", "shop", "role"]})
    except jwt.PyJWTError:
        return None
    return Caller(shop_id=claims["shop"], staff_id=claims["sub"], role=claims["role"],
                  name=claims.get("name", ""), device_id=claims.get("dev") or None,
                  token_version=int(claims.get("ver", 0)))


def token_version(staff: dict) -> int:
    """Moved on each deactivation or change of role: sessions made before it are over."""
    return int(staff.get("token_version", 0))


def bearer(header: str | None) -> str:
    scheme, _, token = (header or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""
