#!/usr/bin/env bash
# The one test command (README, CI): formatting, lints, every unit/integration/property test, then
# the upstream conformance ratchet against a real server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== cargo test"
cargo test --workspace --quiet
echo "== conformance (upstream Tavern tests)"
scripts/conformance.sh
