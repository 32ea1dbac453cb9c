"""Reading nested scenario mappings in tests: every number by its dotted key path."""

from __future__ import annotations

from typing import Any


def numbers_by_key_path(mapping: dict[str, Any]) -> dict[str, float]:
    """Return every numeric leaf of `mapping` (booleans excluded) by its dotted key path."""
    found: dict[str, float] = {}

    def walk(value: object, path: str) -> None:
        if isinstance(value, dict):
            for name, child in value.items():
                walk(child, f"{path}.{name}" if path else name)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            found[path] = value

    walk(mapping, "")
    return found
