"""``--emit-r FILE.R``: the R scripts, their safety, and their committed outputs.

The golden outputs in ``tests/oracle/golden/emit_r/`` are what ``Rscript NAME.R`` printed
(metafor 5.0-1, bayesmeta 3.4; regenerate with ``PYTHONPATH=src python tests/oracle/emit_r.py``).
Here each script is regenerated and compared with the committed text, and R's JSON with
ivigmeta's ``--format json`` at 1e-6 relative. The scripts are run in R only where Rscript is
installed (CI has no R); the R-literal escaping is also checked without R.
"""

import functools
import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from ivigmeta.cli import cli
from ivigmeta.errors import InputError
from ivigmeta.render.r_literals import r_comment, r_number, r_string

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "oracle" / "golden" / "emit_r"
CASES = json.loads((GOLDEN / "cases.json").read_text(encoding="utf-8"))["cases"]
REL = 1e-6
RSCRIPT = shutil.which("Rscript")
HOSTILE = 'a"); system("touch x"); ("'
POOL_KEYS = {"estimate", "se", "ci_low", "ci_high", "tau2", "i2", "q", "pi_low", "pi_high"}


def _unescape(literal: str) -> str:
    """An R double-quoted literal read back by the R Language Definition's rules (10.3.1),
    written independently of ivigmeta's escaper."""
    assert literal[0] == literal[-1] == '"'
    body, out, i = literal[1:-1], [], 0
    simple = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "'": "'"}
    while i < len(body):
        char = body[i]
        assert char != '"', "an unescaped quote ends the literal early"
        if char != "\\":
            out.append(char)
            i += 1
            continue
        code = body[i + 1]
        if code in simple:
            out.append(simple[code])
            i += 2
        else:
            match = re.match(r"[uU]\{([0-9a-fA-F]+)\}", body[i + 1 :])
            assert match, body[i:]
            out.append(chr(int(match.group(1), 16)))
            i += 1 + match.end()
    return "".join(out)


def _run(args, monkeypatch):
    monkeypatch.chdir(ROOT)
    return CliRunner().invoke(cli, args, catch_exceptions=False)


# ----------------------------------------------------------------- literals (no R needed)


def test_hostile_strings_become_escaped_literals():
    assert r_string(HOSTILE) == r'"a\"); system(\"touch x\"); (\""'
    assert r_string('back\\slash "q"') == r'"back\\slash \"q\""'
    assert r_string("new\nline\r\ttab\x01") == r'"new\nline\r\ttab\u{0001}"'
    assert r_string("Müller – 😀") == r'"M\u{00fc}ller \u{2013} \U{0001f600}"'
    assert r_comment("x\ny\r# z") == r"# x\ny\r# z"


@given(st.text())
def test_every_string_round_trips_as_one_ascii_line(text):
    try:
        literal = r_string(text)
    except InputError as error:  # only the two things an R string cannot hold
        assert "\x00" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text), error
        return
    assert literal.isascii() and "\n" not in literal and "\r" not in literal
    assert _unescape(literal) == text
    comment = r_comment(text)
    assert comment.isascii() and "\n" not in comment and "\r" not in comment


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_read_back_exactly(x):
    assert float(r_number(x)) == x


def test_special_numbers():
    assert [r_number(v) for v in (math.nan, None, math.inf, -math.inf, True, 3.0)] == [
        "NA", "NA", "Inf", "-Inf", "TRUE", "3"]  # fmt: skip


def test_nul_is_refused():
    with pytest.raises(InputError, match="NUL"):
        r_string("a\x00b")


def test_hostile_ids_stay_data_in_the_script(monkeypatch, tmp_path):
    path = tmp_path / "h.R"
    args = ["pool", *CASES["pool_hostile"][1:], "--emit-r", str(path)]
    assert _run(args, monkeypatch).exit_code == 0
    text = path.read_text(encoding="ascii")  # pure ASCII
    ids = re.search(r"study = (c\(.*?\)),\n  ai", text, re.S).group(1)
    literals = re.findall(r'"(?:[^"\\]|\\.)*"', ids)
    assert [_unescape(lit) for lit in literals] == [
        HOSTILE, 'back\\slash "quoted"', "not a newline: \\n \\u{41} \\x00",
        "Müller 2020 – ü 😀", "#comment ' `tick` ${x}"]  # fmt: skip
    # every line outside the data literals is ivigmeta's own text: no input in comments
    assert all(HOSTILE not in line for line in text.splitlines() if line.startswith("#"))


# ------------------------------------------------------------------- golden outputs


def _without_version(text: str) -> str:
    return re.sub(r"(?m)^# Written by ivigmeta \S+ ", "# Written by ivigmeta VERSION ", text)


