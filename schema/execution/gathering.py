"""Awaiting the pending fields of an object, or items of a list, as graphql-core does."""

from __future__ import annotations

from typing import Any

from graphql.pyutils import gather_with_cancel


async def gather_fields(results: dict[str, Any], awaitable_fields: list[str]) -> dict[str, Any]:
    # graphql-core's execute_fields.get_results.
    if len(awaitable_fields) == 1:
        field = awaitable_fields[0]
        results[field] = await results[field]
    else:
        awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
        results.update(zip(awaitable_fields, awaited, strict=True))
    return results


async def gather_items(completed_results: list[Any], awaitable_indices: list[int]) -> list[Any]:
    # graphql-core's complete_iterable_value.get_completed_results.
    if len(awaitable_indices) == 1:
        # graphql-core avoids the overhead of parallelisation for a single one.
        index = awaitable_indices[0]
        completed_results[index] = await completed_results[index]
    else:
        awaited = await gather_with_cancel(*(completed_results[i] for i in awaitable_indices))
        for index, item in zip(awaitable_indices, awaited, strict=True):
            completed_results[index] = item
    return completed_results
