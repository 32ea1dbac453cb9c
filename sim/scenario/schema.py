"""Scenario schema: inert, validated, immutable campaign description.

Every key a scenario file may hold is declared here, with its type, range and
default.  Unknown keys are rejected.  The schema imports nothing of the
engine: it only says what a campaign *is*, never how it runs.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from pydantic import Field, PrivateAttr, field_validator, model_validator

from sim.languages import _
from sim.scenario.base import (
    OUTCOMES,
    SCHEDULES,
    SEGMENTS,
    SHARE_TOLERANCE,
    WEEKDAYS,
    Count,
    Hour,
    Minutes,
    NonNegative,
    Probability,
    Relative,
    ScheduleName,
    SegmentName,
    Strict,
    TimeOfDay,
    Variation,
    Weekday,
    Window,
    _merge_over,
)
from sim.scenario.tactics import (
    Annoyance,
    ArrearsNotice,
    Atmosphere,
    Conduct,
    Debrief,
    Discovery,
    FollowUp,
    Goodwill,
    Lawsuit,
    LawyerLetter,
    Morale,
    Notices,
    OverContact,
    Publicity,
    PulseSteps,
    Sentiment,
    Service,
    Social,
    TeamVisits,
    Visits,
    WorkplaceVisits,
)

if TYPE_CHECKING:
    from sim.data.roster import Roster

__all__ = [
    "OUTCOMES",
    "SCHEDULES",
    "SEGMENTS",
    "WEEKDAYS",
    "Count",
    "Hour",
    "Minutes",
    "Scenario",
    "ScheduleName",
    "SegmentName",
    "Weekday",
    "Window",
]


class Range(Strict):
    """A uniform range [min, max]."""

    min: NonNegative
    max: NonNegative

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.max < self.min:
            raise ValueError(
                _("max ({max}) must not be below min ({min})").format(max=self.max, min=self.min)
            )
        return self


class Threshold(Strict):
    """Granovetter threshold of an owner: normal, clipped to [0, 1]."""

    mean: Probability = 0.3
    sd: NonNegative = 0.15


class Grievance(Strict):
    """Shares of a segment's owners holding a complaint (T4, T8, T9), by kind."""

    fixable: Probability = 0.0
    legacy: Probability = 0.0

    @model_validator(mode="after")
    def _at_most_one(self) -> Grievance:
        if self.fixable + self.legacy > 1.0 + SHARE_TOLERANCE:
            total = f"{self.fixable + self.legacy:.6g}"
            raise ValueError(_("fixable + legacy must not exceed 1, got {total}").format(total=total))
        return self


class Segment(Strict):
    """One owner segment (V4): its share and its payment propensities per day."""

    share: Probability
    p: NonNegative = Field(description="spontaneous payment hazard, per day")
    q: NonNegative = Field(description="herd sensitivity, per day")
    threshold: Threshold = Threshold()
    promise_keep: Probability = Field(0.5, description="keep probability of a promise due at once")
    grievance: Grievance = Grievance()
    response: Literal["linear", "threshold"] | None = Field(
        None, description="this segment's herd response (default: herd.response)"
    )


def _default_segments() -> dict[str, Segment]:
    return {
        "ordinary": Segment(
            share=0.6, p=0.02, q=0.04, promise_keep=0.7, grievance=Grievance(fixable=0.10, legacy=0.10)
        ),
        "undecided": Segment(
            share=0.3,
            p=0.002,
            q=0.04,
            threshold=Threshold(mean=0.4, sd=0.15),
            response="threshold",
            promise_keep=0.5,
            grievance=Grievance(fixable=0.15, legacy=0.15),
        ),
        "hard": Segment(
            share=0.1, p=0.0003, q=0.0, promise_keep=0.2, grievance=Grievance(fixable=0.30, legacy=0.35)
        ),
    }


