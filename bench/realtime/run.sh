#!/usr/bin/env bash
# bench/realtime/run.sh — leld's real-time figures on this machine.
#
#   bash bench/realtime/run.sh [--quick] [--play S] [--sweep "N..."] [--sweep-play S]
#                              [--depths "F..."] [--ring-n N|auto] [--ring-play S]
#                              [--idle S] [--repeats K]
#
# Run from the repository root after scripts/build (it uses build/leld,
# build/src/client/lel and build/bench/realtime/watch_latency). Each part
# runs on a private JACK server, dummy backend at 48 kHz / 64 frames, and a
# leld on it (scripts/lib/private-leld.sh); leld is restarted, with its
# server, where a part needs another ring depth or a fresh start.
#
#  1. Voices: bench/sessions/fast_sines.cpp built for N sines of lel::sine
#     (a copy with LEL_BENCH_N substituted, so lel picks the compiler as for
#     any session) is loaded, played for 2 s of start-up (ring fill, fade
#     in), then measured over --play seconds (30) at N=10000, and over
#     --sweep-play (10) at each N of --sweep, to find the largest N without
#     underruns.
#  2. Ring depth: leld --ring F for each F of --depths, under the load of the
#     sweep's N nearest 85 % of one core (--ring-n to fix N), 15 s each:
#     underruns, and the latency the ring adds (ring_frames / sample_rate).
#  3. Idle: leld with no signal (should be ~0: nothing busy-waits), and with
#     one sine playing, 10 s each.
#  4. Save -> sound under `lel watch`: a copy of examples/sine.cpp watched
#     by `lel watch`; bench/realtime/watch_latency rewrites its 440.0 with
#     550.0, 660.0, ... and times each save to the first cycle of the new
#     tone at leld's port (see that file). Also the compile times lel watch
#     printed.
#
# Per measured window: underruns and xruns (deltas of `lel status`), CPU
# from /proc utime+stime deltas as % of one core: leld, its producer thread
# (comm lel-producer), its JACK process thread (its other SCHED_FIFO/RR
# thread), jackd, and everything else on the machine (others_cpu_pct, to
# tell a disturbed run).
#
# Output: one `key value` line per figure, e.g. `voices_10000_underruns 0`,
# and `# ` lines for people. --quick shortens every run, for a smoke check.
# A benchmark: it never fails on timings, only when lel itself fails.
# The default run takes about 4-5 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."

play=30 sweep_play=10 ring_play=15 idle=10 startup=2 repeats=10
main_n=10000 sweep="2000 5000 8000 10000 12000 15000" depths="64 128 192 256 512" ring_n=auto
usage="usage: bench/realtime/run.sh [--quick] [--play S] [--sweep \"N...\"] [--sweep-play S] [--depths \"F...\"] [--ring-n N|auto] [--ring-play S] [--idle S] [--repeats K]"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) play=3 sweep_play=2 ring_play=2 idle=2 startup=1 repeats=3; shift ;;
        --play) play=$2; shift 2 ;;
        --sweep) sweep=$2; shift 2 ;;
        --sweep-play) sweep_play=$2; shift 2 ;;
        --depths) depths=$2; shift 2 ;;
        --ring-n) ring_n=$2; shift 2 ;;
        --ring-play) ring_play=$2; shift 2 ;;
        --idle) idle=$2; shift 2 ;;
        --repeats) repeats=$2; shift 2 ;;
        *) echo "$usage" >&2; exit 2 ;;
    esac
done

leld_bin=build/leld
lel_bin=build/src/client/lel
watch_latency=build/bench/realtime/watch_latency
for f in "$leld_bin" "$lel_bin" "$watch_latency"; do
    [[ -x $f ]] || { echo "run.sh: $f is missing: run scripts/build first" >&2; exit 2; }
done

source scripts/lib/private-leld.sh
watch_pid=""
trap 'private_leld_stop "$watch_pid"; private_leld_cleanup' EXIT

# Stops leld and its server and starts both again with these leld options.
leld_restart() {
    private_leld_stop "$leld_pid"
    private_leld_stop "$jack_pid"
    leld_pid="" jack_pid=""
    private_leld_start "$leld_bin" "$lel_bin" "$@"
}

# ------------------------------------------------------------ measuring

clk_tck=$(getconf CLK_TCK)

