"""The calibration procedure: design runs, regression ABC, the fit check and the hold-out check."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.abc import AbcFit, fit_abc, weighted_quantile
from sim.calibration.design import Design, choose_parameters, lhs_design
from sim.calibration.moments import CONTACT_MOMENTS, contact_moments, moment_set
from sim.calibration.payments import Payments
from sim.calibration.runs import SEEDS, RunSpec, run_payments
from sim.languages import N_, _
from sim.scenario.schema import Scenario
from sim.worlds.priors import PRIORS_FILE, Prior, load_priors, scenario_in_world

__all__ = [
    "Calibration",
    "CalibrationSettings",
    "Check",
    "ContactMoment",
    "HoldoutSplit",
    "ParameterFit",
    "calibrate",
    "calibrated_priors",
]

IDENTIFIED_WIDTH = 0.5
"""Identified: a 90% interval spanning less than this share of the prior's (in prior quantiles)."""

BAND = (0.05, 0.95)

HOLDOUT_BY_BUILDINGS = N_(
    "fit on {households} households of {fitted} buildings, predict the other {predicted}"
)
HOLDOUT_BY_TIME = N_("fit on days 1-{half}, predict days {first}-{last}")


@dataclass(frozen=True)
class CalibrationSettings:
    """How to calibrate: how many design runs, which parameters, which priors, which seed."""

    runs: int = 400
    accept: float = 0.25
    check_runs: int = 16
    posterior_worlds: int = 64
    seed: int = 0
    parameters: tuple[str, ...] = ()
    priors: Path | None = None


@dataclass(frozen=True)
class ParameterFit:
    """One calibrated parameter: the posterior median, its 90% interval, and the prior's range."""

    key: str
    estimate: float
    ci_low: float
    ci_high: float
    prior_low: float
    prior_high: float
    width_share: float
    summary_r2: float

    @property
    def identified(self) -> bool:
        """Return whether the ledger narrows the prior enough to call the parameter identified."""
        return self.width_share < IDENTIFIED_WIDTH


@dataclass(frozen=True)
class Check:
    """Observed against simulated cumulative curves (share of households paid by each day)."""

    observed: np.ndarray
    median: np.ndarray
    low: np.ndarray
    high: np.ndarray
    first_day: int = 1

    @property
    def rmse_pp(self) -> float:
        """Return the root mean square gap between the median and the observed curve, in points."""
        return float(100 * np.sqrt(np.mean((self.median - self.observed) ** 2)))

    @property
    def max_dev_pp(self) -> float:
        """Return the largest gap between the median and the observed curve, in points."""
        return float(100 * np.max(np.abs(self.median - self.observed)))

    @property
    def r2(self) -> float:
        """Return the share of the observed curve's variation the median curve reproduces."""
        total = np.sum((self.observed - self.observed.mean()) ** 2)
        return float(1 - np.sum((self.median - self.observed) ** 2) / total) if total > 0 else float("nan")

    @property
    def final_error_pp(self) -> float:
        """Return simulated minus observed share paid at the end, in points."""
        return float(100 * (self.median[-1] - self.observed[-1]))

    @property
    def inside_band(self) -> float:
        """Return the share of days on which the observed curve lies inside the 90% band."""
        return float(np.mean((self.observed >= self.low - 1e-12) & (self.observed <= self.high + 1e-12)))


@dataclass(frozen=True)
class ContactMoment:
    """One contact moment: the contact log's value and the posterior runs' median and 90% band."""

    name: str
    observed: float
    median: float
    low: float
    high: float


@dataclass(frozen=True)
class HoldoutSplit:
    """How the hold-out check split the ledger: its message (marked, in English) and the message's numbers."""

    message: str
    numbers: dict[str, str]

    def english(self) -> str:
        """Return the split in English (fit.json's ``holdout``)."""
        return self.message.format(**self.numbers)

    def describe(self) -> str:
        """Return the split in the language spoken."""
        return _(self.message).format(**self.numbers)