class Segments(Strict):
    """The three segments; their shares must sum to 1.

    A file may give only some keys of a segment: the rest keep that
    segment's defaults.
    """

    ordinary: Segment
    undecided: Segment
    hard: Segment

    @model_validator(mode="before")
    @classmethod
    def _fill_defaults(cls, data: object) -> object:
        defaults = {k: v.model_dump() for k, v in _default_segments().items()}
        return _merge_over(defaults, data)

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> Segments:
        total = self.ordinary.share + self.undecided.share + self.hard.share
        if abs(total - 1.0) > SHARE_TOLERANCE:
            message = _("segment shares must sum to 1 (tolerance 1e-9), got {total}")
            raise ValueError(message.format(total=f"{total:.12g}"))
        return self

    def get(self, name: str) -> Segment:
        """Return the segment called `name`."""
        return getattr(self, name)


class Schedules(Strict):
    """Work schedules of owners (V1): five-day workers and everyone else."""

    five_day_share: Probability = 0.55


class Channel(Strict):
    """A payment channel that is open only inside its windows, and when owners come to it."""

    windows: tuple[Window, ...] = (
        Window(days=("mon", "tue", "wed", "thu", "fri", "sat"), start=8.5, end=17.5),
    )
    arrival_spread_hours: NonNegative = Field(
        9.0,
        description="an owner who decides while the centre is shut comes in at a time drawn uniformly over"
        " the first this many hours of its next opening (at most the whole opening); 0: all at the opening"
        " moment",
    )


class Channels(Strict):
    """How owners pay: online at any hour, or at the service centre in its hours."""

    online_share: Probability = 0.7
    service_centre: Channel = Channel()
    pay_now_on_call: Literal["online", "own_channel"] = Field(
        "online",
        description="how an owner who says 'pay now' on a call pays: online at once, or through their "
        "own channel (online, or at the service centre's next opening)",
    )


class ArrearsOdds(Strict):
    """Odds multipliers (against ordinary) of an owner with arrears last year, by segment (§5a)."""

    undecided: Annotated[float, Field(gt=0.0, le=1e6)] = 2.0
    hard: Annotated[float, Field(gt=0.0, le=1e6)] = 4.0


class History(Strict):
    """How a roster's history of an owner shifts their segment and grievance draws (§5a); 1: no shift."""

    arrears_odds: ArrearsOdds = ArrearsOdds()
    complaint_fixable_odds: Annotated[float, Field(gt=0.0, le=1e6)] = Field(
        3.0, description="odds multiplier of a fixable grievance for an owner with an open complaint"
    )


class Occupancy(Strict):
    """Owners of let or vacant units (a roster's occupancy) live elsewhere: home visits rarely meet them."""

    tenant_home_factor: Probability = Field(
        0.0, description="factor on the at-home chance of the owner of a let unit (0: never met at home)"
    )
    vacant_home_factor: Probability = Field(
        0.0, description="factor on the at-home chance of the owner of a vacant unit (0: never met at home)"
    )


class Owners(Strict):
    """Owner population: segments, schedules, phones, personal variation."""

    segments: Segments = Segments(**_default_segments())
    schedules: Schedules = Schedules()
    channels: Channels = Channels()
    phone_share: Probability = Field(0.9, description="share of owners with a valid phone number")
    out_of_touch_factor: Probability = Field(
        1.0,
        description="residual hazard factor of an owner with no valid phone until someone reaches them (T7);"
        " 1: none beyond the calls, messages and reminders that cannot reach them",
    )
    mood_sd: Variation = Field(0.15, description="sd of the log of the personal mood level")
    history: History = History()
    occupancy: Occupancy = Occupancy()


class Area(Strict):
    """Floor area of a household, uniform in [min, max] square metres."""

    min: Annotated[float, Field(gt=0.0, le=100_000.0)] = 60.0
    max: Annotated[float, Field(gt=0.0, le=100_000.0)] = 160.0

    @model_validator(mode="after")
    def _ordered(self) -> Area:
        if self.max < self.min:
            raise ValueError(
                _("max ({max}) must not be below min ({min})").format(max=self.max, min=self.min)
            )
        return self


