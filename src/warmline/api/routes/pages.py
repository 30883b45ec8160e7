"""The web pages: the demo shop with the chat widget, the agent inbox and the dashboard."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from warmline.api.schemas import Health

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"

router = APIRouter(include_in_schema=False)


@router.get("/healthz", response_model=Health, include_in_schema=True, tags=["health"])
def healthz() -> Health:
    return Health()


@router.get("/")
def chat_page() -> FileResponse:
    return FileResponse(STATIC / "index.html")


@router.get("/agent")
def agent_inbox() -> FileResponse:
    return FileResponse(STATIC / "agent.html")


@router.get("/dashboard")
def dashboard() -> FileResponse:
    return FileResponse(STATIC / "dashboard.html")
