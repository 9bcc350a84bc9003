"""The dashboard's ASGI app: HTML pages, the JSON API under ``/api``, files, static assets.

Pages are Jinja2 templates with autoescaping that only lay out a page and name its data URL;
``static/app.js`` fetches the JSON and fills the page with ``textContent`` (never
``innerHTML``), so a run name or config value holding HTML stays text. Every route reads the
store through the public API (``parabola.load_study``, ``parabola.Api``) and the storage
contract. Bad input is answered 400 (malformed), 404 (unknown run, study, trial, metric, file),
403/413/414/421 (see :mod:`parabola.ui._security`); an unexpected error is a plain 500 message
without a stack trace.
"""

from __future__ import annotations

import functools
import gzip
import json
import logging
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

import parabola
from parabola.storages import BaseStorage, get_storage
from parabola.ui import _figures, _media, _runs, _studies
from parabola.ui._activity import Activity
from parabola.ui._json import dumps
from parabola.ui._precompute import Precompute
from parabola.ui._security import SecurityMiddleware, allowed_hosts_for
from parabola.ui._series import SeriesCache

if TYPE_CHECKING:
    from starlette.templating import Jinja2Templates

    from parabola.tracking import PublicRun

__all__ = ["create_app"]

_HERE = Path(__file__).parent
_log = logging.getLogger("parabola.ui")
_MAX_TAGS = 100
_MAX_NOTES = 20_000


class BadRequest(ValueError):
    """A request the dashboard refuses with 400 (the message says what to fix)."""


def _json(value: Any, status: int = 200, *, cleaned: bool = False) -> Response:
    return Response(dumps(value, cleaned=cleaned), status, media_type="application/json")


def _int(request: Request, name: str, default: int | None, lo: int, hi: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name}: expected an integer, got {raw!r}.") from None
    if not lo <= value <= hi:
        raise BadRequest(f"{name}: expected {lo}..{hi}, got {value}.")
    return value


def _plotly_js() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("plotly")  # located, not imported (that costs ~0.1 s)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("parabola ui needs plotly (the 'ui' extra)", name="plotly")
    return Path(spec.origin).parent / "package_data" / "plotly.min.js"


@functools.cache
def plotly_url() -> str:
    """The URL pages load plotly.js from: it names the installed plotly's version, so the
    browser may keep it for good (``immutable``) and a plotly upgrade is a new URL."""
    from importlib.metadata import version

    return f"/static/plotly-{version('plotly')}.min.js"


@functools.cache
def _plotly_etag() -> str:
    st = _plotly_js().stat()
    return f'"plotly-{st.st_size:x}-{st.st_mtime_ns:x}"'