RosterField = Literal[
    "unit",
    "building",
    "floor",
    "area_m2",
    "annual_fee",
    "fee_per_m2_month",
    "phone_valid",
    "occupancy",
    "arrears_last_year",
    "open_complaints",
]
ROSTER_FIELDS: tuple[str, ...] = get_args(RosterField)
"""The fields of a roster (§4a): `unit` and `building` are required."""


class Community(Strict):
    """Households in buildings, their areas and fees; or a roster of the community's own units (§4a)."""

    households: Annotated[int, Field(ge=0, le=200_000)] = 2000
    buildings: Annotated[int, Field(ge=1)] = 20
    floors: Annotated[int, Field(ge=1, le=200)] = 18
    area_m2: Area = Area()
    fee_per_m2_month: Annotated[float, Field(ge=0.0, le=1000.0)] = 2.5
    fee_months: Annotated[int, Field(ge=1, le=120)] = 12
    roster: str | None = Field(
        None,
        description="CSV or Excel file of the units (relative to the scenario file; stored resolved): its"
        " units and buildings replace households and buildings, its columns the drawn traits",
    )
    roster_columns: dict[str, RosterField] = Field(
        default_factory=dict, description="the roster's own headers mapped to fields, e.g. {户号: unit}"
    )


class Calendar(Strict):
    """Holidays: the built-in mainland-China list, none, or explicit dates."""

    holidays: Literal["china", "none"] | tuple[dt.date, ...] = "china"


class Herd(Strict):
    """Perceived paid share and the herd response (V4, T10)."""

    enabled: bool = True
    response: Literal["linear", "threshold"] = "linear"
    scope: Literal["building", "community"] = "building"
    perception: Literal["instant", "learning"] = "learning"
    learning_rate_per_day: Annotated[float, Field(ge=0.0, le=24.0)] = Field(
        0.1, description="rate of an owner's looks at the neighbourhood (learning perception), at most hourly"
    )


class MoodTable(Strict):
    """A weekly mood profile: a factor per weekday times a factor per hour."""

    day: tuple[Relative, ...] = Field(min_length=7, max_length=7)
    hour: tuple[Relative, ...] = Field(min_length=24, max_length=24)


class SeedAdjustments(Strict):
    """Factors of the seed preset's best and worst hours (V1), applied before normalising to mean 1."""

    fri_sat_afternoon: Annotated[float, Field(gt=0.0, le=1e6)] = Field(
        1.25, description="mood factor of Friday and Saturday 15:00-17:00 (hours 15 and 16)"
    )
    sunday_evening: Annotated[float, Field(gt=0.0, le=1e6)] = Field(
        0.6, description="mood factor of Sunday 18:00-24:00 (hours 18 to 23)"
    )


class Mood(Strict):
    """Weekly mood cycle (V1): a preset, optionally replaced per schedule type."""

    enabled: bool = True
    profile: Literal["evidence", "seed"] = "evidence"
    seed_adjustments: SeedAdjustments = Field(
        SeedAdjustments(), description="used by the seed preset only, not by explicit tables"
    )
    five_day: MoodTable | None = None
    other: MoodTable | None = None
    holiday_as: Weekday = "sun"


def _hours(night: float, *spans: tuple[int, int, float]) -> tuple[float, ...]:
    """Return 24 hourly values: `night` everywhere, then each (start, end, value) span laid over it."""
    values = [night] * 24
    for start, end, value in spans:
        values[start:end] = [value] * (end - start)
    return tuple(values)


class PresenceDay(Strict):
    """Relative chance of reaching an owner in each hour of the day (24 values, any scale)."""

    weekday: tuple[Relative, ...] = Field(min_length=24, max_length=24, description="Monday to Friday")
    weekend: tuple[Relative, ...] = Field(min_length=24, max_length=24, description="Saturday, Sunday")


