#!/usr/bin/env bash
# tix, issue 17 item 3: general-admission areas (area add/list, hold
# --area ID:N alone and with seats, seats SHOW counts, confirm, checkin,
# cancel of places, and the refusals).
source "$(dirname "$0")/lib.sh"

expect_rc 0 "$TIX" init
expect_rc 0 "$TIX" --json import "$SRC/examples/data/multiplex.json"
SCREEN=$(json 'j["screens"][0]["screen_id"]')
TIER=$(json 'j["screens"][0]["tiers"][0]["tier_id"]')
expect_rc 0 "$TIX" --json area add "$SCREEN" --name PIT --tier "$TIER" --capacity 30
AREA=$(json 'j["id"]')
expect_eq 300 "$(json 'j["first_seat"]')" "places after the seats"
expect_rc 3 "$TIX" area add "$SCREEN" --name PIT --tier "$TIER" --capacity 5
expect_match "TIX_EEXISTS" "$ERR" "area name taken"
expect_rc 4 "$TIX" area add "$SCREEN" --name PIT2 --tier "$TIER" --capacity 0
expect_rc 1 "$TIX" area add "$SCREEN" --name PIT2 --tier "$TIER"
expect_rc 0 "$TIX" --json area list "$SCREEN"
expect_eq 30 "$(json 'j["areas"][0]["capacity"]')" "listed"
expect_rc 0 "$TIX" movie add --title "Live" --duration 120
MOVIE=$OUT
expect_rc 0 "$TIX" --json user add --name "Asha Rao" --email asha@example.com
USER=$(json 'j["user_id"]')
expect_rc 0 "$TIX" show create --movie "$MOVIE" --screen "$SCREEN" \
  --start 2030-03-01T18:30
SHOW=$OUT
expect_rc 3 "$TIX" area add "$SCREEN" --name LATE --tier "$TIER" --capacity 5
expect_match "frozen" "$ERR" "no areas once a show exists"

expect_rc 0 "$TIX" --json hold "$SHOW" E5 --area "$AREA:3"
H1=$(json 'j["handle"]')
expect_eq 4 "$(json 'len(j["seats"])')" "one seat and three places"
expect_eq PIT "$(json 'j["seats"][3]["row"]')" "places print as the area"
expect_rc 0 "$TIX" --json seats "$SHOW"
expect_eq 3 "$(json 'j["areas"][0]["held"]')" "area counts"
expect_rc 0 "$TIX" seats "$SHOW"
expect_match "area PIT" "$OUT" "area line"
expect_rc 0 "$TIX" --json confirm "$H1" --user "$USER" --payment-ref ga-1 \
  --seats-per-ticket 1
BOOKING=$(json 'j["booking_id"]')
CODE=$(json 'j["tickets"][3]["code"]')
expect_rc 0 "$TIX" checkin "$CODE" --gate "Gate 3"
expect_rc 0 "$TIX" --json seats "$SHOW"
expect_eq 3 "$(json 'j["areas"][0]["booked"]')" "places booked"
expect_rc 0 "$TIX" cancel "$BOOKING" --after-checkin
expect_rc 0 "$TIX" --json seats "$SHOW"
expect_eq 30 "$(json 'j["areas"][0]["free"]')" "places back on sale"

for i in 1 2 3; do expect_rc 0 "$TIX" hold "$SHOW" --area "$AREA:10"; done
expect_rc 3 "$TIX" hold "$SHOW" --area "$AREA:1"
expect_match "0 free places" "$ERR" "sold out"
expect_rc 2 "$TIX" hold "$SHOW" --area "999:1"
expect_rc 1 "$TIX" hold "$SHOW" --area "$AREA"
expect_rc 1 "$TIX" hold "$SHOW" --area "$AREA:2" --best 2
expect_rc 5 "$TIX" hold "$SHOW" --area "$AREA:11"
finish
