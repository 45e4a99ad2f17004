"""The report: content checked against metafor's numbers, self-containment, graceful gaps,
the CLI, and a real headless browser (Debian's chromium) rendering the page."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import ivigmeta
from ivigmeta.analyses import report as report_module
from ivigmeta.analyses.report import report
from ivigmeta.cli import cli
from ivigmeta.render.report_html import render_html
from ivigmeta.render.report_markdown import render_markdown
from svg_probe import SVG, group, ids, parse, path_points, x_axis_map

GOLDEN = Path(__file__).parent / "oracle" / "golden" / "pool.json"


def metafor_mrss() -> dict:
    """metafor's rma() on the bundled mRSS records (tests/oracle/pool_mrss.R)."""
    cases = json.loads(GOLDEN.read_text())["cases"]
    return next(c for c in cases if c["name"] == "mrss default (MC, REML, z)")["expected"]


@pytest.fixture(scope="module")
def full_report():
    return report(all=True)


@pytest.fixture(scope="module")
def full_html(full_report):
    return render_html(full_report)


def figure_svg(html: str, figure_id: str) -> str:
    match = re.search(rf'<figure id="{figure_id}">(<svg.*?</svg>)', html, re.S)
    assert match, f"no figure {figure_id}"
    return match.group(1)


def test_forest_in_the_report_draws_metafors_numbers(full_html):
    expected = metafor_mrss()
    root = parse(figure_svg(full_html, "forest-mrss"))
    prefix = "forest-mrss-"
    squares = ids(root, f"{prefix}study-square-")
    assert len(squares) == expected["k"] == 2
    to_x = x_axis_map(root, prefix=prefix)
    left, top, right, _ = path_points(group(root, f"{prefix}diamond-overall"))
    assert left[0] == pytest.approx(to_x(expected["ci_low"]), abs=0.02)
    assert top[0] == pytest.approx(to_x(expected["estimate"]), abs=0.02)
    assert right[0] == pytest.approx(to_x(expected["ci_high"]), abs=0.02)
    pi = [x for x, _ in path_points(group(root, f"{prefix}prediction-interval"))]
    assert (min(pi), max(pi)) == pytest.approx(
        (to_x(expected["pi_low"]), to_x(expected["pi_high"])), abs=0.02
    )
    drawn = sorted(float(group(root, s).find(f".//{SVG}use").get("x")) for s in squares)
    wanted = sorted(to_x(s["yi"]) for s in expected["studies"])
    assert drawn == pytest.approx(wanted, abs=0.02)


def test_report_lists_studies_flags_results_and_methods(full_report, full_html):
    text = re.sub(r"<[^>]+>", " ", full_html)
    for study in full_report.studies:
        assert html.escape(study.citation) in full_html
    assert "⚠" in text and 'class="flag"' in full_html
    poelman = next(s for s in full_report.studies if s.id == "poelman2015")
    assert any("IVIG cycles" in f for f in poelman.flags)
    # Headline numbers: metafor's estimate and CI, to the 2 decimals shown.
    expected = metafor_mrss()
    assert f"{expected['estimate']:.2f}".replace("-", "−") in text
    assert f"{expected['ci_low']:.2f} to {expected['ci_high']:.2f}".replace("-", "−") in text
    assert f"I² = {expected['i2']:.1f}%" in text
    # metafor's confint(res): Q-profile CI, upper bound only the search limit (ub.sign ">")
    assert expected["tau2_ci_high_sign"] == ">"
    assert (
        f'τ² 95% CI (Q-profile)</td><td class="num">{expected["tau2_ci_low"]:.4f} to '
        f"&gt;{expected['tau2_ci_high']:.4f}</td>"
    ) in full_html
    assert f"{expected['i2_ci_low']:.1f} to &gt;{expected['i2_ci_high']:.1f}%" in full_html
    methods = full_report.methods
    assert "restricted maximum-likelihood (REML)" in methods
    assert "Wald-type z tests" in methods
    assert "Prediction intervals are" in methods
    assert f"ivigmeta {ivigmeta.__version__}" in methods
    for section in ("summary", "studies", "outcome-mrss", "reproduce", "methods"):
        assert f'id="{section}"' in full_html
    assert '<figure id="leave-one-out-mrss">' in full_html
    # two mRSS studies: no small-study tests, and the report says why
    assert '<figure id="funnel-mrss">' not in full_html
    assert "at least 3 studies needed" in text


def test_reproduce_section_gives_every_verdict_problems_first(full_html):
    from ivigmeta.analyses.reproduce import reproduce

    rows = reproduce()
    section = full_html[full_html.index('<section id="reproduce">') :]
    verdicts = re.findall(r'<span class="verdict-[a-z-]+">([a-z-]+)</span>', section)
    assert sorted(verdicts) == sorted(row.verdict for row in rows)
    checked = [v for v in verdicts if v != "not-checkable"]
    order = ["inconsistent", "decision-error", "unexplained", "consistent"]
    assert checked == sorted(checked, key=order.index)
    for verdict in set(verdicts):
        assert f"{verdicts.count(verdict)} {verdict}" in section


def test_report_is_self_contained(full_html):
    assert "<script" not in full_html
    assert "<link" not in full_html
    assert "@import" not in full_html and "@font-face" not in full_html
    assert not re.search(r'\bsrc="', full_html)
    assert not re.search(r"url\((?!#)", full_html)  # only references to ids in the page
    # Every id is unique although several matplotlib SVGs are inlined.
    all_ids = re.findall(r'\bid="([^"]+)"', full_html)
    assert len(all_ids) == len(set(all_ids))


