#!/usr/bin/env bash
# tix end to end: init, import, movie, user, show, seats, hold (conflict,
# best), release, confirm (duplicate callback), checkin (twice), cancel,
# block, outbox tail, stats, check, --json and exit codes everywhere.
source "$(dirname "$0")/lib.sh"

expect_rc 1 "$TIX"                                   # no command
expect_rc 0 "$TIX" --help
expect_match "Exit codes" "$OUT" "--help lists exit codes"
for c in init import movie user show seats hold release confirm cancel booking \
         checkin block outbox stats check backup restore; do
  expect_rc 0 "$TIX" "$c" --help
  expect_match "^usage: tix" "$OUT" "$c --help"
done
expect_rc 1 "$TIX" frobnicate
expect_rc 1 "$TIX" seats --bogus
expect_rc 2 "$TIX" stats                             # no store yet
expect_rc 2 "$TIX" --json stats
expect_eq False "$(jerr 'j["ok"]')" "error JSON"
expect_eq 2 "$(jerr 'j["error"]["exit"]')" "error JSON exit"
expect_eq "" "$OUT" "JSON errors leave stdout alone"
expect_eq -2 "$(jerr 'j["error"]["status"]')" "error JSON status"
expect_match "no store" "$(jerr 'j["error"]["detail"]')" "error JSON detail"
# Errors of the command line carry status and detail too.
expect_rc 1 "$TIX" --json frobnicate
expect_eq "usage -1" "$(jerr 'j["error"]["code"], j["error"]["status"]')" "usage error JSON"
expect_match "frobnicate" "$(jerr 'j["error"]["detail"]')" "usage error detail"
expect_rc 1 "$TIX" seats --json --bogus
expect_eq False "$(jerr 'j["ok"]')" "option error JSON"

expect_rc 0 "$TIX" init
expect_rc 3 "$TIX" init
expect_rc 0 "$TIX" --json import "$SRC/examples/data/multiplex.json"
expect_eq 300 "$(json 'j["seats"]')" "imported seats"
SCREEN=$(json 'j["screens"][0]["screen_id"]')
expect_rc 3 "$TIX" import "$SRC/examples/data/multiplex.json"   # venue exists

expect_rc 0 "$TIX" movie add --title "Orbit 9" --duration 165 --genre Drama
MOVIE=$OUT
expect_rc 0 "$TIX" --json user add --name "Asha Rao" --email asha@example.com
USER=$(json 'j["user_id"]')
expect_rc 0 "$TIX" user add --name "Ravi" --email ravi@example.com
expect_rc 3 "$TIX" user add --name "Ravi 2" --email RAVI@example.com
expect_rc 4 "$TIX" user add --name "Bad" --email not-an-email
# Bad UTF-8 in an argument: still one JSON error, its bytes as \xHH.
expect_rc 4 "$TIX" --json movie add --title $'Orbit \xff' --duration 100
expect_eq "TIX_EUTF8 -12" "$(jerr 'j["error"]["code"], j["error"]["status"]')" "bad UTF-8 argument"
expect_match 'Orbit \\xFF' "$(jerr 'j["error"]["message"]')" "bad byte quoted"
expect_rc 2 "$TIX" --json show list --city $'Mum\xc3'
expect_match "no city named" "$(jerr 'j["error"]["detail"]')" "bad UTF-8 city name"

expect_rc 0 "$TIX" show create --movie "$MOVIE" --screen "$SCREEN" --start 2030-03-01T18:30
SHOW=$OUT
expect_rc 3 "$TIX" show create --movie "$MOVIE" --screen "$SCREEN" --start 2030-03-01T19:00
expect_rc 1 "$TIX" show create --movie "$MOVIE" --screen "$SCREEN" --start tomorrow
expect_rc 0 "$TIX" --json show list --city Mumbai --date 20300301
expect_eq 1 "$(json 'len(j["shows"])')" "show list"
expect_eq 298 "$(json 'j["shows"][0]["free"]')" "free seats (H14, H15 blocked)"
expect_rc 0 "$TIX" --json show list --city mUMBAI --date 20300301
expect_eq 1 "$(json 'len(j["shows"])')" "a city name in any ASCII case"
expect_rc 0 "$TIX" --json show list --city Mumbai --date 2030-03-01
expect_eq 1 "$(json 'len(j["shows"])')" "an ISO date"
expect_rc 4 "$TIX" show list --city Mumbai --date 2030-02-30
CITY_STATE=$("$TIX" --json show list --city Mumbai --date 20300301 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["city_id"])')
expect_rc 4 "$TIX" show list --city "$((CITY_STATE - 1))" --date 20300301
expect_match "not a city" "$ERR$OUT" "a state's id is not a city"

# seats: text without a tty has no colors; --color forces them
expect_rc 0 "$TIX" seats "$SHOW"
expect_match "SCREEN" "$OUT" "text map"
if grep -q $'\033' <<<"$OUT"; then fail "colors without a tty"; else ok; fi
expect_rc 0 "$TIX" seats "$SHOW" --color
if grep -q $'\033\[' <<<"$OUT"; then ok; else fail "--color gave no colors"; fi
expect_rc 0 "$TIX" --json seats "$SHOW" --seats
expect_eq 300 "$(json 'len(j["seats"])')" "seat list"
expect_eq 2 "$(json 'j["all"]["unavailable"]')" "layout blocks H14, H15"

