#!/usr/bin/env bash
# The main job on the bundled sample study (run it through `make demo`).
# Everything it writes goes to demo_out/; the sample files are only read.
set -euo pipefail
cd "$(dirname "$0")/.."
out=demo_out
mkdir -p "$out"
data=sample_data/responses.csv
inst=blame-avoidance-core-v2
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "avoid-survey $(avoid-survey --version | cut -d' ' -f2): bundled instruments"
avoid-survey instruments list --lang en

step "Questionnaire and codebook of $inst"
avoid-survey instruments export "$inst" --to "$out/questionnaire.docx" --lang zh --force
avoid-survey instruments export "$inst" --to "$out/codebook.csv" --force

step "Validate $data (careless respondents show as warnings; exit 0)"
avoid-survey validate "$data" --instrument "$inst" --clean "$out/responses_clean.csv" --force --lang en \
  --format md --output "$out/validation.md" --force
head -n 30 "$out/validation.md"

step "The Wenjuanxing-style export reads through the same instrument"
avoid-survey validate sample_data/responses_wjx.xlsx --instrument "$inst" --format json \
  | python3 -c "import json,sys; r=json.load(sys.stdin); print('rows', r['n_rows'], 'errors', r['n_errors'], 'warnings', r['n_warnings'])" || true

step "Scale scores, and township means with ICC(1)/ICC(2)/r_wg(j)"
avoid-survey score "$data" --instrument "$inst" --out "$out/scores.csv" --force
avoid-survey score "$data" --instrument "$inst" --scale passive_avoidance --scale accountability_pressure \
  --aggregate township_id --out "$out/townships.csv" --force --lang en

step "Reliability (alpha, omega) of the avoidance scales"
avoid-survey reliability "$data" --instrument "$inst" --scale passive_avoidance --scale active_avoidance \
  --lang en --figure "$out/distribution.png" --force

step "EFA of the passive-avoidance items (parallel analysis picks the number of factors)"
avoid-survey efa "$data" --instrument "$inst" --scale passive_avoidance --lang en --figure "$out/scree.png" --force

step "CFA: fault-tolerance trust, five facets under one second-order factor"
avoid-survey cfa "$data" --instrument fault-tolerance-trust-v2 --scale ft_trust --second-order --missing ml --lang en --figure "$out/cfa.png" --force

step "Measurement invariance of passive avoidance across gender"
avoid-survey cfa "$data" --instrument "$inst" --scale passive_avoidance --group gender --lang en \
  --format md --output "$out/invariance.md" --force
grep -A 6 -i "configural" "$out/invariance.md" | head -n 8 || true

step "H1/H2: pressure x fault-tolerance trust on passive avoidance (township-clustered SEs)"
avoid-survey model --template h1_h2_pressure_trust --data "$data" --lang en \
  --figure "$out/coefficients.png" --slopes-figure "$out/slopes.png" --out "$out/h1_h2" --force

step "Multilevel version (officials in townships in counties)"
avoid-survey model --template multilevel --data "$data" --lang en

step "Study report (HTML and Word)"
avoid-survey report --template h1_h2_pressure_trust --data "$data" --out "$out/report.html" --force
avoid-survey report --template h1_h2_pressure_trust --data "$data" --out "$out/report.docx" --lang zh --force

step "Done: see $out/"
ls "$out"
