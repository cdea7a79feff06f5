#!/usr/bin/env bash
# Talking to leld with plain shell tools: oscsend and oscdump (Debian package
# liblo-tools). Start leld first (scripts/run), then:
#
#     scripts/osc-example.sh [PORT]
#
# The one-liners: oscsend encodes and sends one message, then exits.
#
#     oscsend 127.0.0.1 57140 /lel/ping
#     oscsend 127.0.0.1 57140 /lel/load s /absolute/path/to/session.so
#     oscsend 127.0.0.1 57140 /lel/load sis /absolute/path/to/session.so 48000 crossfade
#     oscsend 127.0.0.1 57140 /lel/tempo f 120
#     oscsend 127.0.0.1 57140 /lel/fade f 20
#     oscsend 127.0.0.1 57140 /lel/status
#     oscsend 127.0.0.1 57140 /lel/remove s fm
#     oscsend 127.0.0.1 57140 /lel/clear
#
# leld answers every message to the address and port it came from. oscsend
# sends from a random port and exits at once, so those answers are lost (the
# commands still run; leld logs each one). To see the answers, either use
# the client (`build/src/client/lel status`), which waits for them, or send
# from a socket that stays open, as ask() below does with bash's /dev/udp,
# and hand the answer to oscdump, which decodes and prints any OSC message
# that reaches its port. See docs/OSC.md for every command and answer.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

port=${1:-${LEL_PORT:-57140}}
dump_port=$((port + 2))  # where oscdump listens; any free port will do
build_dir=${LEL_BUILD_DIR:-build}

# leld needs an absolute path. The meson build compiles every example to
# build/examples/NAME.so; `build/src/client/lel build FILE.cpp` does one.
module=$(realpath "$build_dir/examples/fm.so")

# oscdump prints each message it receives on one line: time tag, address,
# type tags, arguments.
oscdump -L "$dump_port" &
dump_pid=$!
trap 'kill "$dump_pid" 2>/dev/null || true' EXIT
sleep 0.3

# ask ADDRESS [TYPES ARGS...]: sends one message to leld and forwards its
# answer to oscdump. `oscsend -` writes the encoded message to stdout, here a
# UDP socket that bash opened and connected to leld, so leld's answer comes
# back to that same socket; dd reads that one datagram and sends it on.
ask() {
    echo "> $*"
    exec 3<>"/dev/udp/127.0.0.1/$port"
    oscsend - "$@" >&3
    if ! timeout 5 dd bs=65536 count=1 status=none <&3 >"/dev/udp/127.0.0.1/$dump_port" 2>/dev/null; then
        echo "  no answer from leld on udp 127.0.0.1:$port within 5 s (is it running? scripts/run)" >&2
        exit 1
    fi
    exec 3<&-
    sleep 0.1  # let oscdump print before the next prompt
}

# Answers carry strings (s), int32 (i) and doubles (d) only; frames are doubles.
ask /lel/ping                     # -> /lel/pong
ask /lel/load s "$module"         # -> /lel/done "/lel/load" path signals frame
ask /lel/status                   # -> /lel/status.reply key value key value ...
ask /lel/fade f 10                # -> /lel/done "/lel/fade" ms (fade time for later changes)
ask /lel/tempo f 120              # -> /lel/done "/lel/tempo" bpm (load quanta now count beats)
# Quantized and crossfaded: takes effect at leld's next multiple of 1 beat
# (frame 24000*k at 48 kHz); the answer comes once it has, with that frame.
ask /lel/load sis "$module" 1 crossfade
ask /lel/tempo f 0                # -> /lel/done "/lel/tempo" 0 (quanta count frames again)
ask /lel/remove s fm              # -> /lel/done "/lel/remove" name removed(0/1) frame
ask /lel/clear                    # -> /lel/done "/lel/clear" frame
ask /lel/load s relative/path.so  # -> /lel/fail "/lel/load" "module path must be absolute: ..."
