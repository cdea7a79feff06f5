#!/usr/bin/env bash
# The tests do not depend on the user's environment: with LEL_PORT and
# LEL_HOST set (the client reads both), the client suite still passes, and
# the private leld of the benchmarks and the RTSan soak is still reached.
# The host is 127.0.0.2, a loopback address no test listens on: a test that
# still read it would fail, and would send nothing off this machine.
#
#     tests/scripts/env_test.sh BUILD_DIR LEL      (BUILD_DIR built; LEL the client)
set -euo pipefail
build=$(cd "$1" && pwd) lel_bin=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
cd "$(dirname "$0")/../.."
export LEL_PORT=1 LEL_HOST=127.0.0.2
status=0

echo "=== meson test --suite client, with LEL_PORT=$LEL_PORT LEL_HOST=$LEL_HOST"
meson test -C "$build" --no-rebuild --suite client --logbase env-independence --print-errorlogs || status=1

echo "=== scripts/lib/private-leld.sh's lel, with LEL_PORT=$LEL_PORT LEL_HOST=$LEL_HOST"
# Nothing listens: the error names where the client sent its ping.
answer=$(
    source scripts/lib/private-leld.sh
    lel_client=$lel_bin
    lel ping --timeout 0.2 2>&1 || true
)
echo "$answer"
if [[ $answer != *"127.0.0.1:"* ]]; then
    echo "private-leld.sh's lel does not aim at 127.0.0.1"
    status=1
fi
exit "$status"
