"""A collector's day: every contact, bill and promise of one collector on one day, in time order."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from sim.calendar import HOURS_PER_DAY
from sim.views.errors import ViewError
from sim.views.eventlog import CONTACT_KINDS, FEE_CONTACTS, MISSED, clock, day_of

if TYPE_CHECKING:
    from sim.records import EventRecord
    from sim.views.moods import OwnerMoods
    from sim.views.onerun import LoggedRun

__all__ = ["busiest_day", "collector_day"]


def busiest_day(records: list[EventRecord]) -> int:
    """Return the day with the most contacts (else records), the earliest of equally busy days."""
    days = Counter(day_of(r.time) for r in records if r.kind in CONTACT_KINDS)
    days = days or Counter(day_of(r.time) for r in records)
    return min(days, key=lambda d: (-days[d], d))


def collector_day(run: LoggedRun, collector: int, day: int | None = None) -> list[str]:
    """Return the lines of one collector's day (their busiest day unless `day` is given)."""
    collectors, horizon = run.scenario.team.collectors, run.scenario.horizon_days
    if not 0 <= collector < collectors:
        raise ViewError(
            f"no collector {collector} in scenario {run.scenario.name}: ids are 0 to {collectors - 1}"
        )
    if day is not None and not 0 <= day < horizon:
        raise ViewError(f"--day {day} is outside the campaign: days are 0 to {horizon - 1}")
    mine = sorted((r for r in run.records if r.collector == collector), key=lambda r: r.time)
    if day is None:
        if not mine:
            raise ViewError(f"collector {collector} did nothing in this run (scenario {run.scenario.name})")
        day = busiest_day(mine)
    today = [r for r in mine if day_of(r.time) == day]
    date = clock(day * HOURS_PER_DAY, run.start).rsplit(" ", 3)[0]
    from sim.views.moods import OwnerMoods
    from sim.views.story import MOOD_NOTE

    moods = OwnerMoods(run)
    lines = [_line(run, r, moods) for r in today] or ["(no contacts, bills or promises that day)"]
    return [_heading(run, collector, day, date, today), "", *lines, "", MOOD_NOTE]


def _heading(run: LoggedRun, collector: int, day: int, date: str, today: list[EventRecord]) -> str:
    """Return the summary line of the day."""
    fee = [r for r in today if r.kind in FEE_CONTACTS]
    reached = sum(r.outcome not in MISSED for r in fee)
    promises = sum(r.kind == "promise" for r in today)
    on_the_spot = sum(r.outcome == "pays_now" for r in fee)
    bills = sum(r.kind == "bill" for r in today)
    morale = run.result.daily["morale"]
    end = (
        f"; team morale at the end of the day {float(morale.iloc[day + 1]):.3f}"
        if day + 1 < len(morale)
        else ""
    )
    return (
        f"Collector #{collector} on {date} (day {day}), scenario {run.scenario.name}, seed {run.seed}:"
        f" {bills} bills handed out, {len(fee)} fee contacts ({reached} reached), {promises} promises,"
        f" {on_the_spot} paid on the spot{end}."
    )


def _line(run: LoggedRun, record: EventRecord, moods: OwnerMoods) -> str:
    """Return one line of the day: time, what, whom, outcome."""
    at = clock(record.time, run.start).split()[4]  # HH:MM
    unit = run.population.unit_label(record.owner) if record.owner >= 0 else "-"
    segment = run.result.owners["segment"].iloc[record.owner] if record.owner >= 0 else ""
    whom = f"{unit} ({segment})"
    if record.kind in CONTACT_KINDS:
        mood = f"mood {record.value:.2f} {moods.word(record.owner, record.value)}"
        outcome = record.outcome.replace("_", " ")
        return f"{at}  {record.kind.replace('_', ' '):<16} {whom:<22} {mood:<19} -> {outcome}"
    if record.kind == "bill":
        return f"{at}  {'bill':<16} {whom:<22} saw {record.value:.0%} of the building paid"
    if record.kind == "promise":
        return f"{at}  {'  promise':<16} {whom:<22} will pay by {clock(record.value, run.start)}"
    return f"{at}  {'  ' + record.kind.replace('_', ' '):<16} {whom:<22} {record.outcome}"
