"""Schema sections of the playbook's tactics and of the mechanisms they act on.

Each tactic of the source document (T1-T12, P1-P3, V1-V4) has its switch
next to its parameters.  Every default is justified in `docs/model.md`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from sim.scenario.base import Count, Minutes, NonNegative, Positive, Probability, Strict, Window

ALL_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Pulse(Strict):
    """A decaying effect: `size` at a touch for one mean life (half_life_days / ln 2), then gone."""

    size: NonNegative
    half_life_days: Positive = 3.0


class Notices(Strict):
    """SMS/WeChat fee notices to billed, unpaid owners (reminders; evidence: Haynes et al. 2013)."""

    enabled: bool = False
    first_after_days: NonNegative = 2.0
    every_days: Positive = 7.0
    max_per_owner: Count = 4
    personal: bool = Field(True, description="signed with the collector's name (Karlan et al. 2016)")
    staff_minutes: NonNegative = 0.5
    pressure: Pulse = Pulse(size=0.6)
    personal_pressure: Pulse = Pulse(size=1.0)


class Visits(Strict):
    """Home visits (V1): who gets one, when and how long it takes."""

    enabled: bool = False
    windows: tuple[Window, ...] = (
        Window(days=("fri", "sat"), start=19.0, end=21.5),
        Window(days=("sun",), start=14.0, end=18.0),
    )
    after_unanswered_calls: Annotated[int, Field(ge=1)] = 3
    after_stalls: Annotated[int, Field(ge=1)] = 1
    minutes: Minutes = Minutes(mean=15.0)
    travel_minutes: NonNegative = 5.0
    retry_days: NonNegative = 7.0


class TeamVisits(Strict):
    """Team visits (T6): several staff visit stallers and hard owners after repeated refusals."""

    enabled: bool = False
    size: Annotated[int, Field(ge=2, le=5)] = 3
    after_refusals: Annotated[int, Field(ge=1)] = Field(
        2, description="refusals plus stalls before a team visit (stallers and hard owners only)"
    )
    minutes: Minutes = Minutes(mean=30.0)


class Discovery(Strict):
    """Contact discovery (T7): find the phone of owners with none, through neighbours and colleagues."""

    enabled: bool = False
    minutes: Minutes = Minutes(mean=30.0)
    success: Probability = 0.35
    max_attempts: Annotated[int, Field(ge=1)] = 3
    workplace_found: Probability = Field(0.5, description="chance the effort also finds the workplace")


class WorkplaceVisits(Strict):
    """Workplace visits (T7) to owners whose workplace is known."""

    enabled: bool = False
    windows: tuple[Window, ...] = (Window(days=("mon", "tue", "wed", "thu", "fri"), start=9.0, end=17.0),)
    hours: Positive = Field(2.0, description="staff hours per visit, travel included")
    after_unanswered_calls: Annotated[int, Field(ge=1)] = 5


class Goodwill(Strict):
    """Goodwill touches (V3): holiday messages and birthday calls."""

    enabled: bool = False
    holidays: bool = True
    birthdays: bool = True
    staff_minutes: NonNegative = 1.0
    effect: Pulse = Pulse(size=0.3, half_life_days=14.0)


class Conduct(Strict):
    """How collectors talk (V2, P1, P2, P3): flags that enter the outcome model."""

    etiquette: bool = False
    praise_first: bool = False
    calm_listening: bool = False


class FollowUp(Strict):
    """Promise discipline (T5a, V2)."""

    ask_time: bool = Field(False, description="ask 'what time will you come?' and write it down")
    concrete_time_keep: Positive = Field(1.4, description="keep-probability factor of a concrete time")
    remind: bool = Field(False, description="a reminder call or message before the due time")
    remind_hours_before: Positive = 3.0
    reminder_keep: Positive = 1.25
    waiting_call: bool = Field(False, description="after a no-show: 'I have been waiting for you'")
    embarrassment: Probability = Field(
        0.7, description="share of the gap to a certain keep that embarrassment closes for the next promise"
    )
    weekly_cap: Annotated[int, Field(ge=1)] = Field(7, description="fee calls per owner per 7 days")


class FixHours(Strict):
    """Working hours a crew member needs for one ticket."""

    dist: Literal["exponential", "lognormal"] = "lognormal"
    mean: Positive = 3.5
    cv: NonNegative = 1.0


class Escalation(Strict):
    """Escalation of legacy problems to a supervisor (T9)."""

    enabled: bool = False
    supervisors: Annotated[int, Field(ge=1)] = 1
    work_hours: FixHours = Field(FixHours(mean=2.0, cv=0.5), description="supervisor's hours per case")
    delay_days: NonNegative = Field(2.0, description="days from the supervisor's decision to the fix")
    resolve_probability: Probability = 0.6


class Service(Strict):
    """Service crew and complaints (T4, T5b, T8, T9)."""

    crew: Count = 4
    shift: Window = Window(days=("mon", "tue", "wed", "thu", "fri", "sat"), start=8.0, end=18.0)
    work_on_holidays: bool = Field(True, description="a duty crew covers public holidays")
    maintenance_tickets_per_day: NonNegative = 6.0
    fix_hours: FixHours = FixHours()
    tickets_on_refusal: bool = Field(True, description="a refusal that names a grievance opens a ticket")
    direct_lane: bool = Field(False, description="T4: fee-blocking tickets go before maintenance work")
    triage: bool = Field(False, description="T8: classify at once; legacy problems skip the crew")
    triage_fix_factor: Positive = Field(
        0.7, description="T8: fix-hours factor of complaint tickets assigned by speciality"
    )
    escalation: Escalation = Escalation()
    grievance_block: Probability = Field(0.01, description="hazard factor while a grievance is open")
    patience_days: Positive = Field(3.0, description="mean days an owner waits for a promised fix")
    withdrawn_factor: Probability = Field(0.2, description="hazard factor of an owner who lost patience")


class Atmosphere(Strict):
    """Staff atmosphere (T2): non-collecting staff remind familiar unpaid owners."""

    enabled: bool = False
    staff: Count = 10
    encounters_per_staff_per_day: NonNegative = 3.0
    hours: Window = Window(days=ALL_DAYS, start=7.0, end=21.0)
    pressure: Pulse = Pulse(size=0.3)


class Social(Strict):
    """Influence (T10): opinion leaders, their sway, and ties beyond the building."""

    leaders_share: Probability = 0.03
    leader_weight: Annotated[float, Field(ge=1.0)] = 15.0
    sway: Pulse = Field(
        Pulse(size=0.5, half_life_days=7.0),
        description="pressure on the unpaid owners of a leader's building when the leader pays",
    )
    community_weight: Probability = Field(
        0.25, description="weight of the community's paid share in what an owner sees (learning perception)"
    )


class Sentiment(Strict):
    """Negative talk (T11): vocal hard owners lower everyone's perceived share (community chat)."""

    enabled: bool = True
    vocal_share_of_hard: Probability = 0.3
    strength: NonNegative = Field(
        10.0, description="discount per unit share of unpaid vocal owners among the billed households"
    )
    cap: Probability = 0.5


