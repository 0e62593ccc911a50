/* Notification outbox: events appended in the same transaction as the
 * change they announce (booking, cancel, check-in, review), named consumer
 * cursors, and the wake-up of tix_outbox_wait() after a commit.
 * The event types (TIX_EVENT_*) are public, in tix.h. */
#ifndef TIX_LIB_OUTBOX_H
#define TIX_LIB_OUTBOX_H

#include "db.h"

/* What a write path knows of the change. tix__outbox_append looks up the
 * rest inside the same transaction (user contact, movie title, show start,
 * venue name and address, screen name, seat rows and numbers, QR payloads
 * of the tickets named by @p codes), so callers pass ids only. */
typedef struct tix__event {
    uint8_t type;             /* TIX_EVENT_* */
    int64_t at;
    tix_id booking_id, user_id, show_id;
    uint32_t n_seats;
    const uint32_t *seats;
    size_t n_codes;
    const char *const *codes; /* ticket codes (canonical, stored) */
    const char *gate;         /* check-in only */
    tix_id movie_id;          /* reviews; 0 = the show's movie */
    tix_id review_id;         /* reviews */
    int64_t total_minor;      /* bookings, cancels: amount of the booking */
    const char *currency;     /* of total_minor; NULL or "" = none */
    uint8_t after_checkin;    /* cancels: refunded despite a check-in */
    int64_t old_start;        /* reschedules: the start before */
} tix__event;

/* Appends @p ev; *seq (may be NULL) receives its sequence number. The
 * ids must name existing records (user, show, movie, tickets): a missing
 * one fails with TIX_ENOTFOUND. */
int tix__outbox_append(tix_db *db, MDB_txn *txn, const tix__event *ev,
                       uint64_t *seq);

/* Decodes the ids of an event record, version 1 or 2 (seats, codes and
 * gate are not returned, their counts are; movie_id, review_id and
 * total_minor are 0 for version 1). */
int tix__outbox_decode(const MDB_val *val, tix__event *ev);

/* Up to @p max events after sequence @p after, oldest first, whatever the
 * consumers' cursors (the change feed, lib/repl/feed.c, keeps its place in
 * its JetStream stream instead, so it also runs on a follower). */
int tix__outbox_read_after(tix_db *db, uint64_t after, size_t max,
                           tix_event_list **out);

/* The wake-up of tix_outbox_wait(): set up and torn down with the store
 * handle (fields of struct tix_db). Init registers a transaction observer
 * that wakes the waiters after every commit that appended events. */
int tix__outbox_notify_init(tix_db *db);
void tix__outbox_notify_destroy(tix_db *db);

#endif
