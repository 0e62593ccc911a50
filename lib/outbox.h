/* Notification outbox: events appended in the same transaction as the
 * change they announce (booking, cancel, check-in). */
#ifndef TIX_LIB_OUTBOX_H
#define TIX_LIB_OUTBOX_H

#include "db.h"

enum tix_event_type {
    TIX_EVENT_BOOKED = 1,
    TIX_EVENT_CANCELLED = 2,
    TIX_EVENT_CHECKED_IN = 3,
    TIX_EVENT_REVIEWED = 4,
};

typedef struct tix__event {
    uint8_t type;
    int64_t at;
    tix_id booking_id, user_id, show_id;
    uint32_t n_seats;
    const uint32_t *seats;
    size_t n_codes;
    const char *const *codes; /* ticket codes */
    const char *gate;         /* check-in only */
    tix_id movie_id;          /* reviews */
    tix_id review_id;         /* reviews */
} tix__event;

/* Appends @p ev; *seq (may be NULL) receives its sequence number. */
int tix__outbox_append(tix_db *db, MDB_txn *txn, const tix__event *ev,
                       uint64_t *seq);

/* Decodes an event record (strings and arrays point into @p val). Codes
 * are not returned; n_codes is. */
int tix__outbox_decode(const MDB_val *val, tix__event *ev);

#endif
