#!/usr/bin/env bash
# scripts/run builds only what it runs, leld and lel, not every test and
# benchmark. Checked on a fresh build directory without compiling anything:
# a stand-in for `meson` on PATH passes `setup` through and turns `compile`
# into a dry run (ninja -n) whose plan is recorded; scripts/run then stops
# at "leld was not built", before it would start JACK. Every target the plan
# links must be leld, the lel client or a static library they link.
#
#     tests/scripts/run_build_test.sh      (from anywhere; ~10 s)
set -euo pipefail
cd "$(dirname "$0")/../.."
real_meson=$(command -v meson)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin"
cat >"$tmp/bin/meson" <<EOF2
#!/usr/bin/env bash
if [[ \$1 == compile ]]; then
    shift
    echo "meson compile \$*" >>"$tmp/plan"
    exec "$real_meson" compile "\$@" --ninja-args=-n >>"$tmp/plan" 2>&1
fi
exec "$real_meson" "\$@"
EOF2
chmod +x "$tmp/bin/meson"

PATH="$tmp/bin:$PATH" LEL_BUILD_DIR="$tmp/build" scripts/run --port 1 --seconds 1 >"$tmp/run.log" 2>&1 || true
if ! grep -q '^meson compile' "$tmp/plan" 2>/dev/null; then
    echo "scripts/run did not compile (its output follows)"; cat "$tmp/run.log"; exit 1
fi
grep '^meson compile' "$tmp/plan"
linked=$(sed -n 's/.*Linking target \([^ ]*\).*/\1/p' "$tmp/plan" | sort -u)
echo "targets it would link: $(echo $linked)"
status=0
for target in $linked; do
    case $target in
        leld | src/client/lel) ;;
        *) echo "scripts/run builds $target, which it does not run"; status=1 ;;
    esac
done
for needed in leld src/client/lel; do
    grep -qx "$needed" <<<"$linked" || { echo "scripts/run does not build $needed"; status=1; }
done
exit "$status"
