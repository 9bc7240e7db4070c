"""The what-if page as a Starlette application.

Routes (every one but the page and the static files answers for the caller's session only):

- ``GET /``: the page: the scenario, the baseline's headline KPIs, the levers, the runs.
- ``GET /baseline``: the baseline's KPIs (simulated in the background when the server starts).
- ``POST /run``: the form; answers 422 with the problems per field, or 202 with a job id.
- ``GET /jobs/{id}``: progress; ``POST /jobs/{id}/cancel``; ``GET /jobs/{id}/result``: the
  result panel; ``GET /jobs/{id}/overlay.yaml``: the run as a reform option (an overlay).
- ``GET /compare?ids=a,b``: kept runs side by side; ``GET /report?ids=a,b``: their decision
  report.

A session is a random id in a cookie; runs are kept per session, so several people on one
server do not see each other's runs. Request bodies are bounded (:data:`MAX_BODY_BYTES`), and
every run is checked by the run-size guard before it is queued. Nothing from the browser is a
path: the only file read is the scenario (and levers file) given on the command line.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import jinja2
import yaml
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from wsim.comparison import Comparison
from wsim.optimize.levers import LeverSet
from wsim.report import render_report
from wsim.scenario import Scenario, ScenarioError
from wsim.scenario.limits import MAX_SEED, RunLimits, default_limits
from wsim.scenario.loader import resolve_mapping
from wsim.serve import levers as lever_module
from wsim.serve.levers import Lever, file_levers, scenario_levers
from wsim.serve.overlay import Built, build, cost_levers, describe_changes, overlay
from wsim.serve.overview import overview
from wsim.serve.results import baseline_view, run_view
from wsim.serve.runs import BASELINE, Job, Runner

HERE = Path(__file__).parent
#: Largest request body read (bytes): the W district form is about 4 KB.
MAX_BODY_BYTES = 64 * 1024
#: Sessions kept (the oldest is forgotten first) and runs kept per session.
MAX_SESSIONS = 200
MAX_RUNS = 30
#: Most replications one run of the page may ask for.
MAX_REPLICATIONS = 100
#: Longest option name (characters).
MAX_NAME = 80
COOKIE = "wsim_session"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")
#: Matplotlib and the report's figures are drawn one at a time.
_DRAWING = threading.Lock()


@dataclass
class Kept:
    """One run of a session: its job, what was changed, and its result panel once drawn."""

    job: Job
    built: Built
    phrases: list[str]
    view: dict[str, Any] | None = None


@dataclass
class Session:
    """The runs of one visitor of the page (by cookie)."""

    id: str
    runs: OrderedDict[str, Kept] = field(default_factory=OrderedDict)
    counter: int = 0

    def add(self, kept: Kept) -> None:
        """Keep a run; the oldest beyond :data:`MAX_RUNS` is cancelled and forgotten."""
        self.runs[kept.job.id] = kept
        while len(self.runs) > MAX_RUNS:
            _, old = self.runs.popitem(last=False)
            old.job.cancel()


class WhatIf:
    """The served scenario, its levers, the runner, and the sessions."""

    def __init__(
        self,
        scenario_file: str | Path,
        lever_set: LeverSet | None = None,
        *,
        workers: int = 1,
        replications: int = 10,
        seed: int = 0,
        limits: RunLimits | None = None,
        runner: Runner | None = None,
    ):
        self.file = Path(scenario_file)
        self.raw, _ = resolve_mapping(self.file)
        from wsim.scenario import load_scenario

        self.scenario: Scenario = load_scenario(self.file)
        self.lever_set = lever_set
        if lever_set is not None and lever_set.baseline.digest() != self.scenario.digest():
            message = (
                f"its baseline {lever_set.baseline_file} is not the scenario served "
                f"({self.file}); give the levers file of this scenario"
            )
            raise ScenarioError([("baseline", message)], str(lever_set.file))
        self.currency = self.scenario.cost.currency
        self.levers: list[Lever] = [
            *scenario_levers(self.raw, self.scenario),
            *(file_levers(lever_set) if lever_set is not None else []),
            *cost_levers(self.currency),
        ]
        self.limits = limits or default_limits()
        self.replications = replications
        self.seed = seed
        self.runner = runner or Runner(workers, self.limits)
        self.sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()
        self.baseline_job = self.runner.submit(
            self.scenario, self.scenario, BASELINE, seed, replications
        )
        self._baseline_rows: list[dict[str, Any]] | None = None

    def session(self, request: Request) -> Session:
        """The caller's session (a new one for a missing or forgotten cookie)."""
        token = request.cookies.get(COOKIE, "")
        with self._lock:
            if token in self.sessions:
                self.sessions.move_to_end(token)
                return self.sessions[token]
            session = Session(secrets.token_urlsafe(24))
            self.sessions[session.id] = session
            while len(self.sessions) > MAX_SESSIONS:
                _, old = self.sessions.popitem(last=False)
                for kept in old.runs.values():
                    kept.job.cancel()
            return session

    def baseline_rows(self) -> list[dict[str, Any]] | None:
        """The baseline's headline KPIs once simulated, else None."""
        job = self.baseline_job
        if self._baseline_rows is None and job.state == "done" and job.comparison is not None:
            self._baseline_rows = baseline_view(job.comparison)
        return self._baseline_rows


