#!/usr/bin/env python3
"""Writes the seed corpus of the OSC fuzz target (tests/fuzz/corpus/) and its
dictionary (tests/fuzz/osc.dict): one valid packet per command, an unknown
command, bundles, nested bundles, and malformed packets (among them the
blob packets liblo 0.31 reads past the end of). Run it again after adding
a command; the files are checked in.

    python3 tests/fuzz/make_corpus.py
"""
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))


def s(text):
    b = text.encode() + b"\0"
    return b + b"\0" * (-len(b) % 4)


def i(v): return struct.pack(">i", v)
def f(v): return struct.pack(">f", v)
def d(v): return struct.pack(">d", v)
def h(v): return struct.pack(">q", v)
def blob(data): return i(len(data)) + data + b"\0" * (-len(data) % 4)


def msg(address, tags="", *args):
    return s(address) + s("," + tags) + b"".join(args)


def bundle(*elements):
    out = s("#bundle") + struct.pack(">II", 0, 1)
    for e in elements:
        out += i(len(e)) + e
    return out


# Paths that do not exist: the fuzzer must not load real libraries.
module = "/nonexistent/lel-fuzz/session.so"
corpus = {
    "load": msg("/lel/load", "s", s(module)),
    "load_quant": msg("/lel/load", "si", s(module), i(48000)),
    "load_quant_crossfade": msg("/lel/load", "sds", s(module), d(4.0), s("crossfade")),
    "load_crossfade": msg("/lel/load", "ss", s(module), s("crossfade")),
    "load_relative": msg("/lel/load", "s", s("relative.so")),
    "clear": msg("/lel/clear"),
    "remove": msg("/lel/remove", "s", s("drone")),
    "reset": msg("/lel/reset"),
    "status": msg("/lel/status"),
    "tempo": msg("/lel/tempo", "f", f(120.0)),
    "tempo_double": msg("/lel/tempo", "d", d(0.0)),
    "fade": msg("/lel/fade", "f", f(12.5)),
    "fade_int64": msg("/lel/fade", "h", h(5)),
    "ping": msg("/lel/ping"),
    "quit": msg("/lel/quit"),
    "set": msg("/lel/set", "ssf", s("bass"), s("cutoff"), f(1200.0)),
    "set_lag": msg("/lel/set", "ssdsd", s("bass"), s("cutoff"), d(900.0), s("lag"), d(0.5)),
    "trig": msg("/lel/trig", "ss", s("bass"), s("gate")),
    "trig_value": msg("/lel/trig", "ssf", s("bass"), s("gate"), f(0.7)),
    "get": msg("/lel/get", "ss", s("bass"), s("cutoff")),
    "params": msg("/lel/params"),
    "notify": msg("/lel/notify", "i", i(1)),
    "notify_off": msg("/lel/notify", "i", i(0)),
    "tempo_beat": msg("/lel/tempo", "fdd", f(120.0), d(8.0), d(3.9e9)),
    # an 8-byte argument after a string sits at a multiple of 4 only (the
    # fuzzer found leld's reader holding it as a type of 8-byte alignment)
    "set_unaligned_double": msg("/lel/set", "sd", s("b"), d(1.0)),
    "load_quant_int64": msg("/lel/load", "sh", s(module), h(48000)),
    "timed_set": s("#bundle") + struct.pack(">II", 0xE0000000, 0) + i(len(msg("/lel/set", "ssf", s("bass"), s("cutoff"), f(1.0)))) + msg("/lel/set", "ssf", s("bass"), s("cutoff"), f(1.0)),
    "unknown": msg("/lel/nope", "i", i(1)),
    "answer_done": msg("/lel/done", "s", s("/lel/clear")),
    "all_types": msg("/lel/status", "ifsSbhtdcrmTFNI[i]", i(1), f(2.0), s("x"), s("y"), blob(b"abc"),
                     h(1), h(2), d(3.0), i(65), i(0), i(0x00903c7f), i(7)),
    "bundle": bundle(msg("/lel/ping"), msg("/lel/status"), msg("/lel/clear")),
    "bundle_nested": bundle(msg("/lel/ping"), bundle(msg("/lel/tempo", "f", f(90.0)), bundle(msg("/lel/reset")))),
    "bundle_empty": bundle(),
    # malformed
    "bad_blob_no_data": msg("/lel/load", "b"),
    "bad_blob_after_string": msg("/lel/load", "sb", s(module)),
    "bad_blob_negative": msg("/lel/load", "b", i(-16)),
    "bad_blob_too_big": msg("/lel/load", "b", i(1 << 20), i(0)),
    "bad_no_type_tags": s("/lel/ping"),
    "bad_no_comma": s("/lel/ping") + s("s") + s("x"),
    "bad_unterminated": b"/lel/ping,,,,",
    "bad_trailing": msg("/lel/ping") + i(0),
    "bad_odd_size": b"/lel/ping\0",
    "bad_unknown_tag": msg("/lel/status", "u", i(0)),
    "bad_bundle_zero_element": s("#bundle") + h(1) + i(0),
    "bad_bundle_huge_element": s("#bundle") + h(1) + i(0x7FFFFFF0) + msg("/lel/ping"),
    "bad_bundle_short": s("#bundle") + i(0),
    "bad_not_osc": b"GET / HTTP/1.1\r\n\r\n\0\0",
}

out_dir = os.path.join(here, "corpus")
os.makedirs(out_dir, exist_ok=True)
for old in os.listdir(out_dir):
    os.remove(os.path.join(out_dir, old))
for name, packet in corpus.items():
    with open(os.path.join(out_dir, name), "wb") as out:
        out.write(packet)

words = ["/lel/load", "/lel/clear", "/lel/remove", "/lel/reset", "/lel/status", "/lel/tempo",
         "/lel/fade", "/lel/ping", "/lel/quit", "/lel/set", "/lel/trig", "/lel/get", "/lel/params",
         "/lel/notify", "/lel/done", "/lel/fail", "/lel/pong",
         "/lel/status.reply", "crossfade", "lag", "#bundle", module]
with open(os.path.join(here, "osc.dict"), "w") as out:
    out.write("# OSC addresses and words of leld, for the fuzz target (tests/fuzz/make_corpus.py)\n")
    for w in words:
        out.write('"' + "".join(c if c.isalnum() or c in "/._#-" else "\\x%02x" % ord(c) for c in w) + '"\n')
    # the bundle tag with its NUL, and each address padded as on the wire
    out.write('"#bundle\\x00"\n')
    for w in words[:14]:
        out.write('"' + "".join("\\x%02x" % b if b == 0 else chr(b) for b in s(w)) + '"\n')
    for tags in [",", ",s", ",si", ",sd", ",ss", ",sds", ",f", ",d", ",b", ",i", ",h", ",[i]"]:
        out.write('"' + "".join("\\x%02x" % b if b == 0 else chr(b) for b in s(tags)) + '"\n')
print(f"{len(corpus)} packets in {out_dir}, {len(words)} words in osc.dict")