def _deviations(r, ours, path=""):
    """(relative deviation, path) of every number R printed; R's keys must all be ours."""
    if isinstance(r, dict):
        assert isinstance(ours, dict), path
        for key, value in r.items():
            assert key in ours, f"{path}.{key}: not in ivigmeta's JSON"
            yield from _deviations(value, ours[key], f"{path}.{key}")
    elif isinstance(r, list):
        assert isinstance(ours, list) and len(ours) == len(r), path
        for i, (a, b) in enumerate(zip(r, ours, strict=True)):
            yield from _deviations(a, b, f"{path}[{i}]")
    elif isinstance(r, (int, float)) and not isinstance(r, bool):
        assert isinstance(ours, (int, float)) and not isinstance(ours, bool), (path, r, ours)
        scale = max(abs(r), abs(ours))
        yield (abs(r - ours) / scale if scale > 0 else 0.0), path
    else:
        assert r == ours, (path, r, ours)


@pytest.mark.parametrize("name", sorted(CASES))
def test_script_is_regenerated_unchanged(name, monkeypatch, tmp_path):
    path = tmp_path / f"{name}.R"
    result = _run([*CASES[name], "--emit-r", str(path)], monkeypatch)
    assert result.exit_code == 0, result.output
    committed = (GOLDEN / f"{name}.R").read_text(encoding="utf-8")
    assert _without_version(path.read_text(encoding="utf-8")) == _without_version(committed)


@functools.cache
def _ivigmeta_json(name: str) -> dict:
    with pytest.MonkeyPatch.context() as monkeypatch:
        result = _run([*CASES[name], "--format", "json"], monkeypatch)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("name", sorted(CASES))
def test_r_output_equals_ivigmeta_json(name):
    r = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    worst = max(_deviations(r, _ivigmeta_json(name)), default=(0.0, ""))
    assert worst[0] <= REL, worst
    if CASES[name][0] == "pool" and r["k"] > 1:
        assert set(r) >= POOL_KEYS


def test_largest_deviation_over_all_cases():
    """Every case at once: the largest relative deviation (README quotes it)."""
    worst = (0.0, "")
    for name in CASES:
        r = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
        worst = max(worst, *((d, f"{name}{p}") for d, p in _deviations(r, _ivigmeta_json(name))))
    assert 0 < worst[0] < 1e-7, worst  # measured: 1.8e-8, a bayes shrinkage bound near 0


def test_hostile_ids_round_trip_through_r_golden():
    r = json.loads((GOLDEN / "pool_hostile.json").read_text(encoding="utf-8"))
    assert r["studies"][0]["id"] == HOSTILE
    assert r["studies"][3]["id"] == "Müller 2020 – ü 😀"
    groups = json.loads((GOLDEN / "subgroup_hostile.json").read_text(encoding="utf-8"))
    assert [g["name"] for g in groups["groups"]] == ['g"); system("touch x', "zürich"]


# ------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["pool", "--csv", "examples/pritz1997.csv", "--measure", "PLO", "--method", "GLMM"],
         "emit-r: not available for --method GLMM"),
        (["bayes", "--csv", "examples/bcg.csv", "--measure", "SMD", "--tau-prior", "rhodes"],
         None),
        (["pool", "--csv", "examples/bcg.csv", "--measure", "RR"], "does not exist"),
    ],
)  # fmt: skip
def test_refusals_are_one_line_and_write_nothing(args, message, monkeypatch, tmp_path):
    target = tmp_path / ("missing/x.R" if message == "does not exist" else "x.R")
    result = _run([*args, "--emit-r", str(target)], monkeypatch)
    assert result.exit_code == 2
    assert result.output.startswith("ivigmeta: error:") and result.output.count("\n") == 1
    if message:
        assert message in result.output
    assert not target.exists()


def test_bayes_rhodes_prior_is_refused(monkeypatch, tmp_path):
    target = tmp_path / "x.R"
    args = ["bayes", "--csv", "examples/bcg.csv", "--measure", "RR", "--tau-prior", "rhodes",
            "--emit-r", str(target)]  # fmt: skip
    result = _run(args, monkeypatch)
    assert result.exit_code == 2 and "cannot integrate" in result.output
    assert not target.exists()


def test_command_line_is_recorded_canonically(monkeypatch, tmp_path):
    target = tmp_path / "x.R"
    args = ["pool", "--csv", "examples/bcg.csv", "--measure", "rr", "--method", "mh",
            "--no-drop00", "--emit-r", str(target)]  # fmt: skip
    assert _run(args, monkeypatch).exit_code == 0
    text = target.read_text(encoding="utf-8")
    line = "ivigmeta pool --csv examples/bcg.csv --measure RR --method MH --no-drop00 --format json"
    assert f"# {line}\n" in text and f'ivigmeta_command <- "{line}"' in text


