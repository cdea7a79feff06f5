# bench/realtime/modules.sh — sourced by bench/realtime/run.sh: the modules
# of bench/sessions/fast_sines.cpp for N sines, built by lel like any
# session. Each is a copy of the session that defines LEL_BENCH_N first,
# beside a copy of the header it includes, in a work directory.
#
#   source bench/realtime/modules.sh
#   bench_modules_build WORK LEL N...   # builds them, two at a time
#   bench_module WORK N                 # the module for N sines
#
# The header is copied once, before any build starts: two builds that each
# copied it raced to create the same file, and GNU cp, which creates a new
# file exclusively (O_EXCL), failed one of them ("cp: cannot create regular
# file ...: File exists"), which stopped the whole benchmark.
#
# Run from the repository root.

bench_module() {  # WORK N
    echo "$1/fast_sines_$2.so"
}

# Needs bench_sines.hpp in WORK already (bench_modules_build copies it).
bench_module_build() {  # WORK LEL N
    local src="$1/fast_sines_$3.cpp"
    { echo "#define LEL_BENCH_N $3"; cat bench/sessions/fast_sines.cpp; } >"$src" &&
        "$2" build "$src" -o "$(bench_module "$1" "$3")" >/dev/null
}

# Two at a time, so that the machine stays usable; fails if any build does.
bench_modules_build() {  # WORK LEL N...
    local work=$1 lel=$2 n pids=() status=0
    shift 2
    cp bench/sessions/bench_sines.hpp "$work/" || return 1
    for n in "$@"; do
        bench_module_build "$work" "$lel" "$n" &
        pids+=($!)
        if ((${#pids[@]} == 2)); then
            wait "${pids[0]}" || status=1
            wait "${pids[1]}" || status=1
            pids=()
        fi
    done
    for n in "${pids[@]}"; do wait "$n" || status=1; done
    return "$status"
}
