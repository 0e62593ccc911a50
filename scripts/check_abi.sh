#!/usr/bin/env bash
# Build-time ABI check of libtix.so (run by CMake after every link).
#   check_abi.sh <libtix.so> <libtix.map> <tix.h> <object files...>
# Fails when a symbol appeared or disappeared without the list being
# updated: the objects' default-visibility (TIX_API) definitions, the map's
# list and libtix.so's exports must be the same set, and every one declared
# in tix.h. (The map alone would hide a new TIX_API function silently.)
set -euo pipefail
so=$1 map=$2 header=$3
shift 3
export LC_ALL=C
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

nm -D --defined-only "$so" | awk '{print $NF}' | sed 's/@.*//' | sort -u >"$tmp/exported"
# The map's global names: the lines "    name;" between "global:" and "local:".
sed -n '/global:/,/local:/p' "$map" | sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\);.*/\1/p' |
  sort -u >"$tmp/listed"
${CC:-cc} -E -P -x c "$header" | grep -oE '\btix_[A-Za-z0-9_]+[[:space:]]*\(' |
  sed 's/[[:space:]]*($//' | sort -u >"$tmp/declared"

# What the sources mark TIX_API: defined, global, default visibility.
for o in "$@"; do readelf -sW "$o"; done |
  awk '($5 == "GLOBAL" || $5 == "WEAK") && $6 == "DEFAULT" && $7 != "UND" {print $8}' |
  sort -u >"$tmp/marked"

status=0
unlisted=$(comm -23 "$tmp/marked" "$tmp/listed")
if [ $# -gt 0 ] && [ -n "$unlisted" ]; then
  echo "check_abi: TIX_API in the sources but not listed in $map (add it, or it stays hidden):" $unlisted >&2
  status=1
fi
new=$(comm -23 "$tmp/exported" "$tmp/listed")
gone=$(comm -13 "$tmp/exported" "$tmp/listed")
undeclared=$(comm -23 "$tmp/exported" "$tmp/declared")
if [ -n "$new" ]; then
  echo "check_abi: exported by $so but not listed in $map:" $new >&2; status=1
fi
if [ -n "$gone" ]; then
  echo "check_abi: listed in $map but not exported by $so:" $gone >&2; status=1
fi
if [ -n "$undeclared" ]; then
  echo "check_abi: exported but not declared in $header:" $undeclared >&2; status=1
fi
[ "$status" -eq 0 ] && echo "check_abi: $(wc -l <"$tmp/exported") exported functions match $(basename "$map")"
exit "$status"
