"""Schema sections of the playbook's tactics and of the mechanisms they act on.

Each tactic of the source document (T1-T12, P1-P3, V1-V4) has its switch
next to its parameters.  Every default is justified in `docs/model.md`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from sim.scenario.base import (
    Count,
    Minutes,
    NonNegative,
    Positive,
    Probability,
    Strict,
    TimeOfDay,
    Variation,
    Window,
)

ALL_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Pulse(Strict):
    """A decaying effect: `size` at a touch, decaying with `half_life_days` (a staircase: `PulseSteps`)."""

    size: NonNegative
    half_life_days: Positive = 3.0


class PulseSteps(Strict):
    """How every pulse decays: a staircase of `steps` steps close to the exponential decay (model.md §10)."""

    steps: Annotated[int, Field(ge=1, le=1000)] = Field(
        7, description="steps of a pulse's staircase (1: one step of one mean life, as before)"
    )


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
    not_home_minutes: Positive = Field(
        1.0, description="collector's minutes at the door when nobody is at home (after the travel)"
    )
    retry_days: NonNegative = Field(
        7.0, description="days from a visit that found nobody at home to the next try (home and team visits)"
    )
    max_per_owner: Count = Field(4, description="home visits tried per owner (not-at-home ones included)")


class TeamVisits(Strict):
    """Team visits (T6): several staff visit stallers and hard owners after repeated refusals."""

    enabled: bool = False
    size: Annotated[int, Field(ge=2, le=5)] = 3
    after_refusals: Annotated[int, Field(ge=1)] = Field(
        2, description="refusals plus stalls before a team visit (stallers and hard owners only)"
    )
    minutes: Minutes = Minutes(mean=30.0)
    min_days: NonNegative = Field(
        1.0,
        description="a team visit comes calls.retry_days.<outcome> days after the refusal or stall "
        "that earned it, but at least this many",
    )
    max_per_owner: Count = Field(2, description="team visits tried per owner (not-at-home ones included)")


class Discovery(Strict):
    """Contact discovery (T7): find the phone of owners with none, through neighbours and colleagues."""

    enabled: bool = False
    minutes: Minutes = Minutes(mean=30.0)
    success: Probability = 0.35
    max_attempts: Annotated[int, Field(ge=1)] = 3
    retry_days: NonNegative = Field(7.0, description="days from an effort that found nothing to the next")
    workplace_found: Probability = Field(0.5, description="chance the effort also finds the workplace")


class WorkplaceVisits(Strict):
    """Workplace visits (T7) to owners whose workplace is known."""

    enabled: bool = False
    windows: tuple[Window, ...] = (Window(days=("mon", "tue", "wed", "thu", "fri"), start=9.0, end=17.0),)
    hours: Positive = Field(2.0, description="staff hours per visit, travel included")
    after_unanswered_calls: Annotated[int, Field(ge=1)] = 5


class ArrearsNotice(Strict):
    """A notice of arrears posted on the unpaid owner's door (the ladder's second step)."""

    enabled: bool = False
    after_days: NonNegative = Field(60.0, description="days after the bill")
    staff_minutes: NonNegative = 5.0
    pressure: Pulse = Pulse(size=0.6, half_life_days=7.0)


class LawyerLetter(Strict):
    """A lawyer's letter to the unpaid owner (the ladder's fourth step)."""

    enabled: bool = False
    after_days: NonNegative = Field(120.0, description="days after the bill")
    cost_cny: NonNegative = Field(800.0, description="law firm's fee per letter")
    pressure: Pulse = Pulse(size=1.5, half_life_days=14.0)


class Lawsuit(Strict):
    """Suing the unpaid owner (the ladder's last step): costly, slow, mostly successful."""

    enabled: bool = False
    after_days: NonNegative = Field(
        60.0, description="days after the lawyer's letter (after the bill without letters)"
    )
    max_cases: Count = Field(0, description="most cases filed in the campaign (0: no limit)")
    cost_cny: NonNegative = Field(2000.0, description="court and lawyer's fees per case")
    staff_hours: NonNegative = Field(6.0, description="staff hours per case (files, hearings)")
    settle_probability: Probability = Field(0.5, description="chance the owner pays before judgment")
    settle_days: Positive = Field(30.0, description="mean days from filing to a settlement")
    days_to_judgment: Positive = 90.0
    win_probability: Probability = 0.9
    pay_after_judgment: Probability = Field(0.7, description="chance a judged owner pays (or is enforced)")
    enforce_days: Positive = Field(30.0, description="mean days from judgment to payment")


class Goodwill(Strict):
    """Goodwill touches (V3): holiday messages and birthday calls."""

    enabled: bool = False
    holidays: bool = True
    birthdays: bool = True
    hour: TimeOfDay = Field(
        10.0, description="time of day of the holiday messages and birthday calls (hours after midnight)"
    )
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
    mean: Annotated[float, Field(ge=0.01, le=1000.0)] = 3.5
    cv: Variation = 1.0


class Escalation(Strict):
    """Escalation of legacy problems to a supervisor (T9)."""

    enabled: bool = False
    supervisors: Annotated[int, Field(ge=1, le=1000)] = 1
    work_hours: FixHours = Field(FixHours(mean=2.0, cv=0.5), description="supervisor's hours per case")
    delay_days: NonNegative = Field(2.0, description="days from the supervisor's decision to the fix")
    resolve_probability: Probability = 0.6


class Service(Strict):
    """Service crew and complaints (T4, T5b, T8, T9)."""

    crew: Annotated[int, Field(ge=0, le=1000)] = 4
    shift: Window = Window(days=("mon", "tue", "wed", "thu", "fri", "sat"), start=8.0, end=18.0)
    work_on_holidays: bool = Field(True, description="a duty crew covers public holidays")
    maintenance_tickets_per_day: Annotated[float, Field(ge=0.0, le=1000.0)] = 6.0
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
    staff: Annotated[int, Field(ge=0, le=1000)] = 10
    encounters_per_staff_per_day: Annotated[float, Field(ge=0.0, le=100.0)] = 3.0
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
    step: Probability = Field(
        0.005, description="the discount is re-applied once it has moved by at least this (or fallen to 0)"
    )


class Publicity(Strict):
    """Publicity (T11): notice boards post the true paid share; online answers calm the talk."""

    enabled: bool = False
    notice_every_days: Annotated[float, Field(ge=1.0)] = Field(7.0, description="at most daily")
    notice_hour: TimeOfDay = Field(9.0, description="time of day the notice boards are updated")
    guidance: bool = True
    guidance_factor: Probability = Field(0.4, description="share of the negative talk left with guidance")


class Morale(Strict):
    """Collector skill and morale (T1): rebuffs pull morale toward a floor, payments and time toward 1."""

    enabled: bool = True
    skill_sd: NonNegative = 0.2
    hostile_loss: Probability = Field(
        0.1, description="share of the distance to the floor a hostile answer takes"
    )
    refusal_loss: Probability = Field(0.03, description="share of the distance to the floor a refusal takes")
    payment_gain: Probability = Field(
        0.02, description="share of the distance to 1 a payment on the spot gives"
    )
    recovery_per_day: NonNegative = Field(0.7, description="rate per day at which morale recovers toward 1")
    support: bool = Field(False, description="T1: colleagues help a rebuffed collector recover")
    support_recovery_per_day: NonNegative = 1.2
    calm_loss_factor: Probability = Field(
        0.5, description="P1: factor on morale losses when collectors listen calmly before answering"
    )
    floor: Annotated[float, Field(gt=0.0, le=1.0)] = Field(0.3, description="the lowest morale can fall")


class Debrief(Strict):
    """The daily debrief (T3): meeting time that restores morale and builds skill."""

    enabled: bool = False
    minutes: Positive = 30.0
    morale_restore: Probability = 0.5
    skill_gain: NonNegative = 0.01
    skill_cap: Positive = 1.5


class OverContact(Strict):
    """Owners chased too often complain (residents' committee, 12345 hotline): bounded persistence."""

    enabled: bool = True
    window_days: Annotated[float, Field(ge=1.0)] = Field(
        30.0, description="the owner's memory of being chased, in days (at least one)"
    )
    tolerance: Count = Field(
        4, description="answered fee contacts in the window an owner takes without complaint"
    )
    complaint_probability: Probability = Field(
        0.1, description="chance of a complaint at each answered fee contact beyond the tolerance"
    )
    cooling_off_days: NonNegative = Field(30.0, description="days without fee contacts after a complaint")
    complaint_hours: NonNegative = Field(2.0, description="a manager's hours to answer one complaint")
    annoyance: Pulse = Field(
        Pulse(size=1.0, half_life_days=30.0), description="annoyance of the complaining owner"
    )


class Annoyance(Strict):
    """Annoyance from being chased at bad-mood times: it lowers the hazard and sours answers."""

    enabled: bool = True
    bad_mood_below: Positive = 0.9
    effect: Pulse = Pulse(size=0.5, half_life_days=5.0)
