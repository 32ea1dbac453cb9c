"""What a calibration leaves in its folder: calibrated.yaml, posterior.parquet and fit.json."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from sim.calibration.procedure import Calibration, Check
from sim.languages import _
from sim.output import to_json_text, write_parquet_atomic, write_text_atomic
from sim.scenario.load import nest_key_paths

__all__ = ["calibrated_yaml", "fit_summary", "write_tables"]


def write_tables(
    folder: Path,
    calibration: Calibration,
    scenario_file: Path,
    overrides: Mapping[str, object],
    facts: dict[str, Any],
) -> list[Path]:
    """Write calibrated.yaml, posterior.parquet and fit.json into `folder`; return their paths."""
    posterior = calibration.posterior.reset_index()
    return [
        write_text_atomic(
            folder / "calibrated.yaml", calibrated_yaml(calibration, scenario_file, folder, overrides)
        ),
        write_parquet_atomic(folder / "posterior.parquet", posterior),
        write_text_atomic(
            folder / "fit.json", to_json_text(fit_summary(calibration, facts), indent=2) + "\n"
        ),
    ]


def fit_summary(calibration: Calibration, facts: dict[str, Any]) -> dict[str, Any]:
    """Return the fields of fit.json: the fit's figures, each parameter's interval, and how it was found."""
    check = calibration.check
    return {
        "rmse_pp": round(check.rmse_pp, 3),
        "max_dev_pp": round(check.max_dev_pp, 3),
        "r2": round(check.r2, 5),
        "final_error_pp": round(check.final_error_pp, 3),
        "holdout_rmse_pp": round(calibration.holdout.rmse_pp, 3),
        "inside_band": round(check.inside_band, 3),
        "holdout_inside_band": round(calibration.holdout.inside_band, 3),
        "holdout": calibration.holdout_kind,
        "money_rmse_pp": round(calibration.money_check.rmse_pp, 3),
        "parameters": {
            p.key: {
                "estimate": p.estimate,
                "ci_low": p.ci_low,
                "ci_high": p.ci_high,
                "identified": p.identified,
                "prior_low": p.prior_low,
                "prior_high": p.prior_high,
                "interval_share_of_prior": round(p.width_share, 3),
            }
            for p in calibration.parameters
        },
        "by_building": {label: _check_fields(check) for label, check in calibration.buildings.items()},
        "runs": calibration.runs,
        "method": "regression ABC with semi-automatic summaries over a Latin hypercube of the priors",
        "moments": list(calibration.moments),
        "contacts": calibration.contacts is not None,
        **_contact_fields(calibration),
        **facts,
    }


def _contact_fields(calibration: Calibration) -> dict[str, Any]:
    """Return fit.json's contact fields: the log's count and its moments against the posterior's (if used)."""
    if calibration.contacts is None:
        return {}
    return {
        "contact_count": calibration.contacts,
        "contact_moments": {
            m.name: {
                "observed": round(m.observed, 5),
                "posterior_median": round(m.median, 5),
                "posterior_low": round(m.low, 5),
                "posterior_high": round(m.high, 5),
            }
            for m in calibration.contact_moments
        },
    }


def calibrated_yaml(
    calibration: Calibration, scenario_file: Path, folder: Path, overrides: Mapping[str, object]
) -> str:
    """Return a scenario that extends the calibrated one, with the fitted values and their intervals."""
    parent = Path(os.path.relpath(scenario_file.resolve(), folder.resolve())).as_posix()
    # TRANSLATORS: the comment at the top of calibrated.yaml; keep its line breaks short (about 90 columns).
    head = _(
        "Calibrated by `feesim calibrate`: the posterior medians of the calibrated parameters;\n"
        "each comment gives the 90% interval. A parameter the ledger does not identify\n"
        "(its interval spans half its prior's or more) keeps the median, marked so:\n"
        "compare plans in the posterior's worlds (--worlds N --priors posterior.parquet) to carry\n"
        "the uncertainty."
    )
    lines = [*(f"# {line}" for line in head.splitlines()), f"extends: {parent}"]
    settings = {**overrides, **{p.key: p.estimate for p in calibration.parameters}}
    identified = _("90% interval [{low}, {high}]")
    not_identified = _("90% interval [{low}, {high}]; not identified by the ledger")
    notes = {
        p.key: (identified if p.identified else not_identified).format(
            low=f"{p.ci_low:.4g}", high=f"{p.ci_high:.4g}"
        )
        for p in calibration.parameters
    }
    lines += _nested_lines(settings, notes)
    return "\n".join(lines) + "\n"


def _nested_lines(settings: Mapping[str, object], notes: Mapping[str, str]) -> list[str]:
    tree = nest_key_paths(settings)
    out: list[str] = []

    def walk(node: Mapping[str, Any], depth: int, prefix: str) -> None:
        for name, value in node.items():
            path = f"{prefix}{name}"
            if isinstance(value, Mapping):
                out.append(f"{'  ' * depth}{name}:")
                walk(value, depth + 1, path + ".")
            else:
                text = (
                    yaml.safe_dump(_plain(value), default_flow_style=True).strip().removesuffix("...").strip()
                )
                note = f"  # {notes[path]}" if path in notes else ""
                out.append(f"{'  ' * depth}{name}: {text}{note}")

    walk(tree, 0, "")
    return out


def _plain(value: object) -> object:
    if hasattr(value, "item"):
        value = value.item()  # type: ignore[union-attr]
    if isinstance(value, float):
        return float(f"{value:.6g}")
    return value


def _check_fields(check: Check) -> dict[str, float]:
    return {
        "rmse_pp": round(check.rmse_pp, 3),
        "final_error_pp": round(check.final_error_pp, 3),
        "inside_band": round(check.inside_band, 3),
    }
