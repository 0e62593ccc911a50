#!/usr/bin/env bash
# tix, issue 17 items 1 and 4: sales channels (channel create|list|assign|
# assign-tier|release|avail, hold --channel) and holds over several shows
# (hold-group, confirm HANDLE...), with the refusals and their exit codes.
source "$(dirname "$0")/lib.sh"

expect_rc 0 "$TIX" init
expect_rc 0 "$TIX" --json import "$SRC/examples/data/multiplex.json"
SCREEN=$(json 'j["screens"][0]["screen_id"]')
TIER=$(json 'j["screens"][0]["tiers"][0]["tier_id"]')
expect_rc 0 "$TIX" movie add --title "Live" --duration 120
MOVIE=$OUT
expect_rc 0 "$TIX" --json user add --name "Asha Rao" --email asha@example.com
USER=$(json 'j["user_id"]')
expect_rc 0 "$TIX" show create --movie "$MOVIE" --screen "$SCREEN" \
  --start 2030-03-01T18:30
SHOW=$OUT
expect_rc 0 "$TIX" show create --movie "$MOVIE" --screen "$SCREEN" \
  --start 2030-03-02T18:30
SHOW2=$OUT

# ---- channels ---------------------------------------------------------------
expect_rc 0 "$TIX" channel create "box office"
BOX=$OUT
expect_rc 0 "$TIX" --json channel create "app"
APP=$(json 'j["id"]')
expect_eq app "$(json 'j["name"]')" "created channel"
expect_rc 3 "$TIX" channel create "box office"
expect_match "TIX_EEXISTS" "$ERR" "channel name taken"
expect_rc 4 "$TIX" channel create ""
expect_rc 1 "$TIX" channel create
expect_rc 1 "$TIX" channel
expect_rc 1 "$TIX" channel frobnicate "$SHOW"
expect_rc 0 "$TIX" --json channel list
expect_eq "box office,app" "$(json '",".join(c["name"] for c in j["channels"])')" \
  "channels listed"
expect_rc 0 "$TIX" channel list
expect_match "^$BOX	box office" "$OUT" "text list"

expect_rc 0 "$TIX" channel assign "$SHOW" "$BOX" A1 A2 A3
expect_match "assigned 3 seats to channel $BOX" "$OUT" "assign text"
expect_rc 0 "$TIX" --json channel assign-tier "$SHOW" "$APP" "$TIER" 5
expect_eq 5 "$(json 'j["seats"]')" "assign-tier JSON"
expect_rc 0 "$TIX" --json channel avail "$SHOW"
expect_eq 0 "$(json 'j["channels"][0]["channel_id"]')" "pool first"
expect_eq 3 "$(json '[c for c in j["channels"] if c["channel_id"] == '"$BOX"'][0]["total"]')" \
  "box office seats"
expect_eq 5 "$(json '[c for c in j["channels"] if c["channel_id"] == '"$APP"'][0]["free"]')" \
  "app seats"
expect_rc 0 "$TIX" channel avail "$SHOW"
expect_match "^channel	total	free" "$OUT" "avail header"
expect_rc 2 "$TIX" channel assign "$SHOW" 99 A4
expect_match "channel 99" "$ERR" "unknown channel named"
expect_rc 2 "$TIX" channel assign 999 "$BOX" A4
expect_rc 2 "$TIX" channel avail 999
expect_rc 1 "$TIX" channel assign "$SHOW" "$BOX"
expect_rc 1 "$TIX" channel assign "$SHOW" x A4
expect_rc 2 "$TIX" channel assign "$SHOW" "$BOX" ZZ99
expect_rc 4 "$TIX" channel assign-tier "$SHOW" 0 "$TIER" 1
expect_rc 1 "$TIX" channel assign-tier "$SHOW" "$APP" "$TIER" many
expect_rc 3 "$TIX" channel assign-tier "$SHOW" "$APP" "$TIER" 100000
expect_match "TIX_ECONFLICT" "$ERR" "more than the tier has free"
expect_rc 0 "$TIX" --json channel avail "$SHOW"
expect_eq 5 "$(json '[c for c in j["channels"] if c["channel_id"] == '"$APP"'][0]["total"]')" \
  "a refused share moves nothing"

# A channel seat is held only through its channel.
expect_rc 7 "$TIX" hold "$SHOW" A1
expect_match "TIX_EPERM.*channel $BOX" "$ERR" "channel seat refused to the pool"
expect_rc 7 "$TIX" hold "$SHOW" A1 --channel "$APP"
expect_rc 7 "$TIX" hold "$SHOW" A1 --channel 99
expect_rc 1 "$TIX" hold "$SHOW" A1 --channel x
expect_rc 0 "$TIX" --json hold "$SHOW" A1 --channel "$BOX"
HBOX=$(json 'j["handle"]')
expect_match "^H3" "$HBOX" "channel hold handle"
expect_rc 0 "$TIX" --json hold "$SHOW" --best 2 --channel "$APP"
expect_rc 3 "$TIX" channel assign "$SHOW" 0 A1
expect_match "TIX_ECONFLICT" "$ERR" "a held seat does not move"
expect_rc 0 "$TIX" channel assign "$SHOW" 0 A2
expect_rc 0 "$TIX" hold "$SHOW" A2
expect_rc 0 "$TIX" --json seat-history "$SHOW" A2
expect_eq "channel:$BOX,channel:0" \
  "$(json '",".join("%s:%d" % (e["type"], e["channel_id"]) for e in j["events"])')" \
  "channel moves in the seat history"
