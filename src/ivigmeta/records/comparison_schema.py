"""The comparison part of the study-record schema: two arms and what each holds by the kind
of outcome (continuous: means; binary: counts or percentages of n; time-to-event: a hazard
ratio with its CI), read by :class:`ComparisonReader`, which
:class:`ivigmeta.records.schema.RecordReader` extends. Documented in docs/records.md.
"""

from __future__ import annotations

import re

import yaml

from ivigmeta.records.model import Arm, Comparison, HazardRatio
from ivigmeta.records.vocabulary import OUTCOMES, OutcomeDefinition
from ivigmeta.records.yaml_reader import NodeReader, is_null
from ivigmeta.stats.numerics.limits import level_problem

ID_TEXT = re.compile(r"^[a-z0-9_]+\Z")
_ARM_FIELDS = ("label", "mean", "sd", "se", "n", "study", "count", "percent")
#: The arm fields each kind of outcome takes (besides label, n and study).
_ARM_VALUES = {
    "continuous": ("mean", "sd", "se"),
    "binary": ("count", "percent"),
    "time-to-event": (),
}


class ComparisonReader(NodeReader):
    """Reads comparisons (and checks outcome names) against the vocabulary ``outcomes``."""

    def __init__(self, file: str, outcomes: dict[str, OutcomeDefinition] | None = None) -> None:
        super().__init__(file)
        self.outcomes = OUTCOMES if outcomes is None else outcomes

    def count_within(self, path: str, f: dict, count: int | None, n: int | None) -> None:
        if count is not None and n is not None and count > n:
            raise self.fail(f["count"], f"{path}.count", f"count {count} is more than n = {n}")

    def outcome_name(self, node: yaml.Node | None, path: str, kind: str | None) -> str:
        name = self.choice(node, path, self.outcomes)
        if kind is not None and self.outcomes[name].kind != kind:
            raise self.fail(
                node,
                path,
                f"outcome {name!r} is {self.outcomes[name].kind}, expected a {kind} outcome",
            )
        return name

    def check_scale(self, name: str, node: yaml.Node, path: str, mean, difference: bool) -> None:
        """Refuse a mean outside the outcome's scale: [minimum, maximum] for a level, and
        [minimum - maximum, maximum - minimum] for a ``difference`` (a change, or an arm of a
        comparison, whose mean may be either). Nothing to check without the bounds it needs."""
        definition = self.outcomes[name]
        low, high = definition.minimum, definition.maximum
        if mean is None or (low is None and high is None):
            return
        if difference:
            if low is None or high is None:
                return
            low, high = low - high, high - low
        if (low is None or mean >= low) and (high is None or mean <= high):
            return
        mean_node = next(v for k, v in node.value if k.value == "mean")
        scale = f"{low:g} to {high:g}" if low is not None and high is not None else (
            f"at least {low:g}" if low is not None else f"at most {high:g}")  # fmt: skip
        what = "a difference" if difference else "a mean"
        raise self.fail(
            mean_node, f"{path}.mean", f"expected {what} on the scale of {name!r} ({scale}), "
            f"got {mean.text}"
        )  # fmt: skip

    def arm(self, node: yaml.Node, path: str, kind: str) -> Arm:
        if isinstance(node, yaml.MappingNode) and any(k.value == "events" for k, _ in node.value):
            key = next(k for k, _ in node.value if k.value == "events")
            raise self.fail(
                key,
                f"{path}.events",
                "expected count (patients with the outcome), not events (one patient may "
                "have several events)",
            )
        f = self.fields(node, path, _ARM_FIELDS, ("label",))
        for key in _ARM_FIELDS[1:]:
            if key in f and key not in (*_ARM_VALUES[kind], "n", "study"):
                taken = ", ".join((*_ARM_VALUES[kind], "n"))
                if kind == "time-to-event":
                    taken += "; the hazard ratio goes in the comparison's hazard_ratio"
                raise self.fail(
                    f[key], f"{path}.{key}", f"not a field of a {kind} outcome's arm "
                    f"(expected {taken})"
                )  # fmt: skip
        study = self.text(f.get("study"), f"{path}.study")
        if study is not None and not ID_TEXT.match(study):
            raise self.fail(f["study"], f"{path}.study", f"expected a study id, got {study!r}")
        count = self.integer(f.get("count"), f"{path}.count", minimum=0)
        n = self.integer(f.get("n"), f"{path}.n", minimum=1)
        self.count_within(path, f, count, n)
        return Arm(
            label=self.text(f["label"], f"{path}.label"),
            mean=self.number(f.get("mean"), f"{path}.mean"),
            sd=self.positive(f.get("sd"), f"{path}.sd"),
            se=self.positive(f.get("se"), f"{path}.se"),
            n=n,
            study=study,
            count=count,
            percent=self.percent(f.get("percent"), f"{path}.percent"),
        )

    def hazard_ratio(self, node: yaml.Node, path: str) -> HazardRatio:
        f = self.fields(
            node,
            path,
            ("estimate", "ci_low", "ci_high", "level"),
            ("estimate", "ci_low", "ci_high"),
        )
        estimate, low, high = (
            self.positive(f[key], f"{path}.{key}") for key in ("estimate", "ci_low", "ci_high")
        )
        level = self.number(f.get("level"), f"{path}.level")
        if level is not None and (problem := level_problem(level)):
            raise self.fail(f["level"], f"{path}.level", problem)
        if not low < high:
            raise self.fail(
                f["ci_high"], f"{path}.ci_high", f"expected ci_high above ci_low {low.text}, "
                f"got {high.text}"
            )  # fmt: skip
        if not low <= estimate <= high:
            raise self.fail(
                f["estimate"], f"{path}.estimate", f"expected a hazard ratio within its CI "
                f"[{low.text}, {high.text}], got {estimate.text}"
            )  # fmt: skip
        return HazardRatio(estimate=estimate, ci_low=low, ci_high=high, level=level)

    def comparison(self, node: yaml.Node, path: str) -> Comparison:
        known = (
            "outcome",
            "timepoint_months",
            "timepoint_weeks",
            "timepoint",
            "arm",
            "control",
            "hazard_ratio",
            "reported",
            "flags",
            "notes",
        )
        f = self.fields(node, path, known, required=("outcome", "arm", "control"))
        outcome = self.outcome_name(f["outcome"], f"{path}.outcome", None)
        kind = self.outcomes[outcome].kind
        hazard_ratio = None
        if kind == "time-to-event":
            if "hazard_ratio" not in f or is_null(f["hazard_ratio"]):
                raise self.fail(
                    node, f"{path}.hazard_ratio", f"expected a hazard ratio {{estimate, ci_low, "
                    f"ci_high}} for the time-to-event outcome {outcome!r}"
                )  # fmt: skip
            hazard_ratio = self.hazard_ratio(f["hazard_ratio"], f"{path}.hazard_ratio")
        elif "hazard_ratio" in f:
            raise self.fail(
                f["hazard_ratio"], f"{path}.hazard_ratio", f"expected no hazard ratio: "
                f"{outcome!r} is {kind}, not a time-to-event outcome"
            )  # fmt: skip
        arms = {side: self.arm(f[side], f"{path}.{side}", kind) for side in ("arm", "control")}
        for side, arm in arms.items():
            self.check_scale(outcome, f[side], f"{path}.{side}", arm.mean, True)
        return Comparison(
            outcome=outcome,
            arm=arms["arm"],
            control=arms["control"],
            reported=self.reported(f["reported"], f"{path}.reported") if "reported" in f else None,
            hazard_ratio=hazard_ratio,
            flags=self.texts(f.get("flags"), f"{path}.flags"),
            notes=self.text(f.get("notes"), f"{path}.notes"),
            location=self.where(node),
            **self.timepoint(node, path, f),
        )