# One line per figure of the moment: "thread TID KIND TICKS" for each of
# leld's threads, "jackd TICKS", "host BUSY_TICKS" (all cores), "wall S".
cpu_snapshot() {
    local t
    for t in /proc/"$leld_pid"/task/*; do
        # after "pid (comm) ", stat field k is $(k-2): utime 14, stime 15, policy 41
        awk -v tid="${t##*/}" -v comm="$(cat "$t/comm")" '{
            sub(/^.*\) /, "")
            kind = comm == "lel-producer" ? "producer" : ($39 != 0 ? "jack" : "other")
            print "thread", tid, kind, $12 + $13
        }' "$t/stat"
    done
    awk '{ sub(/^.*\) /, ""); print "jackd", $12 + $13 }' /proc/"$jack_pid"/stat
    awk '$1 == "cpu" { print "host", $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
    echo "wall $(date +%s.%N)"
}

# Measures SECONDS of play and prints PREFIX_underruns, _xruns and the CPU
# figures, then a `# ` line saying them. LABEL starts that line.
measure() {  # SECONDS PREFIX LABEL
    local seconds=$1 prefix=$2 label=$3 u0 x0 u1 x1 before after
    u0=$(status underruns)
    x0=$(status xruns)
    before=$(cpu_snapshot)
    sleep "$seconds"
    after=$(cpu_snapshot)
    u1=$(status underruns)
    x1=$(status xruns)
    echo "${prefix}_underruns $((u1 - u0))"
    echo "${prefix}_xruns $((x1 - x0))"
    {
        sed 's/^/before /' <<<"$before"
        sed 's/^/after /' <<<"$after"
    } | awk -v p="$prefix" -v hz="$clk_tck" -v label="$label" -v u=$((u1 - u0)) -v x=$((x1 - x0)) '
        function add(when, key, v) { if (when == "before") v = -v; sum[key] += v }
        $2 == "thread" { add($1, "leld", $5); add($1, $4, $5); seen[$3] = seen[$3] + 1 }
        $2 == "jackd" { add($1, "jackd", $3) }
        $2 == "host" { add($1, "host", $3) }
        $2 == "wall" { add($1, "wall", $3) }
        END {
            pct = 100 / (hz * sum["wall"])
            others = sum["host"] - sum["leld"] - sum["jackd"]
            printf "%s_leld_cpu_pct %.1f\n%s_producer_cpu_pct %.1f\n%s_jack_thread_cpu_pct %.1f\n", p, sum["leld"] * pct, p, sum["producer"] * pct, p, sum["jack"] * pct
            printf "%s_jackd_cpu_pct %.1f\n%s_others_cpu_pct %.1f\n", p, sum["jackd"] * pct, p, others * pct
            printf "# %s: %d underruns, %d xruns in %.1f s; CPU (%% of one core): leld %.1f (producer %.1f, JACK thread %.1f), jackd %.1f, rest of the machine %.1f\n", label, u, x, sum["wall"], sum["leld"] * pct, sum["producer"] * pct, sum["jack"] * pct, sum["jackd"] * pct, others * pct
        }'
}

# The module of fast_sines.cpp for N sines: a copy of the session with the
# default of LEL_BENCH_N replaced, built by lel like any session.
module_for() { echo "$work/fast_sines_$1.so"; }
build_module() {  # N
    local src="$work/fast_sines_$1.cpp"
    sed "s/^#define LEL_BENCH_N 64$/#define LEL_BENCH_N $1/" bench/sessions/fast_sines.cpp >"$src"
    grep -q "^#define LEL_BENCH_N $1\$" "$src" || { echo "run.sh: cannot set LEL_BENCH_N in fast_sines.cpp" >&2; return 1; }
    "$lel_bin" build "$src" -o "$(module_for "$1")" >/dev/null
}

load_and_start() {  # N
    lel load "$(module_for "$1")" >/dev/null
    sleep "$startup"
}

# ------------------------------------------------------------ the run

echo "# lel real-time figures on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# JACK dummy backend, 48000 Hz, period 64; startup ${startup} s before each measurement"