@dataclass(frozen=True)
class Calibration:
    """Everything the calibration found and the runs it took.

    `contacts` is the number of contacts in the contact log the fit used (None: no log);
    `contact_moments` compares the log's contact moments with the posterior runs'.
    `holdout_kind` is the hold-out's split in English; `holdout_split` says it in the language spoken.
    """

    design: Design
    fit: AbcFit
    parameters: list[ParameterFit]
    posterior: pd.DataFrame
    check: Check
    money_check: Check
    buildings: dict[str, Check]
    holdout: Check
    holdout_kind: str
    runs: int
    moments: tuple[str, ...]
    correlation: np.ndarray
    households: int
    notes: list[str] = field(default_factory=list)
    contacts: int | None = None
    contact_moments: tuple[ContactMoment, ...] = ()
    holdout_split: HoldoutSplit | None = None

    def holdout_description(self) -> str:
        """Return how the hold-out check split the ledger, in the language spoken."""
        return self.holdout_split.describe() if self.holdout_split is not None else self.holdout_kind


def calibrate(
    scenario: Scenario,
    observed: Payments,
    settings: CalibrationSettings,
    workers: int = 1,
    scheduler: str | None = None,
    advance: Callable[[], None] | None = None,
    building_labels: Sequence[str] | None = None,
) -> Calibration:
    """Calibrate `scenario`'s assumption parameters to the `observed` payments."""
    priors_path = settings.priors or PRIORS_FILE
    priors = calibrated_priors(settings)
    design = lhs_design(priors, settings.runs, settings.seed)
    data = scenario.model_dump(mode="json")
    scenarios = _scenarios(data, design.values(), str(priors_path))
    contacts = observed.has_contacts
    specs = [RunSpec(j, s, settings.seed, j % SEEDS, contacts) for j, s in enumerate(scenarios)]
    design_runs = [
        r.payments(scenario.horizon_days) for r in run_payments(specs, workers, scheduler, advance)
    ]

    moments = np.array([moment_set(p).values for p in design_runs])
    observed_moments = moment_set(observed)
    fit = fit_abc(design.u, moments, observed_moments.values, settings.accept)
    parameters = _parameters(design, fit)

    rng = np.random.default_rng(np.random.SeedSequence([settings.seed, 0x706F7374]))  # "post"
    posterior = design.values(fit.resample(settings.posterior_worlds, rng))
    check_worlds = design.values(fit.resample(settings.check_runs, rng))
    check_scenarios = _scenarios(data, check_worlds, "the posterior")
    check_specs = [RunSpec(i, s, settings.seed, SEEDS + i, contacts) for i, s in enumerate(check_scenarios)]
    check_runs = [
        r.payments(scenario.horizon_days) for r in run_payments(check_specs, workers, scheduler, advance)
    ]

    holdout, split = _holdout(design, design_runs, observed, settings.accept)
    labels = list(building_labels) if building_labels else []
    return Calibration(
        design=design,
        fit=fit,
        parameters=parameters,
        posterior=posterior,
        check=_check(observed, check_runs, Payments.household_curve),
        money_check=_check(observed, check_runs, Payments.money_curve),
        buildings=_by_building(observed, check_runs, labels),
        holdout=holdout,
        holdout_kind=split.english(),
        runs=len(specs) + len(check_specs),
        moments=observed_moments.names,
        correlation=fit.correlation(),
        households=observed.households,
        contacts=observed.contacts if contacts else None,
        contact_moments=_contact_check(observed, check_runs) if contacts else (),
        holdout_split=split,
    )


def calibrated_priors(settings: CalibrationSettings) -> tuple[Prior, ...]:
    """Return the priors of the parameters to calibrate; a ScenarioError names a bad file or key."""
    return choose_parameters(load_priors(settings.priors or PRIORS_FILE), settings.parameters)


def _scenarios(data: dict, worlds: pd.DataFrame, source: str) -> list[Scenario]:
    return [
        scenario_in_world(data, int(w), row, source, "scenario to calibrate") for w, row in worlds.iterrows()
    ]


