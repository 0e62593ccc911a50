#!/usr/bin/env bash
# With every optional part off, configure asks for the library's own
# dependencies only (lmdb, libxxhash, libsodium): no jansson (the tool),
# qrencode/png (C examples) or cmocka (tests). README.md's prerequisites
# table promises exactly that.
#   tests/install/minimal_configure.sh <source-dir> <work-dir>
set -euo pipefail
src=$1 work=$2
rm -rf "$work"
cmake -S "$src" -B "$work" -DTIX_BUILD_CLI=OFF -DTIX_BUILD_EXAMPLES=OFF \
  -DTIX_BUILD_TESTS=OFF -DTIX_BUILD_BENCH=OFF >"$work.log" 2>&1 ||
  { cat "$work.log"; echo "minimal_configure: FAIL: configure failed"; exit 1; }
asked=$(grep -oE '^(JANSSON|QRENCODE|PNG|CMOCKA|BENCH_[A-Z]+)_FOUND' "$work/CMakeCache.txt" || true)
if [ -n "$asked" ]; then
  echo "minimal_configure: FAIL: looked for optional packages:" $asked
  exit 1
fi
for dep in LMDB XXHASH SODIUM; do
  grep -q "^${dep}_FOUND" "$work/CMakeCache.txt" ||
    { echo "minimal_configure: FAIL: ${dep} was not looked up"; exit 1; }
done
grep -q '^TIX_WERROR:BOOL=OFF' "$work/CMakeCache.txt" ||
  { echo "minimal_configure: FAIL: -Werror is on outside the presets"; exit 1; }
echo "minimal_configure: ok (library dependencies only, TIX_WERROR off)"
rm -rf "$work" "$work.log"
