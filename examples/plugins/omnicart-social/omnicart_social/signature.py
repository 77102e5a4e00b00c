"""The webhook signature: ``X-Hub-Signature-256: sha256=<hex>``, the HMAC-SHA256 of the
exact body bytes under the app secret."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from omnicart import MarketplaceSignatureInvalid

# Omnicart gives the hook the request's headers with names in lower case.
SIGNATURE_HEADER = "x-hub-signature-256"


def signature_of(body: bytes, app_secret: str) -> str:
    """The header value the platform puts on ``body``."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, headers: Mapping[str, str], app_secret: str) -> None:
    """Return when ``body`` carries the app's signature; else raise
    ``MarketplaceSignatureInvalid`` (the webhook answers 401 and writes nothing)."""
    given = headers.get(SIGNATURE_HEADER, "")
    # Constant time: the comparison must not tell a forger how much of it was right.
    if not hmac.compare_digest(given.encode(), signature_of(body, app_secret).encode()):
        raise MarketplaceSignatureInvalid("The X-Hub-Signature-256 header is missing or wrong")
