#!/usr/bin/env bash
# bench/realtime/run.sh — leld's real-time figures on this machine.
#
#   bash bench/realtime/run.sh [--quick] [--n N] [--play S] [--sweep "N..."] [--sweep-play S]
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
#     (a copy that defines LEL_BENCH_N, so lel picks the compiler as for
#     any session) is loaded, played for 2 s of start-up (ring fill, fade
#     in), then measured over --play seconds (30) at N = --n (10000), and
#     over --sweep-play (10) at each N of --sweep (2000 ... 15000), to find
#     the largest N without underruns.
#  2. Ring depth: leld --ring F for each F of --depths (64 ... 512), 15 s
#     each, under a heavy load: N sized for 85 % of one core, scaled from the
#     busiest run of part 1 without underruns (--ring-n to fix N). Figures:
#     underruns, and the latency the ring adds (ring_frames / sample_rate).
#  3. Idle: leld with no signal (should be ~0: nothing busy-waits), and with
#     one sine playing, 10 s each.
#  4. Save -> sound under `lel watch`: a copy of examples/sine.cpp watched
#     by `lel watch`; bench/realtime/watch_latency rewrites its 440.0 with
#     550.0, 660.0, ... and times each save to the first cycle of the new
#     tone at leld's port (see that file). Also the compile times lel watch
#     printed, and what the rest of the path adds (save -> sound - compile).
#
# Per measured window: underruns and xruns (deltas of `lel status`), CPU
# from /proc utime+stime deltas as % of one core: leld, its producer thread
# (comm lel-producer), its JACK process thread (its other SCHED_FIFO/RR
# thread) and jackd; and cpu_pressure_pct, the share of the time some task
# of the machine waited for a CPU (/proc/pressure/cpu), to tell a run that
# shared the machine (/proc/stat's busy ticks cannot: sampled at the tick,
# they miss threads that wake with the audio period).
#
# Output: one `key value` line per figure, e.g. `voices_10000_underruns 0`,
# and `# ` lines for people. --quick shortens every run, for a smoke check.
# A benchmark: it never fails on timings, only when lel itself fails.
# The default run takes about 4-5 minutes.
set -euo pipefail
shopt -s inherit_errexit  # a failing lel inside $(...) stops the run too
cd "$(dirname "$0")/../.."

play=30 sweep_play=10 ring_play=15 idle=10 startup=2 repeats=10
main_n=10000 sweep="2000 5000 8000 10000 12000 15000" depths="64 128 192 256 512" ring_n=auto
usage="usage: bench/realtime/run.sh [--quick] [--n N] [--play S] [--sweep \"N...\"] [--sweep-play S]
       [--depths \"F...\"] [--ring-n N|auto] [--ring-play S] [--idle S] [--repeats K]"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) play=3 sweep_play=2 ring_play=2 idle=2 startup=1 repeats=3; shift ;;
        --n) main_n=$2; shift 2 ;;
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

