#!/usr/bin/env bash
# Issue 15: a failed open creates nothing (`tix -s /etc stats` used to
# leave /etc/journal), and `tix restore` makes the store exactly the
# backup: a store replaced, one in use refused, a directory of something
# else left alone. (The crash in every durability mode is
# tests/store/test_restore.c.)
source "$(dirname "$0")/lib.sh"

listing() { (cd "$1" 2>/dev/null && ls -A | tr '\n' ' ') || echo "(absent)"; }
SHOWS=$'import json,sys; print(len(json.load(sys.stdin)["bookings"]))'

# --- item 4: no store there, nothing created --------------------------------
mkdir -p "$WORK/etc"
echo "root:x:0:0" >"$WORK/etc/passwd"
for dir in "$WORK/etc" "$WORK/missing"; do
  BEFORE=$(listing "$dir")
  for cmd in "stats" "check" "seats 1" "backup $WORK/b-none" "show list --city 1" \
             "booking list --show 1" "hold 1 --best 1"; do
    # shellcheck disable=SC2086
    expect_rc 2 "$TIX" -s "$dir" $cmd
    expect_eq "$BEFORE" "$(listing "$dir")" "tix -s $dir $cmd left files"
  done
  expect_eq "(absent)" "$(listing "$WORK/b-none")" "failed backup made its directory"
done
expect_rc 4 "$TIX" -s "$WORK/etc" init                # not a store, not empty
expect_eq "passwd " "$(listing "$WORK/etc")" "init into a foreign directory"

# --- a store, its backup, then sales after it -------------------------------
"$TIX" init >/dev/null
"$TIX" import "$SRC/examples/data/multiplex.json" >/dev/null
MOVIE=$("$TIX" movie add --title "Restore Night" --duration 100)
USER=$("$TIX" user add --name R --email r@example.com)
SHOW=$("$TIX" show create --movie "$MOVIE" --screen 1 --start 2030-07-01T20:00Z)
expect_rc 0 "$TIX" backup "$WORK/empty-bak"
expect_eq "data.mdb " "$(listing "$WORK/empty-bak")" "backup holds data.mdb alone"
for i in 1 2 3; do
  H=$("$TIX" hold "$SHOW" --best 1)
  "$TIX" confirm "$H" --user "$USER" --payment-ref "r-$i" >/dev/null
done
expect_rc 0 "$TIX" -s "$WORK/empty-bak" --json booking list --show "$SHOW"
expect_eq 0 "$(printf '%s' "$OUT" | "$PY" -c "$SHOWS")" "backup has no bookings"

# restore refuses without --force, and while a process has the store open
expect_rc 3 "$TIX" restore "$WORK/empty-bak"
"$TIX" outbox tail --follow --timeout 4000 >/dev/null 2>&1 &
TAIL=$!
sleep 0.5
expect_rc 3 "$TIX" restore --force "$WORK/empty-bak"
expect_match "open in another process" "$ERR" "restore names the busy store"
kill "$TAIL" 2>/dev/null || true
wait "$TAIL" 2>/dev/null || true
expect_rc 0 "$TIX" --json booking list --show "$SHOW"
expect_eq 3 "$(printf '%s' "$OUT" | "$PY" -c "$SHOWS")" "refused restore kept the sales"

# --force: exactly the backup, whatever files the old store had
BAK=$(listing "$WORK/empty-bak")
touch "$TIX_STORE/snapshot.0.mdb"                       # as journal mode leaves
expect_rc 0 "$TIX" --json restore --force "$WORK/empty-bak"
expect_eq True "$(json 'j["replaced"]')" "restore says it replaced"
expect_rc 0 "$TIX" --json booking list --show "$SHOW"
expect_eq 0 "$(printf '%s' "$OUT" | "$PY" -c "$SHOWS")" "restored store has the backup's bookings"
if [ -e "$TIX_STORE/snapshot.0.mdb" ]; then fail "old snapshot survived the restore"; else ok; fi
if [ -e "$WORK/.store.restore" ]; then fail "restore left its sibling"; else ok; fi
expect_rc 0 "$TIX" check
expect_eq "$BAK" "$(listing "$WORK/empty-bak")" "restore wrote into the backup"

# a directory of something else is not replaced; a backup that is no store
expect_rc 4 "$TIX" -s "$WORK/etc" restore --force "$WORK/empty-bak"
expect_eq "passwd " "$(listing "$WORK/etc")" "restore over a foreign directory"
mkdir -p "$WORK/junk" && head -c 20000 /dev/urandom >"$WORK/junk/data.mdb"
expect_rc 6 "$TIX" restore --force "$WORK/junk"
expect_rc 0 "$TIX" check
finish
