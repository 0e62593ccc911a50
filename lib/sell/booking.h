/* Bookings: records, confirm (with the group committer), cancel, reads. */
#ifndef TIX_LIB_BOOKING_H
#define TIX_LIB_BOOKING_H

#include "record.h"

/* Record version written (see booking.c); cancel.c upgrades older records
 * to it in place. */
#define TIX__BOOKING_VERSION 5

/* Reads status and user of booking @p id. TIX_ENOTFOUND when missing. */
int tix__booking_status(tix_db *db, MDB_txn *txn, tix_id id, int *status,
                        tix_id *user);

/* Reads what a count of booked seats needs of booking @p id. */
int tix__booking_brief(tix_db *db, MDB_txn *txn, tix_id id, int *status,
                       tix_id *user, uint32_t *n_seats);

/* The index entries of a booking (by user, by show, its payment
 * reference): what its confirm writes and tix check verifies. */
size_t tix__booking_entries(tix_id id, tix_id user, tix_id show,
                            const char *payment_ref, tix__ixentry e[3]);

/* The tix__rec_refs_fn of bookings: a user with bookings (cancelled ones
 * too: they are the accounts) is not deleted. */
int tix__booking_refs(tix_db *db, MDB_txn *txn, const tix__rectype *t,
                      tix_id id);

#endif
