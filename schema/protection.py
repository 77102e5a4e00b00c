"""Request protection: coded errors, masking of unexpected ones, and the body-size limit."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import orjson
from graphql import GraphQLError
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry import extensions as strawberry_extensions
from strawberry.extensions import MaskErrors

from core.errors import DomainError, PluginError
from schema.errors import ApiError, ApiErrorCode

logger = logging.getLogger(__name__)

# Messages of graphql-core and strawberry's limiters, mapped to our codes.
_TOO_COMPLEX_MARKERS = ("exceeds maximum operation depth", "aliases found. Allowed", "tokens")


def classify(error: GraphQLError) -> GraphQLError | None:
    """The error as clients should see it, or None when it must be masked."""
    original = error.original_error
    if original is None:
        if error.extensions and "code" in error.extensions:
            return error
        message = error.message
        if message.startswith("Syntax Error") and "tokens" not in message:
            code = ApiErrorCode.GRAPHQL_PARSE_FAILED
        elif any(marker in message for marker in _TOO_COMPLEX_MARKERS):
            code = ApiErrorCode.QUERY_TOO_COMPLEX
        else:
            code = ApiErrorCode.GRAPHQL_VALIDATION_FAILED
        return _with_code(error, code)
    if isinstance(original, ApiError):
        return error
    if isinstance(original, PluginError):
        return _with_code(
            error,
            ApiErrorCode.PLUGIN_FAILED,
            message=f"The plugin {original.plugin!r} failed; nothing was changed.",
            plugin=original.plugin,
        )
    if isinstance(original, DomainError):
        return _with_code(error, ApiErrorCode.BAD_USER_INPUT, reason=str(original.problems[0].code))
    if isinstance(original, GraphQLError):
        # Argument coercion and similar errors graphql-core raised itself.
        return _with_code(error, ApiErrorCode.BAD_USER_INPUT)
    return None


def _with_code(
    error: GraphQLError, code: ApiErrorCode, *, message: str | None = None, **extensions: str
) -> GraphQLError:
    return GraphQLError(
        message=message or error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={**(error.extensions or {}), "code": code.value, **extensions},
    )


class CodedErrors(MaskErrors):
    """Every error gets ``extensions.code``; unexpected ones are masked and logged in full."""

    def __init__(self) -> None:
        super().__init__(error_message="Internal server error")

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed: list[GraphQLError] = []
        for error in errors:
            shown = classify(error)
            if shown is None:
                logger.error("unexpected error path=%s", error.path, exc_info=error.original_error)
                masked = self.anonymise_error(error)
                masked.extensions = {"code": ApiErrorCode.INTERNAL_SERVER_ERROR.value}
                processed.append(masked)
            else:
                processed.append(shown)
        return processed


class BodySizeLimit:
    """Refuse request bodies over ``max_bytes`` with 413 and a coded GraphQL error.

    Counts what is actually received, so a missing or lying Content-Length does
    not get past it.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._refuse(send)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = orjson.dumps(
            {
                "data": None,
                "errors": [
                    {
                        "message": f"The request body is larger than {self.max_bytes} bytes.",
                        "extensions": {"code": ApiErrorCode.REQUEST_TOO_LARGE.value},
                    }
                ],
            }
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


class ParserCache(strawberry_extensions.ParserCache):
    """strawberry's parser cache, minus its one flaw for us.

    strawberry's version parses in the ``on_parse`` hook, so a syntax error escapes
    before the operation's error handling and reaches the client without a code.
    Here a document that does not parse is left to strawberry's own parse, which
    turns it into a normal pre-execution error.
    """

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        try:
            context.graphql_document = self.cached_parse_document(
                context.query, **context.parse_options
            )
        except GraphQLError:
            context.graphql_document = None
        yield