def _parameters(design: Design, fit: AbcFit) -> list[ParameterFit]:
    low, mid, high = fit.quantiles((BAND[0], 0.5, BAND[1]))
    out = []
    for i, prior in enumerate(design.priors):
        values = prior.ppf(np.array([mid[i], low[i], high[i]]))
        out.append(
            ParameterFit(
                key=prior.key,
                estimate=float(values[0]),
                ci_low=float(values[1]),
                ci_high=float(values[2]),
                prior_low=prior.low,
                prior_high=prior.high,
                width_share=float((high[i] - low[i]) / (BAND[1] - BAND[0])),
                summary_r2=float(fit.summary_r2[i]),
            )
        )
    return out


def _check(
    observed: Payments, runs: Sequence[Payments], curve: Callable[[Payments], np.ndarray], first_day: int = 1
) -> Check:
    simulated = np.array([curve(p)[first_day - 1 :] for p in runs])
    low, median, high = np.quantile(simulated, (BAND[0], 0.5, BAND[1]), axis=0)
    return Check(curve(observed)[first_day - 1 :], median, low, high, first_day)


def _contact_check(observed: Payments, runs: Sequence[Payments]) -> tuple[ContactMoment, ...]:
    """Return the contact log's contact moments against the posterior runs' median and 90% band."""
    simulated = np.array([contact_moments(p) for p in runs])
    low, median, high = np.quantile(simulated, (BAND[0], 0.5, BAND[1]), axis=0)
    return tuple(
        ContactMoment(name, float(value), float(median[i]), float(low[i]), float(high[i]))
        for i, (name, value) in enumerate(zip(CONTACT_MOMENTS, contact_moments(observed), strict=True))
    )


def _by_building(observed: Payments, runs: Sequence[Payments], labels: list[str]) -> dict[str, Check]:
    out = {}
    for building in observed.buildings:

        def mine(p: Payments, b: int = int(building)) -> Payments:
            return p.subset(p.building == b)

        label = labels[building] if building < len(labels) else str(building + 1)
        out[label] = _check(mine(observed), [mine(p) for p in runs], Payments.household_curve)
    return out


def _holdout(
    design: Design, runs: Sequence[Payments], observed: Payments, accept: float
) -> tuple[Check, HoldoutSplit]:
    """Fit on half the buildings (every other one) and predict the others; on one building, by time.

    The fitted part keeps its contacts: those of its households, or those before the half.
    """
    buildings = observed.buildings
    if len(buildings) >= 2:
        fitted = np.isin(observed.building, buildings[::2])

        def fit_part(p: Payments) -> Payments:
            return p.subset(np.isin(p.building, buildings[::2]))

        def rest(p: Payments) -> Payments:
            return p.subset(~np.isin(p.building, buildings[::2]))

        numbers = {
            "households": f"{fitted.sum():,}",
            "fitted": str(len(buildings[::2])),
            "predicted": str(len(buildings[1::2])),
        }
        split = HoldoutSplit(HOLDOUT_BY_BUILDINGS, numbers)
        first_day = 1
    else:
        half = observed.horizon_days // 2

        def fit_part(p: Payments) -> Payments:
            return p.until(half)

        def rest(p: Payments) -> Payments:
            return p

        numbers = {"half": str(half), "first": str(half + 1), "last": str(observed.horizon_days)}
        split = HoldoutSplit(HOLDOUT_BY_TIME, numbers)
        first_day = half + 1
    moments = np.array([moment_set(fit_part(p)).values for p in runs])
    part_fit = fit_abc(design.u, moments, moment_set(fit_part(observed)).values, accept)
    curves = np.array([rest(runs[j]).household_curve()[first_day - 1 :] for j in part_fit.accepted])
    weights = part_fit.weights
    band = np.array(
        [[weighted_quantile(curves[:, d], weights, q) for d in range(curves.shape[1])] for q in (*BAND, 0.5)]
    )
    predicted = rest(observed).household_curve()[first_day - 1 :]
    return Check(predicted, band[2], band[0], band[1], first_day), split
