#!/usr/bin/python3
"""Notification worker: consumes the libtix outbox and "sends" e-mails by
appending them to a local mbox-style file.

    /usr/bin/python3 examples/python/notify_worker.py --store STORE \\
        [--out outbox-mail.txt] [--consumer email] [--follow] [--from-end]

Without --follow it sends what is pending and exits; with --follow it keeps
waiting for new events (blocked in tix_outbox_wait() with the GIL released)
until SIGINT or SIGTERM. It may run next to the process that sells tickets:
several processes can open one store.

Delivery is at least once: an event is acknowledged only after its mail is
written and flushed to disk. Every mail carries an "X-Tix-Seq:" header and
the worker skips sequence numbers already in the file, so a crash between
writing and acknowledging never sends a mail twice.
"""
import argparse
import os
import re
import signal
import sys
import threading
import time

try:
    import tix
except ImportError:  # running from a source tree: use its bindings
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "..", "bindings", "python"))
    import tix

SUBJECTS = {
    tix.EventType.BOOKED: "Your tickets for {movie}",
    tix.EventType.CANCELLED: "Booking {booking} cancelled: {movie}",
    tix.EventType.CHECKED_IN: "Welcome! Checked in at {gate}",
    tix.EventType.REVIEWED: "Thanks for reviewing {movie}",
}


def money(minor, currency):
    """In the currency's own decimals: "INR 300.00", "JPY 1800"."""
    return tix.format_money(minor, currency) if currency else str(minor)


def when(t):
    return t.strftime("%Y-%m-%d %H:%M UTC") if t else "-"


def render(ev):
    """The mail for one event, as text (headers, blank line, body)."""
    subject = SUBJECTS.get(ev.type, "Notice").format(
        movie=ev.movie_title or "your show", booking=ev.booking_id,
        gate=ev.gate)
    lines = ["From tix-notify %s" % when(ev.at),
             "X-Tix-Seq: %d" % ev.seq,
             "To: %s <%s>" % (ev.user_name, ev.user_email),
             "Subject: %s" % subject,
             ""]
    if ev.type in (tix.EventType.BOOKED, tix.EventType.CANCELLED,
                   tix.EventType.CHECKED_IN):
        lines.append("Hello %s," % (ev.user_name or "there"))
        lines.append("%s at %s, %s (%s)" % (ev.movie_title, ev.venue_name,
                                            ev.screen_name,
                                            ev.show_local or when(ev.show_start)))
        if ev.seats:
            lines.append("Seats: %s" % ", ".join(
                "%s%d" % (s.row, s.number) if s.row else "#%d" % s.seat
                for s in ev.seats))
        if ev.type == tix.EventType.BOOKED:
            lines.append("Paid: %s" % money(ev.total_minor, ev.currency))
            for t in ev.tickets:
                lines.append("Ticket %s  QR %s" % (t.code, t.qr))
        elif ev.type == tix.EventType.CANCELLED:
            lines.append("Refund: %s" % money(ev.total_minor, ev.currency))
        else:
            lines.append("Gate: %s" % ev.gate)
    else:
        lines.append("Review %d of %s recorded." % (ev.review_id,
                                                    ev.movie_title))
    lines.append("")
    return "\n".join(lines) + "\n"


def sent_seqs(path):
    """Sequence numbers already in the mail file (to skip re-deliveries)."""
    if not os.path.exists(path):
        return set()
    with open(path, encoding="utf-8") as f:
        return {int(m.group(1)) for m in re.finditer(r"^X-Tix-Seq: (\d+)$",
                                                     f.read(), re.M)}


def run(store, out, consumer="email", follow=False, from_end=False,
        stop=None, poll=0.5, log=print, durability="journal"):
    """Sends every pending event (and, with @follow, new ones until @stop is
    set). Returns the number of mails written."""
    stop = stop or threading.Event()
    done = sent_seqs(out)
    written = 0
    with tix.open(store, durability=durability, create=False) as db, \
            open(out, "a", encoding="utf-8") as f:
        c = db.consumer(consumer, from_end=from_end)
        log("notify: consumer %r at seq %d, mail to %s" % (c.name, c.acked, out))
        for ev in c.events(batch=100, follow=follow, poll=poll, stop=stop):
            if ev.seq in done:
                continue   # written before a crash, not acknowledged then
            f.write(render(ev))
            f.flush()
            os.fsync(f.fileno())
            done.add(ev.seq)
            written += 1
            log("notify: seq %d %s -> %s" % (
                ev.seq, ev.type.name.lower() if isinstance(ev.type, tix.EventType)
                else ev.type, ev.user_email))
    return written


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    import demo_data  # the examples' shared store options
    demo_data.add_store_options(ap, create=False)
    ap.add_argument("--out", default="outbox-mail.txt", help="mail file")
    ap.add_argument("--consumer", default="email", help="consumer name")
    ap.add_argument("--follow", action="store_true",
                    help="keep waiting for new events until SIGINT/SIGTERM")
    ap.add_argument("--from-end", action="store_true",
                    help="a new consumer starts after the newest event")
    args = ap.parse_args(argv)
    if not os.path.isdir(args.store):
        ap.error("store %s does not exist (a worker reads a store that "
                 "already has bookings)" % args.store)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    n = run(args.store, args.out, args.consumer, args.follow, args.from_end,
            stop, log=lambda m: print(m, flush=True),
            durability=args.durability)
    print("notify: %d mail(s) written" % n, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
