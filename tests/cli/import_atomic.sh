#!/usr/bin/env bash
# tix import is all or nothing (issue 15, item 3): a layout that fails half
# way, in the file or in the store, leaves the store exactly as it was, and
# can be imported once it is fixed; --dry-run imports and rolls back.
source "$(dirname "$0")/lib.sh"

L="$WORK/layout.json"

# --dry-run without a store checks the file alone.
layout() { # NAME2 CURRENCY2 ROW_B_Y: a venue with two screens
  cat > "$L" <<JSON
{
  "format": "tix-layout-1",
  "place": {"country": "India", "state": "Goa", "city": "Panaji",
            "utc_offset_min": 330},
  "venue": {"name": "Atomic Cinema", "lat": 15.5, "lon": 73.8},
  "screens": [
    {"name": "One",
     "tiers": [{"key": "std", "name": "Standard", "price_minor": 100,
                "currency": "INR"},
               {"key": "vip", "name": "VIP", "price_minor": 300,
                "currency": "$2"}],
     "rows": [{"label": "A", "tier": "std", "seats": [{"from": 1, "to": 20}]},
              {"label": "B", "y": $3, "tier": "vip",
               "seats": [{"from": 1, "to": 20}]}]},
    {"name": "$1",
     "tiers": [{"name": "Standard", "price_minor": 100, "currency": "INR"}],
     "rows": [{"labels": {"from": "A", "to": "O"},
               "seats": [{"from": 1, "to": 20}]}]}
  ]
}
JSON
}
layout "Two" INR 1
expect_rc 0 "$TIX" --json import --dry-run "$L"
expect_eq False "$(json 'j["checked_against_store"]')" "dry run without a store"

"$TIX" init >/dev/null
state() { # last_txn, check counts, files and data.mdb bytes
  local s c
  s=$("$TIX" --json stats | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["lmdb"]["last_txn"])')
  c=$("$TIX" --json check | "$PY" -c 'import json,sys; j=json.load(sys.stdin); print(j["problems"], sorted(j["checked"].items()))')
  echo "$s $c $(cd "$TIX_STORE" && ls -l --time-style=+ data.mdb journal seats.map 2>/dev/null | awk '{print $5, $6}' | tr '\n' ' ') $(sha256sum < "$TIX_STORE/data.mdb")"
}
EMPTY=$(state)

# A control character in the second screen's name: found before anything
# is written (the first screen's 40 seats, the places and the venue too).
layout 'Tw\u0001o' INR 1
expect_rc 4 "$TIX" --json import "$L"
expect_eq "screens[1].name" "$(jerr 'j["error"]["errors"][0]["field"]')" "control char field"
expect_match "control character 0x01" "$(jerr 'j["error"]["errors"][0]["message"]')" "control char message"
expect_eq "$EMPTY" "$(state)" "control char: store unchanged"

# Two currencies on one screen: refused by the library as the second tier
# is written, after the places, the venue and the first tier; all undone.
layout "Two" USD 1
expect_rc 4 "$TIX" --json import "$L"
expect_eq "screens[0].tiers[1].currency" "$(jerr 'j["error"]["errors"][0]["field"]')" "currency field"
expect_eq TIX_EINVAL "$(jerr 'j["error"]["errors"][0]["code"]')" "currency code"
expect_match "USD differs from INR" "$(jerr 'j["error"]["errors"][0]["message"]')" "currency message"
expect_eq "$EMPTY" "$(state)" "currencies: store unchanged"

# Row B on top of row A (the same y): every B seat at an A seat's place.
layout "Two" INR 0
expect_rc 4 "$TIX" --json import "$L"
expect_eq "screens[0].rows[1].seats[0]" "$(jerr 'j["error"]["errors"][0]["field"]')" "overlap field"
expect_match "the position of seat A-1" "$(jerr 'j["error"]["errors"][0]["message"]')" "overlap message"
expect_eq "$EMPTY" "$(state)" "overlap: store unchanged"

# Fixed, it imports: one transaction, every seat.
layout "Two" INR 1
expect_rc 0 "$TIX" --json import --dry-run "$L"
expect_eq True "$(json 'j["checked_against_store"]')" "dry run against the store"
expect_eq "$EMPTY" "$(state)" "dry run: store unchanged"
expect_rc 0 "$TIX" --json import "$L"
expect_eq 340 "$(json 'j["seats"]')" "imported seats"
FULL=$(state)
expect_match "^$(( $(cut -d' ' -f1 <<<"$EMPTY") + 1 )) " "$FULL" "one transaction"

# Importing it again: the venue name is taken (exit 3), nothing changes;
# a dry run finds that too.
expect_rc 3 "$TIX" --json import "$L"
expect_eq "venue.name" "$(jerr 'j["error"]["errors"][0]["field"]')" "venue taken field"
expect_eq TIX_EEXISTS "$(jerr 'j["error"]["errors"][0]["code"]')" "venue taken code"
expect_rc 3 "$TIX" import --dry-run "$L"
expect_match "layout.json:[0-9]+: venue.name: TIX_EEXISTS" "$ERR" "dry run: venue taken"
expect_eq "$FULL" "$(state)" "re-import: store unchanged"
expect_rc 0 "$TIX" check
finish