class WakingHours(Strict):
    """Owners' waking hours: `availability.mean_reach` is the mean over them; promises fall due in them."""

    start: Annotated[int, Field(ge=0, le=23)] = 8
    end: Annotated[int, Field(ge=1, le=24)] = 22

    @model_validator(mode="after")
    def _ordered(self) -> WakingHours:
        if self.end <= self.start:
            raise ValueError(
                _("end ({end}) must be after start ({start})").format(end=self.end, start=self.start)
            )
        return self


class Availability(Strict):
    """Chance that a call at a given hour reaches the owner (V1, T7): a shape per schedule, scaled.

    The shapes are relative; the table of both schedules is scaled so that its
    mean over the waking hours of the week is `mean_reach`, then clipped to
    [0, 1].  An owner's chance of being at home is the same shape (see
    `team.home_share`).
    """

    enabled: bool = True
    mean_reach: Probability = Field(
        0.36, description="mean chance that a call reaches the owner, over the waking hours of the week"
    )
    waking_hours: WakingHours = WakingHours()
    five_day: PresenceDay = Field(
        PresenceDay(
            weekday=_hours(0.05, (8, 18, 0.55), (12, 14, 0.9), (18, 22, 1.6)),
            weekend=_hours(0.05, (9, 22, 1.4)),
        ),
        description="five-day workers: at work in office hours, reachable at lunch, evenings and weekends",
    )
    other: PresenceDay = Field(
        PresenceDay(
            weekday=_hours(0.05, (8, 22, 1.0), (12, 14, 0.9)),
            weekend=_hours(0.05, (8, 22, 1.0), (12, 14, 0.9)),
        ),
        description="other schedules (retired, shift workers, self-employed): reachable through the day",
    )


class OtherDuties(Strict):
    """Collectors' non-fee work (they are housekeepers): a stream of tasks taken before any fee work."""

    enabled: bool = True
    share: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(
        0.7, description="mean share of each collector's working time taken by other duties"
    )
    minutes: Minutes = Field(Minutes(mean=20.0, cv=1.0), description="duration of one task")


class Team(Strict):
    """Collectors and their shifts."""

    def shift_windows(self) -> tuple[Window, ...]:
        """Return the shift as a tuple of weekly windows."""
        return self.shift if isinstance(self.shift, tuple) else (self.shift,)

    collectors: Annotated[int, Field(ge=0, le=1000)] = 4
    shift: Window | tuple[Window, ...] = Field(
        Window(days=("mon", "tue", "wed", "thu", "fri"), start=8.5, end=17.5),
        description="one weekly window, or several (split shifts, evenings, weekends)",
    )
    work_on_holidays: bool = False
    call_minutes: Minutes = Minutes(mean=4.0)
    ring_minutes: Minutes = Minutes(mean=0.75, cv=0.3)
    delivery_minutes: Minutes = Minutes(mean=2.0)
    morale: Morale = Morale()
    other_duties: OtherDuties = OtherDuties()
    home_share: Probability = Field(
        0.6, description="at-home chance = this x the owner's relative presence at that hour (at most 1)"
    )
    staff_cost_per_hour: NonNegative = Field(
        35.0, description="CNY per staff hour (wage and overheads), for the cost per 10,000 CNY collected"
    )


class StageTrigger(Strict):
    """When the next billing stage starts: a paid share of the previous one, or a day."""

    paid_share: Probability = Field(
        0.5, description="V4: the next stage opens once most of this one has paid"
    )
    max_days: NonNegative = Field(42.0, description="the next stage opens at the latest this many days on")
    check_hour: TimeOfDay = Field(
        8.0, description="time of day of the daily check of the stage's paid share (hours after midnight)"
    )


class Billing(Strict):
    """Bill delivery (V4): bulk or staged by segment."""

    mode: Literal["bulk", "staged"] = "bulk"
    delivery: Literal["collectors", "instant"] = "collectors"
    start_day: NonNegative = 0.0
    stages: tuple[SegmentName, ...] = ("ordinary", "undecided", "hard")
    next_stage: StageTrigger = StageTrigger()

    @field_validator("stages")
    @classmethod
    def _each_segment_once(cls, stages: tuple[str, ...]) -> tuple[str, ...]:
        if sorted(stages) != sorted(SEGMENTS):
            raise ValueError(_("stages must list each of {names} exactly once").format(names=list(SEGMENTS)))
        return stages


