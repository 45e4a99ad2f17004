"""Random mutations of the real records in data/studies/ (seeded, so every run is the same).

Each mutation replaces one value of one record by a hostile one, or damages the file's
structure (a deleted, duplicated or truncated line, a tab, a flipped byte). Then
``studies validate`` and ``pool`` on a folder holding the mutated record must keep the
contract of :mod:`conftest`: exit 0/1/2, no traceback, a one-line error, inputs unchanged.
Huge values (issue 13 item 2) are among the mutations.
"""

from __future__ import annotations

import random
import re

import pytest
from conftest import STUDIES, invoke

SEED = 13
MUTATIONS = 40
HOSTILE_VALUES = (
    ".nan", "-.inf", ".inf", "nan", "-1", "0", "-0", "", "null", "~", "[1, 2]", "{a: 1}",
    "2015-01-01", "!!python/name:os.system x", "!!binary aGVsbG8=", "&anchor 1", "*anchor",
    '"\\u2028"', "'\U0001F600'", "yes", "0x1F", "1_000", "'  '", "-5.30", "7.90000",
    "!custom 3", "|\n  text", "1e3",
)  # fmt: skip
#: extreme numbers (issue 13 item 2: refused by the admissible ranges or computed safely)
HUGE_VALUES = ("1.0e+308", "1.0e+309", "99999999999999999999", "1" + "0" * 5000, "1e-320")
STRUCTURAL = ("delete line", "duplicate line", "truncate", "tab indent", "flip byte")
SCALAR = re.compile(r"(?m)(\b[a-z_]+): ([^,{}\[\]\n]+)")


def mutations():
    rng = random.Random(SEED)
    records = sorted(STUDIES.glob("*.yaml"))
    cases = []
    for number in range(MUTATIONS):
        record = rng.choice(records)
        text = record.read_text(encoding="utf-8")
        if rng.random() < 0.25:
            kind = rng.choice(STRUCTURAL)
            mutated = structural(text, kind, rng)
            label = kind
        else:
            spots = list(SCALAR.finditer(text))
            spot = rng.choice(spots)
            value = rng.choice(HOSTILE_VALUES + HUGE_VALUES)
            mutated = text[: spot.start(2)] + value + text[spot.end(2) :]
            label = f"{spot.group(1)}={value[:12]!r}"
        name = f"{number:02d}-{record.stem}-{label}"
        data = mutated if isinstance(mutated, bytes) else mutated.encode("utf-8")
        cases.append(pytest.param(record.name, data, id=name))
    return cases


def structural(text: str, kind: str, rng: random.Random) -> str | bytes:
    lines = text.splitlines(keepends=True)
    index = rng.randrange(len(lines))
    if kind == "delete line":
        return "".join(lines[:index] + lines[index + 1 :])
    if kind == "duplicate line":
        return "".join(lines[: index + 1] + lines[index:])
    if kind == "truncate":
        return text[: rng.randrange(len(text))]
    if kind == "tab indent":
        return "".join([*lines[:index], "\t" + lines[index], *lines[index + 1 :]])
    data = bytearray(text.encode("utf-8"))
    data[rng.randrange(len(data))] ^= 0x80
    return bytes(data)


@pytest.mark.parametrize(("name", "data"), mutations())
def test_mutated_record(studies_copy, name, data):
    target = studies_copy / name
    target.write_bytes(data)
    text = target.read_bytes().decode("utf-8", "replace")
    outcome = (re.findall(r"outcome: ([a-z_]+)", text) or ["mrss"])[0]
    invoke(["studies", "validate", target], [studies_copy], allowed=(0, 2))
    invoke(["pool", "--outcome", outcome, "--studies", studies_copy], [studies_copy])