def test_outcomes_that_cannot_be_pooled_get_a_sentence_not_a_crash(full_report, full_html):
    crp = next(o for o in full_report.outcomes if o.outcome == "crp")
    assert not crp.pool.available
    assert "n at follow-up not reported" in crp.pool.message
    assert '<section id="outcome-crp">' in full_html
    assert '<figure id="forest-crp">' not in full_html


def test_missing_sibling_analysis_is_reported_in_a_sentence(monkeypatch):
    real = report_module._lookup
    monkeypatch.setattr(report_module, "_lookup", lambda n: None if n == "bias" else real(n))
    result = report("mrss")
    assert result.outcomes[0].bias.message == (
        "Small-study (publication bias) analysis is not available in ivigmeta "
        f"{ivigmeta.__version__}."
    )
    assert result.outcomes[0].bias.message in render_html(result)


def test_markdown_report_embeds_its_figures(full_report):
    text = render_markdown(full_report)
    assert text.startswith("# IVIG in systemic sclerosis")
    pooled = [o for o in full_report.outcomes if o.pool.available]
    figures = sum(1 + o.sensitivity.available + o.bias.available for o in pooled)
    assert text.count("](data:image/svg+xml;base64,") == figures >= 2
    assert "| Modified Rodnan skin score (mRSS) | MC | 2 |" in text


def test_cli_writes_html_and_markdown_and_rejects_other_extensions(tmp_path):
    runner = CliRunner()
    out = tmp_path / "report.html"
    result = runner.invoke(cli, ["report", "--outcome", "mrss", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    md = tmp_path / "report.md"
    assert runner.invoke(cli, ["report", "--outcome", "mrss", "--out", str(md)]).exit_code == 0
    assert md.read_text(encoding="utf-8").startswith("# IVIG")
    bad = runner.invoke(cli, ["report", "--all", "--out", str(tmp_path / "r.pdf")])
    assert bad.exit_code == 2
    assert "unknown report format; expected .html or .md" in bad.output
    assert not (tmp_path / "r.pdf").exists()
    neither = runner.invoke(cli, ["report", "--out", str(out)])
    assert neither.exit_code == 2 and "--outcome mrss" in neither.output


def test_pool_forest_and_bias_funnel_options(tmp_path):
    runner = CliRunner()
    forest = tmp_path / "forest.svg"
    result = runner.invoke(cli, ["pool", "--outcome", "mrss", "--forest", str(forest),
                                 "--by", "design", "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    root = parse(forest.read_text(encoding="utf-8"))
    assert len(ids(root, "study-square-")) == json.loads(result.output)["k"] == 2
    assert len(ids(root, "diamond-subgroup-")) == 2  # rct, retrospective: one each
    funnel = tmp_path / "funnel.svg"
    bcg = str(Path(__file__).parent / "oracle" / "golden" / "pool_bcg.csv")
    result = runner.invoke(cli, ["bias", "--csv", bcg, "--measure", "RR", "--funnel", str(funnel)])
    assert result.exit_code == 0, result.output
    root = parse(funnel.read_text(encoding="utf-8"))
    assert len(group(root, "observed-studies").findall(f".//{SVG}use")) == 13


# --------------------------------------------------------------------------- real browser

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--enable-logging=stderr", "--v=0",
]  # fmt: skip


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required in CI (.ci/run installs it)")
        pytest.skip("chromium not installed (apt-get install chromium); runs in CI")
    return found


def test_report_renders_in_headless_chromium_without_console_errors(full_html, tmp_path):
    browser = chromium()
    page = tmp_path / "report.html"
    page.write_text(full_html, encoding="utf-8")
    run = subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
         page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    dom = run.stdout
    console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []
    assert "<title>IVIG in systemic sclerosis: meta-analysis report</title>" in dom
    forests = re.findall(r'<figure id="forest-([a-z_]+)"><svg', dom)
    assert forests == [o for o in re.findall(r'<section id="outcome-([a-z_]+)"', dom)
                       if f'id="forest-{o}"' in full_html]  # fmt: skip
    assert "mrss" in forests
    assert dom.count("<svg") == full_html.count("<svg")


def test_report_has_the_baujat_plot_of_metafors_coordinates(full_html):
    from ivigmeta.stats.sensitivity.baujat import baujat

    expected = metafor_mrss()
    root = parse(figure_svg(full_html, "baujat-mrss"))
    points = group(root, "baujat-mrss-baujat-points").findall(f".//{SVG}use")
    assert len(points) == expected["k"]
    b = baujat([s["yi"] for s in expected["studies"]], [s["vi"] for s in expected["studies"]])
    to_x = x_axis_map(root, prefix="baujat-mrss-")
    drawn = sorted(float(p.get("x")) for p in points)
    assert drawn == pytest.approx(sorted(to_x(x) for x in b.x), abs=0.02)


OVERFLOW_PROBE = """<script>window.addEventListener("load", () => {
  const edge = document.querySelector("main").getBoundingClientRect().right;
  const wide = [...document.querySelectorAll("table, figure")].filter(
    (t) => t.getBoundingClientRect().right > edge + 1 || t.scrollWidth > t.clientWidth + 1);
  document.body.setAttribute("data-overflow",
    wide.map((t) => (t.closest("section") || {}).id).join(" ") || "none");
});</script>"""


@pytest.mark.parametrize("width", [1024, 700])
def test_no_table_or_figure_overflows_the_page_in_chromium(full_html, tmp_path, width):
    # the page itself has no script; a copy gets one that measures the laid-out boxes
    browser = chromium()
    page = tmp_path / "probe.html"
    page.write_text(full_html.replace("</body>", OVERFLOW_PROBE + "</body>"), encoding="utf-8")
    run = subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--window-size={width},900",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert 'data-overflow="none"' in run.stdout, re.findall(r'data-overflow="[^"]*"', run.stdout)
