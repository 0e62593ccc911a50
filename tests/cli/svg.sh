#!/usr/bin/env bash
# tix seats --svg: the picture of a show with free, held, booked and blocked
# seats is well-formed XML (xmllint), renders to a PNG (rsvg-convert) that
# is not blank, and carries the screen edge, a legend and every seat.
source "$(dirname "$0")/lib.sh"
for t in xmllint rsvg-convert; do
  command -v "$t" >/dev/null || { echo "$t missing (Debian: libxml2-utils, librsvg2-bin)"; exit 1; }
done
"$TIX" init >/dev/null
"$TIX" import "$SRC/examples/data/multiplex.json" >/dev/null
MOVIE=$("$TIX" movie add --title "Seat Map <Test> & Co" --duration 120)
USER=$("$TIX" user add --name Tester --email t@example.com)
SHOW=$("$TIX" show create --movie "$MOVIE" --screen 1 --start 2030-05-01T20:00Z)
H=$("$TIX" hold "$SHOW" F10 F11 F12)
"$TIX" confirm "$H" --user "$USER" --payment-ref svg-1 >/dev/null
"$TIX" hold "$SHOW" G1 G2 >/dev/null
"$TIX" block "$SHOW" C12 C13 >/dev/null

SVG="$WORK/show.svg"
PNG="$WORK/show.png"
expect_rc 0 "$TIX" seats "$SHOW" --svg "$SVG" --no-map
expect_rc 0 xmllint --noout "$SVG"
SEATS=$(grep -Ec 'class="s t[0-9]' "$SVG")
expect_eq 300 "$SEATS" "one shape per seat"
expect_eq 3 "$(grep -c 'class="s t[0-9] booked' "$SVG")" "booked seats"
expect_eq 2 "$(grep -c 'class="s t[0-9] held' "$SVG")" "held seats"
expect_eq 4 "$(grep -c 'class="s t[0-9] blocked' "$SVG")" "blocked seats (2 admin + 2 layout)"
expect_eq 2 "$(grep -c 'wheelchair"' "$SVG")" "wheelchair spaces"
expect_match 'id="screen"' "$(cat "$SVG")" "screen edge"
expect_match 'id="legend"' "$(cat "$SVG")" "legend"
expect_match 'Seat Map &lt;Test&gt; &amp; Co' "$(cat "$SVG")" "title escaped"
expect_eq 0 "$(grep -c '<svg[^>]* width=' "$SVG")" "no fixed size"
expect_match 'viewBox="0 0 [0-9]+ [0-9]+"' "$(head -3 "$SVG")" "a viewBox"
expect_eq 3 "$(grep -c 'data-state="booked"' "$SVG")" "data-state booked"
expect_eq 300 "$(grep -Ec ' id="s[0-9]+" data-seat="[A-Z][0-9]+" data-state="' "$SVG")" "per-seat ids"
expect_match '<rect class="s t2 booked" [^>]* id="s[0-9]+" data-seat="F10"' "$(cat "$SVG")" "seat F10 named"
expect_match 'id="rows"' "$(cat "$SVG")" "row labels"
expect_rc 0 rsvg-convert -o "$PNG" "$SVG"
expect_rc 0 "$PY" "$(dirname "$0")/pngcheck.py" "$PNG" 6
echo "$OUT"

# Long tier names: the legend wraps instead of running entries together.
"$PY" - "$SRC/examples/data/multiplex.json" "$WORK/long.json" <<'PYEOF'
import json, sys
j = json.load(open(sys.argv[1]))
j["venue"]["name"] = "Long Names Hall"
for t in j["screens"][0]["tiers"]:
    t["name"] = t["name"] + " with a very long name for the legend"
json.dump(j, open(sys.argv[2], "w"))
PYEOF
"$TIX" import "$WORK/long.json" >/dev/null
LSHOW=$("$TIX" show create --movie "$MOVIE" --screen 2 --start 2030-05-02T20:00Z)
expect_rc 0 "$TIX" seats "$LSHOW" --svg "$WORK/long.svg" --no-map
expect_rc 0 "$PY" - "$WORK/long.svg" <<'PYEOF'
import re, sys
svg = open(sys.argv[1], encoding="utf-8").read()
legend = svg[svg.index('id="legend"'):]
items = [(float(x), float(y), t) for x, y, t in
         re.findall(r'<text x="([0-9.]+)" y="([0-9.]+)">([^<]*)</text>', legend)]
rows = {}
for x, y, t in items:
    rows.setdefault(y, []).append((x, t))
assert len(rows) >= 2, rows
for y, r in rows.items():
    r.sort()
    for (x1, t1), (x2, _) in zip(r, r[1:]):
        assert x2 - x1 >= 6.5 * len(t1), (y, t1, x1, x2)
PYEOF
finish
