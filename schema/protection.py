"""Request protection: coded errors, masking of unexpected ones, and the body-size limit."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, validate
from graphql.validation import ASTValidationRule
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import MaskErrors

from core.errors import DomainError, PluginError
from core.outage import describe, outage_cause
from schema.errors import DATABASE_UNAVAILABLE_MESSAGE, ApiError, ApiErrorCode

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
    cause = outage_cause(original)
    if cause is not None:
        # Degraded, not a bug: one line without a traceback (a restart fails every
        # request in flight), naming the driver's error but never the statement.
        logger.warning("database unavailable path=%s cause=%s", error.path, describe(cause))
        return _with_code(
            error, ApiErrorCode.DATABASE_UNAVAILABLE, message=DATABASE_UNAVAILABLE_MESSAGE
        )
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

    def _process_result(self, result: object) -> None:
        # MaskErrors tests a runtime-checkable Protocol with isinstance, which costs
        # about 90,000 instructions per request (3 % of a product page's); reading the
        # attribute is the same test.
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self._process_errors(errors)  # type: ignore[attr-defined]  # has errors

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


@dataclass(frozen=True, slots=True)
class DocumentCaches:
    """Bounded LRU caches of parsed and validated documents, owned by one schema."""

    parse: Callable[..., DocumentNode]
    validate: Callable[[GraphQLSchema, ParsedDocument, tuple[type[ASTValidationRule], ...]], Any]

    @classmethod
    def bounded(cls, maxsize: int) -> DocumentCaches:
        # A client sending endless distinct documents must not grow memory.
        return cls(
            parse=functools.lru_cache(maxsize=maxsize)(parse),
            validate=functools.lru_cache(maxsize=maxsize)(_validate),
        )


class ParsedDocument:
    """A parsed document as a cache key: by identity, not by content.

    The parse cache hands out the same document for the same query, so identity finds
    it; hashing graphql-core's AST instead walks all of it on every request (about
    120,000 instructions for a listing). The key keeps the document alive, so its
    identity is not reused while the entry lasts.
    """

    __slots__ = ("document",)

    def __init__(self, document: DocumentNode) -> None:
        self.document = document

    def __hash__(self) -> int:
        return id(self.document)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ParsedDocument) and other.document is self.document


def _validate(
    schema: GraphQLSchema, parsed: ParsedDocument, rules: tuple[type[ASTValidationRule], ...]
) -> list[GraphQLError]:
    return validate(schema, parsed.document, rules)


class Protection(CodedErrors):
    """Every request guard in one extension (each extension costs hooks per request).

    - a token limit while parsing, and parsed documents cached; a document that
      does not parse is left to strawberry's own parse, which reports it with a code
      (a syntax error raised from this hook would skip the error handling);
    - the depth and alias rules added to validation, and validation results cached;
    - errors coded and unexpected ones masked (``CodedErrors``).
    """

    def __init__(
        self,
        *,
        max_tokens: int,
        rules: tuple[type[ASTValidationRule], ...],
        caches: DocumentCaches,
    ) -> None:
        super().__init__()
        self._max_tokens = max_tokens
        self._rules = rules
        self._caches = caches

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self._max_tokens
        context.validation_rules = (*context.validation_rules, *self._rules)
        yield from super().on_operation()

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            try:
                context.graphql_document = self._caches.parse(
                    context.query, **context.parse_options
                )
            except GraphQLError:
                context.graphql_document = None
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            context.pre_execution_errors = self._caches.validate(
                context.schema._schema,
                ParsedDocument(context.graphql_document),
                tuple(context.validation_rules),
            )
        yield
