#!/usr/bin/env bash
# tix import validation: every error names FILE:LINE: field path, exit 4,
# and nothing is written.
source "$(dirname "$0")/lib.sh"
"$TIX" init >/dev/null

L="$WORK/layout.json"

# Syntax error: jansson's line and column.
printf '{\n  "format": "tix-layout-1",\n  "venue": {\n    "name": "X",,\n' > "$L"
expect_rc 4 "$TIX" import "$L"
expect_match "layout.json:4:[0-9]+: invalid JSON" "$ERR" "syntax error line"

# Semantic errors, each on a known line.
cat > "$L" <<'JSON'
{
  "format": "tix-layout-1",
  "place": {"country": "India", "state": "Goa", "city": "Panaji",
            "utc_offset_min": 330},
  "venue": {"name": "Bad Cinema", "lat": 95, "lon": 73.8},
  "screens": [
    {
      "name": "One",
      "tiers": [
        {"key": "std", "name": "Standard", "price_minor": -5, "currency": "inr"}
      ],
      "rows": [
        {"label": "A", "seats": [1, 2, 0, {"from": 4, "to": 6}]},
        {"label": "B", "tier": "gold", "seats": [1]},
        {"label": "A", "seats": [{"from": 5, "to": 7}]},
        {"label": "TOOLONGLABEL", "seats": [1]},
        {"label": "C", "seats": [{"gap": 1, "aisle": 2}], "colour": "red"}
      ]
    }
  ]
}
JSON
expect_rc 4 "$TIX" import "$L"
# The library's own rules (its validators), each at its field, with the
# file's form errors in the same run.
expect_match "layout.json:5: venue.lat: TIX_ERANGE: venue lat 95 is not in -90..90" "$ERR" "lat range"
expect_match "layout.json:10: screens\[0\].tiers\[0\].price_minor: TIX_ERANGE: tier price_minor -5 is negative" "$ERR" "price"
expect_match "layout.json:10: screens\[0\].tiers\[0\].currency: TIX_EINVAL: tier currency must be three letters A-Z" "$ERR" "currency"
expect_match "layout.json:13: screens\[0\].rows\[0\].seats\[2\]: TIX_EINVAL: .*number is 0" "$ERR" "seat 0"
expect_match "layout.json:14: screens\[0\].rows\[1\].tier: no tier with key \"gold\"" "$ERR" "tier key"
expect_match "layout.json:15: screens\[0\].rows\[2\].seats\[0\]: TIX_EEXISTS: .*seat A-5 is already" "$ERR" "duplicate seat"
expect_match "layout.json:16: screens\[0\].rows\[3\].label: TIX_ETOOLONG: row \"TOOLONGLABEL\": .*longer than 8 bytes" "$ERR" "label length"
expect_match "layout.json:17: screens\[0\].rows\[4\].colour: unknown field" "$ERR" "unknown field"
expect_match "layout.json:17: screens\[0\].rows\[4\].seats\[0\]: an item is a number, or an object with exactly one" "$ERR" "gap+aisle"
expect_match "nothing imported" "$ERR" "summary"

# Duplicate seats are found after expansion, at the second one.
cat > "$L" <<'JSON'
{
  "format": "tix-layout-1",
  "place": {"country": "India", "state": "Goa", "city": "Panaji",
            "utc_offset_min": 330},
  "venue": {"name": "Dup Cinema", "lat": 15.5, "lon": 73.8},
  "screens": [{"name": "One",
    "tiers": [{"name": "Standard", "price_minor": 100, "currency": "INR"}],
    "rows": [
      {"label": "A", "seats": [{"from": 1, "to": 10}]},
      {"label": "A", "seats": [{"from": 10, "to": 12}]}
    ]}]
}
JSON
expect_rc 4 "$TIX" --json import "$L"
expect_eq 1 "$(jerr 'j["error"]["count"]')" "one duplicate"
expect_eq 10 "$(jerr 'j["error"]["errors"][0]["line"]')" "duplicate line"
expect_eq "screens[0].rows[1].seats[0]" "$(jerr 'j["error"]["errors"][0]["field"]')" "duplicate field"
expect_match "seat A-10 is already" "$(jerr 'j["error"]["errors"][0]["message"]')" "duplicate message"
expect_eq TIX_EEXISTS "$(jerr 'j["error"]["errors"][0]["code"]')" "duplicate code"

# Missing sections and a wrong format name.
printf '{"format": "tix-layout-2"}\n' > "$L"
expect_rc 4 "$TIX" import "$L"
expect_match "layout.json:1: format: unknown format" "$ERR" "format"
expect_match "place: missing" "$ERR" "place missing"
expect_match "screens: must be a non-empty array" "$ERR" "screens missing"
expect_rc 2 "$TIX" import "$WORK/no-such-file.json"

# Nothing was written by any of these.
expect_rc 0 "$TIX" --json stats
expect_eq 0 "$(json 'j["tables"]["venues"]["entries"]')" "no venue written"

# The samples are valid.
expect_rc 0 "$TIX" import --dry-run "$SRC/examples/data/multiplex.json"
expect_rc 0 "$TIX" import --dry-run "$SRC/examples/data/stadium.json"
finish
