/* Derived counters kept in the same transaction as bookings: movie
 * popularity, co-booking ("people who booked X also booked Y") and user
 * affinity, read by title search and recommendations. */
#ifndef TIX_LIB_STATS_H
#define TIX_LIB_STATS_H

#include "db.h"
#include "show.h"

/* Called inside the confirm transaction for every new booking. */
int tix__stats_booked(tix_db *db, MDB_txn *txn, tix_id booking, tix_id user,
                      const tix__show_info *show, uint32_t n_seats,
                      int64_t now);

/* Called inside the cancel transaction. */
int tix__stats_cancelled(tix_db *db, MDB_txn *txn, tix_id booking,
                         tix_id user, tix_id show, uint32_t n_seats,
                         int64_t now);

#endif
