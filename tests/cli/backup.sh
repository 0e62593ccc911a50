#!/usr/bin/env bash
# tix backup while another process keeps selling, then tix restore: the
# copy is consistent (tix check), holds a prefix of the bookings, and a
# restored store opens and sells again.
source "$(dirname "$0")/lib.sh"
"$TIX" init >/dev/null
"$TIX" import "$SRC/examples/data/multiplex.json" >/dev/null
MOVIE=$("$TIX" movie add --title "Backup Night" --duration 100)
USER=$("$TIX" user add --name B --email b@example.com)
SHOW=$("$TIX" show create --movie "$MOVIE" --screen 1 --start 2030-07-01T20:00Z)

# A writer: sells seats one by one in the background.
(
  for i in $(seq 1 60); do
    H=$("$TIX" hold "$SHOW" --best 1 2>/dev/null) || continue
    "$TIX" confirm "$H" --user "$USER" --payment-ref "bk-$i" >/dev/null 2>&1 || true
  done
) &
WRITER=$!
sleep 0.3
expect_rc 0 "$TIX" --json backup "$WORK/b1"
expect_match 'b1/data.mdb' "$(json 'j["backup"]')" "backup path"
expect_rc 3 "$TIX" backup "$WORK/b1"                   # refuses to overwrite
wait "$WRITER"
expect_rc 0 "$TIX" backup "$WORK/b2"

TOTAL=$("$TIX" --json booking list --show "$SHOW" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["bookings"]))')
for b in b1 b2; do
  expect_rc 0 "$TIX" -s "$WORK/r-$b" restore "$WORK/$b"
  expect_rc 0 "$TIX" -s "$WORK/r-$b" check
  N=$("$TIX" -s "$WORK/r-$b" --json booking list --show "$SHOW" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["bookings"]))')
  if [ "$N" -le "$TOTAL" ]; then ok; else fail "$b has $N bookings, store $TOTAL"; fi
done
N=$("$TIX" -s "$WORK/r-b2" --json booking list --show "$SHOW" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["bookings"]))')
expect_eq "$TOTAL" "$N" "final backup has every booking"
# the restored store sells again; restore over an existing store needs --force
expect_rc 0 "$TIX" -s "$WORK/r-b2" hold "$SHOW" --best 2
expect_rc 3 "$TIX" -s "$WORK/r-b2" restore "$WORK/b1"
expect_rc 0 "$TIX" -s "$WORK/r-b2" restore --force "$WORK/b1"
expect_rc 0 "$TIX" -s "$WORK/r-b2" check
expect_rc 2 "$TIX" -s "$WORK/r-x" restore "$WORK/nothing-here"
finish