def test_python_api_writes_the_same_script(monkeypatch, tmp_path):
    from ivigmeta.render.r_script import emit_r

    monkeypatch.chdir(ROOT)
    text = emit_r("regress", tmp_path / "r.R", csv="examples/bcg.csv", measure="RR",
                  mods="ablat,year", command_line="x")  # fmt: skip
    assert (tmp_path / "r.R").read_text(encoding="utf-8") == text
    assert "mods = ~ mod1 + mod2" in text


# ------------------------------------------------------------------- in R, where installed


@pytest.mark.skipif(RSCRIPT is None, reason="Rscript is not installed (CI has no R)")
def test_hostile_strings_stay_data_in_r(tmp_path):
    """Strings R itself reads back, newlines and all, and no file x appears."""
    from ivigmeta.render.r_script import R_JSON

    strings = [HOSTILE, 'x\\"; system("touch x")#', "new\nline\r\ttab\x07", "é – 😀",
               "`r system('touch x')`", "\\", '"']  # fmt: skip
    body = ", ".join(r_string(s) for s in strings)
    script = tmp_path / "s.R"
    script.write_text(f"{r_comment(HOSTILE + chr(10) + 'system(1)')}\n{R_JSON}\n"
                      f"cat(ivigmeta_json(as.list(c({body}))))\n", encoding="ascii")  # fmt: skip
    run = subprocess.run([RSCRIPT, str(script)], cwd=tmp_path, capture_output=True, text=True,
                         check=True, timeout=60)  # fmt: skip
    assert json.loads(run.stdout) == strings
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.R"]


@pytest.mark.skipif(RSCRIPT is None, reason="Rscript is not installed (CI has no R)")
def test_emitted_hostile_script_runs_in_r(tmp_path):
    script = GOLDEN / "pool_hostile.R"
    run = subprocess.run([RSCRIPT, str(script)], cwd=tmp_path, capture_output=True, text=True,
                         check=True, timeout=120)  # fmt: skip
    assert list(tmp_path.iterdir()) == []
    assert json.loads(run.stdout) == json.loads(
        (GOLDEN / "pool_hostile.json").read_text(encoding="utf-8")
    )


RECORDS_GOLDEN = ROOT / "tests" / "oracle" / "golden" / "emit_r_records"


@pytest.mark.parametrize("method", ["MH", "PETO"])
def test_records_binary_pool_writes_its_counts(method, monkeypatch, tmp_path):
    """A two-arm binary outcome of the study records under MH or Peto: the script carries the
    2x2 counts for rma.mh/rma.peto (it once wrote only yi and vi, and R stopped with "Cannot
    find the object/variable ('ai')"). R's output of this script equals ivigmeta's JSON; it was
    made with metafor 5.0-1 by ``ivigmeta pool --studies tests/fixtures/user_records --outcome
    serious_infection --method MH --emit-r mh.R && Rscript mh.R > .../emit_r_records/mh.json``
    (and PETO likewise)."""
    monkeypatch.chdir(tmp_path)
    folder = str(ROOT / "tests" / "fixtures" / "user_records")
    args = ["pool", "--studies", folder, "--outcome", "serious_infection", "--method", method]
    run = CliRunner().invoke(cli, [*args, "--emit-r", "o.R", "--format", "json"])
    assert run.exit_code == 0, run.output
    script = (tmp_path / "o.R").read_text(encoding="utf-8")
    assert "Data: the counts of the study records" in script
    assert re.search(r"^  ai = c\(", script, re.MULTILINE)
    assert f"res <- rma.{method.lower()}(ai = ai, bi = bi, ci = ci, di = di" in script
    ours = json.loads(run.stdout)
    theirs = json.loads((RECORDS_GOLDEN / f"{method.lower()}.json").read_text())
    compared = [k for k, v in theirs.items() if isinstance(v, float) and ours.get(k) is not None]
    assert {"estimate", "se", "ci_low", "ci_high", "q"} <= set(compared)
    for key in compared:
        assert ours[key] == pytest.approx(theirs[key], rel=REL, abs=1e-12), key
    if RSCRIPT is not None:
        done = subprocess.run([RSCRIPT, "o.R"], capture_output=True, text=True, check=True)
        rerun = json.loads(done.stdout)
        for key in compared:
            assert rerun[key] == pytest.approx(theirs[key], rel=1e-12, abs=1e-15), key
