"""Agent sign-in: an email and API key become an HttpOnly session cookie."""

from __future__ import annotations

from fastapi import APIRouter, Response

from warmline.analytics.metrics import summarize
from warmline.api.deps import SESSION_COOKIE, Agent, Services
from warmline.api.schemas import LoginIn, Ok, SummaryOut, UserEnvelope, UserOut

router = APIRouter(prefix="/v1", tags=["agents"])


@router.post("/auth/login", response_model=UserEnvelope)
def login(body: LoginIn, response: Response, c: Services) -> UserEnvelope:
    user = c.accounts.login(body.email, body.api_key)
    response.set_cookie(
        SESSION_COOKIE,
        body.api_key,
        httponly=True,
        samesite="strict",
        secure=c.settings.cookie_secure,
        max_age=12 * 3600,
    )
    return UserEnvelope(user=UserOut.of(user))


@router.post("/auth/logout", response_model=Ok)
def logout(response: Response) -> Ok:
    response.delete_cookie(SESSION_COOKIE)
    return Ok()


@router.get("/auth/me", response_model=UserEnvelope)
def me(agent: Agent) -> UserEnvelope:
    return UserEnvelope(user=UserOut.of(agent))


@router.get("/metrics/summary", response_model=SummaryOut, tags=["metrics"])
def metrics_summary(_: Agent, c: Services) -> SummaryOut:
    """Outcome metrics over every conversation so far (definitions in docs/metrics.md)."""
    return SummaryOut.of(summarize(c.store.events.all()))