# CPU ticks used so far, one "WHAT TICKS" line each: leld, its producer
# thread, its JACK process thread ("jack": its other real-time thread),
# jackd; "pressure US": the time some task waited for a CPU (PSI, when the
# kernel has it); and "wall SECONDS".
cpu_snapshot() {
    local t
    # after "pid (comm) ", stat field k is $(k-2): utime 14, stime 15, policy 41
    for t in /proc/"$leld_pid"/task/*; do
        awk -v comm="$(cat "$t/comm")" '{
            sub(/^.*\) /, "")
            if (comm == "lel-producer") print "producer", $12 + $13
            else if ($39 != 0) print "jack", $12 + $13
        }' "$t/stat"
    done
    awk '{ sub(/^.*\) /, ""); print "leld", $12 + $13 }' /proc/"$leld_pid"/stat
    awk '{ sub(/^.*\) /, ""); print "jackd", $12 + $13 }' /proc/"$jack_pid"/stat
    if [[ -r /proc/pressure/cpu ]]; then
        awk '$1 == "some" { sub(/^total=/, "", $5); print "pressure", $5 }' /proc/pressure/cpu
    fi
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
        { d[$2] += $1 == "after" ? $3 : -$3 }
        END {
            pct = 100 / (hz * d["wall"])
            cpu["leld"] = d["leld"] * pct
            cpu["producer"] = d["producer"] * pct
            cpu["jack_thread"] = d["jack"] * pct
            cpu["jackd"] = d["jackd"] * pct
            n = split("leld producer jack_thread jackd", keys, " ")
            for (i = 1; i <= n; i++) printf "%s_%s_cpu_pct %.1f\n", p, keys[i], cpu[keys[i]]
            pressure = "pressure" in d ? sprintf("%.1f", d["pressure"] / 1e4 / d["wall"]) : "n/a"
            if (pressure != "n/a") printf "%s_cpu_pressure_pct %s\n", p, pressure
            printf "# %s: %d underruns, %d xruns in %.1f s; CPU (%% of one core): leld %.1f",
                label, u, x, d["wall"], cpu["leld"]
            printf " (producer %.1f, JACK thread %.1f), jackd %.1f; CPU pressure %s %%\n",
                cpu["producer"], cpu["jack_thread"], cpu["jackd"], pressure
        }'
}

# The modules of fast_sines.cpp for N sines: bench_modules_build, bench_module.
source bench/realtime/modules.sh
module_for() { bench_module "$work" "$1"; }

load_and_start() {  # N
    lel load "$(module_for "$1")" >/dev/null
    sleep "$startup"
}

# ------------------------------------------------------------ the run

echo "# lel real-time figures on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# JACK dummy backend, 48000 Hz, period 64; startup ${startup} s before each measurement"

# Built before any leld runs, two at a time, so the compiler disturbs nothing.
ns=$(printf '%s\n' 1 "$main_n" $sweep $([[ $ring_n == auto ]] || echo "$ring_n") | sort -nu)
# shellcheck disable=SC2086  # one N per word
bench_modules_build "$work" "$lel_bin" $ns

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
echo "max_n_without_underruns $best"
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
    bench_modules_build "$work" "$lel_bin" "$ring_load"
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
    latency_ms=$(awk -v f="$frames" -v r="$rate" 'BEGIN { printf "%.3f", 1000 * f / r }')
    echo "ring_${depth}_frames $frames"
    echo "ring_${depth}_latency_ms $latency_ms"
    measure "$ring_play" "ring_${depth}" "--ring $depth ($frames frames, $latency_ms ms), $ring_load sines, ${ring_play} s"
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
    echo "run.sh: no JACK client can join the private server; does private-leld.sh give leld" \
        "the server's name? Then leld's client socket replaced the server's." >&2
    exit 1
fi
saves=$("$watch_latency" --file "$work/watch/sine.cpp" --client "$client" --repeats "$repeats") ||
    { echo "$saves"; cat "$work/watch.log" >&2; exit 1; }
echo "$saves"
private_leld_stop "$watch_pid"
watch_pid=""
# lel watch prints "built ... in X s": first for its start, then once per
# save. A save's latency minus its compile time is what the rest adds: the
# watcher's debounce (50 ms), sending the load, the swap and the ring.
{
    awk '/^built / && n++ { print "compile", $(NF - 1) * 1000 }' "$work/watch.log"
    awk '$1 ~ /^watch_save_to_sound_[0-9]+_ms$/ { print "save", $2 }' <<<"$saves"
} | awk '
    function median(a, n,    i, j, v) {  # sorts a[1..n]
        for (i = 2; i <= n; i++) { v = a[i]; for (j = i - 1; j > 0 && a[j] > v; j--) a[j + 1] = a[j]; a[j + 1] = v }
        return a[int((n + 1) / 2)]
    }
    $1 == "compile" { c[++nc] = $2 }
    $1 == "save" { s[++ns] = $2 }
    END {
        n = nc < ns ? nc : ns
        if (!n) exit
        for (i = 1; i <= n; i++) rest[i] = s[i] - c[i]
        mr = median(rest, n)
        mc = median(c, nc)
        printf "watch_compile_median_ms %.0f\nwatch_compile_max_ms %.0f\nwatch_rest_median_ms %.1f\n", mc, c[nc], mr
        printf "# lel watch compile time over %d saves: median %.0f ms, max %.0f ms;", nc, mc, c[nc]
        printf " save -> sound minus compile: median %.1f ms\n", mr
    }'