def create_app(whatif: WhatIf) -> Starlette:
    """The Starlette application serving `whatif`."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def render(name: str, request: Request, session: Session, **context: Any) -> HTMLResponse:
        html = environment.get_template(name).render(**context)
        return _with_cookie(HTMLResponse(html), session)

    async def page(request: Request) -> Response:
        session = whatif.session(request)
        return render(
            "page.html.j2",
            request,
            session,
            scenario=overview(whatif.raw, whatif.scenario),
            sections=lever_module.sections(whatif.levers),
            replications=whatif.replications,
            seed=whatif.seed,
            max_replications=MAX_REPLICATIONS,
            runs=list(session.runs.values()),
            executor=whatif.runner.describe(),
        )

    async def baseline(request: Request) -> Response:
        session = whatif.session(request)
        rows = await run_in_threadpool(whatif.baseline_rows)
        return render(
            "baseline.html.j2", request, session, rows=rows, job=whatif.baseline_job.status()
        )

    async def run(request: Request) -> Response:
        session = whatif.session(request)
        body = await _bounded_body(request)
        if body is None:
            message = f"the request is larger than {MAX_BODY_BYTES // 1024} KB"
            return _with_cookie(JSONResponse({"general": [message]}, 413), session)
        form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        settings, problems = _settings(form, whatif)
        built = await run_in_threadpool(
            build,
            whatif.levers,
            form,
            whatif.raw,
            currency=whatif.currency,
            lever_set=whatif.lever_set,
            limits=whatif.limits,
        )
        built.problems.update(problems)
        if built.problems or built.general or built.scenario is None:
            answer = {"problems": built.problems, "general": built.general}
            return _with_cookie(JSONResponse(answer, 422), session)
        session.counter += 1
        name = _unique_name(settings["name"] or f"what-if {session.counter}", session)
        job = whatif.runner.submit(
            whatif.scenario, built.scenario, name, settings["seed"], settings["replications"]
        )
        session.add(Kept(job, built, describe_changes(whatif.levers, built.values)))
        return _with_cookie(JSONResponse({"job": job.id, "name": name}, 202), session)

    def _kept(request: Request) -> tuple[Session, Kept | None]:
        session = whatif.session(request)
        return session, session.runs.get(request.path_params["job"])

    async def status(request: Request) -> Response:
        session, kept = _kept(request)
        if kept is None:
            return _with_cookie(JSONResponse({"error": "no such run"}, 404), session)
        return _with_cookie(JSONResponse(kept.job.status()), session)

    async def cancel(request: Request) -> Response:
        session, kept = _kept(request)
        if kept is None:
            return _with_cookie(JSONResponse({"error": "no such run"}, 404), session)
        kept.job.cancel()
        return _with_cookie(JSONResponse(kept.job.status()), session)

    async def result(request: Request) -> Response:
        session, kept = _kept(request)
        if kept is None or kept.job.state != "done":
            return _with_cookie(HTMLResponse("not finished", 404), session)
        view = await run_in_threadpool(_view, kept)
        return render("result.html.j2", request, session, run=kept, view=view)

    async def overlay_file(request: Request) -> Response:
        session, kept = _kept(request)
        if kept is None:
            return _with_cookie(Response("no such run", 404), session)
        description = "What-if of wsim serve: " + ("; ".join(kept.phrases) or "no change")
        mapping = overlay(kept.built, whatif.file, kept.job.name, description)
        text = yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True, width=100)
        filename = (_SAFE_NAME.sub("_", kept.job.name).strip("_") or "option") + ".yaml"
        headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
        response = Response(text, media_type="application/x-yaml", headers=headers)
        return _with_cookie(response, session)

    async def compare_view(request: Request) -> Response:
        session = whatif.session(request)
        chosen = _chosen(request, session)
        views = [await run_in_threadpool(_view, kept) for kept in chosen]
        return render("compare.html.j2", request, session, runs=chosen, views=views)

    async def report(request: Request) -> Response:
        session = whatif.session(request)
        chosen = _chosen(request, session)
        if not chosen:
            return _with_cookie(HTMLResponse("keep at least one finished run", 400), session)
        if len({(k.job.seed, k.job.replications) for k in chosen}) > 1:
            message = "the runs of one report need the same seed and replications"
            return _with_cookie(HTMLResponse(message, 400), session)
        html = await run_in_threadpool(_report, chosen)
        return _with_cookie(HTMLResponse(html), session)

    routes = [
        Route("/", page),
        Route("/baseline", baseline),
        Route("/run", run, methods=["POST"]),
        Route("/jobs/{job}", status),
        Route("/jobs/{job}/cancel", cancel, methods=["POST"]),
        Route("/jobs/{job}/result", result),
        Route("/jobs/{job}/overlay.yaml", overlay_file),
        Route("/compare", compare_view),
        Route("/report", report),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.whatif = whatif
    return app


def _with_cookie(response: Response, session: Session) -> Response:
    response.set_cookie(COOKIE, session.id, httponly=True, samesite="strict")
    return response


async def _bounded_body(request: Request) -> bytes | None:
    """The request body, or None when it is larger than :data:`MAX_BODY_BYTES`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    parts, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        parts.append(chunk)
    return b"".join(parts)


