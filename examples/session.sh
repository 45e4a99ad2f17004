#!/usr/bin/env bash
# Regenerates examples/session.md: a worked session whose outputs are real.
# Run from the repository root after `pip install .`:  bash examples/session.sh
set -uo pipefail
out=examples/session.md
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() {  # run "comment" "command"
  printf '\n%s\n\n```console\n$ %s\n' "$1" "$2"
  (cd "$work" && COLUMNS=110 bash -c "$2" 2>&1)
  printf '[exit %s]\n```\n' "$?"
}

cp -r examples "$work"/  # the records come from the installed package
{
  printf '# A worked session\n\n'
  printf 'Does intravenous immunoglobulin (IVIG) help people with systemic sclerosis? A session with\n'
  printf 'the bundled records, as a researcher and a reviewer would run it. Every output below was\n'
  printf 'produced by `bash examples/session.sh` (ivigmeta %s).\n' "$(ivigmeta --version | awk '{print $3}')"
  run "What evidence is bundled?" "ivigmeta studies list --format md"
  run "Pool the change in skin score (mRSS) within IVIG-treated patients (metafor's rma defaults: REML, z test)." "ivigmeta pool --outcome mrss"
  run "The same with Knapp-Hartung tests and the Higgins-Thompson-Spiegelhalter prediction interval, as JSON for a script." "ivigmeta pool --outcome mrss --test knha --pi hts --format json | head -32"
  run "At each study's latest timepoint Poelman 2015 prints no SD of change and its p is a bound (<0.0001), so an assumed pre-post correlation r is needed: how much does it matter?" "ivigmeta pool --outcome mrss --timepoint latest --r-sweep --format md"
  run "Does one study drive the result?" "ivigmeta sensitivity --outcome mrss"
  run "The randomised evidence alone: IVIG versus placebo (Takehara 2013)." "ivigmeta pool --outcome mrss_change --design rct"
  run "A reviewer rechecks the paired t test behind Poelman 2015's 6-month p = 0.0011." "ivigmeta test paired --study poelman2015 --outcome mrss --timepoint 6 --format json"
  run "…and every p-value the records print (exit 1: some do not reproduce)." "ivigmeta reproduce --format md"
  run "One self-contained report to circulate." "ivigmeta report --all --out report.html && ls -l report.html | awk '{print \$5, \$9}'"
  run "864 analyses (measures x timepoints x correlations x estimators x tests x PI rules) in one command." "ivigmeta batch examples/plan-mrss.yaml --out mrss.jsonl && wc -l mrss.jsonl"
  run "Bad input gets one line naming the file, line and field, and exit code 2." "printf 'id: broken\ncitation: x\nyear: 2020\nsource: x\ndesign: rct\noutcomes:\n  - outcome: mrss\n    type: paired-continuous\n    timepoint_months: 6\n    baseline: {mean: 20, sd: -3, n: 10}\n' > broken.yaml && ivigmeta studies validate broken.yaml"
} > "$out.tmp" && mv "$out.tmp" "$out"
echo "wrote $out"
