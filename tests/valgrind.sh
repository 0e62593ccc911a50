#!/usr/bin/env bash
# valgrind memcheck over the unit tests of a (non-sanitized) build: every
# tests/test_* program except the concurrency ones (test_conc_*: TSan's
# job) and test_crash (its writers must make progress within real-time
# deadlines that valgrind's slowdown breaks; tests/crash and ASan cover
# it), plus the fuzz corpus replays. A program passes when it passes and
# valgrind reports no error and no definite or possible leak.
#
# Usage: tests/valgrind.sh [build-dir]     (default build/debug)
# Runs $JOBS programs at a time (default: the number of CPUs).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../build/debug}"
build="$(cd "$build" && pwd)"
jobs="${JOBS:-$(nproc 2>/dev/null || echo 2)}"
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed" >&2; exit 2; }

out="$build/valgrind"
rm -rf "$out"
mkdir -p "$out/tmp"
export TIX_TEST_TMP="$out/tmp"
export TIX_UNDER_VALGRIND=1 # tests skip what valgrind cannot host

progs=()
for p in "$build"/tests/test_*; do
  [ -x "$p" ] && [ -f "$p" ] || continue
  case "$(basename "$p")" in
    # forked writers _exit with a store open (the crash is the point);
    # ASan+UBSan with LeakSanitizer covers these instead
    test_conc_*|test_crash|test_fault|test_journal) continue ;;
  esac
  progs+=("$p")
done
for p in "$build"/tests/fuzz/fuzz_*; do
  [ -x "$p" ] && [ -f "$p" ] || continue
  progs+=("$p")
done
[ ${#progs[@]} -gt 0 ] || { echo "valgrind.sh: no test programs in $build" >&2; exit 2; }

run_one() {
  local p="$1" name args=()
  name="$(basename "$p")"
  case "$name" in
    fuzz_*) args=("$here/fuzz/corpus/${name#fuzz_}") ;;
  esac
  local start=$SECONDS
  if valgrind -q --error-exitcode=99 --leak-check=full \
       --show-leak-kinds=definite,possible \
       --errors-for-leak-kinds=definite,possible \
       --suppressions="$here/valgrind.supp" \
       "$p" "${args[@]}" >"$out/$name.log" 2>&1; then
    echo "ok      $name ($((SECONDS - start)) s)"
  else
    echo "FAILED  $name ($((SECONDS - start)) s): see $out/$name.log"
    return 1
  fi
}
export -f run_one
export here out

start=$SECONDS
if printf '%s\n' "${progs[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {}; then
  echo "valgrind: ${#progs[@]} programs clean in $((SECONDS - start)) s"
else
  echo "valgrind: failures (logs in $out)" >&2
  exit 1
fi