expect_rc 0 "$TIX" seat-history "$SHOW" A2
expect_match "channel +channel $BOX" "$OUT" "seat-history text"
expect_rc 0 "$TIX" --json confirm "$HBOX" --user "$USER" --payment-ref ch-1
expect_eq "$BOX" "$(json 'j["channel_id"]')" "booking records its channel"

expect_rc 1 "$TIX" channel release "$SHOW" "$BOX" --at soon
expect_rc 4 "$TIX" channel release "$SHOW" "$BOX" --at 1000
expect_match "TIX_ERANGE" "$ERR" "release in the past"
expect_rc 4 "$TIX" channel release "$SHOW" 0
expect_rc 0 "$TIX" --json channel release "$SHOW" "$BOX"
expect_eq "$BOX" "$(json 'j["channel_id"]')" "release JSON"
expect_rc 3 "$TIX" channel release "$SHOW" "$BOX"
expect_match "TIX_EALREADY" "$ERR" "released twice"
expect_rc 0 "$TIX" hold "$SHOW" A3
expect_rc 0 "$TIX" --json channel avail "$SHOW"
expect_eq True "$(json '[c for c in j["channels"] if c["channel_id"] == '"$BOX"'][0]["released"]')" \
  "released flag"
expect_rc 0 "$TIX" channel release "$SHOW" "$APP" --at 1898596800
expect_rc 0 "$TIX" --json channel avail "$SHOW"
expect_eq 1898596800 "$(json '[c for c in j["channels"] if c["channel_id"] == '"$APP"'][0]["release_at"]')" \
  "release time set"

# ---- holds over several shows ----------------------------------------------
expect_rc 0 "$TIX" hold-group "$SHOW:A5,A6" "$SHOW2:A5"
expect_eq 2 "$(wc -l <<<"$OUT")" "one handle per show"
mapfile -t HS <<<"$OUT"
expect_rc 3 "$TIX" hold-group "$SHOW:A7" "$SHOW2:A5"
expect_match "TIX_ECONFLICT" "$ERR" "a taken seat fails the group"
expect_rc 0 "$TIX" hold "$SHOW" A7
H_C3=$OUT
expect_rc 0 "$TIX" release "$H_C3"
expect_rc 1 "$TIX" hold-group
expect_rc 1 "$TIX" hold-group "$SHOW"
expect_rc 1 "$TIX" hold-group "x:C1"
expect_rc 2 "$TIX" hold-group "999:C1"
expect_rc 2 "$TIX" hold-group "$SHOW:ZZ99"
expect_rc 4 "$TIX" hold-group "$SHOW:C4" "$SHOW:C5"
expect_match "TIX_EINVAL" "$ERR" "a show twice"
expect_rc 1 "$TIX" hold-group "$SHOW:C4" --ttl x
expect_rc 0 "$TIX" --json hold-group "$SHOW:A9" "$SHOW2:A9" --channel "$APP" --ttl 60
expect_eq 2 "$(json 'len(j["handles"])')" "JSON handles"

expect_rc 4 "$TIX" confirm "${HS[0]}" bogus --user "$USER" --payment-ref g-0
expect_rc 2 "$TIX" confirm "${HS[@]}" --user 999 --payment-ref g-0
expect_rc 1 "$TIX" confirm "${HS[@]}" --user "$USER"
expect_rc 0 "$TIX" --json confirm "${HS[@]}" --user "$USER" --payment-ref grp-1
GROUP=$(json 'j["group_id"]')
expect_eq 2 "$(json 'len(j["bookings"])')" "one booking per show"
expect_eq "$GROUP,$GROUP" "$(json '",".join(str(b["group_id"]) for b in j["bookings"])')" \
  "linked by the group id"
expect_eq "grp-1,grp-1#2" "$(json '",".join(b["payment_ref"] for b in j["bookings"])')" \
  "payment references"
expect_eq "$SHOW,$SHOW2" "$(json '",".join(str(b["show_id"]) for b in j["bookings"])')" \
  "the shows"
B2=$(json 'j["bookings"][1]["booking_id"]')
expect_rc 0 "$TIX" --json confirm "${HS[@]}" --user "$USER" --payment-ref grp-1
expect_eq "$GROUP" "$(json 'j["group_id"]')" "a repeated callback books nothing"
expect_rc 0 "$TIX" confirm "${HS[@]}" --user "$USER" --payment-ref grp-1
expect_match "group $GROUP" "$OUT" "text names the group"
expect_rc 0 "$TIX" --json booking show "$B2"
expect_eq "$GROUP" "$(json 'j["group_id"]')" "booking show"
expect_rc 0 "$TIX" check
finish
