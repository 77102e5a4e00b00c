"""Field metadata marking a relation a look-ahead may have loaded already."""

from __future__ import annotations

from typing import Final

# Field metadata naming the attribute a resolver returns when the object arrived
# with the relation already loaded (a look-ahead): ``preloaded("preloaded_variants")``.
# The fast path reads that attribute like a plain field and, when it is None (not
# loaded), declines so that the resolver runs and falls back to a DataLoader. Such a
# field may have arguments; the attribute must then be its answer when none is given.
PRELOADED: Final = "omnicart.preloaded"


def preloaded(attribute: str) -> dict[str, str]:
    """``strawberry.field(metadata=preloaded("attr"))`` for a look-ahead relation."""
    return {PRELOADED: attribute}
