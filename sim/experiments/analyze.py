"""Analysis of a finished sweep: point means with confidence, sensitivity indices, the best lever setting.

Reads only the sweep's folder (`results.parquet`, `points.parquet`,
`design.json`) and writes `analysis.json`, `points_summary.csv` and one figure
per analysis (`sensitivity_<outcome>.png`, `levers_<outcome>.png`):

* every design: per point and outcome, the mean over replications and its
  95% Student-t interval;
* `sobol` designs: first-order and total Sobol indices with their 95%
  confidence (SALib `sobol.analyze`) of each sampled factor, per group of
  crossed levers;
* `morris` designs: mu* and sigma with mu*'s confidence (SALib `morris.analyze`);
* lever grids: per outcome, the best setting and the paired difference to
  the runner-up over the replications (every point runs on the same
  replication seeds, so the pairs share their random numbers);
* a grid of one numeric lever (``team.collectors``): what each step up the lever
  brings per unit added, and where one more unit stops paying for its staff cost
  (`sim.experiments.marginal`, figure ``marginal_<lever>.png``).

``setup`` says what every point shares (households, horizon, replications, staff
cost per hour) and ``warnings`` what makes the indices untrustworthy: a Sobol
sample too small for its indices (first order above total, or negative indices),
with the sample size that would do.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.compare import paired_difference
from sim.experiments.marginal import marginal_steps, numeric_lever
from sim.experiments.outcomes import lower_is_better
from sim.languages import _
from sim.output import to_json_text, write_csv_atomic, write_text_atomic
from sim.results import mean_ci

BOOTSTRAP_SEED = 1
"""Seed of SALib's bootstrap of the Sobol confidence intervals (not 0: SALib ignores a seed of 0)."""


