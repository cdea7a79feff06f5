#!/usr/bin/env bash
# bench/stress.sh — 10,000 loads in a row while playing (issue 3's stress
# run). Alternates sessions that add signals (two_tones, sine_440 without
# clear) and sessions that clear and replace everything (examples fm and
# stereo), so signals keep appearing and disappearing with fades. Prints
# resident memory after the first 100 loads and after the run, and the
# underruns counted after the first second.
#
#   bench/stress.sh [LOADS]        (from the repository, after scripts/build)
set -euo pipefail
cd "$(dirname "$0")/.."
loads=${1:-10000}
build=${LEL_BUILD_DIR:-build}

source scripts/lib/private-leld.sh
private_leld_start "$build/leld" "$build/src/client/lel"

modules=("$build/tests/modules/two_tones.so" "$build/examples/fm.so" "$build/tests/modules/sine_440.so"
         "$build/examples/stereo.so")
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$leld_pid/status"; }

"$build/bench/load_latency" --port "$port" --loads 100 "${modules[@]}" >/dev/null
sleep 1
rss_100=$(rss)
underruns_0=$(status underruns)
start=$(date +%s.%N)
"$build/bench/load_latency" --port "$port" --loads $((loads - 100)) "${modules[@]}"
end=$(date +%s.%N)
sleep 1
rss_end=$(rss)
underruns_1=$(status underruns)
echo "stress: ${loads} loads in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s (+100 warm-up), leld alive: $(kill -0 "$leld_pid" && echo yes)"
echo "resident memory: ${rss_100} KiB after 100 loads, ${rss_end} KiB after ${loads} (difference $((rss_end - rss_100)) KiB)"
echo "underruns after the first 100 loads: $((underruns_1 - underruns_0)); xruns total: $(status xruns); fade tails cut short: $(status cut_fades)"
