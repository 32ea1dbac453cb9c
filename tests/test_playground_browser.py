"""The playground page in a real browser: headless Chromium (Debian's ``chromium``) driven by Playwright.

Each test plays as a trainer or a team would: opens the page, switches tactics,
runs, joins a challenge, submits a plan, reveals the leaderboard; and checks
what the page shows against what the server answered (and, for a run, against
``feesim run`` itself).  Screenshots go to ``$FEESIM_SCREENSHOTS`` when it is
set (to look at them), else to the test's temporary folder.

The tests are skipped where Chromium or Playwright is missing, unless
``FEESIM_REQUIRE_BROWSER=1`` (``.ci/run`` sets it, after installing Chromium):
there a missing browser fails.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.playground_server import call, served

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",  # nothing leaves the machine: the page must work offline
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
REPO = Path(__file__).resolve().parents[1]


def _browser_or_skip() -> str:
    required = os.environ.get("FEESIM_REQUIRE_BROWSER") == "1"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        if required:
            pytest.fail("FEESIM_REQUIRE_BROWSER=1 but Playwright is not installed (pip install -e '.[test]')")
        pytest.skip("Playwright is not installed")
    if CHROMIUM is None:
        if required:
            pytest.fail("FEESIM_REQUIRE_BROWSER=1 but chromium is not on PATH (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    return CHROMIUM


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(tmp_path_factory.mktemp("playground")) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("FEESIM_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Visitor:
    """One person's browser tab on the playground, with the run answers it received."""

    def __init__(self, browser: Any, server: str, language: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale=language)
        self.page = self.context.new_page()
        self.runs: list[dict[str, Any]] = []
        self.sent = 0
        self.answered = 0
        self.failures: list[str] = []
        self.page.on("response", self._answered)
        self.page.on("pageerror", lambda error: self.failures.append(str(error)))
        self.page.on("requestfailed", lambda request: self.failures.append(request.url))
        self.page.on("request", lambda request: self._offline(server, request.url))
        self.page.goto(f"{server}/?lang={language}")

    def _offline(self, server: str, url: str) -> None:
        """Note a request that leaves the playground's server (the page must work offline); count runs."""
        if not url.startswith((f"{server}/", "data:")):
            self.failures.append(f"fetched from elsewhere: {url}")
        if "/api/run" in url:
            self.sent += 1

    def _answered(self, response: Any) -> None:
        if "/api/run" in response.url:
            if response.ok:
                self.runs.append(response.json())
            else:
                self.failures.append(f"{response.url}: {response.status} {response.text()}")
            self.answered += 1

    def runs_done(self, count: int) -> None:
        """Wait until the page has finished `count` runs (its ``body[data-runs]`` counter).

        Then wait until every run request it sent has been answered here too: the
        response events may be dispatched after the page has drawn the answer.
        """
        self.page.wait_for_selector(f'body[data-runs="{count}"]', state="attached", timeout=120_000)
        deadline = time.monotonic() + 30
        while self.answered < self.sent:
            assert time.monotonic() < deadline, f"{self.sent} runs sent, {self.answered} answers seen"
            self.page.wait_for_timeout(20)

    def text(self, selector: str) -> str:
        return self.page.inner_text(selector)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visitors(browser: Any, server: str) -> Iterator[Any]:
    opened: list[Visitor] = []

    def visit(language: str) -> Visitor:
        opened.append(Visitor(browser, server, language))
        return opened[-1]

    yield visit
    for visitor in opened:
        assert not visitor.failures, f"the page had errors or failed requests: {visitor.failures}"
        visitor.close()


WORDS = {
    "en": {"title": "feesim playground", "paid": "Paid by the end", "run": "Run"},
    "zh-Hans": {"title": "feesim 演练场", "paid": "期末已交费", "run": "运行"},
    "zh-Hant": {"title": "feesim 演練場", "paid": "期末已交費", "run": "運行"},
}


def _figure(visitor: Visitor, label: str) -> str:
    """Return the value the page shows under the figure labelled `label`."""
    for box in visitor.page.query_selector_all("#figures .figure"):
        if box.query_selector(".label").inner_text() == label:
            return box.query_selector(".value").inner_text()
    raise AssertionError(f"no figure labelled {label!r}: {visitor.text('#figures')!r}")


