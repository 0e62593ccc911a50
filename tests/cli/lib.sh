# Helpers shared by the tests/cli/*.sh scripts. Each script is run by ctest as
#   bash tests/cli/NAME.sh TIX_BINARY SOURCE_DIR WORK_DIR
# and sources this file after setting TIX, SRC and WORK.
set -euo pipefail
TIX=$1
SRC=$2
WORK=$3
PY=${PY:-/usr/bin/python3}
rm -rf "$WORK"
mkdir -p "$WORK"
export TIX_STORE="$WORK/store"
unset NO_COLOR
FAILS=0
CHECKS=0

fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
ok() { CHECKS=$((CHECKS + 1)); }

# expect_rc CODE CMD... : runs CMD, checks its exit code; output in $OUT.
expect_rc() {
  local want=$1; shift
  set +e
  OUT=$("$@" 2>"$WORK/stderr")
  local rc=$?
  set -e
  ERR=$(cat "$WORK/stderr")
  if [ "$rc" -ne "$want" ]; then
    fail "expected exit $want, got $rc: $*"
    echo "  stdout: $OUT" >&2
    echo "  stderr: $ERR" >&2
  else
    ok
  fi
}

# json EXPR : evaluates a Python expression on the JSON in $OUT (as j).
json() {
  printf '%s' "$OUT" | "$PY" -c "import json,sys; j=json.load(sys.stdin); print($1)"
}

# jerr EXPR : the same on the JSON error in $ERR (errors go to stderr).
jerr() {
  printf '%s' "$ERR" | "$PY" -c "import json,sys; j=json.load(sys.stdin); print($1)"
}

# expect_eq WANT GOT WHAT
expect_eq() {
  if [ "$1" != "$2" ]; then fail "$3: expected '$1', got '$2'"; else ok; fi
}

# expect_match REGEX TEXT WHAT
expect_match() {
  if grep -Eq -- "$1" <<<"$2"; then ok; else fail "$3: '${2:0:300}' does not match /$1/"; fi
}

finish() {
  if [ "$FAILS" -ne 0 ]; then
    echo "$CHECKS passed, $FAILS failed"
    exit 1
  fi
  echo "$CHECKS passed, 0 failed"
}
