"""Key-value attributes a buyer attaches to a cart (and the order it becomes), for
plugins to read (``core.carts.attributes``)."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry

from core.carts.attributes import Attribute as AttributeValue


@strawberry.type(description="A key-value pair a buyer attached, read by the channel's plugins.")
class Attribute:
    key: str
    value: str

    @classmethod
    def from_pairs(cls, pairs: Sequence[tuple[str, str]]) -> list[Attribute]:
        return [cls(key=key, value=value) for key, value in pairs]


@strawberry.input(
    description="A key-value pair for the channel's plugins, such as "
    '`{ key: "loyalty.redeemPoints", value: "500" }`. A key is 1 to 64 letters, digits and '
    ". _ : - (by convention `<plugin>.<name>`); a value at most 1000 characters."
)
class AttributeInput:
    key: str
    value: str


def attribute_values(attributes: Sequence[AttributeInput]) -> list[AttributeValue]:
    """The inputs as core values (keys trimmed; values kept as given)."""
    return [AttributeValue(key=item.key.strip(), value=item.value) for item in attributes]
