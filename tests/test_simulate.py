"""ivigmeta simulate: exact intervals keep their level, bookkeeping equals a plain loop over
rma(), and the output does not depend on how the run is split (shards, processes, Dask)."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from ivigmeta.analyses.simulate import MAX_CHUNK, chunk_seed, chunk_size, simulate
from ivigmeta.cli import cli
from ivigmeta.errors import InputError
from ivigmeta.stats.models.rma import rma

EXAMPLES = Path(__file__).parent.parent / "examples"


def write(tmp_path: Path, text: str, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def by_key(rows):
    return {(r["k"], r["tau2"], r["mu"], r["vi"], r["method"], r["test"], r["pi"]): r for r in rows}


def test_knapp_hartung_is_exact_with_equal_variances(tmp_path):
    """Equal v_i: equal weights whatever tau², mu_hat is the mean and the Knapp-Hartung
    variance sum (y - ybar)²/(k(k - 1)), so the t(k - 1) interval covers exactly 95%."""
    plan = write(
        tmp_path,
        """seed: 11
replications: 20000
scenarios: {k: [3, 6], tau2: [0.3], mu: [0.2], vi: {equal: 0.1}}
methods: [DL, REML]
tests: [knha]
""",
    )
    for row in simulate(plan).rows:
        assert abs(row["ci_coverage"] - 0.95) < 4 * row["ci_coverage_mcse"], row


def test_equal_effects_z_interval_is_exact_without_heterogeneity(tmp_path):
    plan = write(
        tmp_path,
        """seed: 12
replications: 20000
scenarios: {k: [2, 4], tau2: [0], mu: [0], vi: {uniform: [0.01, 0.5]}}
methods: [EE]
tests: [z]
""",
    )
    for row in simulate(plan).rows:
        assert abs(row["ci_coverage"] - 0.95) < 4 * row["ci_coverage_mcse"], row
        # mu = 0: the rejection rate is the type I error, 1 - coverage exactly
        assert row["rejection_rate"] == pytest.approx(1 - row["ci_coverage"])
        assert row["pi_coverage"] is None  # metafor gives EE no prediction interval


def test_rows_equal_a_plain_loop_over_rma(tmp_path):
    """Redraw the data of one chunk from its seed, in the documented order, and fit each
    replication with rma(): the simulator's sums must match."""
    plan = write(
        tmp_path,
        """seed: 5
replications: 120
scenarios: {k: [4], tau2: [0.1], mu: [0.5], vi: {uniform: [0.05, 0.2]}}
methods: [PM, REML]
tests: [z, knha]
pi: [auto, hts]
""",
    )
    rows = by_key(simulate(plan).rows)
    rng = np.random.Generator(np.random.PCG64(chunk_seed(5, 0, 0)))
    v = rng.uniform(0.05, 0.2, size=(4, 120))
    theta = 0.5 + math.sqrt(0.1) * rng.standard_normal((4, 120))
    y = theta + np.sqrt(v) * rng.standard_normal((4, 120))
    new = 0.5 + math.sqrt(0.1) * rng.standard_normal(120)
    for method, test, pi in [("PM", "z", "auto"), ("REML", "knha", "hts"), ("REML", "z", "hts")]:
        fits = [rma(y[:, r], v[:, r], method=method, test=test, pi=pi).summary()
                for r in range(120)]  # fmt: skip
        row = rows[(4, 0.1, 0.5, "uniform(0.05, 0.2)", method, test, pi)]
        covered = np.mean([f["ci_low"] <= 0.5 <= f["ci_high"] for f in fits])
        pi_cov = np.mean([f["pi_low"] <= n <= f["pi_high"] for f, n in zip(fits, new, strict=True)])
        assert row["ci_coverage"] == pytest.approx(covered, abs=1e-12)
        assert row["pi_coverage"] == pytest.approx(pi_cov, abs=1e-12)
        assert row["rejection_rate"] == pytest.approx(np.mean([f["p"] < 0.05 for f in fits]))
        assert row["bias"] == pytest.approx(np.mean([f["estimate"] - 0.5 for f in fits]))
        assert row["tau2_rmse"] == pytest.approx(
            math.sqrt(np.mean([(f["tau2"] - 0.1) ** 2 for f in fits])), rel=1e-9
        )
        assert row["mean_ci_width"] == pytest.approx(
            np.mean([f["ci_high"] - f["ci_low"] for f in fits]), rel=1e-9
        )


def test_chunk_size_depends_on_k_only():
    assert chunk_size(3) == chunk_size(10) == MAX_CHUNK
    assert chunk_size(1000) == 200 and chunk_size(10_000) == 100


def test_chunk_seeds_are_numpy_spawn():
    spawned = np.random.SeedSequence(7).spawn(3)[2].spawn(5)[4]
    ours = chunk_seed(7, 2, 4)
    assert ours.generate_state(4).tolist() == spawned.generate_state(4).tolist()


SPLIT_PLAN = """seed: 99
replications: {reps}
scenarios: {{k: {ks}, tau2: [0, 0.2], mu: [0.3], vi: {{uniform: [0.01, 0.4]}}}}
methods: [DL, PM]
tests: [z, knha]
"""


def test_shards_and_processes_give_the_whole_run(tmp_path):
    plan = write(tmp_path, SPLIT_PLAN.format(reps=MAX_CHUNK + 500, ks=[3, 5]))  # 2 chunks each
    whole = simulate(plan).rows
    shards = [row for i in (1, 2, 3) for row in simulate(plan, shard=f"{i}/3").rows]
    assert by_key(shards) == by_key(whole) and len(shards) == len(whole)
    assert simulate(plan, jobs=2).rows == whole


