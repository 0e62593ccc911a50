#!/usr/bin/env bash
# tix, issue 19: seats are named by row and number (errors, booking list
# text and JSON), the catalog listings, live holds, show cancel and
# reschedule, delete, the map's ruler and cuts.
source "$(dirname "$0")/lib.sh"

expect_rc 0 "$TIX" init
expect_rc 0 "$TIX" --json import "$SRC/examples/data/multiplex.json"
SCREEN=$(json 'j["screens"][0]["screen_id"]')
expect_rc 0 "$TIX" movie add --title "Orbit 9" --duration 165
MOVIE=$OUT
expect_rc 0 "$TIX" --json user add --name "Asha Rao" --email asha@example.com
USER=$(json 'j["user_id"]')
expect_rc 0 "$TIX" show create --movie "$MOVIE" --screen "$SCREEN" --start 2030-03-01T18:30
SHOW=$OUT

# labels
expect_rc 0 "$TIX" hold "$SHOW" C14 C15
H=$OUT
expect_rc 3 "$TIX" hold "$SHOW" C15
expect_match "seat C15 \(index [0-9]+\) of show $SHOW is held" "$ERR" "conflict names the seat"
expect_rc 0 "$TIX" confirm "$H" --user "$USER" --payment-ref lab-1
expect_rc 0 "$TIX" booking list --show "$SHOW"
expect_match "seats C14 C15" "$OUT" "booking list labels"
expect_rc 0 "$TIX" booking list --user "$USER"
expect_match "seats C14 C15" "$OUT" "booking list by user labels"
expect_rc 0 "$TIX" --json booking list --show "$SHOW"
expect_eq "C 14 C14" "$(json 'j["bookings"][0]["seats"][0]["row"], j["bookings"][0]["seats"][0]["number"], j["bookings"][0]["seats"][0]["label"]')" "booking list JSON row and number"
expect_eq "['C14', 'C15']" "$(json 'j["bookings"][0]["tickets"][0]["labels"]')" "ticket labels"
expect_rc 3 "$TIX" block "$SHOW" C14
expect_match "seat C14 \(index" "$ERR" "block refusal names the seat"
finish