def _settings(form: Sequence[tuple[str, str]], whatif: WhatIf) -> tuple[dict, dict[str, str]]:
    """The run's name, replications and seed from the form, and problems with them."""
    given = dict(form)
    problems: dict[str, str] = {}
    settings: dict[str, Any] = {"name": " ".join(given.get("name", "").split())[:MAX_NAME]}
    for key, default, low, high in (
        ("replications", whatif.replications, 1, MAX_REPLICATIONS),
        ("seed", whatif.seed, 0, MAX_SEED),
    ):
        text = given.get(key, "").strip()[:40] or str(default)
        try:
            value = int(text)
        except ValueError:
            problems[key] = f"expected a whole number from {low} to {high}, found {text!r}"
            continue
        if not low <= value <= high:
            problems[key] = f"must be from {low} to {high}, found {value}"
        settings[key] = value
    if settings["name"] == BASELINE:
        problems["name"] = f"{BASELINE!r} is the baseline's name; choose another"
    return settings, problems


def _unique_name(name: str, session: Session) -> str:
    """`name`, numbered when a kept run of the session has it."""
    names = {kept.job.name for kept in session.runs.values()}
    candidate, number = name, 2
    while candidate in names:
        candidate, number = f"{name} ({number})", number + 1
    return candidate


def _chosen(request: Request, session: Session) -> list[Kept]:
    """The finished runs of the session named by ``?ids=a,b`` (unknown ids are left out)."""
    ids = request.query_params.get("ids", "")[:4000].split(",")
    return [
        session.runs[i]
        for i in dict.fromkeys(ids)
        if i in session.runs and session.runs[i].job.state == "done"
    ]


def _view(kept: Kept) -> dict[str, Any]:
    """The run's result panel, drawn once."""
    if kept.view is None:
        assert kept.job.comparison is not None
        with _DRAWING:
            kept.view = run_view(kept.job.comparison, kept.job.name, kept.phrases)
    return kept.view


def _report(chosen: Sequence[Kept]) -> str:
    """The decision report of the kept runs against the baseline."""
    first = chosen[0].job
    assert first.comparison is not None
    scenarios = {BASELINE: first.comparison.scenarios[BASELINE]}
    lists = {BASELINE: first.replication_lists[BASELINE]}
    for kept in chosen:
        assert kept.job.comparison is not None
        scenarios[kept.job.name] = kept.job.comparison.scenarios[kept.job.name]
        lists[kept.job.name] = kept.job.replication_lists[kept.job.name]
    comparison = Comparison(scenarios, BASELINE, first.seed, lists)
    with _DRAWING:
        return render_report(comparison)
