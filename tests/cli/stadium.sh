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
# A cut prints though the whole bowl would not: one block, laid out along
# its own (turned) rows, under a ruler of seat numbers.
expect_rc 0 "$TIX" seats "$SHOW" --section L01
expect_eq 20 "$(grep -c '^  L01-[0-9]* ' <<<"$OUT")" "the 20 rows of block L01"
expect_match "^ +1 +5 +10 +15 +20 +25 +30 +35 +40$" "$OUT" "ruler over 40 seats"
expect_match "^  L01-1 +3333wc3{28}cw3{4}$" "$OUT" "row 1 along the block"
expect_rc 0 "$TIX" seats "$SHOW" --section L01 --rows L01-9..L01-11
expect_eq 3 "$(grep -c '^  L01-' <<<"$OUT")" "a range of rows"
expect_rc 2 "$TIX" seats "$SHOW" --section Q99
expect_match "no rows in section Q99" "$ERR" "unknown section"
expect_rc 0 xmllint --noout --huge "$WORK/stadium.svg"
expect_match 'id="field"' "$(head -c 200000 "$WORK/stadium.svg")" "field drawn"
SIZE=$(stat -c %s "$WORK/stadium.svg")
[ "$SIZE" -lt 6000000 ] && ok || fail "stadium SVG is $SIZE bytes (runs should keep it under 6 MB)"
# Every seat is named once: in a run's data-seats range or as its own s<i>.
expect_rc 0 "$PY" - "$WORK/stadium.svg" <<'PYEOF'
import re, sys
svg = open(sys.argv[1], encoding="utf-8").read()
seen = [0] * 150000
for a, b in re.findall(r'data-seats="(\d+)-(\d+)"', svg):
    for i in range(int(a), int(b) + 1):
        seen[i] += 1
for i in re.findall(r' id="s(\d+)"', svg):
    seen[int(i)] += 1
assert seen == [1] * 150000, [i for i, c in enumerate(seen) if c != 1][:10]
held = re.findall(r'data-seats="(\d+)-(\d+)" data-state="held" data-row="U01-25"', svg)
assert held, "the held seat U01-25:40 is in a held run"
assert svg.count("<title>") > 3000, "runs carry tooltips"
assert 'id="sections"' in svg and '>L07</text>' in svg and '>U64</text>' in svg
assert svg.count('<text', svg.index('id="rows"')) >= 3600
PYEOF
expect_rc 0 "$TIX" check
finish
