"""The commands added in 0.2 (bayes, gosh, multilevel, pool --method MH/PETO/GLMM, convert,
simulate) on hostile input: exit 0/1/2 only, one-line errors, no traceback, inputs unchanged.
Seeded cell mutations of the real BCG table, as for ``pool`` in test_hostile_csv."""

from __future__ import annotations

import random

import pytest
from conftest import EXAMPLES, invoke
from test_hostile_csv import HOSTILE_CELLS

COMMANDS = (
    ["bayes", "--measure", "RR"],
    ["gosh", "--measure", "RR", "--max-subsets", "200"],
    ["multilevel", "--measure", "RR", "--cluster", "alloc"],
    ["pool", "--measure", "RR", "--method", "MH"],
    ["pool", "--measure", "OR", "--method", "PETO"],
    ["pool", "--measure", "OR", "--method", "GLMM"],
)


def mutations(count=24, seed=20261202):
    rng = random.Random(seed)
    lines = (EXAMPLES / "bcg.csv").read_text(encoding="utf-8").splitlines()
    cases = []
    for number in range(count):
        row = rng.randrange(1, len(lines))
        cells = lines[row].split(",")
        column = rng.randrange(1, len(cells))
        value = rng.choice(HOSTILE_CELLS)
        cells[column] = value
        text = "\n".join([*lines[:row], ",".join(cells), *lines[row + 1 :]]) + "\n"
        command = COMMANDS[number % len(COMMANDS)]
        cases.append(pytest.param(command, text, id=f"{command[0]}-{number:02d}-{value!r}"))
    return cases


@pytest.mark.parametrize(("command", "text"), mutations())
def test_new_commands_on_mutated_tables(tmp_path, command, text):
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8", newline="")
    name, *options = command
    invoke([name, "--csv", path, *options], [path])


SCENARIO = (
    "seed: 1\nreplications: 5\nscenarios: {{k: [{k}], tau2: [{tau2}], mu: [0], vi: {{equal: 1}}}}\n"
)
HOSTILE_PLANS = (
    "seed: -1\nreplications: 5\n",
    "seed: 1\nreplications: 1e400\n",
    "[1, 2]\n",
    "seed: !!python/name:os.system\n",
    SCENARIO.format(k=3, tau2="nan"),
    SCENARIO.format(k="99999999999999999999", tau2=0),
)


@pytest.mark.parametrize("plan", HOSTILE_PLANS)
def test_simulate_on_hostile_plans(tmp_path, plan):
    path = tmp_path / "plan.yaml"
    path.write_text(plan, encoding="utf-8")
    run = invoke(["simulate", path], [path], allowed=(2,))
    assert "plan.yaml" in run.stderr


@pytest.mark.parametrize("value", ["nan", "inf", "1e400", "abc"])
def test_convert_on_hostile_numbers(value):
    invoke(["convert", "wald", "--estimate", "1", "--ci-low", value, "--ci-high", "2"],
           allowed=(2,))  # fmt: skip
