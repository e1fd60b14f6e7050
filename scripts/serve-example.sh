#!/usr/bin/env bash
# README command 1: install dependencies, build, and serve conf/example.yaml
# on 127.0.0.1:5300 (UDP and TCP) in the foreground. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
exec ./build/server/mailns serve -c conf/example.yaml
