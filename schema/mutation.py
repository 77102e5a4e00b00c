"""The ``Mutation`` root: every domain's mutations, each needing a staff scope."""

from __future__ import annotations

import strawberry

from schema.catalog.mutations import CatalogMutation
from schema.channels.mutations import ChannelsMutation


@strawberry.type
class Mutation(CatalogMutation, ChannelsMutation):
    pass
