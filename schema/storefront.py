"""The example frontends, served by the app when ``OMNICART_SERVE_STOREFRONT`` is on
(``omnicart serve --demo`` turns it on): the storefront starter at ``/`` and the
mobile-resume starter (the second device its resume links open) at ``/mobile/``.

Their built files live in the package, ``schema/static/storefront/`` and
``schema/static/mobile/``, written by each starter's ``npm run build`` and checked in:
installing Omnicart needs no Node.js and the demo works offline. CI rebuilds them and
fails when the checked-in files are stale (``examples/frontends/e2e/run.sh``).

Both are single-page apps that route themselves: a path naming no file (``/cart``,
``/products/<slug>``, ``/mobile/cart``) gets the page. Files under ``assets/`` carry a
hash of their content in their names, so they are cached for a year; the page itself
is revalidated on every load, so a new build shows at once.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from schema.graphiql import ASSET_CACHE_CONTROL, STATIC_DIR

STOREFRONT_DIR = STATIC_DIR / "storefront"
MOBILE_DIR = STATIC_DIR / "mobile"
# Where the mobile-resume page is served (its build's base, examples/frontends/mobile-resume).
MOBILE_PATH = "/mobile"
# The page: the browser asks again each time (a 304 while the build is the same).
PAGE_CACHE_CONTROL = "no-cache"


class SinglePageApp(StaticFiles):
    """A built single-page app: its files, and its page for any path naming no file."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory=directory, html=True)

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            return await super().get_response(path, scope)
        except HTTPException as error:
            # A missing file (a name with an extension: an old asset, favicon.ico) stays
            # a 404; anything else is one of the app's own routes.
            if error.status_code != 404 or "." in Path(path).name:
                raise
            return await super().get_response("index.html", scope)

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        hashed = Path(full_path).parent.name == "assets"
        response.headers["cache-control"] = ASSET_CACHE_CONTROL if hashed else PAGE_CACHE_CONTROL
        return response


async def to_mobile_page(request: Request) -> Response:
    """``/mobile`` is the mobile page's folder: the page's own links are below it."""
    return RedirectResponse(request.url.replace(path=f"{MOBILE_PATH}/"), status_code=308)


def storefront_routes() -> list[Route | Mount]:
    """The mobile page at ``/mobile/``, then the storefront at ``/`` (listed last: it
    answers every path the app's other routes leave)."""
    return [
        Route(MOBILE_PATH, to_mobile_page),
        Mount(MOBILE_PATH, app=SinglePageApp(MOBILE_DIR), name="mobile-resume"),
        Mount("/", app=SinglePageApp(STOREFRONT_DIR), name="storefront"),
    ]