class RetryDays(Strict):
    """Days before an owner is called again, by the last call's result."""

    no_answer: NonNegative = 2.0
    stalls: NonNegative = 7.0
    refuses: NonNegative = 14.0
    hostile: NonNegative = 21.0
    broken_promise: NonNegative = 3.0


class CallWindow(Window):
    """A call-plan window and its purpose (V1): chasing fees, or greetings and follow-ups only."""

    purpose: Literal["fee", "greeting"] = "fee"


class Calls(Strict):
    """Phone call plan: windows, per-owner limits and the work-queue order."""

    enabled: bool = True
    windows: tuple[CallWindow, ...] = (
        CallWindow(days=("mon", "tue", "wed", "thu", "fri"), start=9.0, end=12.0),
        CallWindow(days=("mon", "tue", "wed", "thu", "fri"), start=14.0, end=17.0),
    )
    first_call_after_days: NonNegative = Field(7.0, description="days from bill delivery to the first call")
    max_per_owner_per_day: Annotated[int, Field(ge=1)] = 1
    retry_days: RetryDays = RetryDays()
    order: tuple[Literal["broken_promise", "fresh", "follow_up"], ...] = (
        "fresh",
        "follow_up",
        "broken_promise",
    )
    hard_last: bool = False
    key_owners_first: bool = Field(
        False, description="T10: key owners (leaders, vocal owners) contacted at once, first, never given up"
    )
    give_up_after: Count = Field(5, description="answered fee contacts before calls stop (0: never give up)")
    greeting_goodwill: bool = Field(
        True,
        description="V1: a greeting call that reaches the owner adds the goodwill pulse of strategy.goodwill",
    )

    @field_validator("order")
    @classmethod
    def _each_class_once(cls, order: tuple[str, ...]) -> tuple[str, ...]:
        expected = {"broken_promise", "fresh", "follow_up"}
        if set(order) != expected or len(order) != len(expected):
            raise ValueError(_("order must list each of {names} exactly once").format(names=sorted(expected)))
        return order


class PromiseDelay(Strict):
    """Days until a promised payment: uniform between min and max."""

    min: NonNegative = 1.0
    max: NonNegative = 7.0

    @model_validator(mode="after")
    def _ordered(self) -> PromiseDelay:
        if self.max < self.min:
            raise ValueError(
                _("max ({max}) must not be below min ({min})").format(max=self.max, min=self.min)
            )
        return self


class Promises(Strict):
    """Promises to pay (T5a): due time and keep probability."""

    delay_days: PromiseDelay = PromiseDelay()
    keep_decay_per_day: NonNegative = Field(
        0.05, description="keep probability falls by this factor per day of delay (exponential)"
    )


class Utility(Strict):
    """Coefficients of one outcome's utility in the call-outcome logit."""

    ordinary: float = 0.0
    undecided: float = 0.0
    hard: float = 0.0
    log_mood: float = 0.0
    perceived_share: float = 0.0
    times_chased: float = 0.0
    grievance: float = 0.0
    withdrawn: float = 0.0
    goodwill: float = 0.0
    pressure: float = 0.0
    annoyance: float = 0.0
    effectiveness: float = Field(0.0, description="coefficient of log(skill x morale) of the collector")
    etiquette: float = 0.0
    praise_first: float = 0.0
    calm_listening: float = 0.0
    visit: float = 0.0
    team_visit: float = 0.0


