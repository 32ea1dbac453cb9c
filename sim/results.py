"""Results of runs: one run's curves, figures and records; a set of replications."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.metrics import TARGETS
from sim.records import EventRecord
from sim.scenario.base import SEGMENTS


@dataclass(frozen=True)
class RunResult:
    """The outcome of one simulated campaign."""

    scenario: str
    seed: tuple[int, ...]
    daily: pd.DataFrame
    kpis: dict[str, Any]
    owners: pd.DataFrame
    records: tuple[EventRecord, ...] | None = None


def mean_ci(values: Sequence[float], level: float = 0.95) -> tuple[float, float | None, float | None]:
    """Return the mean and its Student-t confidence interval (None with fewer than 2 values)."""
    data = np.asarray(values, dtype=float)
    mean = float(data.mean())
    if len(data) < 2:
        return mean, None, None
    half = float(stats.t.ppf(0.5 + level / 2, len(data) - 1) * data.std(ddof=1) / math.sqrt(len(data)))
    return mean, mean - half, mean + half


def ci_half_width(values: Sequence[float], level: float = 0.95) -> float:
    """Return the half-width of the mean's Student-t confidence interval (inf with fewer than 2 values)."""
    _mean, low, high = mean_ci(values, level) if len(values) >= 2 else (math.nan, None, None)
    return math.inf if low is None or high is None else (high - low) / 2


@dataclass(frozen=True)
class Replications(Sequence[RunResult]):
    """Replications of one scenario on the replication seeds of one master seed."""

    scenario: str
    seed: int
    results: tuple[RunResult, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, index: int) -> RunResult:  # type: ignore[override]
        return self.results[index]

    def __iter__(self) -> Iterator[RunResult]:
        return iter(self.results)

    @property
    def daily(self) -> pd.DataFrame:
        """Return every replication's daily curves in one long table with a `rep` column."""
        frames = [r.daily.assign(rep=k) for k, r in enumerate(self.results)]
        return pd.concat(frames, ignore_index=True)[["rep", *self.results[0].daily.columns]]

    def curve(self, column: str) -> np.ndarray:
        """Return a (reps x days+1) array of one daily column."""
        return np.vstack([r.daily[column].to_numpy() for r in self.results])

    def kpi(self, name: str) -> list[Any]:
        """Return one key figure of every replication."""
        return [r.kpis[name] for r in self.results]

    def summary(self) -> dict[str, Any]:
        """Return the summary over replications (the fields of `feesim run --json`)."""
        paid, money = self.curve("paid_share"), self.curve("money_share")
        final = paid[:, -1]
        mean, low, high = mean_ci(final)
        money_mean, money_low, money_high = mean_ci(money[:, -1])
        out: dict[str, Any] = {
            "scenario": self.scenario,
            "reps": len(self.results),
            "seed": self.seed,
            "days": self.results[0].daily["day"].tolist(),
            "paid_share": {
                "mean": paid.mean(axis=0).tolist(),
                "p05": np.quantile(paid, 0.05, axis=0).tolist(),
                "p95": np.quantile(paid, 0.95, axis=0).tolist(),
            },
            "money_share": {
                "mean": money.mean(axis=0).tolist(),
                "p05": np.quantile(money, 0.05, axis=0).tolist(),
                "p95": np.quantile(money, 0.95, axis=0).tolist(),
            },
            "final_paid_share": {"mean": mean, "ci_low": low, "ci_high": high},
            "final_money_share": {"mean": money_mean, "ci_low": money_low, "ci_high": money_high},
            "final_paid_share_by_segment": {
                segment: dict(
                    zip(
                        ("mean", "ci_low", "ci_high"),
                        mean_ci(self.curve(f"paid_share_{segment}")[:, -1]),
                        strict=True,
                    )
                )
                for segment in SEGMENTS
            },
            "days_to": {},
            "events": int(sum(self.kpi("events"))),
        }
        for target in TARGETS:
            reached = [d for d in self.kpi(f"days_to_{target}") if d is not None]
            out["days_to"][str(target)] = {
                "mean": float(np.mean(reached)) if reached else None,
                "reached": len(reached),
            }
        for name in ("calls", "reached", "staff_hours", "busy_hours", "duty_hours", "morale_mean"):
            value, lo, hi = mean_ci(self.kpi(name))
            out[name] = {"mean": value, "ci_low": lo, "ci_high": hi}
        out["collector_time"] = self.collector_time()
        out.update(self.activity())
        return out

    def collector_time(self) -> dict[str, Any]:
        """Return the collectors' shift hours and the shares of them spent on fee work and other duties."""
        shift = np.array(self.kpi("collector_hours"), dtype=float)
        out: dict[str, Any] = {"shift_hours": float(shift.mean())}
        for share, hours in (("fee_work_share", "busy_hours"), ("other_duties_share", "duty_hours")):
            ratios = np.array(self.kpi(hours), dtype=float) / np.maximum(shift, 1e-12)
            out[share] = dict(zip(("mean", "ci_low", "ci_high"), mean_ci(ratios), strict=True))
        return out

    def activity(self) -> dict[str, Any]:
        """Return the mean contacts, promises, tickets, hostile encounters and crew utilisation per run."""
        tickets = self.kpi("tickets")
        maintenance_waits = [t["maintenance_mean_wait_hours"] for t in tickets]
        return {
            "contacts": {
                **mean_contacts(self.kpi("contacts")),
                "right_party_rate": mean_or_none(self.kpi("right_party_rate")),
            },
            "promises": mean_fields(self.kpi("promises"), ("made", "kept", "broken")),
            "tickets": {
                **mean_fields(tickets, ("opened", "fixed", "escalated", "withdrawn", "maintenance_opened")),
                "mean_wait_hours": mean_or_none([t["mean_wait_hours"] for t in tickets]),
                "maintenance_mean_wait_hours": mean_or_none(maintenance_waits),
            },
            "hostile": float(np.mean(self.kpi("hostile"))),
            "complaints": float(np.mean(self.kpi("complaints"))),
            "ladder": mean_fields(self.kpi("ladder"), tuple(self.results[0].kpis["ladder"])),
            "service": {"utilisation": mean_or_none([s["utilisation"] for s in self.kpi("service")])},
        }


def mean_or_none(values: Sequence[float | None]) -> float | None:
    """Return the mean of the values that are not None (or NaN), or None if there are none."""
    present = [float(v) for v in values if v is not None and not math.isnan(v)]
    return float(np.mean(present)) if present else None


def mean_fields(records: Sequence[Mapping[str, float]], fields: Sequence[str]) -> dict[str, float]:
    """Return the mean of each of `fields` over `records`."""
    return {name: float(np.mean([r[name] for r in records])) for name in fields}


def mean_contacts(per_run: Sequence[Mapping[str, Mapping[str, int]]]) -> dict[str, dict[str, float]]:
    """Return {kind: {outcome: mean count}} over the union of kinds and outcomes (missing counts as 0)."""
    kinds = sorted({kind for run in per_run for kind in run})
    out: dict[str, dict[str, float]] = {}
    for kind in kinds:
        outcomes = sorted({o for run in per_run for o in run.get(kind, {})})
        out[kind] = {o: float(np.mean([run.get(kind, {}).get(o, 0) for run in per_run])) for o in outcomes}
    return out
