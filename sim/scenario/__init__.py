"""Scenario: the schema of a campaign, and loading it from YAML with clear errors."""

from sim.scenario.errors import ScenarioError
from sim.scenario.load import (
    load_scenario,
    merged_scenario_dict,
    parse_overrides,
    scenario_from_dict,
    scenario_to_yaml,
)
from sim.scenario.schema import Scenario

__all__ = [
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "merged_scenario_dict",
    "parse_overrides",
    "scenario_from_dict",
    "scenario_to_yaml",
]