def _serve_plotly(request: Request) -> Response:
    """plotly.js (4.6 MB) with validators, and under :func:`plotly_url` cached for a year:
    a second visit neither downloads nor (thanks to the browser's code cache) recompiles it."""
    etag = _plotly_etag()
    versioned = request.url.path == plotly_url()
    headers = {
        "etag": etag,
        "cache-control": "public, max-age=31536000, immutable" if versioned else "no-cache",
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return FileResponse(_plotly_js(), media_type="text/javascript", headers=headers)


# Kept study answers (JSON plus its gzip) in bytes, all studies together.
_ANSWER_BYTES = 24 * 2**20


class Dashboard:
    """The routes' shared state: the store, the caches and the write switch."""

    def __init__(self, storage: BaseStorage, allow_writes: bool) -> None:
        self.storage = storage
        self.cache = SeriesCache(storage)
        self.figures = _figures.FigureCache()
        self.allow_writes = allow_writes
        self._lock = threading.Lock()
        self._study_answers: OrderedDict[tuple[Any, ...], tuple[bytes, bytes]] = OrderedDict()
        # Poll answers by (study, token asked, token now, first unfinished): "nothing new" is
        # answered from here after the two cheap store calls of change_token.
        self._poll_answers: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self.activity = Activity()
        self.precompute = Precompute(storage, self.figures, self.activity)
        self._templates: Jinja2Templates | None = None
        self._api: parabola.Api | None = None

    # Built on first use: Jinja2 and the tracking API cost a cold start a few hundred
    # milliseconds, and the first answer (often a JSON request) may need neither.
    @property
    def templates(self) -> Jinja2Templates:
        if self._templates is None:
            from starlette.templating import Jinja2Templates

            templates = Jinja2Templates(directory=str(_HERE / "templates"))
            templates.env.autoescape = True
            templates.env.globals["plotly_url"] = plotly_url()
            self._templates = templates
        return self._templates

    @property
    def api(self) -> parabola.Api:
        if self._api is None:
            self._api = parabola.Api(storage=self.storage)
        return self._api

    # Pages ------------------------------------------------------------------------------------
    def page(self, request: Request, template: str, **context: Any) -> Response:
        return self.templates.TemplateResponse(
            request,
            template,
            {"allow_writes": self.allow_writes, "context_json": json.dumps(context), **context},
        )

    def home(self, request: Request) -> Response:
        return self.page(request, "home.html", kind="home")

    def project_page(self, request: Request) -> Response:
        entity, project = request.path_params["entity"], request.path_params["project"]
        return self.page(request, "project.html", kind="project", entity=entity, project=project)

    def run_page(self, request: Request) -> Response:
        run = self._run(request)
        return self.page(
            request,
            "run.html",
            kind="run",
            entity=run.entity,
            project=run.project,
            run_id=run.id,
            run_name=run.name,
        )

    def study_page(self, request: Request) -> Response:
        study_id = request.path_params["study_id"]
        name = self.storage.get_study_name_from_id(study_id)
        # The first chart's figure is built while the browser loads the page and plotly.js.
        self.precompute.study_seen(study_id, _studies.change_token(self.storage, study_id)[0])
        return self.page(request, "study.html", kind="study", study_id=study_id, study_name=name)

    def trial_page(self, request: Request) -> Response:
        study_id, number = request.path_params["study_id"], request.path_params["number"]
        name = self.storage.get_study_name_from_id(study_id)
        self.storage.get_trial_id_from_study_id_trial_number(study_id, number)
        return self.page(
            request, "trial.html", kind="trial", study_id=study_id, study_name=name, number=number
        )

    # Runs API ---------------------------------------------------------------------------------
    def _run(self, request: Request) -> PublicRun:
        p = request.path_params
        return self.api.run(f"{p['entity']}/{p['project']}/{p['run_id']}")

    def projects(self, request: Request) -> Response:
        return _json(_runs.project_list(self.storage))

    def _table(self, request: Request) -> dict[str, Any]:
        q = request.query_params
        path = q.get("project") or None
        filters = _runs.parse_filters(q.get("filters"))
        order = q.get("order") or "-created_at"
        limit = _int(request, "limit", 200, 1, _runs.MAX_RUNS_PAGE)
        offset = _int(request, "offset", 0, 0, 10**9)
        assert limit is not None and offset is not None
        return _runs.runs_table(self.api, path, filters, order, limit, offset)

    def runs(self, request: Request) -> Response:
        return _json(self._table(request), cleaned=True)

    def runs_csv(self, request: Request) -> Response:
        return Response(
            _runs.runs_csv(self._table(request)),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="runs.csv"'},
        )

    def run(self, request: Request) -> Response:
        run = self._run(request)
        detail = _runs.run_detail(self.storage, run)
        live = run.state == "running"
        path = (run.entity, run.project, run.id)
        detail["metrics"] = self.cache.keys(path, "default", live)
        detail["system_metrics"] = self.cache.keys(path, "system", live)
        return _json(detail, cleaned=True)

    def run_poll(self, request: Request) -> Response:
        run = self._run(request)
        return _json(
            {"state": run.state, "last_step": run.lastHistoryStep, "heartbeat_at": run.heartbeat_at}
        )

    def series(self, request: Request) -> Response:
        run = self._run(request)
        q = request.query_params
        key = q.get("key")
        if not key:
            raise BadRequest("key: the metric to draw is required.")
        stream = q.get("stream", "default")
        if stream not in ("default", "system"):
            raise BadRequest(f"stream: expected 'default' or 'system', got {stream!r}.")
        answer = self.cache.series(
            (run.entity, run.project, run.id),
            key,
            stream=stream,
            x_axis=q.get("x", "_step"),
            min_step=_int(request, "min_step", None, -(2**62), 2**62),
            max_step=_int(request, "max_step", None, -(2**62), 2**62),
            points=_int(request, "points", 500, 2, 5000) or 500,
            live=run.state == "running",
        )
        answer["run"] = {"entity": run.entity, "project": run.project, "id": run.id}
        answer["name"] = run.name
        return _json(answer)

    def group_series(self, request: Request) -> Response:
        q = request.query_params
        raw = [p for p in (q.get("runs") or "").split(",") if p]
        if not raw:
            raise BadRequest("runs: a comma-separated list of entity/project/run_id is required.")
        if len(raw) > 200:
            raise BadRequest(f"runs: at most 200 runs, got {len(raw)}.")
        paths = []
        for r in raw:
            parts = r.split("/")
            if len(parts) != 3 or not all(parts):
                raise BadRequest(f"runs: expected entity/project/run_id, got {r!r}.")
            run = self.api.run(r)
            paths.append((run.entity, run.project, run.id))
        key = q.get("key")
        if not key:
            raise BadRequest("key: the metric to draw is required.")
        points = _int(request, "points", 200, 2, 5000) or 200
        return _json(self.cache.group(paths, key, stream=q.get("stream", "default"), points=points))

    def file(self, request: Request) -> Response:
        run = self._run(request)
        name = request.path_params["name"]
        path = _media.stored_file(run, name)  # refuses ``..`` (400) and unknown files (404)
        return FileResponse(
            path,
            filename=Path(name).name,
            content_disposition_type="attachment",
            media_type="application/octet-stream",
        )

    def media_file(self, request: Request) -> Response:
        """A logged image, inline with its content type (anything else is a download)."""
        run = self._run(request)
        name = request.path_params["name"]
        path = _media.stored_file(run, name)
        kind = _media.IMAGE_TYPES.get(name.rsplit(".", 1)[-1].lower())
        if kind is None:
            return FileResponse(
                path,
                filename=Path(name).name,
                content_disposition_type="attachment",
                media_type="application/octet-stream",
            )
        return FileResponse(
            path, filename=Path(name).name, content_disposition_type="inline", media_type=kind
        )

    def media(self, request: Request) -> Response:
        return _json(_media.media_panels(self._run(request)), cleaned=True)

    def media_table(self, request: Request) -> Response:
        run = self._run(request)
        name = request.query_params.get("path")
        if not name:
            raise BadRequest("path: the table file to read is required.")
        rows = _int(request, "rows", 100, 1, _media.MAX_TABLE_ROWS) or 100
        return _json(_media.table_rows(run, name, rows), cleaned=True)

    async def set_notes(self, request: Request) -> Response:
        body = await _body(request)
        notes = body.get("notes")
        if not isinstance(notes, str) or len(notes) > _MAX_NOTES:
            raise BadRequest(f"notes: expected a string of at most {_MAX_NOTES} characters.")
        run = self._run(request)
        run.notes = notes
        run.update()
        return _json({"notes": run.notes})

    async def set_tags(self, request: Request) -> Response:
        body = await _body(request)
        tags = body.get("tags")
        if (
            not isinstance(tags, list)
            or len(tags) > _MAX_TAGS
            or not all(isinstance(t, str) and 0 < len(t) <= 256 for t in tags)
        ):
            raise BadRequest(f"tags: expected a list of at most {_MAX_TAGS} non-empty strings.")
        run = self._run(request)
        run.tags = list(dict.fromkeys(tags))
        run.update()
        return _json({"tags": run.tags})

    def delete_run(self, request: Request) -> Response:
        run = self._run(request)
        run.delete()
        return _json({"deleted": "/".join(run.path)})

    # Studies API ------------------------------------------------------------------------------
    def studies(self, request: Request) -> Response:
        return _json(_studies.study_list(self.storage), cleaned=True)

    def study(self, request: Request) -> Response:
        study_id = request.path_params["study_id"]
        since = _int(request, "since", 0, 0, 10**9) or 0
        token, _ = _studies.change_token(self.storage, study_id)  # KeyError (404): unknown id
        # The answer only changes with the trials (their token) or the runs linked to them.
        key = (study_id, since, token, self.storage.count_runs())
        with self._lock:
            hit = self._study_answers.get(key)
        if hit is None:
            body = dumps(_studies.study_data(self.storage, study_id, since), cleaned=True)
            # Level 1: a quarter of level 5's CPU on 10,000 trials (14 vs 62 ms) for 6% more
            # bytes (0.67 vs 0.63 MB), on the cold request's critical path.
            hit = (body, gzip.compress(body, compresslevel=1))
            with self._lock:
                self._study_answers[key] = hit
                # Bounded by count and by bytes: a few studies of 10,000 trials each weigh
                # megabytes, and the server's memory budget is 200 MiB in all.
                while len(self._study_answers) > 16 or (
                    len(self._study_answers) > 1
                    and sum(len(a) + len(b) for a, b in self._study_answers.values())
                    > _ANSWER_BYTES
                ):
                    self._study_answers.popitem(last=False)
        # Queued after the answer is built: its figures then find the trials read.
        self.precompute.study_seen(study_id, token)
        if "gzip" in request.headers.get("accept-encoding", ""):
            return Response(
                hit[1],
                media_type="application/json",
                headers={"content-encoding": "gzip", "vary": "Accept-Encoding"},
            )
        return Response(hit[0], media_type="application/json")

    def study_poll(self, request: Request) -> Response:
        study_id = request.path_params["study_id"]
        asked = request.query_params.get("token", "")
        now, first = _studies.change_token(self.storage, study_id)
        key = (study_id, asked, now, first)
        with self._lock:
            body = self._poll_answers.get(key)
        if body is None:  # a new state of the study (or a new asker): build and keep its answer
            self.precompute.study_seen(study_id, now)
            body = dumps({"changed": now != asked, "token": now, "first_unfinished": first})
            with self._lock:
                self._poll_answers[key] = body
                while len(self._poll_answers) > 64:
                    self._poll_answers.popitem(last=False)
        return Response(body, media_type="application/json")

    def figure_list(self, request: Request) -> Response:
        study_id = request.path_params["study_id"]
        n_obj = len(self.storage.get_study_directions(study_id))
        out = []
        for p in _figures.panels():
            fn = _figures.resolve(p)
            out.append(
                {
                    "name": p.name,
                    "title": p.title,
                    "options": list(p.options),
                    "applies": p.applies(n_obj),
                    "available": not isinstance(fn, str),
                    "reason": fn if isinstance(fn, str) else None,
                }
            )
        return _json(out)

    def figure(self, request: Request) -> Response:
        study_id = request.path_params["study_id"]
        name = request.path_params["name"]
        options = dict(request.query_params)
        _figures.normalized_points(options)  # a bad count is refused before the study is read
        token, _ = _studies.change_token(self.storage, study_id)
        self.precompute.study_seen(study_id, token)
        # A figure the background thread builds (or has built) for this token is waited for,
        # not built twice.
        body = self.figures.get_or_build(
            (study_id, token, name, tuple(sorted(options.items()))),
            lambda: _figures.figure_answer(_studies.load(self.storage, study_id), name, options),
        )
        return Response(body, media_type="application/json")

    def trial(self, request: Request) -> Response:
        p = request.path_params
        return _json(_studies.trial_detail(self.storage, p["study_id"], p["number"]), cleaned=True)

    def study_curves(self, request: Request) -> Response:
        """Per-trial curves of one logged metric, from the runs linked to the study's trials."""
        study_id = request.path_params["study_id"]
        name = self.storage.get_study_name_from_id(study_id)
        key = request.query_params.get("key")
        points = _int(request, "points", 200, 2, 5000) or 200
        limit = _int(request, "limit", 50, 1, 500) or 50
        linked = list(self.storage.get_study_runs(name))
        linked.sort(key=lambda r: (r.trial_number is None, r.trial_number or 0))
        keys: set[str] = set()
        curves = []
        for rec in linked[:limit]:
            path = (rec.entity, rec.project, rec.run_id)
            live = rec.state.value == "running"
            keys.update(self.cache.keys(path, "default", live))
            if key and key in self.cache.keys(path, "default", live):
                s = self.cache.series(path, key, points=points, live=live)
                curves.append(
                    {"trial": rec.trial_number, "run": "/".join(path), "x": s["x"], "y": s["y"]}
                )
        return _json({"key": key, "keys": sorted(keys), "curves": curves, "n_runs": len(linked)})


async def _body(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise BadRequest("Expected a JSON body (Content-Type: application/json).")
    raw = await request.body()
    try:
        value = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadRequest("The body is not valid JSON.") from None
    if not isinstance(value, dict):
        raise BadRequest("Expected a JSON object.")
    return value


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _message(exc: BaseException) -> str:
    text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    return str(text)


def _error(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        return _json({"error": message, "status": status}, status)
    return PlainTextResponse(f"{status}: {message}", status)


async def _on_key_error(request: Request, exc: Exception) -> Response:
    return _error(request, 404, _message(exc))


async def _on_value_error(request: Request, exc: Exception) -> Response:
    return _error(request, 400, _message(exc))


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _error(request, exc.status_code, str(exc.detail))


async def _on_other(request: Request, exc: Exception) -> Response:
    # Logged here with its traceback for the person running the server; the browser gets a
    # sentence, never the trace (which can hold paths and values).
    _log.error("parabola ui: %s on %s", type(exc).__name__, request.url.path, exc_info=exc)
    return _error(request, 500, f"Internal error ({type(exc).__name__}); see the server log.")


# What later requests need, most needed first; each import waits for the requests in flight.
_WARM_UP = (
    "numpy",
    "parabola.study",
    "parabola.samplers._random",
    "starlette.templating",
    "parabola.tracking",
    "parabola.visualization",  # plotly: the slowest by far
)
# The longest a background step waits for the requests in flight to end, and how long the
# server must have been without one before a warm-up import starts.
_YIELD_S = 2.0
_QUIET_S = 0.1


def _warm_up(activity: Activity) -> None:
    import contextlib
    import importlib

    for name in _WARM_UP:
        activity.wait_quiet(_QUIET_S, _YIELD_S)
        with contextlib.suppress(ImportError):  # plotly is an optional dependency
            importlib.import_module(name)


class WarmUpAfterFirstAnswer:
    """ASGI middleware: counts the requests in flight (``activity``) and, once the first
    answer is sent, imports in a background thread what later requests need (the study
    machinery, numpy, plotly, ``parabola.visualization``), one module at a time while no
    request is being served.

    Started here rather than at app creation, so the imports do not compete (for the GIL and
    the cores) with the server's own start: the first answer comes as early as it can.
    """

    def __init__(self, app: Any, activity: Activity | None = None) -> None:
        self.app = app
        self._activity = activity or Activity()
        self._started = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self._activity.begin()
        try:
            if self._started:
                await self.app(scope, receive, send)
                return

            async def sending(message: Any) -> None:
                await send(message)
                if message["type"] == "http.response.body" and not message.get("more_body"):
                    self.start()

            await self.app(scope, receive, sending)
        finally:
            self._activity.end()

    def start(self) -> None:
        """Start the warm-up thread (once)."""
        if not self._started:
            self._started = True
            threading.Thread(
                target=_warm_up, args=(self._activity,), name="parabola-ui-warm-up", daemon=True
            ).start()


def create_app(
    storage: str | BaseStorage | None = None,
    *,
    allow_writes: bool = False,
    host: str = "127.0.0.1",
    allowed_hosts: tuple[str, ...] = (),
) -> Starlette:
    """The dashboard as an ASGI app over ``storage`` (URL, path or store object).

    Args:
        storage: The store (default ``$PARABOLA_STORAGE`` or ``sqlite:///parabola.db``).
        allow_writes: Allow the few writes (run notes, tags, deleting a run).
        host: The address the server binds; ``Host`` headers are checked against it.
        allowed_hosts: More ``Host`` names to accept (a reverse proxy's name).

    Example:
        >>> from starlette.testclient import TestClient
        >>> from parabola.storages import InMemoryStorage
        >>> client = TestClient(create_app(InMemoryStorage()))
        >>> client.get("/api/studies").json()
        []
        >>> client.get("/api/runs/e/p/nope").status_code
        404
    """
    store = get_storage(storage)
    board = Dashboard(store, allow_writes)
    routes = [
        Route("/", board.home),
        Route("/projects/{entity}/{project}", board.project_page),
        Route("/runs/{entity}/{project}/{run_id}", board.run_page),
        Route("/studies/{study_id:int}", board.study_page),
        Route("/studies/{study_id:int}/trials/{number:int}", board.trial_page),
        Route("/api/projects", board.projects),
        Route("/api/runs", board.runs),
        Route("/api/runs.csv", board.runs_csv),
        Route("/api/series/group", board.group_series),
        Route("/api/runs/{entity}/{project}/{run_id}", board.run),
        Route("/api/runs/{entity}/{project}/{run_id}", board.delete_run, methods=["DELETE"]),
        Route("/api/runs/{entity}/{project}/{run_id}/poll", board.run_poll),
        Route("/api/runs/{entity}/{project}/{run_id}/series", board.series),
        Route("/api/runs/{entity}/{project}/{run_id}/notes", board.set_notes, methods=["POST"]),
        Route("/api/runs/{entity}/{project}/{run_id}/tags", board.set_tags, methods=["POST"]),
        Route("/api/runs/{entity}/{project}/{run_id}/media", board.media),
        Route("/api/runs/{entity}/{project}/{run_id}/table", board.media_table),
        Route("/files/{entity}/{project}/{run_id}/{name:path}", board.file),
        Route("/media/{entity}/{project}/{run_id}/{name:path}", board.media_file),
        Route("/api/studies", board.studies),
        Route("/api/studies/{study_id:int}", board.study),
        Route("/api/studies/{study_id:int}/poll", board.study_poll),
        Route("/api/studies/{study_id:int}/figures", board.figure_list),
        Route("/api/studies/{study_id:int}/figures/{name}", board.figure),
        Route("/api/studies/{study_id:int}/curves", board.study_curves),
        Route("/api/studies/{study_id:int}/trials/{number:int}", board.trial),
        Route("/static/plotly.min.js", _serve_plotly),
        Route(plotly_url(), _serve_plotly),
        Mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static"),
    ]
    middleware = [
        # Outermost: the server answers its first request before anything else is imported.
        Middleware(WarmUpAfterFirstAnswer, activity=board.activity),
        Middleware(
            SecurityMiddleware,
            hosts=allowed_hosts_for(host, allowed_hosts),
            allow_writes=allow_writes,
        ),
        # Level 1: every figure and series answer is compressed per request, and level 5
        # costs ~4x the CPU for ~6% fewer bytes on this JSON.
        Middleware(GZipMiddleware, minimum_size=1024, compresslevel=1),
    ]
    handlers: dict[Any, Any] = {
        KeyError: _on_key_error,
        ValueError: _on_value_error,
        HTTPException: _on_http,
        Exception: _on_other,
    }
    app = Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)
    app.state.dashboard = board
    return app