class Responses(Strict):
    """Multinomial logit of an answered fee contact's outcome; `stalls` is the reference."""

    pays_now: Utility = Utility(
        ordinary=-0.2,
        undecided=-1.6,
        hard=-3.5,
        log_mood=1.5,
        perceived_share=1.0,
        times_chased=-0.1,
        grievance=-2.0,
        withdrawn=-1.5,
        goodwill=0.6,
        pressure=0.3,
        annoyance=-0.8,
        effectiveness=1.0,
        etiquette=0.2,
        praise_first=0.3,
        calm_listening=0.1,
        visit=0.6,
        team_visit=0.9,
    )
    promises: Utility = Utility(
        ordinary=0.9,
        undecided=0.2,
        hard=-1.5,
        log_mood=1.0,
        perceived_share=0.8,
        times_chased=-0.1,
        grievance=-1.0,
        withdrawn=-1.0,
        goodwill=0.5,
        pressure=0.2,
        annoyance=-0.5,
        effectiveness=0.8,
        etiquette=0.5,
        praise_first=0.3,
        calm_listening=0.2,
        visit=0.5,
        team_visit=0.7,
    )
    refuses: Utility = Utility(
        ordinary=-2.0,
        undecided=-1.2,
        hard=0.6,
        log_mood=-0.5,
        grievance=2.5,
        withdrawn=1.0,
        annoyance=0.3,
        praise_first=-0.3,
        team_visit=-0.3,
    )
    hostile: Utility = Utility(
        ordinary=-4.0,
        undecided=-3.0,
        hard=-0.8,
        log_mood=-1.5,
        times_chased=0.15,
        withdrawn=0.5,
        annoyance=1.0,
        effectiveness=-0.5,
        etiquette=-0.8,
        praise_first=-0.8,
        calm_listening=-1.0,
        visit=-0.3,
        team_visit=-0.5,
    )


class Strategy(Strict):
    """What the manager chooses: billing, contacts, follow-up and every tactic's switch."""

    billing: Billing = Billing()
    calls: Calls = Calls()
    promises: Promises = Promises()
    follow_up: FollowUp = FollowUp()
    notices: Notices = Notices()
    visits: Visits = Visits()
    team_visits: TeamVisits = TeamVisits()
    discovery: Discovery = Discovery()
    workplace_visits: WorkplaceVisits = WorkplaceVisits()
    goodwill: Goodwill = Goodwill()
    conduct: Conduct = Conduct()
    atmosphere: Atmosphere = Atmosphere()
    publicity: Publicity = Publicity()
    debrief: Debrief = Debrief()
    arrears_notice: ArrearsNotice = ArrearsNotice()
    lawyer_letter: LawyerLetter = LawyerLetter()
    lawsuit: Lawsuit = Lawsuit()


class Scenario(Strict):
    """A whole campaign: community, owners, behaviour, team and strategy.

    A scenario with `community.roster` carries the roster read by the loader (`roster`),
    outside its keys: it is pickled with the scenario, never dumped to YAML.
    """

    _roster: Any = PrivateAttr(default=None)

    name: str = "scenario"
    description: str = ""
    horizon_days: Annotated[int, Field(ge=1, le=3650)] = 365
    start_date: dt.date = dt.date(2026, 3, 2)
    calendar: Calendar = Calendar()
    community: Community = Community()
    owners: Owners = Owners()
    herd: Herd = Herd()
    mood: Mood = Mood()
    availability: Availability = Availability()
    responses: Responses = Responses()
    team: Team = Team()
    service: Service = Service()
    social: Social = Social()
    sentiment: Sentiment = Sentiment()
    annoyance: Annoyance = Annoyance()
    over_contact: OverContact = OverContact()
    pulses: PulseSteps = PulseSteps()
    strategy: Strategy = Strategy()

    @property
    def roster(self) -> Roster | None:
        """Return the roster read from `community.roster` by the loader, or None."""
        return self._roster

    @model_validator(mode="after")
    def _buildings_fit(self) -> Scenario:
        if self.community.households and self.community.buildings > self.community.households:
            raise ValueError(
                _(
                    "community.buildings ({buildings}) must not exceed community.households ({households})"
                ).format(buildings=self.community.buildings, households=self.community.households)
            )
        return self
