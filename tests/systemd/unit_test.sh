#!/usr/bin/env bash
# The systemd user unit, as meson configures it:
#   1. it runs the leld that is installed with it (ExecStart=<bindir>/leld);
#   2. `systemd-analyze verify` has nothing to say about it;
#   3. `systemd-analyze security` rates its exposure at most MAX_EXPOSURE
#      (the unit before hardening: 9.6 UNSAFE);
#   4. it restarts leld after any failure;
#   5. leld tells systemd when it is ready and feeds a watchdog
#      (Type=notify, WatchdogSec=; tests/integration/service_test.cpp checks
#      what leld sends).
#
#     unit_test.sh UNIT LELD BINDIR
set -uo pipefail
unit=$1 leld=$2 bindir=$3
max_exposure=4.0
failed=0
fail() { echo "FAIL: $*"; failed=1; }

exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[[ $exec_start == "$bindir/leld" ]] || fail "ExecStart=$exec_start, expected $bindir/leld (the installed leld)"
grep -q '^Restart=on-failure$' "$unit" || fail "the unit does not restart leld after a failure"
grep -q '^Type=notify$' "$unit" || fail "the unit does not wait for leld's READY=1 (Type=notify)"
grep -q '^WatchdogSec=[1-9]' "$unit" || fail "the unit has no watchdog (WatchdogSec=)"

# verify needs the binary where ExecStart says; a copy of the unit names a
# temporary one (the path is all that differs).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
install -m755 "$leld" "$tmp/leld"
sed "s|^ExecStart=.*|ExecStart=$tmp/leld|" "$unit" >"$tmp/lel.service"
out=$(systemd-analyze verify "$tmp/lel.service" 2>&1)
[[ -z $out ]] || fail "systemd-analyze verify: $out"

score_line=$(systemd-analyze security --offline=true "$tmp/lel.service" 2>&1 | grep 'Overall exposure level')
echo "$score_line"
score=$(sed -n 's/.*: \([0-9.]*\) .*/\1/p' <<<"$score_line")
if [[ -z $score ]]; then
    fail "no exposure level from systemd-analyze security"
elif ! awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s <= m) }'; then
    fail "exposure $score is above $max_exposure"
fi

if ((failed)); then
    echo "1 failed"
    exit 1
fi
echo "systemd unit: ExecStart, verify, exposure $score <= $max_exposure"
