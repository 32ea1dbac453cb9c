"""The playground's web application: the page, its assets and the JSON API it uses.

Routes (documented in the README):

- ``GET /`` the page (``?lang=en|zh-Hans|zh-Hant``, else the browser's language);
- ``GET /api/health`` ``{"status": "ok"}``;
- ``GET /api/levers`` the page's controls and limits;
- ``POST /api/run`` ``{"scenario", "overrides", "reps", "seed"}`` → the ``feesim run --json`` object;
- ``GET /api/queue/{ticket}`` where a run sent with ``"ticket"`` stands in the queue;
- ``POST /api/challenges`` → ``{"code": ...}``; ``GET /api/challenges/{code}``;
- ``POST /api/challenges/{code}/plans`` ``{"team", "overrides"}``;
- ``GET /api/challenges/{code}/leaderboard``.

Refused requests get status 400 (404 for an unknown join code) and ``{"error": message}``,
the message in the language asked for (``?lang=`` or the ``Accept-Language`` header).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sim.languages import _, translated
from sim.languages.fonts import FONTS_DIR
from sim.playground.classroom import Classroom
from sim.playground.levers import levers
from sim.playground.queue import RunQueue
from sim.playground.requests import BadRequest, run_request
from sim.playground.shipped import community
from sim.playground.store import ChallengeStore
from sim.playground.words import LANGUAGE_NAMES, page_language, page_words, translated_levers
from sim.workers import is_broken_pool

__all__ = ["DATABASE", "PAGE_DIR", "create_app"]

PAGE_DIR = Path(__file__).resolve().parent / "page"
DATABASE = "playground.sqlite"
"""The challenges' database, in the output folder."""
MAX_BODY_BYTES = 64 * 1024
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
"""The page loads nothing but its own assets (it works offline, and nothing else may run in it)."""


def create_app(output: Path, workers: int = 2) -> Starlette:
    """Return the playground application: challenges kept in `output`, runs on `workers` processes."""
    queue = RunQueue(workers)
    store = ChallengeStore(output / DATABASE)
    classroom = Classroom(store, queue)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        queue.start()
        classroom.resume()
        try:
            yield
        finally:
            queue.close()
            store.close()

    routes = [
        Route("/", _page, methods=["GET"]),
        Route("/api/health", _health, methods=["GET"]),
        Route("/api/levers", _levers, methods=["GET"]),
        Route("/api/run", _run, methods=["POST"]),
        Route("/api/queue/{ticket}", _queue_position, methods=["GET"]),
        Route("/api/challenges", _create_challenge, methods=["POST"]),
        Route("/api/challenges/{code}", _challenge, methods=["GET"]),
        Route("/api/challenges/{code}/plans", _submit_plan, methods=["POST"]),
        Route("/api/challenges/{code}/leaderboard", _leaderboard, methods=["GET"]),
        Mount("/assets", StaticFiles(directory=PAGE_DIR), name="assets"),
        Mount("/fonts", StaticFiles(directory=FONTS_DIR), name="fonts"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(_SecurityHeaders)])
    app.state.queue = queue
    app.state.classroom = classroom
    return app