# hold, conflict, release
expect_rc 0 "$TIX" hold "$SHOW" E5 E6
H1=$OUT
expect_match '^H2' "$H1" "hold handle"
expect_rc 3 "$TIX" hold "$SHOW" E6 E7
expect_match "E6|seat" "$ERR" "conflict names the seat"
expect_rc 2 "$TIX" hold "$SHOW" Z99
expect_rc 4 "$TIX" release "${H1}x"
expect_rc 0 "$TIX" release "$H1"
expect_match "released 2 seats" "$OUT" "first release"
expect_rc 0 "$TIX" release "$H1"                       # harmless twice
expect_match "nothing to release" "$OUT" "a second release says so"
expect_rc 0 "$TIX" --json hold "$SHOW" E6 E7 --key req-1
H2=$(json 'j["handle"]')
expect_eq "E" "$(json 'j["seats"][0]["row"]')" "hold JSON seats"
expect_rc 0 "$TIX" --json hold "$SHOW" E6 E7 --key req-1  # same request: same seats
expect_eq 2 "$(json 'len(j["seats"])')" "idempotent hold"

# confirm, duplicate callback, tickets, check-in
expect_rc 0 "$TIX" --json confirm "$H2" --user asha@example.com --payment-ref pay-1 --seats-per-ticket 1
BOOKING=$(json 'j["booking_id"]')
CODE=$(json 'j["tickets"][0]["code"]')
expect_match '^tix1:' "$(json 'j["tickets"][0]["qr"]')" "QR payload"
expect_rc 0 "$TIX" --json confirm "$H2" --user "$USER" --payment-ref pay-1
expect_eq "$BOOKING" "$(json 'j["booking_id"]')" "duplicate callback"
expect_rc 2 "$TIX" confirm "$H2" --user nobody@example.com --payment-ref pay-2
# issue 14: a reused payment ref, a released hold, the charged amount
expect_rc 0 "$TIX" hold "$SHOW" E9
H3=$OUT
expect_rc 3 "$TIX" confirm "$H3" --user "$USER" --payment-ref pay-1
expect_match "already used" "$ERR" "reused payment ref refused"
expect_rc 5 "$TIX" confirm "$H3" --user "$USER" --payment-ref pay-3 --charged 1 --currency INR
expect_match "TIX_EPRICE" "$ERR" "charged amount checked"
expect_rc 1 "$TIX" confirm "$H3" --user "$USER" --payment-ref pay-3 --charged 1
expect_rc 0 "$TIX" release "$H3"
expect_rc 5 "$TIX" confirm "$H3" --user "$USER" --payment-ref pay-3
expect_match "released" "$ERR" "a released hold never books"
expect_rc 0 "$TIX" checkin "$CODE" --gate "Gate 2"
expect_rc 3 "$TIX" checkin "$CODE"
expect_match "Gate 2" "$ERR" "second check-in names the first gate"
BAD="${CODE:0:20}$( [ "${CODE:20:1}" = 0 ] && echo 1 || echo 0)"
expect_rc 4 "$TIX" checkin "$BAD"
expect_rc 0 "$TIX" --json booking show "$BOOKING"
expect_eq confirmed "$(json 'j["status"]')" "booking status"

# best available, block, cancel
expect_rc 0 "$TIX" --json hold "$SHOW" --best 3 --tier 2
expect_eq 3 "$(json 'len(j["seats"])')" "best 3"
expect_rc 0 "$TIX" block "$SHOW" A1 A2
expect_rc 3 "$TIX" block "$SHOW" E6
expect_rc 0 "$TIX" unblock "$SHOW" A2
# A ticket of BOOKING checked in at Gate 2: no refund without the override.
expect_rc 5 "$TIX" cancel "$BOOKING"
expect_match "TIX_ECHECKEDIN.*Gate 2" "$ERR" "checked-in booking refused"
expect_rc 0 "$TIX" --json booking show "$BOOKING"
expect_eq confirmed "$(json 'j["status"]')" "refused cancel changed nothing"
expect_rc 0 "$TIX" cancel "$BOOKING" --after-checkin
expect_match "CANCELLED" "$OUT" "override cancels"
expect_match "refunded after check-in" "$OUT" "override shown"
expect_rc 0 "$TIX" --json booking show "$BOOKING"
expect_eq True "$(json 'j["cancelled_after_checkin"]')" "override recorded"
expect_rc 3 "$TIX" cancel "$BOOKING"
expect_rc 5 "$TIX" checkin "$(echo "$CODE" | tr a-z A-Z)"

# outbox: booked, checked in, cancelled
expect_rc 0 "$TIX" --json outbox tail --consumer test
TYPES=$(printf '%s\n' "$OUT" | "$PY" -c 'import json,sys; print(",".join(json.loads(l)["type"] for l in sys.stdin if l.strip()))')
expect_eq "booked,checked_in,cancelled" "$TYPES" "outbox events"
expect_rc 0 "$TIX" --json outbox tail --consumer test --ack  # reading acked nothing
TYPES2=$(printf '%s\n' "$OUT" | "$PY" -c 'import json,sys; print(",".join(json.loads(l)["type"] for l in sys.stdin if l.strip()))')
expect_eq "$TYPES" "$TYPES2" "the same events again, now acknowledged"
expect_rc 0 "$TIX" outbox tail --consumer test        # all acknowledged
expect_eq "" "$OUT" "nothing new"
expect_rc 0 "$TIX" --json outbox consumers
expect_eq test "$(json 'j["consumers"][0]["name"]')" "consumer listed"
expect_rc 0 "$TIX" outbox trim

# stats and check
expect_rc 0 "$TIX" --json stats
expect_eq 300 "$(json 'j["tables"]["seats"]["entries"]')" "stats seats"
expect_rc 0 "$TIX" check
expect_match "consistent" "$OUT" "check"
expect_rc 0 "$TIX" --json check
expect_eq True "$(json 'j["consistent"]')" "check JSON"

finish
