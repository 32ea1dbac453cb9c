"""The command line itself in Chinese: ``run``'s summary, errors, Ctrl-C, the help of every command.

These tests need the catalogues with the command line's translations (``python -m
sim.languages.build``).  Each output is checked twice: a known heading is there in
the language spoken, and no English sentence is left (`english_runs`: three or more
English words in a row, outside backticks, key paths, file names, flags and
placeholders such as ``<int range>`` or ``KEY.PATH=VALUE``).  The detector itself is
checked on the English output of the same command, so that it cannot pass vacuously.
"""

from __future__ import annotations

import errno
import json
import os
import re
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from sim.cli import _across_lines, _drivers_line, _interrupt_reported, _Tally, _worker_pool, app
from sim.console import _describe_os_error
from sim.destination import Destination, RunIdentity
from sim.languages import _, translated
from sim.precision import Target
from sim.workers import InlineBackend
from tests.commands import small_community
from tests.paths import SCENARIOS

BASELINE = SCENARIOS / "baseline.yaml"
CHINESE = ("zh-Hans", "zh-Hant")
COMMANDS = ("", "run", "compare", "validate", "schema", "analyze", "sweep", "report", "story", "animate")
COMMANDS += ("export", "calibrate", "plan")

_SKIPPED = re.compile(r"`[^`]*`|<[^<>]*>|\[[^\[\]]*\]")
_WORD = re.compile(r"[(\"'“]?[A-Za-z]+[)\"'”,;:.!?]*")
_UPPER = re.compile(r"[(\"']?[A-Z][A-Z0-9_]*\W*")
_BORDERS = re.compile(r"[\u2500-\u257f]")


def english_runs(text: str, least: int = 3) -> list[str]:
    """Return the runs of `least` or more English words in a row in `text`.

    A word is letters only (with the punctuation around it); metavariables in
    capitals (SCENARIO, FILE), backticked text, ``<...>`` and ``[...]`` are left out,
    and a token with a dot, slash, underscore, dash, equals sign or digit (a file
    name, key path, flag or number) or a box-drawing border ends a run, and so does a comma
    (a list of names, such as the key figures, is not a sentence).
    """
    tokens = _BORDERS.sub(" | ", _SKIPPED.sub(" ", text)).split()
    runs, current = [], []
    for token in [*tokens, "|"]:
        word = _WORD.fullmatch(token) and not _UPPER.fullmatch(token)
        if word:
            current.append(token)
        if word and not token.endswith(","):
            continue
        if len(current) >= least:
            runs.append(" ".join(current))
        current = []
    return runs


