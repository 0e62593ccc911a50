#!/usr/bin/env bash
# tix, issue 17: per-customer caps (show create/update --max-per-user, show
# caps, movie update, hold --user, a confirm past the cap exits 5), companion
# seats (hold --best --accessible --companions) and seat-history.
source "$(dirname "$0")/lib.sh"

expect_rc 0 "$TIX" init
expect_rc 0 "$TIX" --json import "$SRC/examples/data/multiplex.json"
SCREEN=$(json 'j["screens"][0]["screen_id"]')
expect_rc 0 "$TIX" movie add --title "Orbit 9" --duration 165
MOVIE=$OUT
expect_rc 0 "$TIX" --json user add --name "Asha Rao" --email asha@example.com
USER=$(json 'j["user_id"]')

# caps
expect_rc 0 "$TIX" show create --movie "$MOVIE" --screen "$SCREEN" \
  --start 2030-03-01T18:30 --max-per-user 2
SHOW=$OUT
expect_rc 0 "$TIX" --json show caps "$SHOW" --user "$USER"
expect_eq 2 "$(json 'j["show_cap"]')" "cap set at create"
expect_rc 5 "$TIX" hold "$SHOW" E5 E6 E7 --user "$USER"
expect_match "TIX_ELIMIT" "$ERR" "early cap check"
expect_rc 0 "$TIX" hold "$SHOW" E5 E6
H1=$OUT
expect_rc 0 "$TIX" confirm "$H1" --user "$USER" --payment-ref cap-1
expect_rc 0 "$TIX" hold "$SHOW" E7
H2=$OUT
expect_rc 5 "$TIX" confirm "$H2" --user "$USER" --payment-ref cap-2
expect_match "at most 2 seats of show" "$ERR" "confirm past the cap"
expect_rc 0 "$TIX" show update "$SHOW" --max-per-user 3
expect_rc 0 "$TIX" confirm "$H2" --user "$USER" --payment-ref cap-2
expect_rc 0 "$TIX" --json show caps "$SHOW" --user "$USER"
expect_eq 3 "$(json 'j["show_booked"]')" "seats counted"
expect_rc 0 "$TIX" --json movie update "$MOVIE" --max-per-user 10
expect_eq 10 "$(json 'j["max_per_user"]')" "movie cap"
expect_rc 4 "$TIX" show update "$SHOW" --max-per-user 100001
expect_rc 2 "$TIX" show update 999 --max-per-user 3
expect_rc 1 "$TIX" show update "$SHOW"
expect_rc 1 "$TIX" show update "$SHOW" --max-per-user lots
expect_rc 2 "$TIX" movie update 999 --max-per-user 3

# companion seats: row D has wheelchair spaces with companions at both ends
expect_rc 0 "$TIX" --json hold "$SHOW" --best 1 --accessible --companions 1
expect_eq 2 "$(json 'len(j["seats"])')" "wheelchair + companion"
expect_eq D "$(json 'j["seats"][0]["row"]')" "in row D"
expect_rc 0 "$TIX" hold "$SHOW" --best 1 --accessible --companions 1
expect_rc 3 "$TIX" hold "$SHOW" --best 1 --accessible --companions 1
expect_rc 4 "$TIX" hold "$SHOW" --best 1 --companions 1
expect_rc 1 "$TIX" hold "$SHOW" E9 --companions 1

# seat history
expect_rc 0 "$TIX" block "$SHOW" E10
expect_rc 3 "$TIX" block "$SHOW" E6
expect_rc 0 "$TIX" --json seat-history "$SHOW" E10
expect_eq unavailable "$(json 'j["state"]')" "blocked now"
expect_eq blocked "$(json 'j["events"][0]["type"]')" "block recorded"
expect_rc 0 "$TIX" --json seat-history "$SHOW" E6
expect_eq booked "$(json 'j["state"]')" "state now"
expect_eq booked "$(json '",".join(e["type"] for e in j["events"])')" "E6 events"
expect_rc 0 "$TIX" seat-history "$SHOW" E6
expect_match "booked +booking" "$OUT" "text history"
expect_rc 0 "$TIX" --json seat-history "$SHOW" E9
expect_eq 0 "$(json 'len(j["events"])')" "nothing happened to E9"
expect_rc 2 "$TIX" seat-history "$SHOW" Z99
expect_rc 2 "$TIX" seat-history 999 E6
expect_rc 1 "$TIX" seat-history "$SHOW"
expect_rc 0 "$TIX" seat-history --help

finish
