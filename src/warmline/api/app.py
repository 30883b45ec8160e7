"""The FastAPI application, built around a ready container."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from warmline import __version__
from warmline.api import errors
from warmline.api.limits import BodyLimit
from warmline.api.routes import auth, conversations, handoffs, live, pages, policy, traces
from warmline.bootstrap import Container


def create_app(container: Container) -> FastAPI:
    app = FastAPI(
        title="Warmline",
        version=__version__,
        description="AI front line for customer support: answers from verified knowledge, "
        "says when it is unsure, and hands over to a person with a full brief.",
    )
    app.state.container = container
    errors.install(app)
    for router in (
        pages.router,
        conversations.router,
        handoffs.router,
        auth.router,
        live.router,
        traces.router,
        policy.router,
    ):
        app.include_router(router)
    # Widget assets live at the root so the embed snippet is one short script tag.
    app.mount("/", StaticFiles(directory=pages.STATIC), name="static")
    app.add_middleware(BodyLimit, max_bytes=container.settings.max_body_bytes)
    return app
