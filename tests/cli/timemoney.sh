#!/usr/bin/env bash
# Dates, time zones and money as a user meets them: impossible dates and
# past starts refused, London in summer time, prices in each currency's
# own decimals (JPY none, KWD three) in the text, JSON, SVG and outbox.
source "$(dirname "$0")/lib.sh"

layout() { # NAME CITY PLACE_EXTRA CURRENCY PRICE
  cat >"$WORK/$1.json" <<JSON
{"format": "tix-layout-1",
 "place": {"country": "C-$2", "state": "S-$2", "city": "$2" $3},
 "venue": {"name": "Hall $2", "lat": 51.5, "lon": -0.1},
 "screens": [{"name": "One", "ideal": [0, 5],
   "tiers": [{"key": "std", "name": "Standard", "price_minor": $5, "currency": "$4"}],
   "rows": [{"label": "A", "y": 0, "tier": "std", "seats": [{"from": 1, "to": 6}]}]}]}
JSON
}

expect_rc 0 "$TIX" init
expect_rc 0 "$TIX" movie add --title "Long Day" --duration 100
MOVIE=$OUT
expect_rc 0 "$TIX" --json user add --name "Kenji" --email kenji@example.com
USER=$(json 'j["user_id"]')

# A city with an IANA zone; its shows are dated and shown in summer time.
layout london London ', "time_zone": "Europe/London"' GBP 1250
expect_rc 0 "$TIX" --json import "$WORK/london.json"
LSCREEN=$(json 'j["screens"][0]["screen_id"]')
expect_rc 0 "$TIX" --json show create --movie "$MOVIE" --screen "$LSCREEN" --start 2030-07-01T19:30
expect_eq "2030-07-01 19:30 +01:00" "$(json 'j["show"]["start_local"]')" "London in July is +01:00"
expect_eq "2030-07-01T18:30:00Z" "$(json 'j["show"]["start_utc"]')" "local time taken in BST"
LSHOW=$(json 'j["show_id"]')
expect_rc 0 "$TIX" --json show create --movie "$MOVIE" --screen "$LSCREEN" --start 2030-12-01T19:30
expect_eq "2030-12-01 19:30 +00:00" "$(json 'j["show"]["start_local"]')" "London in December is +00:00"
expect_rc 0 "$TIX" show list --city London --date 20300701
expect_match "2030-07-01 19:30 \+01:00" "$OUT" "listing in local time"
layout mars Olympus ', "time_zone": "Mars/Olympus", "utc_offset_min": 0' GBP 100
expect_rc 4 "$TIX" import "$WORK/mars.json"
expect_match "time_zone.*Mars/Olympus" "$ERR" "unknown zone refused at validation"

# Dates that do not exist, and starts in the past.
expect_rc 4 "$TIX" show create --movie "$MOVIE" --screen "$LSCREEN" --start 2031-02-30T10:00
expect_match "not a real date" "$ERR" "30 February refused, not moved to March"
expect_rc 4 "$TIX" show create --movie "$MOVIE" --screen "$LSCREEN" --start 2032-02-29T24:00
expect_rc 0 "$TIX" show create --movie "$MOVIE" --screen "$LSCREEN" --start 2032-02-29T10:00
expect_rc 4 "$TIX" show create --movie "$MOVIE" --screen "$LSCREEN" --start 2020-05-01T10:00Z
expect_match "TIX_ERANGE.*past" "$ERR" "past start refused"
expect_rc 0 "$TIX" show create --movie "$MOVIE" --screen "$LSCREEN" --start 2020-05-01T10:00Z --allow-past

# Yen have no minor unit, dinars three decimals.
layout tokyo Tokyo ', "time_zone": "Asia/Tokyo", "utc_offset_min": 540' JPY 1800
expect_rc 0 "$TIX" --json import "$WORK/tokyo.json"
TSCREEN=$(json 'j["screens"][0]["screen_id"]')
layout kuwait Kuwait ', "utc_offset_min": 180' KWD 3500
expect_rc 0 "$TIX" --json import "$WORK/kuwait.json"
KSCREEN=$(json 'j["screens"][0]["screen_id"]')
layout bogus Bogus ', "utc_offset_min": 0' XYZ 100
expect_rc 4 "$TIX" import "$WORK/bogus.json"
expect_match "XYZ" "$ERR" "unknown currency refused"
expect_rc 0 "$TIX" show create --movie "$MOVIE" --screen "$TSCREEN" --start 2030-07-01T19:30
TSHOW=$OUT
expect_rc 0 "$TIX" show create --movie "$MOVIE" --screen "$KSCREEN" --start 2030-07-01T19:30
KSHOW=$OUT
expect_rc 0 "$TIX" seats "$TSHOW"
expect_match "JPY 1800" "$OUT" "seat view in yen"
if grep -q "JPY 18\.00" <<<"$OUT"; then fail "yen shown with decimals"; else ok; fi
expect_rc 0 "$TIX" seats "$KSHOW"
expect_match "KWD 3\.500" "$OUT" "seat view in dinars"
expect_rc 0 "$TIX" seats "$TSHOW" --svg "$WORK/tokyo.svg"
expect_match "JPY 1800" "$(cat "$WORK/tokyo.svg")" "SVG legend in yen"
expect_rc 0 "$TIX" hold "$TSHOW" A1 A2
expect_rc 0 "$TIX" --json confirm "$OUT" --user "$USER" --payment-ref yen-1
expect_eq "JPY 3600" "$(json 'j["total"]')" "booking total in yen"
expect_rc 0 "$TIX" hold "$LSHOW" A3
expect_rc 0 "$TIX" confirm "$OUT" --user "$USER" --payment-ref gbp-1
expect_match "GBP 12\.50" "$OUT" "booking total in pounds"
expect_rc 0 "$TIX" --json outbox tail --consumer mail
EV=$(printf '%s\n' "$OUT" | "$PY" -c '
import json, sys
for l in sys.stdin:
    if l.strip():
        e = json.loads(l); print(e["total"], e["show_local"])')
expect_match "^JPY 3600 2030-07-01T19:30:00\+09:00$" "$(sed -n 1p <<<"$EV")" "yen event"
expect_match "^GBP 12\.50 2030-07-01T19:30:00\+01:00$" "$(sed -n 2p <<<"$EV")" "London event local time"
finish
