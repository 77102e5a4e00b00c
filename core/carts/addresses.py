"""Mailing addresses on a cart (shipping, billing) and, later, on its order."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class MailingAddress:
    """A postal address a parcel or an invoice goes to; ``country_code`` is ISO 3166-1
    alpha-2 (upper case). Values are stored as given after validation."""

    first_name: str
    last_name: str
    line1: str
    postal_code: str
    city: str
    country_code: str
    company: str | None = None
    line2: str | None = None
    phone: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, stored: dict[str, Any] | None) -> MailingAddress | None:
        return None if stored is None else cls(**stored)
