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

# listings
expect_rc 0 "$TIX" --json place list
COUNTRY=$(json 'j["places"][0]["id"]')
expect_eq country "$(json 'j["places"][0]["kind"]')" "countries"
expect_rc 0 "$TIX" --json place list --parent "$COUNTRY"
STATE=$(json 'j["places"][0]["id"]')
expect_rc 0 "$TIX" place list --parent "$STATE"
expect_match "city +Mumbai" "$OUT" "a state's cities"
expect_rc 2 "$TIX" place list --parent 999
expect_rc 0 "$TIX" --json venue list --city mumbai
VENUE=$(json 'j["venues"][0]["id"]')
expect_eq "Lotus Multiplex Andheri" "$(json 'j["venues"][0]["name"]')" "venues of a city"
expect_rc 2 "$TIX" venue list --city Atlantis
expect_rc 1 "$TIX" venue list
expect_rc 0 "$TIX" screen list --venue "$VENUE"
expect_match "300 seats" "$OUT" "screens of a venue"
expect_rc 2 "$TIX" screen list --venue 999
expect_rc 0 "$TIX" --json tier list --screen "$SCREEN"
expect_eq "Classic INR 180.00" "$(json 'j["tiers"][0]["name"], j["tiers"][0]["price"]')" "tiers of a screen"
expect_rc 2 "$TIX" tier list --screen 999
expect_rc 1 "$TIX" tier frobnicate

# live holds
expect_rc 0 "$TIX" holds "$SHOW"
expect_match "no live holds" "$OUT" "none yet"
expect_rc 0 "$TIX" hold "$SHOW" D3 D4 --ttl 120
H=$OUT
expect_rc 0 "$TIX" hold "$SHOW" A1 --ttl 60
expect_rc 0 "$TIX" holds "$SHOW"
expect_match "1 seat: A1" "$(head -1 <<<"$OUT")" "soonest end first"
expect_match "2 seats: D3 D4" "$OUT" "holds by label"
expect_rc 0 "$TIX" --json holds "$SHOW"
expect_eq "3 D" "$(json 'j["seats_held"], j["holds"][1]["seats"][0]["row"]')" "holds JSON"
expect_rc 0 "$TIX" release "$H"
expect_rc 0 "$TIX" --json holds "$SHOW"
expect_eq 1 "$(json 'len(j["holds"])')" "released hold gone"
expect_rc 2 "$TIX" holds 999

# the terminal map: a seat-number ruler, --rows
expect_rc 0 "$TIX" seats "$SHOW" --no-color
expect_match "^ +1 +5 +10 +15 +20 +25$" "$OUT" "seat-number ruler"
expect_rc 0 "$TIX" seats "$SHOW" --rows C,E
expect_eq "C E" "$(grep -Eo '^  [A-Z] ' <<<"$OUT" | tr -d ' ' | xargs)" "--rows list"
expect_rc 0 "$TIX" seats "$SHOW" --rows B..D
expect_eq "B C D" "$(grep -Eo '^  [A-Z] ' <<<"$OUT" | tr -d ' ' | xargs)" "--rows range"
expect_rc 2 "$TIX" seats "$SHOW" --rows Z
finish
