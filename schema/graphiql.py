"""GraphiQL served from the package: its page and the assets it loads, no CDN.

The assets (React, ReactDOM, GraphiQL with its bundled graphql-ws client, the explorer
plugin) are vendored at pinned versions under ``schema/static/graphiql/``, one folder
per npm package and version beside its licence; ``schema/static/README.md`` says how
to refetch them. Each folder name carries its version, so a URL never changes content
and the files are served with a year-long, immutable cache lifetime.
"""

from __future__ import annotations

import os
from pathlib import Path
from string import Template

from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).parent / "static"
# Where the assets are served, below the app's root path.
GRAPHIQL_STATIC_PATH = "/static/graphiql"
# A year: the folder names carry the package versions, so a URL's content never changes.
ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable"

_PAGE = Template((STATIC_DIR / "graphiql.html").read_text(encoding="utf-8"))


def graphiql_page(root_path: str) -> str:
    """The GraphiQL page, its assets read from this app mounted at ``root_path``."""
    return _PAGE.substitute(static=root_path.rstrip("/") + GRAPHIQL_STATIC_PATH)


class ImmutableStaticFiles(StaticFiles):
    """Starlette's static files, with a cache lifetime for versioned URLs."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["cache-control"] = ASSET_CACHE_CONTROL
        return response


def graphiql_assets_route() -> Mount:
    """The route serving ``schema/static/graphiql/`` at ``/static/graphiql``."""
    return Mount(
        GRAPHIQL_STATIC_PATH,
        app=ImmutableStaticFiles(directory=STATIC_DIR / "graphiql"),
        name="graphiql-assets",
    )