def _command_run(command: str, out: Path) -> dict[str, Any]:
    """Run the page's command line as shown, with ``--json`` (files in `out`); return its summary."""
    words = shlex.split(command.replace("\\\n", " "))
    assert words[:2] == ["feesim", "run"]
    done = subprocess.run(
        [sys.executable, "-m", "sim", *words[1:], "--json", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("language", ["en", "zh-Hans", "zh-Hant"])
def test_play_switch_a_tactic_and_run_in_each_language(visitors: Any, shots: Path, language: str) -> None:
    visitor = visitors(language)
    page = visitor.page
    visitor.runs_done(1)  # the page runs its starting plan when it opens
    assert page.title() == WORDS[language]["title"]
    assert page.inner_text("#run-button") == WORDS[language]["run"]
    first = visitor.runs[-1]
    final = float(page.get_attribute("#curve path.run", "data-final"))
    assert final == first["paid_share"]["mean"][-1]
    assert _figure(visitor, WORDS[language]["paid"]) == f"{first['final_paid_share']['mean'] * 100:.1f}%"
    assert page.query_selector("#curve path.band") and page.query_selector("#curve path.baseline")
    assert not page.query_selector("#curve path.previous")  # no previous run yet

    page.check('input[name="tactic"][value="home_visits"]')
    page.click("#run-button")
    visitor.runs_done(2)
    second = visitor.runs[-1]
    assert second["final_paid_share"] != first["final_paid_share"]
    assert float(page.get_attribute("#curve path.run", "data-final")) == second["paid_share"]["mean"][-1]
    assert page.query_selector("#curve path.previous")  # the first run, overlaid
    assert len(page.query_selector_all("#segments path")) == 3
    assert page.query_selector_all("#funnel tr")  # the funnel has rows for the contacts made
    assert "--set" in visitor.text("#command")
    page.screenshot(path=str(shots / f"playground-play-{language}.png"), full_page=True)


def test_the_page_s_command_line_gives_the_same_curve_as_the_page(visitors: Any, tmp_path: Path) -> None:
    visitor = visitors("en")
    page = visitor.page
    visitor.runs_done(1)
    page.check('input[name="tactic"][value="direct_lane"]')
    page.check('input[name="billing"][value="staged"]')
    page.fill("#seed", "11")
    page.fill("#reps", "3")
    page.click("#run-button")
    visitor.runs_done(2)
    shown = visitor.runs[-1]
    by_command = _command_run(visitor.text("#command"), tmp_path / "run")
    assert by_command["paid_share"] == shown["paid_share"]
    assert by_command["staff_hours"] == shown["staff_hours"]
    assert by_command["seed"] == 11 and by_command["reps"] == 3


def _join(visitor: Visitor, code: str, team: str) -> None:
    page = visitor.page
    page.click("#tab-challenge")
    page.fill("#join-code", code)
    page.fill("#team-name", team)
    page.click("#join-button")
    page.wait_for_selector("#submit-plan:not([hidden])", timeout=30_000)
    assert page.is_disabled("#households") and page.is_disabled("#seed")


def _submit(visitor: Visitor, submitted: str) -> None:
    """Submit the team's plan; wait until the page says it is evaluated (`submitted`, in its language)."""
    visitor.page.click("#submit-plan")
    visitor.page.wait_for_selector(f'#plan-status:text-is("{submitted}")', timeout=120_000)


RED_TACTICS = ("home_visits", "team_visits")
BLUE_CALLS = "v1"
PLAN_SHOWN = {
    "en": {"红队": "T6, V1 · team of 1", "Blue team": "V1 calling windows · team of 1"},
    "zh-Hans": {"红队": "T6, V1 · 1 名收费员", "Blue team": "把握拜访时间 · 1 名收费员"},
}
"""The leaderboard's plan column: the red team's tactic ids, the blue team's calling windows, their team."""


def _budget_between_the_plans(server: str) -> int:
    """Return a staff-hours budget halfway between the two teams' plans: the red team's breaches it."""
    from sim.playground.levers import choices, switches
    from sim.playground.shipped import community

    challenge = {"community.households": 200, "horizon_days": 90, "team.collectors": 1}
    challenge.update(community("many_hard_owners").keys)
    red = {k: v for s in switches() if s.tactic in RED_TACTICS for k, v in s.overrides.items()}
    blue = next(c for c in choices()["calls"] if c.name == BLUE_CALLS).overrides
    hours = []
    for plan in (red, blue):
        body = {"scenario": "baseline", "overrides": {**challenge, **plan}, "reps": 4, "seed": 5}
        hours.append(call(server, "/api/run", body)[1]["staff_hours"]["mean"])
    assert hours[0] > hours[1] + 2, f"the red plan should cost more staff hours than the blue: {hours}"
    return round(sum(hours) / 2)


@pytest.mark.parametrize("trainer_language", ["en", "zh-Hans"])
def test_a_two_team_challenge_and_its_leaderboard(
    visitors: Any, server: str, shots: Path, trainer_language: str
) -> None:
    budget = _budget_between_the_plans(server)
    trainer = visitors(trainer_language)
    trainer.runs_done(1)
    page = trainer.page
    page.click("#tab-challenge")
    page.select_option("#create-community", "many_hard_owners")
    page.fill("#create-budget", str(budget))
    page.fill("#create-households", "200")
    page.fill("#create-days", "90")
    page.fill("#create-reps", "4")
    page.fill("#create-seed", "5")
    page.click("#create-button")
    page.wait_for_selector("#created:not([hidden])")
    code = trainer.text("#created-code")
    assert re.fullmatch(r"[A-Z2-9]{6}", code)

    red, blue = visitors("zh-Hans"), visitors("en")
    red.runs_done(1)
    blue.runs_done(1)
    _join(red, code, "红队")
    _join(blue, code, "Blue team")
    assert "红队" in red.text("#joined") and code in blue.text("#joined")
    for tactic in RED_TACTICS:
        red.page.check(f'input[name="tactic"][value="{tactic}"]')
    blue.page.check(f'input[name="calls"][value="{BLUE_CALLS}"]')
    _submit(red, "方案已提交。请等待培训师公布排行榜。")
    _submit(blue, "Plan submitted. Wait for the trainer to reveal the leaderboard.")

    page.reload()  # the trainer's page, reloaded, still knows the challenge it created
    trainer.runs_done(1)
    page.click("#tab-challenge")
    page.wait_for_selector("#created:not([hidden])")
    assert trainer.text("#created-code") == code
    page.click("#reveal-button")
    page.wait_for_selector("#leaderboard-table", timeout=120_000)
    rows = page.query_selector_all("#leaderboard-table tr")[1:]
    _, board = call(server, f"/api/challenges/{code}/leaderboard")
    assert len(rows) == len(board["rows"]) == 2
    for row, expected in zip(rows, board["rows"], strict=True):
        cells = [cell.inner_text() for cell in row.query_selector_all("td")]
        paid = expected["final_paid_share"]
        assert cells[0] == str(expected["rank"]) and cells[1] == expected["team"]
        assert cells[3] == (
            f"{paid['mean'] * 100:.1f}% [{paid['ci_low'] * 100:.1f}%, {paid['ci_high'] * 100:.1f}%]"
        )
        assert ("breach" in (row.get_attribute("class") or "")) == expected["over_budget"]
        assert cells[2] == PLAN_SHOWN[trainer_language][expected["team"]]
    assert [row["over_budget"] for row in board["rows"]] == [False, True]  # the budget lies between them
    assert board["rows"][1]["team"] == "红队"  # the plan over budget ranks below the plan within it
    assert board["rows"][0]["difference_to_winner"] is None
    assert board["rows"][1]["difference_to_winner"] is not None
    assert {row["team"] for row in board["rows"]} == {"红队", "Blue team"}
    assert board["reps"] == 4 and board["seed"] == 5
    page.screenshot(path=str(shots / f"playground-leaderboard-{trainer_language}.png"), full_page=True)
    red.page.screenshot(path=str(shots / "playground-team-zh-Hans.png"), full_page=True)
