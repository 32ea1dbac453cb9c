"""feesim: discrete-event simulation of property-fee collection campaigns.

The public API is loaded lazily, so that `feesim --help` and `feesim
validate` start without importing the numerical stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.api import replicate, simulate
    from sim.records import EventRecord
    from sim.results import Replications, RunResult
    from sim.scenario import Scenario, ScenarioError, load_scenario

__all__ = [
    "EventRecord",
    "Replications",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "replicate",
    "simulate",
]
__version__ = "0.1.0"

_HOMES = {
    "EventRecord": "sim.records",
    "Replications": "sim.results",
    "RunResult": "sim.results",
    "Scenario": "sim.scenario",
    "ScenarioError": "sim.scenario",
    "load_scenario": "sim.scenario",
    "replicate": "sim.api",
    "simulate": "sim.api",
}


def __getattr__(name: str) -> Any:
    """Import a public name on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
