"""Time-based one-time passwords (RFC 6238, on HOTP of RFC 4226). Pure: no clock.

``at`` is always a Unix timestamp passed in by the caller, so the functions are
tested against the RFC's own vectors (RFC 6238 appendix B).
"""

from __future__ import annotations

import base64
import hmac
import secrets
from urllib.parse import quote
from urllib.parse import urlencode

STEP_SECONDS = 30
DIGITS = 6


def random_secret() -> str:
    """A new 160-bit secret, base32 without padding (what authenticator apps read)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def secret_bytes(secret_b32: str) -> bytes:
    """Decode a base32 secret, tolerating spaces, lower case and missing padding."""
    clean = secret_b32.replace(" ", "").upper()
    return base64.b32decode(clean + "=" * (-len(clean) % 8))


def hotp(
    key: bytes, counter: int, *, digits: int = DIGITS, digest: str = "sha1"
) -> str:
    """RFC 4226 §5.3: HMAC, dynamic truncation, modulo 10^digits."""
    mac = hmac.new(key, counter.to_bytes(8, "big"), digest).digest()
    offset = mac[-1] & 0x0F
    code = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(code % 10**digits).zfill(digits)


def time_step(at: float, *, step: int = STEP_SECONDS, t0: int = 0) -> int:
    """RFC 6238 §4.2: T = floor((unix time - T0) / X)."""
    return int((at - t0) // step)


def totp(
    key: bytes,
    at: float,
    *,
    step: int = STEP_SECONDS,
    digits: int = DIGITS,
    digest: str = "sha1",
) -> str:
    """The code valid at ``at`` (Unix seconds)."""
    return hotp(key, time_step(at, step=step), digits=digits, digest=digest)


def verify(
    secret_b32: str, code: str, *, at: float, last_step: int = -1, window: int = 1
) -> int | None:
    """The time step ``code`` matches, or None.

    Accepts ``window`` steps of clock drift either side, and refuses any step at
    or before ``last_step`` so that a code cannot be replayed.
    """
    code = "".join(code.split())
    if not code.isdigit() or len(code) != DIGITS:
        return None
    key = secret_bytes(secret_b32)
    now = time_step(at)
    for candidate in range(now - window, now + window + 1):
        if candidate <= last_step:
            continue
        if hmac.compare_digest(hotp(key, candidate), code):
            return candidate
    return None


def provisioning_uri(secret_b32: str, *, account: str, issuer: str) -> str:
    """The otpauth:// URI that authenticator apps read from a QR code."""
    label = quote(f"{issuer}:{account}")
    query = urlencode(
        {
            "secret": secret_b32,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        }
    )
    return f"otpauth://totp/{label}?{query}"
