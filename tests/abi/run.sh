#!/usr/bin/env bash
# The ABI check (scripts/check_abi.sh, run after every link of libtix.so)
# passes on the tree as built and fails on each kind of drift: a symbol
# dropped from lib/libtix.map, one listed that the library does not export.
#   tests/abi/run.sh <source-dir> <build-dir>
set -euo pipefail
src=$1 build=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mapfile -t objs < <(find "$build/CMakeFiles" -path '*/tix_*.dir/*' -name '*.o')
[ ${#objs[@]} -gt 0 ] || { echo "abi: no layer objects under $build"; exit 1; }
check() { bash "$src/scripts/check_abi.sh" "$build/libtix.so" "$1" "$src/include/tix.h" "${objs[@]}"; }

check "$src/lib/libtix.map" || { echo "abi: FAIL: the tree's own map does not match"; exit 1; }
grep -v '^    tix_version;$' "$src/lib/libtix.map" >"$tmp/dropped.map"
if check "$tmp/dropped.map" 2>"$tmp/err"; then echo "abi: FAIL: a dropped symbol passed"; exit 1; fi
grep -q 'tix_version' "$tmp/err" || { echo "abi: FAIL: error does not name tix_version"; exit 1; }
sed 's/^    tix_version;$/    tix_version;\n    tix_not_there;/' "$src/lib/libtix.map" >"$tmp/extra.map"
if check "$tmp/extra.map" 2>"$tmp/err"; then echo "abi: FAIL: an extra symbol passed"; exit 1; fi
grep -q 'tix_not_there' "$tmp/err" || { echo "abi: FAIL: error does not name tix_not_there"; exit 1; }
echo "abi: ok"
