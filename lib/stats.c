/* Derived counters for search and recommendations (see stats.h). */
#include "stats.h"

int tix__stats_booked(tix_db *db, MDB_txn *txn, tix_id booking, tix_id user,
                      const tix__show_info *show, uint32_t n_seats,
                      int64_t now)
{
    (void)db; (void)txn; (void)booking; (void)user; (void)show;
    (void)n_seats; (void)now;
    return TIX_OK; /* filled in by the front-end tables work */
}

int tix__stats_cancelled(tix_db *db, MDB_txn *txn, tix_id booking,
                         tix_id user, tix_id show, uint32_t n_seats,
                         int64_t now)
{
    (void)db; (void)txn; (void)booking; (void)user; (void)show;
    (void)n_seats; (void)now;
    return TIX_OK;
}
