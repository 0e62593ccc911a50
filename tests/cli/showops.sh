#!/usr/bin/env bash
# tix, issue 19: show cancel (refunds in the outbox, seats blocked, holds
# refused, refusals change nothing) and `tix check` clean after it.
source "$(dirname "$0")/lib.sh"

expect_rc 0 "$TIX" init
expect_rc 0 "$TIX" --json import "$SRC/examples/data/multiplex.json"
SCREEN=$(json 'j["screens"][0]["screen_id"]')
expect_rc 0 "$TIX" movie add --title "Called Off" --duration 120
MOVIE=$OUT
expect_rc 0 "$TIX" --json user add --name "Asha Rao" --email asha@example.com
USER=$(json 'j["user_id"]')
expect_rc 0 "$TIX" show create --movie "$MOVIE" --screen "$SCREEN" \
  --start 2030-03-01T18:30
SHOW=$OUT

# reschedule: a second show, moved, then refused onto the first one.
expect_rc 0 "$TIX" show create --movie "$MOVIE" --screen "$SCREEN" \
  --start 2030-03-02T18:30
SHOW2=$OUT
expect_rc 0 "$TIX" --json hold "$SHOW2" A1
H0=$(json 'j["handle"]')
expect_rc 0 "$TIX" --json confirm "$H0" --user "$USER" --payment-ref rs-1
expect_rc 0 "$TIX" --json show reschedule "$SHOW2" --start 2030-03-02T21:00
expect_match "21:00" "$(json 'j["show"]["start_local"]')" "local time moved"
expect_rc 3 "$TIX" show reschedule "$SHOW2" --start 2030-03-01T19:00
expect_match "TIX_EOVERLAP" "$ERR" "onto the other show"
expect_rc 4 "$TIX" show reschedule "$SHOW2" --start 2001-01-01T10:00Z
expect_rc 1 "$TIX" show reschedule "$SHOW2"
expect_rc 1 "$TIX" show reschedule "$SHOW2" --start soon
expect_rc 0 "$TIX" --json outbox tail --consumer r
expect_match '"rescheduled"' "$OUT" "event for the buyer"
expect_match '"old_start_utc"' "$OUT" "old start in the event"

expect_rc 0 "$TIX" --json hold "$SHOW" E5 E6
H1=$(json 'j["handle"]')
expect_rc 0 "$TIX" --json confirm "$H1" --user "$USER" --payment-ref so-1
BOOKING=$(json 'j["booking_id"]')
expect_rc 0 "$TIX" --json hold "$SHOW" F1
H2=$(json 'j["handle"]')

expect_rc 3 "$TIX" show cancel "$SHOW" --reason "flood"
expect_match "TIX_EBUSY" "$ERR" "a live hold refuses"
expect_match "held" "$ERR" "names the hold"
expect_rc 0 "$TIX" --json booking show "$BOOKING"
expect_eq confirmed "$(json 'j["status"]')" "refused cancel changed nothing"
expect_rc 0 "$TIX" release "$H2"
expect_rc 4 "$TIX" show cancel "$SHOW" --reason "$(printf 'a\tb')"
expect_rc 2 "$TIX" show cancel 999
expect_rc 1 "$TIX" show cancel

expect_rc 0 "$TIX" --json show cancel "$SHOW" --reason "flood"
expect_eq True "$(json 'j["cancelled"]')" "cancelled"
expect_rc 0 "$TIX" --json booking show "$BOOKING"
expect_eq cancelled "$(json 'j["status"]')" "booking refunded"
expect_rc 0 "$TIX" --json outbox tail --consumer t
expect_match "show_cancelled" "$OUT" "show event"
expect_match "flood" "$OUT" "reason in the event"
expect_rc 0 "$TIX" --json seats "$SHOW"
expect_eq 0 "$(json 'j["all"]["free"]')" "no seat free"
expect_rc 5 "$TIX" hold "$SHOW" A1
expect_match "cancelled" "$ERR" "hold names the cancel"
expect_rc 3 "$TIX" show cancel "$SHOW"
expect_match "TIX_EALREADY" "$ERR" "twice"

# delete: refused while anything refers to the record, else gone.
expect_rc 0 "$TIX" --json screen list --venue 1
expect_rc 3 "$TIX" screen delete "$SCREEN"
expect_match "TIX_EBUSY" "$ERR" "screen with shows"
expect_rc 3 "$TIX" venue delete 1
expect_match "has screens \(screen [0-9]+\)" "$ERR" "venue names a screen"
expect_rc 3 "$TIX" movie delete "$MOVIE"
expect_match "has shows \(show [0-9]+\)" "$ERR" "movie names a show"
expect_rc 3 "$TIX" user delete "$USER"
expect_match "bookings" "$ERR" "user with a booking"
expect_rc 0 "$TIX" movie add --title "Never Shown" --duration 90
SPARE=$OUT
expect_rc 0 "$TIX" --json movie delete "$SPARE"
expect_eq True "$(json 'j["deleted"]')" "movie deleted"
expect_rc 2 "$TIX" movie delete "$SPARE"
expect_rc 0 "$TIX" --json user add --name "Nobody" --email nobody@example.com
SPARE=$(json 'j["user_id"]')
expect_rc 0 "$TIX" user delete "$SPARE"
expect_rc 0 "$TIX" user add --name "Nobody" --email nobody@example.com
expect_rc 1 "$TIX" tier delete
expect_rc 1 "$TIX" place delete x
expect_rc 0 "$TIX" check
finish
