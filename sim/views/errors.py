"""The one error the views raise for bad input: a message for the user, printed as is (exit code 2)."""

from __future__ import annotations

__all__ = ["ViewError"]


class ViewError(Exception):
    """Bad input to a view (a results folder, an owner, a pick, an output file), with a readable message."""
