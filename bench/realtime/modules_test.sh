#!/usr/bin/env bash
# bench/realtime/modules.sh builds the benchmark's modules two at a time:
# no build may fail because another runs beside it (the two once raced to
# copy bench_sines.hpp into the same directory: "cp: cannot create regular
# file ...: File exists"). TRIALS fresh work directories (default 10), each
# with 6 modules, built by a stand-in for lel that only writes its -o file.
# The race is made likely: a stand-in for cp does what GNU cp does with a
# file that does not exist yet (it decides to create it, then creates it
# exclusively, O_EXCL) with 0.2 s between the two, where cp has microseconds.
#
#     bench/realtime/modules_test.sh [TRIALS]     (from anywhere)
set -euo pipefail
cd "$(dirname "$0")/../.."
trials=${1:-10}
source bench/realtime/modules.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/lel" <<'LEL'
#!/bin/sh
# lel build SRC -o OUT: the stand-in checks its input and writes OUT
[ "$1" = build ] && [ -f "$2" ] && [ -f "$(dirname "$2")/bench_sines.hpp" ] && [ "$3" = -o ] && : >"$4"
LEL
chmod +x "$tmp/lel"
mkdir "$tmp/bin"
cat >"$tmp/bin/cp" <<'CP'
#!/usr/bin/env bash
# cp SRC DEST|DIR, with GNU cp's check-then-create-exclusively widened
src=$1 dest=$2
[[ -d $dest ]] && dest=$dest/$(basename "$src")
if [[ -e $dest ]]; then cat "$src" >"$dest"; exit; fi
sleep 0.2
set -o noclobber
{ cat "$src" >"$dest"; } 2>/dev/null || { echo "cp: cannot create regular file '$dest': File exists" >&2; exit 1; }
CP
chmod +x "$tmp/bin/cp"
export PATH="$tmp/bin:$PATH"

failed=0
for ((t = 1; t <= trials; t++)); do
    work="$tmp/work-$t"
    mkdir "$work"
    if ! bench_modules_build "$work" "$tmp/lel" 1 2 3 4 5 6 2>"$tmp/err"; then
        failed=$((failed + 1))
        echo "trial $t failed: $(head -1 "$tmp/err")"
        continue
    fi
    for n in 1 2 3 4 5 6; do
        [[ -f $(bench_module "$work" "$n") ]] || { failed=$((failed + 1)); echo "trial $t: no module for $n"; }
    done
done
echo "$failed of $trials trials failed"
((failed == 0))