class Publicity(Strict):
    """Publicity (T11): notice boards post the true paid share; online answers calm the talk."""

    enabled: bool = False
    notice_every_days: Positive = 7.0
    guidance: bool = True
    guidance_factor: Probability = Field(0.4, description="share of the negative talk left with guidance")


class Morale(Strict):
    """Collector skill and morale (T1)."""

    enabled: bool = True
    skill_sd: NonNegative = 0.2
    hostile_loss: Probability = 0.1
    refusal_loss: Probability = 0.03
    payment_gain: Probability = 0.02
    recovery_per_day: NonNegative = 0.05
    support: bool = Field(False, description="T1: colleagues help a rebuffed collector recover")
    support_recovery_per_day: NonNegative = 0.3
    floor: Probability = 0.2


class Debrief(Strict):
    """The daily debrief (T3): meeting time that restores morale and builds skill."""

    enabled: bool = False
    minutes: Positive = 30.0
    morale_restore: Probability = 0.5
    skill_gain: NonNegative = 0.01
    skill_cap: Positive = 1.5


class Annoyance(Strict):
    """Annoyance from being chased at bad-mood times: it lowers the hazard and sours answers."""

    enabled: bool = True
    bad_mood_below: Positive = 0.9
    effect: Pulse = Pulse(size=0.5, half_life_days=5.0)
