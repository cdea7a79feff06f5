# scripts/lib/private-leld.sh — sourced by the benchmarks and the RTSan soak:
# a private JACK server on the dummy backend (48 kHz / 64 frames) and a leld
# on it, both stopped by PID when the sourcing script exits.
#
#   source scripts/lib/private-leld.sh
#   private_leld_start LELD LEL [LELD-OPTIONS...]
#   lel status                          # the client, aimed at that leld
#
# Sets: work (a temporary directory, removed at exit; logs in it),
# port, jack_pid, leld_pid. Never touches a user's JACK server: the server
# has its own name and JACK_DEFAULT_SERVER points at it.

work=$(mktemp -d)
port=$((20000 + ($$ * 7) % 20000))
jack_pid=""
leld_pid=""
lel_client=""

private_leld_stop() {  # PID
    [[ -n $1 ]] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null || true
}

private_leld_cleanup() {
    private_leld_stop "$leld_pid"
    private_leld_stop "$jack_pid"
    rm -rf "$work"
}
trap private_leld_cleanup EXIT

# Aimed at this leld whatever LEL_HOST and LEL_PORT say (the client lets
# them override --host and --port, so they are emptied: it ignores empty ones).
lel() { LEL_HOST='' LEL_PORT='' "$lel_client" "$@" --host 127.0.0.1 --port "$port"; }

private_leld_start() {  # LELD LEL [LELD-OPTIONS...]
    local leld_bin=$1
    lel_client=$2
    shift 2
    local server="lel-private-$$"
    export JACK_DEFAULT_SERVER=$server JACK_NO_AUDIO_RESERVATION=1
    jackd -n "$server" -d dummy -r 48000 -p 64 >"$work/jackd.log" 2>&1 &
    jack_pid=$!
    for _ in $(seq 100); do JACK_NO_START_SERVER=1 jack_lsp >/dev/null 2>&1 && break; sleep 0.1; done
    # leld's client must not take the server's name: jack2 names both sockets after it, and
    # the client's would replace the server's, so no other client could connect.
    "$leld_bin" --no-connect --port "$port" --name "lel-$$" "$@" >"$work/leld.log" 2>&1 &
    leld_pid=$!
    for _ in $(seq 100); do lel ping >/dev/null 2>&1 && break; sleep 0.1; done
    lel ping >/dev/null || { cat "$work/leld.log" >&2; return 1; }
}

# The value of one /lel/status key.
status() { lel status | awk -v k="$1" '$1 == k { print $2 }'; }
