#!/usr/bin/env bash
# README command 2: install dependencies, build, and run the whole test suite
# (ctest: unit, integration, differential against knotd), then the bounded
# libFuzzer run of every fuzz target (tests/fuzz/run.sh all, 20 s each).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
ctest --test-dir build --output-on-failure --timeout 600
if [ -x tests/fuzz/run.sh ]; then
  bash tests/fuzz/run.sh all "${FUZZ_SECONDS:-20}"
fi
