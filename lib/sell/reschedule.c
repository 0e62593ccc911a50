/* Rescheduling a show: the catalog moves it (lib/catalog/show.c
 * tix__show_move: overlap rule, indexes, region); here the buyers hear of
 * it, one RESCHEDULED event per live booking in the same transaction, and
 * every process's seat engine is told to reread the show's times, which
 * holds and confirms check (show over, region reclaim). */
#include <stdlib.h>

#include "booking.h"
#include "engine.h"
#include "error.h"
#include "outbox.h"
#include "show.h"
#include "tables.h"

struct move_arg {
    tix_id show;
    int64_t start;
    int moved; /* out */
};

static int tell_buyers(tix_db *db, MDB_txn *txn, tix_id show,
                       int64_t old_start)
{
    uint8_t prefix[8];
    tix__be64_put(prefix, show);
    tix_id *ids = NULL;
    size_t n = 0;
    int rc = tix__db_index_ids(db, txn, TIX_T_BOOKINGS_BY_SHOW, prefix, 8, &ids,
                               &n);
    int64_t now = tix_db_now(db);
    for (size_t i = 0; rc == TIX_OK && i < n; i++) {
        int status;
        tix_id user;
        rc = tix__booking_status(db, txn, ids[i], &status, &user);
        if (rc || status == TIX_BOOKING_CANCELLED) continue;
        tix__event ev = {.type = TIX_EVENT_RESCHEDULED, .at = now,
                         .booking_id = ids[i], .user_id = user,
                         .show_id = show, .gate = "",
                         .old_start = old_start};
        rc = tix__outbox_append(db, txn, &ev, NULL);
    }
    free(ids);
    return rc;
}

static int move_write(tix_db *db, MDB_txn *txn, void *arg)
{
    struct move_arg *a = arg;
    tix__show_info old;
    int rc = tix__show_move(db, txn, a->show, a->start, &old);
    a->moved = rc == TIX_OK && old.start != a->start;
    if (a->moved) rc = tell_buyers(db, txn, a->show, old.start);
    return rc;
}

int tix_show_reschedule(tix_db *db, tix_id show_id, int64_t new_start)
{
    TIX__ARG(db);
    int rc = tix__show_start_check(new_start);
    if (rc) return rc;
    int64_t now = tix_db_now(db);
    if (new_start < now)
        return tix__err(TIX_ERANGE, "start %lld is %lld s in the past (now "
                        "%lld)", (long long)new_start,
                        (long long)(now - new_start), (long long)now);
    /* Read-only handles have no engine; their readers see LMDB anyway. */
    if (!db->engine)
        return tix__err(TIX_EPERM, "store is read-only");
    /* Not inside a batch: the engines must hear of the move after its
     * commit, which a batch would put off. */
    if ((rc = tix__db_batch_refuse(db, "rescheduling a show"))) return rc;
    struct move_arg a = {show_id, new_start, 0};
    rc = tix__db_write(db, move_write, &a);
    if (rc == TIX_OK && a.moved) tix__engine_times_changed(db);
    return rc;
}
