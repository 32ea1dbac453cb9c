"""feesim: discrete-event simulation of property-fee collection campaigns."""

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
