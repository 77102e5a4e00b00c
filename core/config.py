"""Settings read once from ``OMNICART_*`` environment variables.

Nothing else in Omnicart reads ``os.environ``: the CLI builds one ``Settings``
and passes it down (``create_app(settings)``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Final, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")

DEFAULT_DATABASE_URL: Final = "sqlite+aiosqlite:///omnicart.db"


class SettingsError(ValueError):
    """An environment variable has a value Omnicart cannot use."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Runtime configuration. Each field maps to ``OMNICART_<FIELD NAME>``."""

    database_url: str = DEFAULT_DATABASE_URL
    default_channel: str = "web"
    max_page_size: int = 100
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_body_bytes: int = 100_000
    graphiql: bool = True
    log_level: str = "INFO"
    db_pool_size: int = 20
    channel_cache_seconds: float = 5.0
    cors_origins: tuple[str, ...] = ()
    # How often each server process deletes expired reservations; 0 switches it off.
    sweep_interval_seconds: float = 30.0
    # Cart bounds (issue 5): the largest quantity of one line, the most lines in a cart.
    cart_max_line_quantity: int = 999
    cart_max_lines: int = 250
    # How long a customer's login lasts (issue 5); the session ends earlier on logout.
    customer_session_seconds: int = 30 * 24 * 3600
    # Seals cart tokens at rest (core.keys); generated and kept in the database if unset.
    secret_key: str = field(default="", repr=False)
    # How long published events stay in the outbox (what a listener can replay); the
    # sweeps delete older ones.
    outbox_retention_seconds: float = 3600.0
    # How often each server process looks for events to give the plugins implementing
    # omnicart_event (its own commits wake it at once); 0 switches its delivery off.
    event_hooks_interval_seconds: float = 5.0
    # The storefront product feeds link to (issue 15): ``<url>/products/<slug>?variant=<sku>``.
    storefront_url: str = "http://localhost:3000"
    # Serve the example storefront at / and its mobile page at /mobile/ (issue 16;
    # ``omnicart serve --demo`` turns it on): built files shipped in the package.
    serve_storefront: bool = False
    # Webhooks (issue 15): how long a receiver may take to answer, the pause after the
    # first failure (doubling after each), and the failures in a row that make it failing.
    webhook_timeout_seconds: float = 10.0
    webhook_retry_seconds: float = 10.0
    webhook_max_failures: int = 8

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``environ`` (the process environment by default)."""
        source = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for setting in fields(cls):
            name = f"OMNICART_{setting.name.upper()}"
            raw = source.get(name)
            if raw is None or raw == "":
                continue
            values[setting.name] = _CASTS[setting.name](name, raw)
        return cls(**values)  # type: ignore[arg-type]  # keys and types checked by _CASTS


def _positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be positive, got {value}")
    return value


def _non_negative_seconds(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not 0 <= value <= 3600:
        raise SettingsError(f"{name} must be between 0 and 3600 seconds, got {value}")
    return value


def _secret(name: str, raw: str) -> str:
    if len(raw) < 32:
        raise SettingsError(f"{name} must be at least 32 characters (a random string)")
    return raw


def _retention_seconds(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, got {raw!r}") from None
    # Listeners catch up every 30 s and keep a minute's margin (core.events.replay).
    if not 120 <= value <= 30 * 24 * 3600:
        raise SettingsError(f"{name} must be between 120 seconds and 30 days, got {value}")
    return value


def _boolean(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _database_url(name: str, raw: str) -> str:
    if not raw.startswith(("sqlite", "postgresql")):
        raise SettingsError(f"{name} must be a sqlite:// or postgresql:// URL")
    return normalise_database_url(raw)


def _slug(name: str, raw: str) -> str:
    if not raw.strip():
        raise SettingsError(f"{name} must not be empty")
    return raw.strip()


def _log_level(name: str, raw: str) -> str:
    level = raw.strip().upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise SettingsError(f"{name} must be DEBUG, INFO, WARNING or ERROR, got {raw!r}")
    return level


def _storefront_url(name: str, raw: str) -> str:
    url = raw.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise SettingsError(f"{name} must be an http(s) URL, got {raw!r}")
    return url


def _origins(name: str, raw: str) -> tuple[str, ...]:
    """Origins (``scheme://host[:port]``, nothing after) or ``*``: the CORS middleware
    and the WebSocket origin check both take the list, and an origin never has a path."""
    origins = tuple(origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip())
    for origin in origins:
        if origin != "*" and not _is_origin(origin):
            raise SettingsError(
                f"{name} must list http(s) origins (scheme://host[:port], no path) "
                f"separated by commas, got {origin!r}"
            )
    return origins


def _is_origin(text: str) -> bool:
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return False
    plain = not (parts.path or parts.query or parts.fragment or parts.username)
    return parts.scheme in {"http", "https"} and bool(parts.hostname) and plain


def normalise_database_url(url: str) -> str:
    """Pick the async driver for a plain ``sqlite://`` or ``postgresql://`` URL."""
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url.removeprefix("sqlite://")
    if url.startswith("postgresql://"):
        return "postgresql+asyncpg://" + url.removeprefix("postgresql://")
    if url.startswith("postgres://"):
        return "postgresql+asyncpg://" + url.removeprefix("postgres://")
    return url


_CASTS: Final[dict[str, Callable[[str, str], object]]] = {
    "database_url": _database_url,
    "default_channel": _slug,
    "max_page_size": _positive_int,
    "max_query_depth": _positive_int,
    "max_aliases": _positive_int,
    "max_tokens": _positive_int,
    "max_body_bytes": _positive_int,
    "graphiql": _boolean,
    "log_level": _log_level,
    "db_pool_size": _positive_int,
    "channel_cache_seconds": _non_negative_seconds,
    "cart_max_line_quantity": _positive_int,
    "cart_max_lines": _positive_int,
    "cors_origins": _origins,
    "sweep_interval_seconds": _non_negative_seconds,
    "customer_session_seconds": _positive_int,
    "secret_key": _secret,
    "outbox_retention_seconds": _retention_seconds,
    "event_hooks_interval_seconds": _non_negative_seconds,
    "storefront_url": _storefront_url,
    "serve_storefront": _boolean,
    "webhook_timeout_seconds": _non_negative_seconds,
    "webhook_retry_seconds": _non_negative_seconds,
    "webhook_max_failures": _positive_int,
}