# Built before any leld runs, two at a time, so the compiler disturbs nothing.
ns=$(printf '%s\n' 1 "$main_n" $sweep $([[ $ring_n == auto ]] || echo "$ring_n") | sort -nu)
pids=()
for n in $ns; do
    build_module "$n" &
    pids+=($!)
    if ((${#pids[@]} == 2)); then wait "${pids[0]}"; wait "${pids[1]}"; pids=(); fi
done
for p in "${pids[@]}"; do wait "$p"; done

private_leld_start "$leld_bin" "$lel_bin"

echo "# 1. fast oscillators (lel::sine) in real time"
# points: "N underruns leld_cpu_pct" per run, to size the load of part 2.
points="" sweep_points=""
measure_voices() {  # N SECONDS PREFIX; sets point
    local figures
    load_and_start "$1"
    figures=$(measure "$2" "$3" "$1 sines, $2 s")
    echo "$figures"
    point="$1 $(awk '$1 ~ /_underruns$/ { u = $2 } $1 ~ /_leld_cpu_pct$/ { c = $2 } END { print u, c }' <<<"$figures")"
    points+="$point"$'\n'
}
measure_voices "$main_n" "$play" "voices_${main_n}"
for n in $sweep; do
    measure_voices "$n" "$sweep_play" "sweep_voices_$n"
    sweep_points+="$point"$'\n'
done
best=$(awk '$2 == 0 && $1 > b { b = $1 } END { print b + 0 }' <<<"$sweep_points")
echo "sweep_max_voices_without_underruns $best"
echo "# largest N of the sweep ($sweep) without underruns: $best (0: none)"

echo "# 2. underruns versus ring depth"
if [[ $ring_n == auto ]]; then
    # N for 85 % of a core, scaled from the busiest run without underruns
    # (else the smallest run): leld's CPU grows about linearly with N.
    ring_load=$(awk 'NF == 3 {
            if ($2 == 0 && (!ok || $3 > c)) { ok = 1; n = $1; c = $3 }
            else if (!ok && (!n || $1 < n)) { n = $1; c = $3 }
        } END { print int(n * 85 / (c > 1 ? c : 1) / 100 + 0.5) * 100 }' <<<"$points")
    ((ring_load > 0)) || ring_load=100
    build_module "$ring_load"
    how="scaled to 85 % of a core from the busiest run without underruns"
else
    ring_load=$ring_n how="--ring-n"
fi
echo "ring_load_voices $ring_load"
echo "# load: $ring_load sines ($how)"
for depth in $depths; do
    leld_restart --ring "$depth"
    frames=$(status ring_frames)
    rate=$(status sample_rate)
    load_and_start "$ring_load"
    echo "ring_${depth}_frames $frames"
    awk -v d="$depth" -v f="$frames" -v r="$rate" 'BEGIN { printf "ring_%s_latency_ms %.3f\n", d, 1000 * f / r }'
    measure "$ring_play" "ring_${depth}" "--ring $depth ($frames frames, $(awk -v f="$frames" -v r="$rate" 'BEGIN { printf "%.2f", 1000 * f / r }') ms), $ring_load sines, ${ring_play} s"
done

echo "# 3. idle"
leld_restart
sleep "$startup"
measure "$idle" idle "no signal, ${idle} s"
load_and_start 1
measure "$idle" one_sine "one sine, ${idle} s"

echo "# 4. save -> sound under lel watch"
mkdir "$work/watch"
cp examples/sine.cpp "$work/watch/sine.cpp"
"$lel_bin" watch "$work/watch/sine.cpp" --port "$port" >"$work/watch.log" 2>&1 &
watch_pid=$!
# leld's client is the one with an out_1; listing the ports also checks that
# a new client can join the private server, which watch_latency needs.
client=$(JACK_NO_START_SERVER=1 jack_lsp 2>/dev/null | sed -n 's/:out_1$//p' | head -1) || true
if [[ -z $client ]]; then
    echo "run.sh: no JACK client can join the private server (does private-leld.sh give leld the server's name? Then leld's client socket replaced the server's)" >&2
    exit 1
fi
"$watch_latency" --file "$work/watch/sine.cpp" --client "$client" --repeats "$repeats" ||
    { cat "$work/watch.log" >&2; exit 1; }
private_leld_stop "$watch_pid"
watch_pid=""
# "built ... in X s": the first build is lel watch's start, the rest are saves.
awk '/^built / && n++ { print $(NF - 1) }' "$work/watch.log" | sort -n | awk '
    { s[++k] = $1 }
    END {
        if (!k) exit
        printf "watch_compile_s_median %.2f\nwatch_compile_s_max %.2f\n", s[int((k + 1) / 2)], s[k]
        printf "# lel watch compile time over %d saves: median %.2f s, max %.2f s\n", k, s[int((k + 1) / 2)], s[k]
    }'
