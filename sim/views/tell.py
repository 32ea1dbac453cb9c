"""What ``feesim story`` tells: one owner (by unit id or by pick) or one collector's day."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.languages import _
from sim.views.errors import ViewError

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

__all__ = ["tell"]


def tell(
    scenario: Scenario,
    seed: int,
    owner: str | None = None,
    pick: str | None = None,
    collector: int | None = None,
    day: int | None = None,
) -> list[str]:
    """Return the story lines asked for by exactly one of `owner` (unit id), `pick` and `collector`."""
    from sim.views.picks import PICKS, check_pick

    chosen = [name for name, value in (("--owner", owner), ("--pick", pick), ("--collector", collector))
              if value is not None]  # fmt: skip
    if len(chosen) != 1:
        raise ViewError(
            _(
                "feesim story needs exactly one of --owner UNIT, --pick KIND or --collector ID"
                " (got {chosen}); pick kinds: {picks}"
            ).format(chosen=", ".join(chosen) or _("none"), picks=", ".join(PICKS))
        )
    if day is not None and collector is None:
        raise ViewError(_("--day goes with --collector (a collector's day)"))
    if pick is not None:
        check_pick(scenario, pick)  # before the run: an unknown pick, or one that cannot happen here
    return _tell(scenario, seed, owner, pick, collector, day)


def _tell(
    scenario: Scenario, seed: int, owner: str | None, pick: str | None, collector: int | None, day: int | None
) -> list[str]:
    """Run replication 0 of `seed` and tell the chosen story."""
    from sim.views.collector_day import collector_day
    from sim.views.onerun import logged_run
    from sim.views.picks import PICKS, pick_owner
    from sim.views.story import owner_story, resolve_unit

    run = logged_run(scenario, seed)
    if collector is not None:
        return collector_day(run, collector, day)
    if owner is not None:
        return owner_story(run, resolve_unit(run, owner))
    assert pick is not None
    found = pick_owner(run, pick)
    return [
        _("--pick {pick}: the first owner of this run who is {description}.").format(
            pick=pick, description=PICKS[pick].describe()
        ),
        *owner_story(run, found),
    ]
