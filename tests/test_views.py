"""Views: the HTML report, owner stories and collector days, the animation; bad input exits 2."""

from __future__ import annotations

import base64
import html
import io
import re
import shutil
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image, ImageSequence
from typer.testing import CliRunner

from sim.api import replicate
from sim.cli import app
from sim.scenario import load_scenario, parse_overrides
from sim.views.eventlog import CONTACT_KINDS, FEE_CONTACTS, clock, day_of
from sim.views.folder import COMPARE_VIEW_FILES, VIEW_FILES, split_scenarios_yaml
from sim.views.logged import replicate_logged
from sim.views.onerun import LoggedRun, logged_run
from tests.commands import small_community
from tests.paths import SCENARIOS

BASELINE, STAGED, PLAYBOOK = (SCENARIOS / f"{name}.yaml" for name in ("baseline", "staged", "playbook"))
HORIZON, REPS, SEED = 30, 3, 7
SMALL = small_community(HORIZON)
FIGURES = 7
"""Pictures in a report: collection, segments, heatmaps, funnel, effort, morale, tickets."""


def _overrides(horizon: int = HORIZON) -> dict[str, object]:
    return parse_overrides(["community.households=200", "community.buildings=4", f"horizon_days={horizon}"])


def _invoke(*args: str) -> tuple[int, str, str, BaseException | None]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr, result.exception


def _ok(*args: str) -> str:
    code, out, err, _exc = _invoke(*args)
    assert code == 0, f"exit {code}\nstdout:\n{out}\nstderr:\n{err}"
    return out


# -- the report ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``feesim run --report`` of a small baseline."""
    folder = tmp_path_factory.mktemp("views") / "run"
    _ok(
        "run",
        str(BASELINE),
        *SMALL,
        "--reps",
        str(REPS),
        "--seed",
        str(SEED),
        "--out",
        str(folder),
        "--report",
    )
    return folder


@pytest.fixture(scope="module")
def compare_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``feesim compare --report`` of a small baseline and staged billing."""
    folder = tmp_path_factory.mktemp("views") / "compare"
    args = ["compare", str(BASELINE), str(STAGED), *SMALL, "--reps", str(REPS), "--seed", str(SEED)]
    _ok(*args, "--out", str(folder), "--report")
    return folder


class _Page(HTMLParser):
    """Collect the image sources and links of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "img":
            self.images.append(values.get("src") or "")
        for name in ("href", "src"):
            if values.get(name) and tag != "img":
                self.links.append(values[name] or "")


def _check_page(path: Path, yaml_texts: list[str], seed: int) -> None:
    """Check the page parses, its images are inline PNGs that decode and are not blank, YAML and seed."""
    text = path.read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    page.close()
    assert len(page.images) == FIGURES
    assert page.links == []  # nothing external: no scripts, styles or links to fetch
    for src in page.images:
        prefix = "data:image/png;base64,"
        assert src.startswith(prefix)
        picture = Image.open(io.BytesIO(base64.b64decode(src[len(prefix) :], validate=True)))
        picture.load()
        pixels = np.asarray(picture.convert("RGB"), dtype=float)
        assert pixels.shape[0] > 300 and pixels.shape[1] > 600
        assert pixels.var() > 0
    for yaml_text in yaml_texts:
        assert html.escape(yaml_text) in text
    assert f"seed <strong>{seed}</strong>" in text
    assert "@media print" in text


def test_run_writes_view_data_and_report(run_folder: Path) -> None:
    assert {f for f in VIEW_FILES} | {"report.html"} <= {p.name for p in run_folder.iterdir()}
    _check_page(
        run_folder / "report.html", [(run_folder / "scenario.yaml").read_text(encoding="utf-8")], SEED
    )


