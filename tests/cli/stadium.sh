#!/usr/bin/env bash
# The 150,000-seat stadium: gen_stadium.py reproduces the committed
# stadium.json; the import, a show, best-available holds and check work at
# that size; the SVG (field in the middle) is well formed.
source "$(dirname "$0")/lib.sh"
"$PY" "$SRC/examples/data/gen_stadium.py" "$WORK/stadium.json"
if cmp -s "$WORK/stadium.json" "$SRC/examples/data/stadium.json"; then ok; else
  fail "examples/data/stadium.json is stale: run examples/data/gen_stadium.py"; fi
"$TIX" init >/dev/null
expect_rc 0 "$TIX" --json import "$SRC/examples/data/stadium.json"
expect_eq 150000 "$(json 'j["seats"]')" "stadium seats"
expect_eq 3600 "$(json 'j["screens"][0]["rows"]')" "stadium rows"
MOVIE=$("$TIX" movie add --title "Cup Final" --duration 210)
SHOW=$("$TIX" show create --movie "$MOVIE" --screen 1 --start 2030-06-01T19:00)
expect_rc 0 "$TIX" --json seats "$SHOW" --no-map
expect_eq 149904 "$(json 'j["all"]["free"]')" "free (96 camera seats blocked)"
expect_eq 4 "$(json 'len(j["tiers"])')" "tiers"
expect_rc 0 "$TIX" --json hold "$SHOW" --best 6 --tier 4
expect_match '^L(10|11|30|31)-' "$(json 'j["seats"][0]["row"]')" "premium block"
expect_rc 0 "$TIX" --json hold "$SHOW" --best 2 --accessible
expect_rc 0 "$TIX" hold "$SHOW" U01-25:40
expect_rc 0 "$TIX" seats "$SHOW" --svg "$WORK/stadium.svg"
expect_match "too many rows" "$OUT" "no terminal map for a stadium"
expect_rc 0 xmllint --noout --huge "$WORK/stadium.svg"
expect_match 'id="field"' "$(head -c 200000 "$WORK/stadium.svg")" "field drawn"
expect_rc 0 "$TIX" check
finish
