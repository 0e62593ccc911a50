#!/usr/bin/python3
"""A booking from search to gate, with the tix Python bindings.

    /usr/bin/python3 examples/python/booking_flow.py [--create]
        [--durability full|journal|nometa|none] [STORE_DIR]

Loads a small demo city into STORE_DIR (default ./py-demo-store; a store
that does not exist yet needs --create) the first time, then: title search -> shows of the movie tomorrow -> seat map ->
best available seats -> hold -> price quote -> confirm (with a duplicated
payment callback) -> tickets with QR payloads -> gate check-in.
"""
import argparse
import datetime
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import demo_data  # noqa: E402  (also puts the bindings on sys.path)
import tix  # noqa: E402

GLYPH = {tix.SeatState.FREE: ".", tix.SeatState.HELD: "h",
         tix.SeatState.CONFIRMING: "c", tix.SeatState.BOOKED: "#",
         tix.SeatState.UNAVAILABLE: "x"}


def money(minor, currency="INR"):
    return tix.format_money(minor, currency)


def hhmm(t):
    """"18:30": an aware datetime in the demo city's local time."""
    local = datetime.timezone(datetime.timedelta(minutes=demo_data.UTC_OFFSET_MIN))
    return t.astimezone(local).strftime("%H:%M")


def print_seat_map(show, mine=()):
    print("        ---------- SCREEN ----------")
    row, line = None, ""
    for s in show.seat_map():
        if s["row"] != row:
            if row is not None:
                print(line)
            row, line = s["row"], "   %-3s " % s["row"]
        g = "*" if s["index"] in mine else GLYPH[s["state"]]
        if s["state"] == tix.SeatState.FREE and s["flags"] & tix.SeatFlag.WHEELCHAIR:
            g = "w"
        line += g
    print(line)
    print("   . free  w wheelchair  h held  # booked  * yours")


def find_movie(db, words):
    try:
        hits = db.search(words)
        return db.movie(hits[0].movie_id) if hits else None
    except tix.State:  # a libtix without title search: scan the titles
        for m in db.movies():
            if words.lower() in m.title.lower():
                return m
        return None


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store", nargs="?", default="py-demo-store",
                    help="libtix store directory (default py-demo-store)")
    ap.add_argument("--create", action="store_true",
                    help="create the store when it does not exist")
    ap.add_argument("--durability", default="nometa",
                    choices=list(demo_data.DURABILITY_HELP),
                    help="; ".join("%s: %s" % kv for kv in
                                   demo_data.DURABILITY_HELP.items()))
    args = ap.parse_args(argv[1:])
    with demo_data.open_store(ap, args) as db:
        demo = demo_data.ensure(db)
        city, date, user = demo["city"], demo["date"], demo["user"]
        print("libtix %s (%s), store %s" % (tix.version(), tix.LIB_PATH, db.path))

        print("\n1. search 'orbit'")
        movie = find_movie(db, "orbit")
        print("   -> %s (%d min, %s)" % (movie.title, movie.duration_min,
                                         ", ".join(movie.languages)))

        print("\n2. shows of %s in %s on %s" % (movie.title, city.name, date))
        shows = db.shows(city=city, date=date, movie=movie)
        for sh in shows:
            a = sh.availability()
            print("   show %d  %s  %-20s %3d of %3d free" % (
                sh.id, hhmm(sh.start), sh.venue().name, a["free"], a["total"]))
        show = max(shows, key=lambda s: s.availability()["free"])

        print("\n3. seat map of show %d" % show.id)
        print_seat_map(show)

        gold = [t for t in show.screen().tiers() if t.name == "Gold"][0]
        print("\n4. best 3 %s seats, held for 10 minutes" % gold.name)
        with show.hold_best(3, tier=gold, ttl=600) as hold:
            seats = {s.index: s for s in show.seats()}
            print("   held %s until %s; handle %s..." % (
                " ".join(seats[i].label for i in hold.seats),
                hhmm(hold.expires), str(hold)[:24]))
            try:
                q = hold.quote(user=user)
                print("   price: %s + fees %s = %s" % (
                    money(q.subtotal_minor), money(q.fee_minor),
                    money(q.total_minor)))
            except tix.State:
                pass  # a libtix without price quotes

            print("\n5. payment ok -> confirm (the gateway calls back twice)")
            ref = "pay_%d_%d" % (os.getpid(), int(time.time() * 1000))
            booking = hold.confirm(user=user, payment_ref=ref,
                                   seats_per_ticket=2)
            again = hold.confirm(user=user, payment_ref=ref,
                                 seats_per_ticket=2)
            assert again == booking
            print("   booking %d for %s, paid %s (callback twice -> same booking)"
                  % (booking.id, user.name, money(booking.total_minor,
                                                  booking.currency)))

        print("\n6. tickets")
        for t in booking.tickets:
            print("   %s  seats %-8s QR %s" % (
                t.code, ",".join(seats[i].label for i in t.seats), t.qr))

        print("\n7. gate")
        first = booking.tickets[0].code
        ci = db.checkin(first, "Gate A")
        print("   %s checked in at %s, %d seat(s)" % (first, ci.gate, ci.n_seats))
        try:
            db.checkin(first, "Gate B")
        except tix.Already as e:
            print("   again at Gate B: refused, first at %s %s" % (
                e.gate, hhmm(e.checked_in_at)))

        print()
        print_seat_map(show, mine=set(booking.seat_indexes))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