def load_sweep(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Return the results table, the points table and the design description of a sweep folder."""
    missing = [
        name for name in ("results.parquet", "points.parquet", "design.json") if not (folder / name).exists()
    ]
    if missing:
        from sim.languages.formats import listing

        reason = _("not a finished sweep folder (missing {files})").format(files=listing(missing))
        raise FileNotFoundError(2, reason, str(folder))
    results = pd.read_parquet(folder / "results.parquet")
    points = pd.read_parquet(folder / "points.parquet")
    design = json.loads((folder / "design.json").read_text(encoding="utf-8"))
    return results, points, design


def point_summary(results: pd.DataFrame) -> pd.DataFrame:
    """Return per point and outcome: replications, mean, 95% CI (NaN values left out)."""
    rows = []
    for (point, outcome), group in results.groupby(["point", "outcome"], sort=True):
        values = group["value"].dropna().to_numpy()
        mean, low, high = mean_ci(values) if len(values) else (math.nan, None, None)
        rows.append(
            {
                "point": int(point),
                "outcome": outcome,
                "n": len(values),
                "mean": mean,
                "ci_low": math.nan if low is None else low,
                "ci_high": math.nan if high is None else high,
            }
        )
    return pd.DataFrame(rows)


def _ordered_means(results: pd.DataFrame, outcome: str, points: list[int]) -> np.ndarray:
    """Return the mean over replications of `outcome` at each point, in the given point order."""
    chosen = results[results["outcome"] == outcome]
    means = chosen.groupby("point")["value"].mean()
    return means.reindex(points).to_numpy(dtype=float)


def sensitivity(results: pd.DataFrame, points: pd.DataFrame, design: dict[str, Any]) -> dict[str, Any]:
    """Return Sobol or Morris indices per group of crossed levers and outcome."""
    problem = {**design["problem"], "bounds": [list(b) for b in design["problem"]["bounds"]]}
    out: dict[str, Any] = {}
    for group, members in points.groupby("group", sort=True):
        order = members.sort_values("sample")["point"].tolist()
        per_outcome = {}
        for outcome in results["outcome"].unique():
            y = _ordered_means(results, outcome, order)
            if np.isnan(y).any() or np.ptp(y) == 0:
                per_outcome[outcome] = None
                continue
            per_outcome[outcome] = _indices(design, problem, members, y)
        out[str(int(group))] = per_outcome
    return out


def _indices(design: dict[str, Any], problem: dict[str, Any], members: pd.DataFrame, y: np.ndarray) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if design["type"] == "sobol":
            from SALib.analyze import sobol

            # SALib seeds its bootstrap only for a truthy seed (seed=0 drew from the global state)
            found = sobol.analyze(problem, y, calc_second_order=False, conf_level=0.95, seed=BOOTSTRAP_SEED)
            keys = ("S1", "S1_conf", "ST", "ST_conf")
        else:
            from SALib.analyze import morris

            x = members.sort_values("sample")[problem["names"]].to_numpy(dtype=float)
            found = morris.analyze(problem, x, y, conf_level=0.95, num_levels=design["levels"], seed=0)
            keys = ("mu_star", "mu_star_conf", "sigma")
    return {name: {key: float(found[key][j]) for key in keys} for j, name in enumerate(problem["names"])}


def best_levers(results: pd.DataFrame, points: pd.DataFrame, levers: list[str]) -> dict[str, Any]:
    """Return, per outcome, the best lever setting and its paired difference to the runner-up."""
    out: dict[str, Any] = {}
    for outcome in results["outcome"].unique():
        chosen = results[results["outcome"] == outcome]
        wide = chosen.pivot_table(index="replication", columns="point", values="value", aggfunc="first")
        means = wide.mean(axis=0, skipna=True).dropna()
        if len(means) < 2:
            out[outcome] = None
            continue
        ranked = means.sort_values(ascending=lower_is_better(outcome))
        best, runner_up = int(ranked.index[0]), int(ranked.index[1])
        difference = paired_difference(wide[best].tolist(), wide[runner_up].tolist())
        out[outcome] = {
            "direction": "lower is better" if lower_is_better(outcome) else "higher is better",
            "best": _setting(points, best, levers),
            "best_mean": float(ranked.iloc[0]),
            "runner_up": _setting(points, runner_up, levers),
            "runner_up_mean": float(ranked.iloc[1]),
            "paired_difference": difference,
        }
    return out


def _setting(points: pd.DataFrame, point: int, levers: list[str]) -> dict[str, Any]:
    row = points.set_index("point").loc[point]
    return {"point": point, **{key: _plain(row[key]) for key in levers}}


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def analyze(folder: Path) -> dict[str, Any]:
    """Analyse a finished sweep folder, write the analysis files and return the analysis."""
    results, points, design = load_sweep(folder)
    summary = point_summary(results)
    write_csv_atomic(folder / "points_summary.csv", summary.merge(points, on="point", how="left"))
    setup = sweep_setup(folder, results, design)
    analysis: dict[str, Any] = {
        "design": design["type"],
        "points": len(points),
        "setup": setup,
        "warnings": [],
    }
    sampled = set(design["problem"]["names"])
    levers = [key for key in design["factors"] if key not in sampled]
    figures: list[str] = []
    if design["type"] in ("sobol", "morris") and sampled:
        analysis["sensitivity"] = sensitivity(results, points, design)
        if design["type"] == "sobol":
            analysis["warnings"] += sobol_warnings(analysis["sensitivity"], design)
        figures += _sensitivity_figures(folder, analysis, design["type"], setup)
    if levers and design["type"] == "grid" and not sampled:
        analysis["best_levers"] = best_levers(results, points, levers)
        lever = numeric_lever(points, levers)
        if lever is not None:
            analysis["marginal"] = marginal_steps(results, points, lever, setup["staff_cost_per_hour"])
            figures += _marginal_figure(folder, analysis["marginal"], setup)
        figures += _lever_figures(folder, summary, points, levers, setup)
    analysis["figures"] = figures
    write_text_atomic(folder / "analysis.json", to_json_text(analysis))
    return analysis


def _worlds_count(folder: Path) -> int | None:
    """Return how many worlds every point of the sweep ran in (``sweep.json``), None without worlds."""
    try:
        manifest = json.loads((folder / "sweep.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    worlds = manifest.get("worlds") if isinstance(manifest, dict) else None
    return int(worlds) if isinstance(worlds, int) and worlds > 0 else None


def sweep_setup(folder: Path, results: pd.DataFrame, design: Mapping[str, Any]) -> dict[str, Any]:
    """Return what every point of the sweep shares: its name, households, horizon, replications, staff cost.

    A value that a factor of the design changes is None (it differs between points).
    """
    scenario = _read_yaml(folder / "scenario.yaml")
    experiment = _read_yaml(folder / "experiment.yaml")
    factors = set(design.get("factors", ()))
    reps = results.groupby("point")["replication"].nunique()

    def shared(key: str) -> Any:
        if any(key == f or key.startswith(f + ".") for f in factors):
            return None
        node: Any = scenario
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        return node

    return {
        "experiment": experiment.get("name") or folder.name,
        "description": experiment.get("description", ""),
        "households": shared("community.households"),
        "horizon_days": shared("horizon_days"),
        "replications": int(reps.max()) if len(reps) else 0,
        "fewest_replications": int(reps.min()) if len(reps) else 0,
        "worlds": _worlds_count(folder),
        "staff_cost_per_hour": shared("team.staff_cost_per_hour"),
    }


def _read_yaml(path: Path) -> dict[str, Any]:
    """Return a YAML file of the sweep folder as a mapping (empty if it is missing)."""
    import yaml

    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


SOBOL_TARGET_HALF_WIDTH = 0.05
"""The 95% half-width of Sobol indices that `sobol_warnings` sizes its suggested sample for."""


def sobol_warnings(found: Mapping[str, Any], design: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return a warning per outcome whose Sobol indices show a sample too small (S1 above ST, or below 0).

    The suggested base sample scales the current one by the square of how much wider the
    widest 95% interval is than `SOBOL_TARGET_HALF_WIDTH` (intervals shrink as 1/sqrt(n)),
    rounded up to a power of 2 and at least twice the current one.
    """
    factors = design["problem"]["num_vars"]
    n = design["samples_per_group"] // (factors + 2)
    out = []
    for outcome, indices in found.get("0", {}).items():
        if not indices:
            continue
        above = [name for name, v in indices.items() if v["S1"] > v["ST"]]
        negative = [name for name, v in indices.items() if min(v["S1"], v["ST"]) < 0]
        if not above and not negative:
            continue
        widest = max(max(v["S1_conf"], v["ST_conf"]) for v in indices.values())
        wanted = max(2 * n, math.ceil(n * (widest / SOBOL_TARGET_HALF_WIDTH) ** 2))
        suggested = 1 << (wanted - 1).bit_length()
        out.append(
            {
                "outcome": outcome,
                "n": n,
                "first_order_above_total": above,
                "negative": negative,
                "widest_half_width": widest,
                "suggested_n": suggested,
                "suggested_points": suggested * (factors + 2),
            }
        )
    return out


def _sensitivity_figures(
    folder: Path, analysis: dict[str, Any], kind: str, setup: dict[str, Any]
) -> list[str]:
    from sim.views.sensitivity import save_sensitivity_figure

    caution = _("sample too small to trust (n = {n}): about n = {suggested} would do")
    cautions = {
        w["outcome"]: caution.format(n=w["n"], suggested=w["suggested_n"]) for w in analysis["warnings"]
    }
    written = []
    for outcome, indices in analysis["sensitivity"].get("0", {}).items():
        if indices is None:
            continue
        name = f"sensitivity_{outcome}.png"
        save_sensitivity_figure(folder / name, indices, outcome, kind, setup, cautions.get(outcome))
        written.append(name)
    return written


def _lever_figures(
    folder: Path, summary: pd.DataFrame, points: pd.DataFrame, levers: list[str], setup: dict[str, Any]
) -> list[str]:
    from sim.views.sensitivity import save_lever_figure

    written = []
    for outcome, rows in summary.groupby("outcome", sort=True):
        name = f"levers_{outcome}.png"
        save_lever_figure(folder / name, rows.merge(points, on="point"), levers, str(outcome), setup)
        written.append(name)
    return written


def _marginal_figure(folder: Path, marginal: dict[str, Any], setup: dict[str, Any]) -> list[str]:
    """Draw the money each added unit brings in against its staff cost, if the sweep recorded both."""
    from sim.views.sensitivity import save_marginal_figure

    if "stops_paying_after" not in marginal:
        return []
    name = f"marginal_{marginal['lever'].replace('.', '_')}.png"
    save_marginal_figure(folder / name, marginal, setup)
    return [name]
