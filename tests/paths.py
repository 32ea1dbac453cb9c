"""Paths of the project that tests use."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
PRIORS = SCENARIOS / "priors.yaml"  # the shipped priors: not a scenario
