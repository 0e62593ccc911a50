/* The store invariants every reliability test checks after its abuse
 * (crash loop, multi-process torture, fault injection), and a ledger of
 * what writers reported as done before they died.
 *
 * tt_inv_check() walks the whole store through the public getters (so
 * every record must also decode) plus the raw tables, over every show:
 *  - bookings: status, show, seats in range and distinct, tickets that
 *    partition the seats, ticket records naming the booking, payment
 *    reference naming the booking, cancelled_at set exactly when
 *    cancelled;
 *  - no seat is in two live (confirmed) bookings; LMDB seat-state rows
 *    name exactly the live bookings' seats (plus admin blocks);
 *  - seats.map agrees with LMDB seat by seat: BOOKED words carry their
 *    booking, blocked seats are BLOCKED, free seats FREE or HELD, and no
 *    word is CONFIRMING unless writers may be in flight; availability
 *    counts match the seat states;
 *  - the outbox has exactly one event per committed change: one BOOKED
 *    per booking, one CANCELLED per cancelled booking, one CHECKED_IN
 *    per checked-in ticket, nothing else naming bookings, every event
 *    decodes and agrees with the records; consumer cursors are not past
 *    the newest sequence number;
 *  - optionally the library's own `tix check` (lib/check/check.c: every index
 *    against its table, references, seats.map regions).
 *
 * Functions that return a problem count never call cmocka, so they can
 * run in forked children; tt_inv_assert() is the cmocka wrapper. */
#ifndef TIX_TEST_INVARIANTS_H
#define TIX_TEST_INVARIANTS_H

#include <stddef.h>
#include <stdint.h>

#include "tix.h"

typedef struct tt_inv_opts {
    int in_flight_ok;   /* others may be mid-confirm: CONFIRMING allowed */
    int outbox_trimmed; /* events may be trimmed: at most one per change */
    int run_check;      /* also run lib/check/check.c (tix__check) */
    int quiet;          /* do not print problems (just count them) */
} tt_inv_opts;

typedef struct tt_inv_stats {
    size_t shows, seats, bookings, live, cancelled, seats_booked, tickets,
        checked_in, events, review_events, consumers, held, blocked;
} tt_inv_stats;

/* Checks every invariant above on a read-write handle; returns the number
 * of problems (0 = all hold) and prints each (up to a limit) to stderr.
 * @p o and @p st may be NULL. */
size_t tt_inv_check(tix_db *db, const tt_inv_opts *o, tt_inv_stats *st);

/* cmocka: fails the running test when tt_inv_check() finds a problem. */
void tt_inv_assert(tix_db *db, const tt_inv_opts *o, tt_inv_stats *st);

/* Cancels every live booking of every show (each must cancel: its seat
 * words carry its id). Returns the number of failures. */
size_t tt_inv_cancel_all(tix_db *db, size_t *cancelled);

/* ---- what writers reported --------------------------------------------
 * A writer writes one line per finished step, only after the call
 * returned TIX_OK (so for a SYNC_FULL store the step is durable), and a
 * "started" line before steps whose outcome a crash leaves open:
 *   C <booking> <show> <payment_ref> <n> <seat>...   confirmed
 *   c <booking>                                      cancel started
 *   X <booking>                                      cancelled
 *   k <code>                                         check-in started
 *   K <code>                                         checked in
 *   A <consumer> <seq>                               acknowledged
 * The tt_line_* helpers format them (NUL-terminated, newline included). */
#define TT_LINE_MAX 512
int tt_line_confirmed(char *buf, tix_id booking, const tix_hold *h,
                      const char *ref);
int tt_line_id(char *buf, char what, tix_id booking);
int tt_line_code(char *buf, char what, const char *code);
int tt_line_ack(char *buf, const char *consumer, uint64_t seq);

typedef struct tt_ledger_booking {
    tix_id id, show;
    int cancel; /* 0 none, 1 started, 2 done */
    uint32_t n;
    uint32_t seats[16];
    char ref[TIX_NAME_MAX + 1];
} tt_ledger_booking;

typedef struct tt_ledger_code {
    char code[TIX_TICKET_CODE_LEN + 1];
    int done; /* 0 started, 1 done */
} tt_ledger_code;

typedef struct tt_ledger_ack {
    char consumer[TIX_CONSUMER_NAME_MAX + 1];
    uint64_t seq;
} tt_ledger_ack;

typedef struct tt_ledger {
    tt_ledger_booking *b;
    size_t nb, capb;
    tt_ledger_code *k;
    size_t nk, capk;
    tt_ledger_ack a[8];
    size_t na;
    size_t lines;
} tt_ledger;

void tt_ledger_init(tt_ledger *l);
void tt_ledger_free(tt_ledger *l);
/* Takes one report line (with or without its newline). Returns 0, or -1
 * for a malformed or contradictory line (the reason in @p err). */
int tt_ledger_line(tt_ledger *l, const char *line, char *err, size_t cap);
/* Feeds every complete line of @p buf[0..*len) and keeps a torn tail for
 * the next call. Returns the number of bad lines. */
size_t tt_ledger_feed(tt_ledger *l, char *buf, size_t *len);
tt_ledger_booking *tt_ledger_find(const tt_ledger *l, tix_id id);
/* Every reported step is in the store (bookings with their seats and
 * tickets, cancels, check-ins, acks); a step only started may be either
 * way. Returns the number of problems. */
size_t tt_ledger_verify(tix_db *db, const tt_ledger *l, int quiet);

#endif
