"""Per-request DataLoaders for order relations: fulfilments, pickups, returns and
refunds (issue 14).

Each returns core values with the locations they name, in key order (an order
without any gets ``[]``). Pickup codes are unsealed here; the ``Order`` type shows
them only to the order's owner.
"""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from core.channels import queries as channel_queries
from core.db.reads import Reads
from core.ids import OrderId
from core.keys import PICKUP_CODE_SEAL, KeyRing
from core.orders.fulfilment_queries import fulfilments_by_order_ids, pickups_by_order_ids
from core.orders.model import FulfilmentAt, PickupAt
from core.orders.return_model import Refund, ReturnIn
from core.orders.return_queries import refunds_by_order_ids, returns_by_order_ids


def fulfilments_by_order_id(reads: Reads) -> DataLoader[int, list[FulfilmentAt]]:
    """Each order's fulfilments, oldest first (two or three statements a batch)."""

    async def load(keys: Sequence[int]) -> list[list[FulfilmentAt]]:
        async with reads.connect() as connection:
            found = await fulfilments_by_order_ids(connection, keys)
            location_ids = sorted({f.location_id for fs in found.values() for f in fs})
            locations = (
                await channel_queries.locations_by_id(connection, location_ids)
                if location_ids
                else {}
            )
        return [
            [FulfilmentAt(f, locations[f.location_id]) for f in found.get(OrderId(key), [])]
            for key in keys
        ]

    return DataLoader(load_fn=load, max_batch_size=500)


def pickups_by_order_id(reads: Reads, keys_ring: KeyRing) -> DataLoader[int, list[PickupAt]]:
    """Each order's pickups, oldest first, codes unsealed (two statements a batch)."""

    async def load(keys: Sequence[int]) -> list[list[PickupAt]]:
        seal_key = await keys_ring.key(PICKUP_CODE_SEAL)
        async with reads.connect() as connection:
            found = await pickups_by_order_ids(connection, keys, reveal_with=seal_key)
            location_ids = sorted({p.location_id for ps in found.values() for p in ps})
            locations = (
                await channel_queries.locations_by_id(connection, location_ids)
                if location_ids
                else {}
            )
        return [
            [PickupAt(p, locations[p.location_id]) for p in found.get(OrderId(key), [])]
            for key in keys
        ]

    return DataLoader(load_fn=load, max_batch_size=500)


def returns_by_order_id(reads: Reads) -> DataLoader[int, list[ReturnIn]]:
    """Each order's returns, oldest first, with the channels they were made in and the
    locations they were received at (up to four statements a batch)."""

    async def load(keys: Sequence[int]) -> list[list[ReturnIn]]:
        async with reads.connect() as connection:
            found = await returns_by_order_ids(connection, keys)
            returns = [r for rs in found.values() for r in rs]
            channel_ids = sorted({r.channel_id for r in returns})
            location_ids = sorted({r.location_id for r in returns if r.location_id is not None})
            channels = (
                await channel_queries.channels_by_id(connection, channel_ids) if returns else {}
            )
            locations = (
                await channel_queries.locations_by_id(connection, location_ids)
                if location_ids
                else {}
            )
        return [
            [
                ReturnIn(
                    r,
                    channels[r.channel_id],
                    None if r.location_id is None else locations[r.location_id],
                )
                for r in found.get(OrderId(key), [])
            ]
            for key in keys
        ]

    return DataLoader(load_fn=load, max_batch_size=500)


def refunds_by_order_id(reads: Reads) -> DataLoader[int, list[Refund]]:
    """Each order's refunds, oldest first (one statement a batch)."""

    async def load(keys: Sequence[int]) -> list[list[Refund]]:
        async with reads.connect() as connection:
            found = await refunds_by_order_ids(connection, keys)
        return [found.get(OrderId(key), []) for key in keys]

    return DataLoader(load_fn=load, max_batch_size=500)
