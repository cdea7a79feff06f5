#!/usr/bin/env bash
# The RealtimeSanitizer soak: a real jackd (dummy backend, 48 kHz / 64
# frames), a leld built with -fsanitize=realtime, a load every 0.5 s
# alternating between sessions, and /lel/status traffic, for SECONDS.
# Passes when RTSan reported nothing -- or, with --expect-report, when it
# reported something (the negative control: a module that allocates).
#
#   soak.sh LELD LEL SECONDS [--expect-report] MODULE...
set -euo pipefail
leld_bin=$1 lel_bin=$2 seconds=$3
shift 3
expect_report=0
if [[ ${1:-} == --expect-report ]]; then expect_report=1; shift; fi
modules=("$@")

# Report every finding and keep running, so that the count is complete.
export RTSAN_OPTIONS=halt_on_error=false:print_stats_on_exit=false
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/private-leld.sh"
private_leld_start "$leld_bin" "$lel_bin"

loads=0
end=$((SECONDS + seconds))
while (( SECONDS < end )); do
    module=${modules[loads % ${#modules[@]}]}
    lel load "$module" >/dev/null
    lel status >/dev/null
    loads=$((loads + 1))
    sleep 0.5
done
underruns=$(status underruns)
lel quit >/dev/null || true
wait "$leld_pid" 2>/dev/null || true
leld_pid=""

reports=$(grep -c "RealtimeSanitizer" "$work/leld.log" || true)
echo "rtsan soak: ${seconds} s, ${loads} loads, ${underruns} underruns, ${reports} RealtimeSanitizer report lines"
if (( expect_report )); then
    if (( reports == 0 )); then
        echo "FAIL: the allocating module was not reported: the check cannot fail, so it proves nothing"
        exit 1
    fi
    grep -m3 -A6 "RealtimeSanitizer" "$work/leld.log" | head -12
    exit 0
fi
if (( reports > 0 )); then
    grep -A12 "RealtimeSanitizer" "$work/leld.log" | head -60
    exit 1
fi