class _SecurityHeaders:
    """ASGI middleware adding `SECURITY_HEADERS` to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)


def _language(request: Request) -> str:
    return page_language(request.query_params.get("lang"), request.headers.get("accept-language"))


def _refused(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _parsed(data: bytes) -> object:
    """Return a request's JSON body, or raise `BadRequest` in the language spoken."""
    if len(data) > MAX_BODY_BYTES:
        raise BadRequest(_("the request is larger than {limit} bytes").format(limit=MAX_BODY_BYTES))
    try:
        return json.loads(data or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BadRequest(_("the request is not valid JSON: {problem}").format(problem=error)) from None


@cache
def _page_template() -> str:
    """Return the page's HTML with its placeholders, read once."""
    return (PAGE_DIR / "index.html").read_text(encoding="utf-8")


async def _page(request: Request) -> HTMLResponse:
    language = _language(request)
    page = _page_template()
    data = {
        "language": language,
        "languages": LANGUAGE_NAMES,
        "words": page_words(language),
        "levers": translated_levers(language, levers()),
    }
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    page = page.replace("__LANG__", language).replace("__TITLE__", data["words"]["title"])
    return HTMLResponse(page.replace("__DATA__", text))


async def _health(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def _levers(request: Request) -> JSONResponse:
    return JSONResponse(translated_levers(_language(request), levers()))


async def _run(request: Request) -> JSONResponse:
    language = _language(request)
    queue: RunQueue = request.app.state.queue
    data = await request.body()
    with translated(language):
        try:
            body = _parsed(data)
            run = run_request(body)
        except BadRequest as error:
            return _refused(str(error))
    ticket = body.get("ticket") if isinstance(body, dict) else None
    generation = queue.generation
    try:
        return JSONResponse(await queue.run(run, str(ticket) if ticket else None))
    except Exception as error:
        if not is_broken_pool(error):
            raise
        queue.restart(generation)
        with translated(language):
            return _refused(_("a worker process stopped; the pool was restarted: run again"), 503)


async def _queue_position(request: Request) -> JSONResponse:
    position = request.app.state.queue.position(request.path_params["ticket"])
    if position is None:
        with translated(_language(request)):
            return _refused(_("no run has that ticket"), 404)
    return JSONResponse(position)


async def _create_challenge(request: Request) -> JSONResponse:
    classroom: Classroom = request.app.state.classroom
    data = await request.body()
    with translated(_language(request)):
        try:
            challenge = classroom.create(_parsed(data))
        except BadRequest as error:
            return _refused(str(error))
    return JSONResponse({"code": challenge.code, **_public(challenge, request)}, status_code=201)


def _public(challenge: Any, request: Request) -> dict[str, Any]:
    """Return what teams may see of a challenge: title, budget, size and seeds, not the community's keys."""
    hidden = community(challenge.community)
    with translated(_language(request)):
        title = _(hidden.title) if hidden else challenge.community
    return {
        "title": title,
        "budget": challenge.budget,
        "seed": challenge.seed,
        "reps": challenge.reps,
        "households": challenge.overrides["community.households"],
        "horizon_days": challenge.overrides["horizon_days"],
    }


async def _challenge(request: Request) -> JSONResponse:
    classroom: Classroom = request.app.state.classroom
    with translated(_language(request)):
        try:
            challenge = classroom.challenge(request.path_params["code"])
        except LookupError as error:
            return _refused(str(error), 404)
    plans = classroom.store.plans(challenge.code)
    return JSONResponse(
        {"code": challenge.code, **_public(challenge, request), "teams": [p.team for p in plans]}
    )


async def _submit_plan(request: Request) -> JSONResponse:
    classroom: Classroom = request.app.state.classroom
    data = await request.body()
    with translated(_language(request)):
        try:
            plan = classroom.submit(request.path_params["code"], _parsed(data))
        except LookupError as error:
            return _refused(str(error), 404)
        except BadRequest as error:
            return _refused(str(error))
    position = classroom.queue.position(f"plan-{plan.id}") or {}
    return JSONResponse(
        {"team": plan.team, "plan": plan.id, "ticket": f"plan-{plan.id}", "ahead": position.get("ahead", 0)},
        status_code=201,
    )


async def _leaderboard(request: Request) -> JSONResponse:
    classroom: Classroom = request.app.state.classroom
    wait = request.query_params.get("wait", "1") != "0"
    with translated(_language(request)):
        try:
            classroom.challenge(request.path_params["code"])
        except LookupError as error:
            return _refused(str(error), 404)
    board = await classroom.leaderboard(request.path_params["code"], wait)
    with translated(_language(request)):
        board["title"] = _(board["title"])
    return JSONResponse(board)
