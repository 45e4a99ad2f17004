"""Simulation plans: the YAML file behind ``ivigmeta simulate``.

```yaml
seed: 20261201
replications: 10000
scenarios:                    # cross product, in this key order
  k: [3, 5, 10]
  tau2: [0, 0.05, 0.2]
  mu: [0, 0.3]
  vi: {uniform: [0.01, 0.4]}  # or {equal: 0.1}, a list of k values (a fixed design),
                              # or {from_outcome: mrss} (the bundled studies' variances)
methods: [DL, REML, PM]
tests: [z, knha]
pi: [auto, t]
level: 95
```

``k`` may be left out when ``vi`` fixes the design (a list, or ``from_outcome``). Read with the
records' safe composer (:mod:`ivigmeta.records.yaml_reader`): every problem names the file,
line and field.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import yaml

from ivigmeta.errors import InputError
from ivigmeta.records.yaml_reader import NodeReader, describe, parse_record_text
from ivigmeta.stats.models.prediction import PI_CHOICES
from ivigmeta.stats.models.rma import METHODS, TESTS
from ivigmeta.stats.simulation.chunks import Scenario, WithinVariances

TOP_KEYS = ("seed", "replications", "scenarios", "methods", "tests", "pi", "level", "studies")
SCENARIO_KEYS = ("k", "tau2", "mu", "vi")
MAX_REPLICATIONS = 10**8
MAX_K = 10_000
MAX_PLAN_BYTES = 1 << 20


@dataclass(frozen=True)
class SimulationPlan:
    """A validated plan: its scenarios in cross-product order and the fits of each."""

    file: str
    seed: int
    replications: int
    scenarios: tuple[Scenario, ...]
    fits: tuple[tuple[str, str, str], ...]
    level: float


def read_simulation_plan(path: str | Path) -> SimulationPlan:
    """Read and validate a plan file (InputError naming file, line and field)."""
    path = Path(path)
    name = str(path)
    try:
        if path.stat().st_size > MAX_PLAN_BYTES:
            raise InputError("a simulation plan may be at most 1 MiB", file=name)
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror or error}", file=name) from None
    root = parse_record_text(data, name, what="a simulation plan")
    reader = _PlanReader(name)
    f = reader.fields(root, "", TOP_KEYS, required=("seed", "replications", "scenarios"))
    seed = reader.integer(f["seed"], "seed", minimum=0)
    replications = reader.integer(f["replications"], "replications", minimum=1)
    if replications > MAX_REPLICATIONS:
        raise reader.fail(f["replications"], "replications",
                          f"at most {MAX_REPLICATIONS:,} replications per scenario")  # fmt: skip
    level = 95.0 if "level" not in f else float(reader.number(f["level"], "level"))
    if not 0 < level < 100:
        raise reader.fail(f["level"], "level", f"expected a level between 0 and 100, got {level}")
    methods = reader.names(f.get("methods"), "methods", METHODS, ("REML",))
    tests = reader.names(f.get("tests"), "tests", TESTS, ("z",))
    pis = reader.names(f.get("pi"), "pi", PI_CHOICES, ("auto",))
    studies = reader.text(f.get("studies"), "studies")
    if studies is not None:
        studies = str((path.parent / studies).resolve())
    scenarios = reader.scenarios(f["scenarios"], studies)
    fits = tuple(itertools.product(methods, tests, pis))
    return SimulationPlan(name, seed, replications, scenarios, fits, level)


class _PlanReader(NodeReader):
    def names(self, node, path: str, allowed: tuple[str, ...], default: tuple[str, ...]):
        if node is None:
            return default
        items = self.items(node, path) if isinstance(node, yaml.SequenceNode) else [(None, node)]
        if not items:
            raise self.fail(node, path, f"expected a list of {', '.join(allowed)}, got []")
        chosen = []
        for i, item in items:
            where = path if i is None else f"{path}[{i}]"
            value = self.text(item, where)
            match = {a.upper(): a for a in allowed}.get(str(value).upper())
            if match is None:
                raise self.fail(item, where, f"expected one of {', '.join(allowed)}, "
                                f"got {describe(item)}")  # fmt: skip
            if match not in chosen:
                chosen.append(match)
        return tuple(chosen)

    def values(self, node, path: str, read) -> list:
        if isinstance(node, yaml.SequenceNode):
            items = self.items(node, path)
            if not items:
                raise self.fail(node, path, "expected at least one value, got []")
            return [read(item, f"{path}[{i}]") for i, item in items]
        return [read(node, path)]

    def scenarios(self, node, studies: str | None) -> tuple[Scenario, ...]:
        f = self.fields(node, "scenarios", SCENARIO_KEYS, required=("tau2", "mu", "vi"),
                        what="a mapping of k, tau2, mu and vi")  # fmt: skip
        vi, design_k = self.within_variances(f["vi"], studies)
        if "k" in f:
            ks = self.values(f["k"], "scenarios.k", self.study_count)
            if design_k is not None and any(k != design_k for k in ks):
                raise self.fail(f["k"], "scenarios.k", f"vi fixes a design of {design_k} "
                                "studies; leave k out or give that k")  # fmt: skip
        elif design_k is None:
            raise self.fail(node, "scenarios.k", "give k (numbers of studies, each at least 2)")
        else:
            ks = [design_k]
        tau2s = self.values(f["tau2"], "scenarios.tau2", self.variance)
        mus = self.values(f["mu"], "scenarios.mu", self.finite)
        cells = itertools.product(ks, tau2s, mus)
        return tuple(Scenario(k, tau2, mu, vi) for k, tau2, mu in cells)

    def study_count(self, node, path: str) -> int:
        k = self.integer(node, path, minimum=2)
        if k > MAX_K:
            raise self.fail(node, path, f"at most {MAX_K:,} studies per meta-analysis")
        return k

    def finite(self, node, path: str) -> float:
        value = self.number(node, path)
        if value is None or not math.isfinite(value) or abs(value) > 1e100:
            raise self.fail(node, path, f"expected a finite number, got {describe(node)}")
        return float(value)

    def variance(self, node, path: str) -> float:
        value = self.finite(node, path)
        if value < 0:
            raise self.fail(node, path, f"expected a variance >= 0, got {describe(node)}")
        return value

    def positive_variance(self, node, path: str) -> float:
        value = self.variance(node, path)
        if value <= 0:
            raise self.fail(node, path, f"expected a variance > 0, got {describe(node)}")
        return value

    def within_variances(self, node, studies) -> tuple[WithinVariances, int | None]:
        path = "scenarios.vi"
        if isinstance(node, yaml.SequenceNode):
            values = tuple(self.values(node, path, self.positive_variance))
            if len(values) < 2:
                raise self.fail(node, path, "a fixed design needs at least 2 studies")
            return WithinVariances("fixed", values), len(values)
        kinds = ("uniform", "equal", "from_outcome")
        f = self.fields(node, path, kinds, what="{uniform: [low, high]}, {equal: v}, "
                        "{from_outcome: NAME} or a list of variances")  # fmt: skip
        if len(f) != 1:
            raise self.fail(node, path, "expected one of uniform, equal, from_outcome")
        ((kind, value),) = f.items()
        where = f"{path}.{kind}"
        if kind == "equal":
            return WithinVariances("equal", (self.positive_variance(value, where),)), None
        if kind == "uniform":
            bounds = self.values(value, where, self.positive_variance)
            if len(bounds) != 2 or bounds[0] >= bounds[1]:
                raise self.fail(value, where, "expected [low, high] with 0 < low < high")
            return WithinVariances("uniform", tuple(bounds)), None
        outcome = self.text(value, where)
        design = _outcome_design(outcome, studies, self.fail(value, where, ""))
        return design, len(design.values)


def _outcome_design(outcome: str, studies: str | None, error: InputError) -> WithinVariances:
    """The sampling variances of the bundled (or ``studies``) records' outcome, as ``pool``
    selects them (default measure and timepoint)."""
    from ivigmeta.analyses.effect_data import load_effect_data

    try:
        data = load_effect_data(outcome, studies_path=studies)
    except InputError as problem:
        raise InputError(f"from_outcome: {problem.message}", file=error.file, line=error.line,
                         field=error.field) from None  # fmt: skip
    if data.k < 2:
        raise InputError(f"outcome {outcome!r} has k = {data.k}; a design needs 2 studies",
                         file=error.file, line=error.line, field=error.field)  # fmt: skip
    return WithinVariances("fixed", tuple(float(v) for v in data.vi))
