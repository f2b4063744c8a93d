#!/usr/bin/env bash
# The main job on the bundled sample data (run through `make demo`).
set -euo pipefail
cd "$(dirname "$0")/.."
out=demo_out
mkdir -p "$out"
echo "== avoid-survey $(avoid-survey --version)"
echo "== instruments list"
avoid-survey instruments list
