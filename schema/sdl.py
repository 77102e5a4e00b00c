"""The printed SDL that frontends generate types from (``schema/schema.graphql``)."""

from __future__ import annotations

from pathlib import Path

from core.config import Settings
from schema.schema import build_schema

REGENERATE_COMMAND = "omnicart export-schema"


def sdl_path() -> Path:
    return Path(__file__).with_name("schema.graphql")


def print_sdl(settings: Settings | None = None) -> str:
    return build_schema(settings or Settings()).as_str() + "\n"
