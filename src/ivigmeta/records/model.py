"""The study-record model: frozen dataclasses mirroring the YAML schema (docs/records.md).

Field names equal the YAML keys. Numbers are :class:`PrintedNumber` (a float that keeps its
printed text) or ``int`` for counts; a value the source does not report is ``None``.
Every element remembers the file and line it came from, for messages and provenance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ivigmeta.printed import PrintedNumber, ReportedP


@dataclass(frozen=True)
class Location:
    """Where a record element was read: file path and 1-based line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Summary:
    """A continuous measurement: mean with SD (or SE), and the n behind it."""

    mean: PrintedNumber | None = None
    sd: PrintedNumber | None = None
    se: PrintedNumber | None = None
    n: int | None = None


@dataclass(frozen=True)
class Proportion:
    """Patients with a finding: a count and/or a printed percent, out of n (n may be unknown)."""

    count: int | None = None
    percent: PrintedNumber | None = None
    n: int | None = None


@dataclass(frozen=True)
class ReportedTest:
    """A test result as the paper printed it. ``test`` is None when the paper does not say."""

    p: ReportedP | None = None
    test: str | None = None
    statistic: PrintedNumber | None = None
    df: PrintedNumber | None = None


@dataclass(frozen=True)
class Outcome:
    """One outcome of one study at one timepoint, measured on the same patients over time.

    ``type`` is ``paired-continuous`` (baseline / followup / change) or ``paired-proportion``
    (before / after).
    """

    outcome: str
    type: str
    timepoint_months: PrintedNumber | None = None
    timepoint: str | None = None
    timepoint_weeks: PrintedNumber | None = None
    unit: str | None = None
    baseline: Summary | None = None
    followup: Summary | None = None
    change: Summary | None = None
    before: Proportion | None = None
    after: Proportion | None = None
    reported: ReportedTest | None = None
    flags: tuple[str, ...] = ()
    notes: str | None = None
    location: Location | None = None


@dataclass(frozen=True)
class Arm:
    """One arm of a two-arm comparison. ``study`` names the record of a historical control trial.

    A continuous outcome has ``mean`` with ``sd`` or ``se``; a binary outcome ``count``
    (patients with the outcome) or ``percent`` of ``n``."""

    label: str
    mean: PrintedNumber | None = None
    sd: PrintedNumber | None = None
    se: PrintedNumber | None = None
    n: int | None = None
    study: str | None = None
    count: int | None = None
    percent: PrintedNumber | None = None


@dataclass(frozen=True)
class HazardRatio:
    """A hazard ratio of the arm versus the control, with its confidence interval at
    ``level`` percent (95 unless the source says otherwise), as printed."""

    estimate: PrintedNumber
    ci_low: PrintedNumber
    ci_high: PrintedNumber
    level: PrintedNumber | None = None


@dataclass(frozen=True)
class Comparison:
    """An outcome compared between two arms (randomised or historical control): means of a
    continuous outcome, counts of a binary one, or a ``hazard_ratio`` (time-to-event)."""

    outcome: str
    timepoint_months: PrintedNumber | None
    arm: Arm
    control: Arm
    reported: ReportedTest | None = None
    hazard_ratio: HazardRatio | None = None
    timepoint: str | None = None
    timepoint_weeks: PrintedNumber | None = None
    flags: tuple[str, ...] = ()
    notes: str | None = None
    location: Location | None = None


@dataclass(frozen=True)
class AdverseEvent:
    """Patients with an adverse event (count of n), or a percent when only that is printed.

    ``events`` counts events when the source counts events rather than patients (a patient may
    have several). ``serious`` and ``severe`` are different categories
    (``vocabulary.ADVERSE_EVENT_CATEGORIES``); each is set only when the source uses that word.
    """

    event: str
    count: int | None = None
    percent: PrintedNumber | None = None
    n: int | None = None
    arm: str | None = None
    serious: bool | None = None
    severe: bool | None = None
    events: int | None = None
    notes: str | None = None
    location: Location | None = None


@dataclass(frozen=True)
class Concomitant:
    """A co-treatment: how many of n patients received ``agent``."""

    agent: str
    count: int | None = None
    n: int | None = None


@dataclass(frozen=True)
class Characteristic:
    """A descriptive value of a cohort or arm (baseline table, treatment exposure), not an outcome.

    Either a continuous summary (``mean``, ``sd``) or a proportion (``count``, ``percent``), of n.
    """

    name: str
    arm: str | None = None
    mean: PrintedNumber | None = None
    sd: PrintedNumber | None = None
    count: int | None = None
    percent: PrintedNumber | None = None
    n: int | None = None
    notes: str | None = None
    location: Location | None = None


@dataclass(frozen=True)
class Population:
    n: int | None = None
    subtype: str | None = None
    refractory: bool | None = None
    description: str | None = None


@dataclass(frozen=True)
class Intervention:
    agent: str
    dose: str | None = None
    addon: bool | None = None
    description: str | None = None


@dataclass(frozen=True)
class Confirm:
    """What a person must confirm in a draft record (``ivigmeta extract``): the field (None for
    a statistic the draft did not place), the quote and its offsets (Python ``str`` indices
    into the extracted text), and why."""

    why: str
    field: str | None = None
    quote: str | None = None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Study:
    """One study record (one YAML file). ``citation``, ``year`` and ``design`` are None only in
    a draft (a record with ``confirm:`` entries)."""

    id: str
    citation: str | None
    year: int | None
    source: str
    design: str | None
    population: Population = field(default_factory=Population)
    intervention: Intervention | None = None
    concomitant: tuple[Concomitant, ...] = ()
    risk_of_bias: str | None = None
    outcomes: tuple[Outcome, ...] = ()
    comparisons: tuple[Comparison, ...] = ()
    adverse_events: tuple[AdverseEvent, ...] = ()
    characteristics: tuple[Characteristic, ...] = ()
    review: dict | None = None
    flags: tuple[str, ...] = ()
    notes: str | None = None
    location: Location | None = None
    confirm: tuple[Confirm, ...] = ()
