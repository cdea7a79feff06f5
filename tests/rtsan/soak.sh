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

work=$(mktemp -d)
server="lel-rtsan-$$"
port=$((30000 + $$ % 20000))
jack_pid="" leld_pid=""
stop() { [[ -n $1 ]] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null || true; }
cleanup() { stop "$leld_pid"; stop "$jack_pid"; rm -rf "$work"; }
trap cleanup EXIT

export JACK_DEFAULT_SERVER=$server JACK_NO_AUDIO_RESERVATION=1
# Report every finding and keep running, so that the count is complete.
export RTSAN_OPTIONS=halt_on_error=false:print_stats_on_exit=false
jackd -n "$server" -d dummy -r 48000 -p 64 >"$work/jackd.log" 2>&1 &
jack_pid=$!
for _ in $(seq 100); do JACK_NO_START_SERVER=1 jack_lsp >/dev/null 2>&1 && break; sleep 0.1; done

"$leld_bin" --no-connect --port "$port" --name "lel-rtsan-$$" >"$work/leld.log" 2>&1 &
leld_pid=$!
lel() { "$lel_bin" "$@" --port "$port"; }
for _ in $(seq 100); do lel ping >/dev/null 2>&1 && break; sleep 0.1; done
lel ping >/dev/null

loads=0
end=$((SECONDS + seconds))
while (( SECONDS < end )); do
    module=${modules[loads % ${#modules[@]}]}
    lel load "$module" >/dev/null
    lel status >/dev/null
    loads=$((loads + 1))
    sleep 0.5
done
underruns=$(lel status | awk '$1 == "underruns" { print $2 }')
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