def _cjk(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def _invoke(*args: str, columns: int = 80):
    result = CliRunner().invoke(app, [str(arg) for arg in args], env={"COLUMNS": str(columns)})
    assert "Traceback" not in result.output, result.output
    return result


def test_the_detector_finds_english_and_passes_chinese_with_code_in_it() -> None:
    assert english_runs("最终收缴率 and it was not reached") == ["and it was not reached"]
    assert english_runs("│ final paid share (money) │ 66.2% │") == ["final paid share (money)"]
    assert (
        english_runs("请用 --out 指定 results/a-b 的 `key path here` <int range> [default: 10] FILE KEY.PATH")
        == []
    )
    assert english_runs("两个 words only") == []
    assert english_runs("之一：calls, reached, hostile, events。") == []
    assert english_runs("(not unanswered, not a wrong number)") == ["not a wrong number)"]


@pytest.fixture(scope="module")
def run_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The readable summary of one small ``feesim run`` in English and both Chinese scripts."""
    outputs = {}
    for language in ("en", *CHINESE):
        out = tmp_path_factory.mktemp(f"run-{language}")
        result = _invoke(
            "--lang",
            language,
            "run",
            BASELINE,
            "--reps",
            "2",
            *small_community(30),
            "--set",
            "description=''",
            "--out",
            out / "results",
            columns=100,
        )
        assert result.exit_code == 0, result.output
        outputs[language] = result.stdout
    return outputs


def test_the_run_summary_is_english_when_asked(run_outputs: dict[str, str]) -> None:
    english = run_outputs["en"]
    assert "final paid share (households)" in english and "per replication" in english
    assert english_runs(english), "the detector must find the English summary's sentences"


@pytest.mark.parametrize("language", CHINESE)
def test_the_run_summary_is_chinese(run_outputs: dict[str, str], language: str) -> None:
    text = run_outputs[language]
    with translated(language):
        headings = [_("final paid share (households)"), _("staff hours paid"), _("households")]
    for heading in headings:
        assert _cjk(heading) and heading in text, heading
    if language == "zh-Hans":
        assert "最终收缴率（按户数）" in text and "95%置信区间" in text and "每次" in text
        assert "2026年3月2日" in text
    assert english_runs(text) == [], english_runs(text)


@pytest.mark.parametrize(
    "args",
    [
        ["compare", BASELINE],
        ["run", BASELINE, "--precision", "-1"],
        ["run", BASELINE, "--precision", "0.1", "--outcome", "nope"],
        ["run", BASELINE, "--precision", "0.1", "--reps", "1"],
        ["run", BASELINE, "--resume"],
        ["run", BASELINE, "--scheduler", "tcp://127.0.0.1:1"],
        ["run", BASELINE, "--worlds", "2", "--precision", "0.1"],
        ["validate", BASELINE, BASELINE, "--ledger", "ledger.csv"],
        ["run", BASELINE, "--reps", "1", "--out", "."],
        ["run", BASELINE, "--reps", "0"],
        ["run", BASELINE, "--bogus"],
        ["run"],
    ],
    ids=lambda args: "-".join(str(a).replace(str(BASELINE), "S") for a in args),
)
@pytest.mark.parametrize("language", CHINESE)
def test_bad_options_are_explained_in_chinese(args: list[object], language: str) -> None:
    result = _invoke("--lang", language, *args)
    assert result.exit_code == 2, result.output
    assert _cjk(result.output), result.output
    assert english_runs(result.output) == [], result.output
    english = _invoke("--lang", "en", *args)
    assert english.exit_code == 2 and not _cjk(english.output)


@pytest.mark.parametrize("language", CHINESE)
def test_validate_says_ok_in_chinese(language: str) -> None:
    result = _invoke("--lang", language, "validate", BASELINE, SCENARIOS / "priors.yaml")
    assert result.exit_code == 0, result.output
    with translated(language):
        ok, name = _("ok  {path} ({description})").split()[0], _("name: {name}").split("{")[0]
    assert result.output.count(ok) == 2 and name in result.output and _cjk(ok)
    assert english_runs(result.output) == []


@pytest.mark.parametrize("language", CHINESE)
def test_ctrl_c_says_what_was_kept_in_chinese(
    language: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    destination = Destination(tmp_path, explicit=True, force=False, known_files=frozenset())
    for tally, shown in ((_Tally(3, 10, destination), "3"), (_Tally(), None)):
        with translated(language), pytest.raises(typer.Exit) as raised, _interrupt_reported(tally):
            raise KeyboardInterrupt
        assert raised.value.exit_code == 130
        message = capsys.readouterr().err
        assert _cjk(message) and "--reps" in message and english_runs(message) == [], message
        assert shown is None or (shown in message and str(tmp_path) in message)


@pytest.mark.parametrize("language", CHINESE)
def test_a_dead_worker_is_explained_in_chinese(
    language: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    @contextmanager
    def broken(*_args, **_kwargs):
        raise BrokenProcessPool
        yield  # pragma: no cover

    monkeypatch.setattr("sim.workers.local_backend", broken)
    with translated(language), pytest.raises(typer.Exit), _worker_pool(3):
        pass
    message = capsys.readouterr().err
    assert _cjk(message) and "--workers 3" in message and english_runs(message) == [], message


@pytest.mark.parametrize("language", CHINESE)
def test_folders_and_system_errors_are_explained_in_chinese(language: str, tmp_path: Path) -> None:
    (tmp_path / "summary.json").write_text(json.dumps({"seed": 5, "reps": 1}), encoding="utf-8")
    (tmp_path / "scenario.yaml").write_text("other", encoding="utf-8")
    known = frozenset({"summary.json", "scenario.yaml"})
    identity = RunIdentity("summary.json", "scenario.yaml", "mine", 0, 1)
    missing = FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), "x.yaml")
    with translated(language):
        _folder, note = Destination(tmp_path, explicit=False, force=False, known_files=known).choose(identity)
        described = _describe_os_error(missing)
        own = _describe_os_error(OSError(errno.EACCES, "a reason feesim wrote", "y"))
        with pytest.raises(OSError) as here:
            Destination(Path.cwd(), explicit=True, force=False, known_files=known).check()
        with pytest.raises(ValueError) as precision:
            Target(half_width=-1.0)
        inline = InlineBackend(lambda spec: spec).name
    for text in (note, described, _describe_os_error(here.value), str(precision.value), inline):
        assert _cjk(text) and english_runs(text) == [], text
    assert described.startswith("x.yaml: ") and "--force" in note and str(tmp_path) in note
    assert own == "y: a reason feesim wrote"  # feesim's own words are shown as written
    with translated("en"):
        assert _describe_os_error(missing) == "x.yaml: No such file or directory"


@pytest.mark.parametrize("language", CHINESE)
def test_figures_across_worlds_are_chinese(language: str) -> None:
    across = {
        "final_paid_share": {"median": 0.81, "p05": 0.7, "p95": 0.9, "worlds": 8},
        "days_to_80": {"median": None, "p05": None, "p95": None, "worlds": 0},
        "staff_hours": {"median": 900.0, "p05": 800.0, "p95": 1000.0, "worlds": 6},
    }
    ranked = [{"key": "herd.weight", "coefficient": 0.61, "stands_out": True}]
    with translated(language):
        lines = [
            *_across_lines(across, 8, 2, "scenarios/priors.yaml"),
            _drivers_line(ranked, 8),
            _drivers_line([{**ranked[0], "stands_out": False}], 8),
        ]
    text = "\n".join(lines)
    assert all(_cjk(line) for line in lines) and english_runs(text) == [], text
    assert "81.0%" in text and "herd.weight (+0.61)" in text
    with translated("en"):
        assert english_runs("\n".join(_across_lines(across, 8, 2, "priors.yaml")))


@pytest.mark.parametrize("language", CHINESE)
@pytest.mark.parametrize("command", COMMANDS)
def test_the_help_of_every_command_is_chinese_and_never_cropped(language: str, command: str) -> None:
    result = _invoke("--lang", language, *([command] if command else []), "--help")
    assert result.exit_code == 0, result.output
    assert "…" not in result.output.replace("……", ""), result.output  # folded, not cropped
    assert english_runs(result.output) == [], result.output
    english = _invoke(*([command] if command else []), "--help")
    assert english_runs(english.output), "the detector must find the English help's sentences"
