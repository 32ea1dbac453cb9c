"""The classroom's challenges and plans, in SQLite under the output folder: a restarted server loses nothing.

A challenge is a community (shipped or hidden), a staff-hours budget, a seed and a
number of replications, known by a join code.  A plan is one team's overrides; its
evaluation (per-replication outcomes on the challenge's seeds) is stored once computed.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["CODE_ALPHABET", "Challenge", "ChallengeStore", "Plan"]

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Join-code letters: no 0/O or 1/I, which a room reading a code off a screen mixes up."""
CODE_LENGTH = 6
SCHEMA = """
CREATE TABLE IF NOT EXISTS challenges (
    code TEXT PRIMARY KEY,
    community TEXT NOT NULL,
    overrides TEXT NOT NULL,
    budget REAL NOT NULL,
    seed INTEGER NOT NULL,
    reps INTEGER NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL REFERENCES challenges(code),
    team TEXT NOT NULL,
    overrides TEXT NOT NULL,
    submitted TEXT NOT NULL,
    outcome TEXT,
    UNIQUE (code, team)
);
"""


@dataclass(frozen=True)
class Challenge:
    """A classroom challenge."""

    code: str
    community: str
    overrides: dict[str, Any]
    budget: float
    seed: int
    reps: int
    created: str


@dataclass(frozen=True)
class Plan:
    """One team's plan in a challenge, with its evaluation once computed."""

    id: int
    code: str
    team: str
    overrides: dict[str, Any]
    submitted: str
    outcome: dict[str, Any] | None


class ChallengeStore:
    """Challenges and plans in one SQLite file (each write is one transaction)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def create(
        self, community: str, overrides: dict[str, Any], budget: float, seed: int, reps: int
    ) -> Challenge:
        """Store a new challenge under a fresh join code and return it."""
        with self._lock:
            while True:
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                if self._db.execute("SELECT 1 FROM challenges WHERE code = ?", (code,)).fetchone() is None:
                    break
            row = (code, community, json.dumps(overrides), budget, seed, reps, _now())
            self._db.execute("INSERT INTO challenges VALUES (?, ?, ?, ?, ?, ?, ?)", row)
        return Challenge(code, community, overrides, budget, seed, reps, row[-1])

    def challenge(self, code: str) -> Challenge | None:
        """Return the challenge with join code `code` (any case), or None."""
        with self._lock:
            row = self._db.execute("SELECT * FROM challenges WHERE code = ?", (code.upper(),)).fetchone()
        if row is None:
            return None
        return Challenge(row[0], row[1], json.loads(row[2]), row[3], row[4], row[5], row[6])

    def add_plan(self, code: str, team: str, overrides: dict[str, Any]) -> Plan | None:
        """Store a team's plan; return None if that team already submitted one."""
        submitted = _now()
        with self._lock:
            try:
                cursor = self._db.execute(
                    "INSERT INTO plans (code, team, overrides, submitted) VALUES (?, ?, ?, ?)",
                    (code, team, json.dumps(overrides), submitted),
                )
            except sqlite3.IntegrityError:
                return None
        return Plan(int(cursor.lastrowid or 0), code, team, overrides, submitted, None)

    def plans(self, code: str | None = None) -> list[Plan]:
        """Return the plans of one challenge (or of every challenge), in the order submitted."""
        query = "SELECT id, code, team, overrides, submitted, outcome FROM plans"
        with self._lock:
            if code is None:
                rows = self._db.execute(query + " ORDER BY id").fetchall()
            else:
                rows = self._db.execute(query + " WHERE code = ? ORDER BY id", (code,)).fetchall()
        return [
            Plan(r[0], r[1], r[2], json.loads(r[3]), r[4], None if r[5] is None else json.loads(r[5]))
            for r in rows
        ]

    def save_outcome(self, plan: int, outcome: dict[str, Any]) -> None:
        """Store a plan's evaluation."""
        with self._lock:
            self._db.execute("UPDATE plans SET outcome = ? WHERE id = ?", (json.dumps(outcome), plan))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
