#!/usr/bin/env bash
# liblo 0.31 reads past the end of a packet whose blob has no room for its
# size; behind check_osc_packet it does not. Both under valgrind:
#
#     tests/fuzz/liblo_overread.sh BUILD/tests/fuzz/liblo_overread
#
#   raw:       valgrind must report an invalid read in lo_validate_blob
#              (if it does not, the liblo installed is fixed, and this test
#              says so and passes: the validation is then belt and braces);
#   validated: valgrind must report no error at all;
#   server:    nor through leld's own entry point, OscServer::handle_datagram.
# Exit 77 (skipped) without valgrind.
set -euo pipefail
demo=$1
command -v valgrind >/dev/null 2>&1 || { echo "valgrind not found: skipped (apt install valgrind)"; exit 77; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "=== plain liblo ($(pkg-config --modversion liblo 2>/dev/null || echo '?'))"
valgrind --error-exitcode=99 "$demo" raw >"$out" 2>&1 && status=0 || status=$?
cat "$out"
if grep -q "Invalid read of size" "$out" && grep -A3 "Invalid read of size" "$out" | grep -q lo_validate_blob; then
    echo "liblo_overread: shown: liblo reads past the end in lo_validate_blob"
elif ((status == 0)); then
    echo "liblo_overread: this liblo does not over-read on these packets (fixed upstream?)"
else
    echo "liblo_overread: the raw run failed for another reason (status $status)" >&2
    exit 1
fi

for mode in validated server; do
    echo "=== $mode: behind check_osc_packet"
    valgrind --error-exitcode=99 "$demo" "$mode" >"$out" 2>&1 && status=0 || status=$?
    cat "$out"
    if ((status != 0)); then
        echo "liblo_overread: $mode: valgrind reports errors (status $status): liblo still sees malformed packets" >&2
        exit 1
    fi
    echo "liblo_overread: $mode: liblo reads nothing out of bounds"
done
