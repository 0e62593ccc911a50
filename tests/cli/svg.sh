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
expect_rc 0 rsvg-convert -o "$PNG" "$SVG"
expect_rc 0 "$PY" "$(dirname "$0")/pngcheck.py" "$PNG" 6
echo "$OUT"
finish