def test_report_command_works_from_the_folder_alone(run_folder: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(run_folder, copy)
    (copy / "report.html").unlink()
    out = _ok("report", str(copy))
    assert "report.html" in out
    assert (copy / "report.html").read_bytes() == (run_folder / "report.html").read_bytes()


def test_compare_report(compare_folder: Path) -> None:
    assert set(COMPARE_VIEW_FILES) | {"report.html"} <= {p.name for p in compare_folder.iterdir()}
    yaml = split_scenarios_yaml((compare_folder / "scenarios.yaml").read_text(encoding="utf-8"))
    assert list(yaml) == ["baseline", "staged"]
    assert all(f"name: {name}\n" in text for name, text in yaml.items())
    _check_page(compare_folder / "report.html", list(yaml.values()), SEED)
    text = (compare_folder / "report.html").read_text(encoding="utf-8")
    assert "Paired differences" in text and "staged − baseline" in text


def test_view_tables_agree_with_the_run(run_folder: Path) -> None:
    """The tables count what the key figures count; events.parquet is replication 0's log."""
    scenario = load_scenario(BASELINE, _overrides())
    plain = replicate(scenario, REPS, SEED)
    funnel = pd.read_parquet(run_folder / "funnel.parquet").set_index("contact")
    activity = pd.read_parquet(run_folder / "activity.parquet")
    calls = sum(sum(r.kpis["contacts"].get("call", {}).values()) for r in plain)
    assert funnel.loc["call", "attempts"] == calls
    assert activity["attempts"].sum() == funnel["attempts"].sum()
    assert activity["reached"].sum() == funnel["reached"].sum()
    payments = sum(int(np.sum(~np.isnan(r.owners["paid_at"].to_numpy(dtype=float)))) for r in plain)
    assert activity["payments"].sum() == payments
    replications = pd.read_parquet(run_folder / "replications.parquet")
    assert replications["rep"].tolist() == list(range(REPS))
    assert replications["staff_hours"].tolist() == pytest.approx(plain.kpi("staff_hours"))
    expected = np.array(plain.kpi("staff_hours")) * scenario.team.staff_cost_per_hour
    assert replications["staff_cost"].to_numpy() == pytest.approx(expected)
    events = pd.read_parquet(run_folder / "events.parquet")
    assert len(events) == len(logged_run(scenario, SEED).records)


def test_logging_changes_no_number() -> None:
    scenario = load_scenario(BASELINE, _overrides())
    logged, _tables = replicate_logged(scenario, 2, SEED)
    plain = replicate(scenario, 2, SEED)
    pd.testing.assert_frame_equal(logged.daily, plain.daily)


# -- stories ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def baseline_run() -> LoggedRun:
    return logged_run(load_scenario(BASELINE, _overrides()), SEED)


def _outcome(lines: str) -> str:
    return next(line for line in lines.splitlines() if line.startswith("Outcome:"))


def _contacts_in(outcome: str) -> int:
    found = re.search(r"; (\d+) contacts?", outcome)
    assert found, outcome
    return int(found.group(1))


def _check_story(out: str, run: LoggedRun, owner: int) -> None:
    """The story tells every contact of the owner's records, with its time, and their payment time."""
    records = run.owner_records(owner)
    contacts = [r for r in records if r.kind in CONTACT_KINDS]
    assert _contacts_in(_outcome(out)) == len(contacts)
    assert sum(" contact: " in line for line in out.splitlines()) == len(contacts)
    for record in contacts:
        assert f"{clock(record.time, run.start)}  contact: {record.kind.replace('_', ' ')}" in out
    payment = next((r for r in records if r.kind == "payment"), None)
    if payment is None:
        assert "not paid" in _outcome(out) and "Why not:" in out
    else:
        assert f"paid on {clock(payment.time, run.start)}" in _outcome(out)


def test_owner_story_agrees_with_the_records(baseline_run: LoggedRun) -> None:
    paid = [
        o
        for o in range(baseline_run.population.size)
        if any(r.kind == "payment" for r in baseline_run.owner_records(o))
    ]
    owner = max(paid[:40], key=lambda o: len(baseline_run.owner_records(o)))
    unit = baseline_run.population.unit_label(owner)
    out = _ok("story", str(BASELINE), *SMALL, "--seed", str(SEED), "--owner", unit)
    assert out.startswith(f"Unit {unit} ")
    _check_story(out, baseline_run, owner)


def test_story_of_an_owner_who_did_not_pay(baseline_run: LoggedRun) -> None:
    unpaid = next(
        o
        for o in range(baseline_run.population.size)
        if np.isnan(baseline_run.result.owners["paid_at"].iloc[o])
    )
    out = _ok(
        "story",
        str(BASELINE),
        *SMALL,
        "--seed",
        str(SEED),
        "--owner",
        baseline_run.population.unit_label(unpaid),
    )
    _check_story(out, baseline_run, unpaid)


@pytest.mark.parametrize(
    "kind", ["hard-paid-after-team-visit", "undecided-waited", "promise-broken-then-kept"]
)
def test_pick_tells_a_matching_owner(kind: str) -> None:
    """On this run every one of these picks finds an owner (a pick without one: see the next test).

    Which owners match depends on the run: 80 days of 200 households on seed 0
    hold each kind (the 60 days used before no longer hold a hard owner who paid
    after a team visit since idle collectors share alarms; such owners are as
    frequent as before, 4 a run over 40 seeds).  75 days held one until the
    service crew's draws got streams of their own; over seeds 0-39 such owners
    are as frequent as before (4.95 and 4.9 a run at 75 days), seed 0 has one
    fewer (1 before, 0 now).
    """
    horizon = 80
    out = _ok("story", str(PLAYBOOK), *SMALL[:-1], f"horizon_days={horizon}", "--pick", kind)
    run = logged_run(load_scenario(PLAYBOOK, _overrides(horizon)), 0)
    unit = re.search(r"^Unit (\S+) ", out, flags=re.MULTILINE)
    assert unit
    owner = run.population.owner_of_unit(unit.group(1))
    assert owner is not None
    _check_story(out, run, owner)
    kinds = [r.kind for r in run.owner_records(owner)]
    if kind == "hard-paid-after-team-visit":
        assert (
            run.result.owners["segment"].iloc[owner] == "hard"
            and "team_visit" in kinds
            and "payment" in kinds
        )
    if kind == "promise-broken-then-kept":
        assert "promise fell due: broken" in out and "promise fell due: kept" in out.split("broken", 1)[1]


def test_a_pick_that_cannot_happen_in_the_scenario_exits_2() -> None:
    code, _out, err, exc = _invoke("story", str(BASELINE), *SMALL, "--pick", "hard-paid-after-team-visit")
    assert code == 2 and isinstance(exc, SystemExit)
    assert "cannot happen in scenario baseline" in err and "team visits are off" in err
    assert "Traceback" not in err


def test_collector_day(baseline_run: LoggedRun) -> None:
    out = _ok("story", str(BASELINE), *SMALL, "--seed", str(SEED), "--collector", "1")
    mine = [r for r in baseline_run.records if r.collector == 1]
    busiest = Counter(day_of(r.time) for r in mine if r.kind in CONTACT_KINDS)
    day = min(busiest, key=lambda d: (-busiest[d], d))
    assert "Collector #1 on " in out and f"(day {day})" in out.splitlines()[0]
    today = [r for r in mine if day_of(r.time) == day]
    assert len(out.strip().splitlines()) == 4 + len(today)  # heading, blank, the day, blank, mood note
    fee = sum(r.kind in FEE_CONTACTS for r in today)
    assert f"{fee} fee contacts" in out


# -- the animation ------------------------------------------------------------------------------------


def _frames(path: Path) -> list[np.ndarray]:
    with Image.open(path) as gif:
        return [np.asarray(frame.convert("RGB"), dtype=float) for frame in ImageSequence.Iterator(gif)]


def test_animation_has_one_frame_per_day_plus_day_0(tmp_path: Path) -> None:
    out = _ok("animate", str(BASELINE), *SMALL, "--seed", str(SEED), "--out", str(tmp_path / "a.gif"))
    frames = _frames(tmp_path / "a.gif")
    assert len(frames) == HORIZON + 1
    assert f"{HORIZON + 1} frames" in out
    assert all(frame.var() > 0 for frame in frames)
    assert np.abs(frames[-1] - frames[0]).sum() > 0  # households changed state
    assert [p.name for p in tmp_path.iterdir()] == ["a.gif"]  # no temporary file left


def test_animation_vs_and_step(tmp_path: Path) -> None:
    _ok(
        "animate", str(BASELINE), *SMALL, "--vs", str(STAGED), "--step", "7", "--out", str(tmp_path / "b.gif")
    )
    frames = _frames(tmp_path / "b.gif")
    assert len(frames) == len(range(0, HORIZON + 1, 7)) + 1  # days 0, 7, 14, 21, 28 and the last day, 30
    height, width, _ = frames[0].shape
    assert width > 2 * height  # two building panels and the curve side by side


# -- bad input ----------------------------------------------------------------------------------------


def _broken_folder(run_folder: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "broken"
    shutil.copytree(run_folder, folder)
    (folder / "funnel.parquet").write_bytes(b"not parquet")
    return folder


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["story", str(BASELINE), *SMALL, "--owner", "99-9999"], "e.g. 1-101"),
        (["story", str(BASELINE), *SMALL, "--pick", "nonsense"], "choose one of"),
        (["story", str(BASELINE), *SMALL], "exactly one of"),
        (["story", str(BASELINE), *SMALL, "--owner", "1-101", "--pick", "given-up"], "exactly one of"),
        (["story", str(BASELINE), *SMALL, "--collector", "99"], "ids are 0 to 3"),
        (["story", str(BASELINE), *SMALL, "--collector", "0", "--day", "999"], "outside the campaign"),
        (["story", str(BASELINE), *SMALL, "--owner", "1-101", "--day", "3"], "--day goes with --collector"),
        (["story", "missing.yaml", "--owner", "1-101"], "not found"),
        (["animate", str(BASELINE), *SMALL, "--out", "x.txt"], ".gif"),
        (["animate", str(BASELINE), *SMALL, "--out", "no/such/folder/x.gif"], "does not exist"),
        (["animate", str(BASELINE), *SMALL, "--vs", "missing.yaml", "--out", "x.gif"], "not found"),
        (
            ["animate", str(BASELINE), *SMALL, "--set", "team.collectors=-1", "--out", "x.gif"],
            "team.collectors",
        ),
        (["report", "no-such-folder"], "no such results folder"),
        (["report", str(SCENARIOS)], "not a complete results folder"),
    ],
)
def test_bad_input_exits_2_without_traceback(
    args: list[str], says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err, exc = _invoke(*args)
    assert code == 2 and isinstance(exc, SystemExit), (code, out, err)
    assert says in err
    assert "Traceback" not in out + err
    assert list(tmp_path.iterdir()) == []


def test_unreadable_results_folder_exits_2(run_folder: Path, tmp_path: Path) -> None:
    code, _out, err, exc = _invoke("report", str(_broken_folder(run_folder, tmp_path)))
    assert code == 2 and isinstance(exc, SystemExit)
    assert "funnel.parquet: cannot read it" in err
