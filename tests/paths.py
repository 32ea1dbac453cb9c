"""Paths of the project that tests use."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


def small_community(horizon_days: int) -> list[str]:
    """Return the `--set` options of the small community the CLI tests run (200 households, 4 buildings)."""
    return [
        "--set",
        "community.households=200",
        "--set",
        "community.buildings=4",
        "--set",
        f"horizon_days={horizon_days}",
    ]
