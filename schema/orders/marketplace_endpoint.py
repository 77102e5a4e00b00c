"""``POST /channels/{channel}/marketplace-orders`` (issue 15): a marketplace's webhook.

The channel's plugins read the body (``omnicart_marketplace_order``: the built-in
``marketplace`` adapter reads our generic JSON signed with HMAC-SHA256; a third-party
adapter reads its platform's format); the order goes through the same import as
``marketplaceOrderImport`` (``core.orders.imports``). Answers JSON:

- 201 ``{"orderNumber", "replayed": false}``: imported; 200 with ``replayed: true``:
  the channel already had this external id (nothing written);
- 401: a plugin refused the signature; 404: no such channel; 413: body too large;
- 400 ``MARKETPLACE_ORDER_REJECTED``: no plugin could read the body;
- 422: the import was refused (``errors: [{code, message, path}]``, paths as in the
  mutation's input, such as ``["lines", "0", "sku"]``), nothing written;
- 500 ``PLUGIN_FAILED``: a plugin failed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core.channels.model import ChannelKind
from core.errors import DomainError, ErrorCode, PluginError, Problem
from core.orders import services
from core.orders.marketplace_hooks import parse_marketplace_order
from core.runtime import Runtime
from schema.errors import user_errors

logger = logging.getLogger(__name__)

# Marketplace orders are small; a body past this is refused before any plugin reads it.
MAX_BODY_BYTES = 256 * 1024


def marketplace_orders_route(runtime: Runtime) -> Route:
    """The endpoint's route, bound to ``runtime``."""

    async def endpoint(request: Request) -> Response:
        return await receive_order(runtime, request)

    return Route("/channels/{channel}/marketplace-orders", endpoint, methods=["POST"])


def _refused(status: int, problems: Sequence[Problem]) -> JSONResponse:
    paths = [error.field for error in user_errors(DomainError(problems), prefix=None)]
    return JSONResponse(
        {
            "errors": [
                {"code": problem.code.value, "message": problem.message, "path": path}
                for problem, path in zip(problems, paths, strict=True)
            ]
        },
        status,
    )


async def _body(request: Request) -> bytes | None:
    """The body, or None past ``MAX_BODY_BYTES`` (counted as received)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def receive_order(runtime: Runtime, request: Request) -> Response:
    slug = request.path_params["channel"]
    channel = await runtime.channels.by_slug(slug)
    if channel is None:
        return _refused(404, [Problem(ErrorCode.UNKNOWN_CHANNEL, f"There is no channel {slug!r}")])
    if channel.kind is not ChannelKind.MARKETPLACE:
        problem = Problem(ErrorCode.NOT_A_MARKETPLACE_CHANNEL, f"{slug!r} is not a marketplace")
        return _refused(404, [problem])
    body = await _body(request)
    if body is None:
        problem = Problem(ErrorCode.INVALID, f"The body is larger than {MAX_BODY_BYTES} bytes")
        return _refused(413, [problem])
    try:
        plugin, order = await parse_marketplace_order(
            runtime.plugins, channel, body=body, headers=request.headers
        )
        imported = await services.import_marketplace_order(
            runtime.uow(), channel_slug=slug, order=order, actor=f"plugin:{plugin}"
        )
    except services.MarketplaceSignatureInvalid as refused:
        logger.warning("marketplace order refused: bad signature channel=%s", slug)
        return _refused(401, [Problem(ErrorCode.MARKETPLACE_ORDER_REJECTED, refused.message)])
    except services.MarketplaceOrderRejected as refused:
        return _refused(400, [Problem(ErrorCode.MARKETPLACE_ORDER_REJECTED, refused.message)])
    except DomainError as error:
        return _refused(422, error.problems)
    except PluginError as error:
        message = f"The plugin {error.plugin!r} failed in {error.hook}"
        return _refused(500, [Problem(ErrorCode.PLUGIN_FAILED, message)])
    answer = {"orderNumber": imported.number, "replayed": imported.replayed}
    return JSONResponse(answer, 200 if imported.replayed else 201)
