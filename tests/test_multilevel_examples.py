"""The README's multilevel examples run on the CSVs shipped in examples/ (metadat 1.6-0's
dat.konstantopoulos2011 and dat.berkey1998, written by R's write.csv) and give metafor 5.0-1's
golden values (tests/oracle/golden/multilevel*.json) at the multilevel tests' tolerances."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivigmeta.cli import cli

ROOT = Path(__file__).parents[1]
GOLDEN = ROOT / "tests" / "oracle" / "golden"


def _case(file, name, **match):
    cases = json.loads((GOLDEN / file).read_text())["cases"]
    return next(c for c in cases if c["name"] == name
                and all(c.get(k) == v for k, v in match.items()))  # fmt: skip


def _run(*args):
    run = CliRunner().invoke(cli, ["multilevel", *args, "--format", "json"])
    assert run.exit_code == 0, run.output
    return json.loads(run.stdout)


def test_konstantopoulos2011_example():
    golden = _case("multilevel.json", "konstantopoulos2011", method="REML", mods=[])
    out = _run("--csv", str(ROOT / "examples" / "konstantopoulos2011.csv"), "--cluster",
               "district", "--within", "school")  # fmt: skip
    assert out["sigma2"] == pytest.approx(golden["sigma2"], rel=1e-4, abs=1e-5)
    assert out["estimate"] == pytest.approx(golden["beta"], rel=1e-6)
    assert out["se"] == pytest.approx(golden["se"], rel=1e-6)


def test_berkey1998_example():
    golden = _case("multilevel_struct.json", "berkey1998", method="REML", struct="UN",
                   mods="pd")  # fmt: skip
    csv = str(ROOT / "examples" / "berkey1998.csv")
    out = _run("--csv", csv, "--cluster", "trial", "--struct", "UN", "--time", "outcome",
               "--vcov", "v1i,v2i", "--mods", "pd")  # fmt: skip
    assert out["tau2"] == pytest.approx(golden["tau2"], rel=1e-4, abs=1e-5)
    assert out["rho"] == pytest.approx([golden["rho"]], abs=1e-4)
