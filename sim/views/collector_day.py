"""A collector's day: every contact, bill and promise of one collector on one day, in time order."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from sim.languages import _, speaks_english
from sim.languages.wrap import pad
from sim.views.errors import ViewError
from sim.views.eventlog import CONTACT_KINDS, FEE_CONTACTS, MISSED, clock, day_date, day_of, hour_minute
from sim.views.words import (
    contact_words,
    mood_word,
    outcome_words,
    reason_words,
    record_kind_words,
    segment_words,
)

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
            _("no collector {collector} in scenario {scenario}: ids are 0 to {last}").format(
                collector=collector, scenario=run.scenario.name, last=collectors - 1
            )
        )
    if day is not None and not 0 <= day < horizon:
        raise ViewError(
            _("--day {day} is outside the campaign: days are 0 to {last}").format(day=day, last=horizon - 1)
        )
    mine = sorted((r for r in run.records if r.collector == collector), key=lambda r: r.time)
    if day is None:
        if not mine:
            raise ViewError(
                _("collector {collector} did nothing in this run (scenario {scenario})").format(
                    collector=collector, scenario=run.scenario.name
                )
            )
        day = busiest_day(mine)
    today = [r for r in mine if day_of(r.time) == day]
    date = day_date(run.start, day)
    from sim.views.moods import OwnerMoods
    from sim.views.story import MOOD_NOTE

    moods = OwnerMoods(run)
    lines = [_line(run, r, moods) for r in today] or [_("(no contacts, bills or promises that day)")]
    return [_heading(run, collector, day, date, today), "", *lines, "", _(MOOD_NOTE)]


def _heading(run: LoggedRun, collector: int, day: int, date: str, today: list[EventRecord]) -> str:
    """Return the summary line of the day."""
    fee = [r for r in today if r.kind in FEE_CONTACTS]
    reached = sum(r.outcome not in MISSED for r in fee)
    promises = sum(r.kind == "promise" for r in today)
    on_the_spot = sum(r.outcome == "pays_now" for r in fee)
    bills = sum(r.kind == "bill" for r in today)
    morale = run.result.daily["morale"]
    end = (
        _("; team morale at the end of the day {morale:.3f}").format(morale=float(morale.iloc[day + 1]))
        if day + 1 < len(morale)
        else ""
    )
    return _(
        "Collector #{collector} on {date} (day {day}), scenario {scenario}, seed {seed}: {bills} bills"
        " handed out, {fee} fee contacts ({reached} reached), {promises} promises, {on_the_spot} paid on"
        " the spot{end}."
    ).format(
        collector=collector,
        date=date,
        day=day,
        scenario=run.scenario.name,
        seed=run.seed,
        bills=bills,
        fee=len(fee),
        reached=reached,
        promises=promises,
        on_the_spot=on_the_spot,
        end=end,
    )


def _line(run: LoggedRun, record: EventRecord, moods: OwnerMoods) -> str:
    """Return one line of the day: time, what, whom, outcome."""
    at = hour_minute(record.time)
    unit = run.population.unit_label(record.owner) if record.owner >= 0 else "-"
    segment = run.result.owners["segment"].iloc[record.owner] if record.owner >= 0 else ""
    whom = _("{unit} ({segment})").format(unit=unit, segment=segment_words(segment) if segment else "")
    if record.kind in CONTACT_KINDS:
        word = mood_word(moods.word(record.owner, record.value))
        mood = _("mood {mood:.2f} {word}").format(mood=record.value, word=word)
        what = f"{pad(contact_words(record.kind), 16)} {pad(whom, 22)} {pad(mood, 19)}"
        return f"{at}  {what} -> {outcome_words(record.outcome)}"
    if record.kind == "bill":
        saw = _("saw {share:.0%} of the building paid").format(share=record.value)
        bill = _("bill")
        return f"{at}  {pad(bill, 16)} {pad(whom, 22)} {saw}"
    if record.kind == "promise":
        due = _("will pay by {when}").format(when=clock(record.value, run.start))
        promise = _("promise")
        return f"{at}  {pad('  ' + promise, 16)} {pad(whom, 22)} {due}"
    kind, outcome = record_kind_words(record.kind), record.outcome
    if not speaks_english():
        outcome = reason_words(outcome) if record.kind == "refusal" else outcome_words(outcome)
    return f"{at}  {pad('  ' + kind, 16)} {pad(whom, 22)} {outcome}"