def test_dask_local_cluster_gives_the_whole_run(tmp_path):
    pytest.importorskip("dask.distributed")
    plan = write(tmp_path, SPLIT_PLAN.format(reps=MAX_CHUNK + 10, ks=[3]))
    assert simulate(plan, dask="local").rows == simulate(plan).rows


def test_cli_writes_csv_and_jsonl(tmp_path):
    plan = write(tmp_path, SPLIT_PLAN.format(reps=200, ks=[3, 5]))
    runner = CliRunner()
    out = tmp_path / "rows.jsonl"
    result = runner.invoke(cli, ["simulate", str(plan), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 4 * 4 and rows[0]["replications"] == 200
    csv = runner.invoke(cli, ["simulate", str(plan), "--format", "csv"])
    assert csv.output.splitlines()[0].startswith("k,tau2,mu,vi,method,test,pi,replications")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("seed: 1\nreplications: 10\nscenarios: {k: [], tau2: [0], mu: [0], vi: {equal: 1}}\n",
         "plan.yaml:3: scenarios.k: expected at least one value, got []"),
        ("seed: 1\nreplications: 0\nscenarios: {k: [3], tau2: [0], mu: [0], vi: {equal: 1}}\n",
         "plan.yaml:2: replications:"),
        ("seed: 1\nreplications: 5\nscenarios: {k: [1], tau2: [0], mu: [0], vi: {equal: 1}}\n",
         "plan.yaml:3: scenarios.k[0]:"),
        ("seed: 1\nreplications: 5\nscenarios: {k: [3], tau2: [-0.1], mu: [0], vi: {equal: 1}}\n",
         "plan.yaml:3: scenarios.tau2[0]: expected a variance >= 0, got the number -0.1"),
        ("seed: 1\nreplications: 5\nscenarios: {k: [3], tau2: [0], mu: [0], vi: {equal: 1}}\n"
         "methods: [XX]\n", "plan.yaml:4: methods[0]: expected one of EE, DL"),
        ("seed: 1\nreplications: 5\nscenarios: []\n",
         "plan.yaml:3: scenarios: expected a mapping of k, tau2, mu and vi, got a list"),
        ("seed: 1\nreplications: 5\nscenarios: {k: [4], tau2: [0], mu: [0], vi: [0.1, 0.2]}\n",
         "plan.yaml:3: scenarios.k: vi fixes a design of 2 studies"),
    ],
)  # fmt: skip
def test_bad_plans_are_refused(tmp_path, text, message):
    plan = write(tmp_path, text)
    with pytest.raises(InputError) as error:
        simulate(plan)
    assert str(error.value).replace(str(tmp_path) + "/", "").startswith(message)


@pytest.mark.parametrize("shard", ["0/3", "4/3", "a/b", "1"])
def test_bad_shards_exit_2_and_write_nothing(tmp_path, shard):
    plan = write(tmp_path, SPLIT_PLAN.format(reps=10, ks=[3]))
    out = tmp_path / "rows.csv"
    result = CliRunner().invoke(cli, ["simulate", str(plan), "--shard", shard, "--out", str(out)])
    assert result.exit_code == 2 and "shard" in result.output
    assert not out.exists()


def test_unanswering_dask_scheduler_is_a_clear_error(tmp_path):
    pytest.importorskip("dask.distributed")
    import socket
    import time

    with socket.socket() as s:  # a free port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    plan = write(tmp_path, SPLIT_PLAN.format(reps=10, ks=[3]))
    start = time.monotonic()
    with pytest.raises(InputError, match="no Dask scheduler answered"):
        simulate(plan, dask=f"tcp://127.0.0.1:{port}")
    assert time.monotonic() - start < 20


def test_example_plan_runs():
    plan = EXAMPLES / "simulate-small-k.yaml"
    rows = simulate(plan, shard="3/8").rows  # one of its 8 scenarios: tau2 = 4.7, mu = 0
    assert {(r["k"], r["tau2"], r["mu"]) for r in rows} == {(2, 4.7, 0.0)}
    coverage = {(r["method"], r["test"]): r["ci_coverage"] for r in rows if r["pi"] == "auto"}
    # z intervals of DerSimonian-Laird are far too narrow at k = 2; Knapp-Hartung is not
    assert coverage["DL", "z"] < 0.85 < coverage["DL", "knha"]


def test_reproduces_a_published_simulation(tmp_path):
    """Friedrich, Adhikari & Beyene (2008), BMC Med Res Methodol 8:32, Table 5: coverage of the
    95% DerSimonian-Laird interval for mean differences, 100 patients per arm (within-study
    variance 2 s²/100 = 0.02 s²), between-study SD tau = 0 or 0.5 s, 10,000 simulations per
    cell, printed to whole percent. Ours must be within the rounding (0.5) plus 4 MCSE."""
    published = {(5, 0.0): 96, (5, 0.25): 88, (10, 0.0): 96, (10, 0.25): 92,
                  (30, 0.0): 96, (30, 0.25): 94}  # fmt: skip
    plan = write(
        tmp_path,
        """seed: 2008
replications: 10000
scenarios: {k: [5, 10, 30], tau2: [0, 0.25], mu: [0], vi: {equal: 0.02}}
methods: [DL]
tests: [z]
""",
    )
    for row in simulate(plan).rows:
        expected = published[row["k"], row["tau2"]]
        tolerance = 0.5 + 4 * 100 * row["ci_coverage_mcse"]
        assert abs(100 * row["ci_coverage"] - expected) <= tolerance, row
