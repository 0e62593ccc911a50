/* Seat history: a compact per-seat log of what happened to each seat of a
 * show (booked, cancelled, checked in, blocked, unblocked, moved to a sales
 * channel) for support staff. Holds are not durable and are not logged.
 *
 *   TIX_T_SEAT_LOG  show, seat(be32), seq(be64) ->
 *                   type u8 | at be64 | booking be64 | user be64 |
 *                   gate length u8 | gate
 *
 * A channel move keeps its channel in the booking field (it has no
 * booking): the entry stays one fixed form. Written in the transaction of
 * the change (the outbox's booked, cancelled and checked-in events feed it;
 * blocks and channel moves call it directly). Kept bounded: a seat keeps
 * its TIX_SEAT_HISTORY_MAX newest entries. */
#ifndef TIX_LIB_SEATLOG_H
#define TIX_LIB_SEATLOG_H

#include "db.h"

typedef struct tix__seatlog_entry {
    uint8_t type; /* TIX_SEAT_EVENT_* */
    int64_t at;
    tix_id booking_id, user_id;
    tix_id channel_id; /* TIX_SEAT_EVENT_CHANNEL only */
    const char *gate;  /* NULL or "" = none */
} tix__seatlog_entry;

/* Logs @p ev for seats @p seats[0..n) of show @p show. */
int tix__seatlog_append(tix_db *db, MDB_txn *txn, tix_id show,
                        const uint32_t *seats, uint32_t n,
                        const tix__seatlog_entry *ev);

/* Reads the log of one seat, oldest first, into @p out (room for
 * TIX_SEAT_HISTORY_MAX); *n receives the count. Gates are copied into
 * out[i].gate. */
int tix__seatlog_read(tix_db *db, MDB_txn *txn, tix_id show, uint32_t seat,
                      tix_seat_event *out, size_t *n);

#endif
