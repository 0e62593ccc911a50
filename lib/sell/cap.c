/* Per-customer caps, the public side: setting a cap recounts the seats
 * every user already has booked under it, so that a cap set after the
 * sale began still holds (lib/catalog/usercap.h has the tables). */
#include <stdlib.h>

#include "booking.h"
#include "error.h"
#include "movie.h"
#include "tables.h"
#include "user.h"
#include "usercap.h"

/* Counts the confirmed seats of show @p show under (scope, id). */
static int recount_show(tix_db *db, MDB_txn *txn, int scope, tix_id id,
                        tix_id show)
{
    uint8_t prefix[8];
    tix__be64_put(prefix, show);
    tix_id *ids = NULL;
    size_t n = 0;
    int rc = tix__db_index_ids(db, txn, TIX_T_BOOKINGS_BY_SHOW, prefix, 8, &ids, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int status;
        tix_id user;
        uint32_t seats;
        rc = tix__booking_brief(db, txn, ids[i], &status, &user, &seats);
        if (rc == 0 && status == TIX_BOOKING_CONFIRMED)
            rc = tix__usercap_add(db, txn, scope, id, user, seats);
    }
    free(ids);
    return rc;
}

/* Every show of @p movie: a walk of the shows table (setting a movie's cap
 * is rare; listings have no by-movie index to spare). */
static int recount_movie(tix_db *db, MDB_txn *txn, tix_id movie)
{
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(txn, db->dbi[TIX_T_SHOWS], &cur);
    if (mrc) return tix__mdb_err(mrc, "shows");
    MDB_val k, v;
    int rc = TIX_OK;
    mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (rc == 0 && mrc == 0) {
        tix__show_info s;
        rc = k.mv_size == 8 ? tix__show_read(db, txn, tix__be64_get(k.mv_data), &s)
                            : tix__err(TIX_ECORRUPT, "show key malformed");
        if (rc == 0 && s.movie_id == movie)
            rc = recount_show(db, txn, TIX__CAP_MOVIE, movie, s.id);
        if (rc == 0) mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc) return rc;
    return mrc == MDB_NOTFOUND ? TIX_OK : tix__mdb_err(mrc, "shows");
}

struct cap_set {
    int scope;
    tix_id id;
    uint32_t cap;
};

static int set_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    const struct cap_set *a = arg;
    int rc;
    if (a->scope == TIX__CAP_SHOW) {
        tix__show_info s;
        rc = tix__show_read(db, txn, a->id, &s);
    } else {
        uint32_t minutes;
        rc = tix__movie_duration(db, txn, a->id, &minutes);
    }
    if (rc == 0) rc = tix__usercap_put(db, txn, a->scope, a->id, a->cap);
    if (rc || a->cap == 0) return rc;
    return a->scope == TIX__CAP_SHOW ? recount_show(db, txn, a->scope, a->id, a->id)
                                     : recount_movie(db, txn, a->id);
}

static int cap_set(tix_db *db, int scope, tix_id id, uint32_t cap)
{
    TIX__ARG(db);
    if (cap > TIX__CAP_MAX)
        return tix__err(TIX_ERANGE, "cap %u is above %u seats", cap, TIX__CAP_MAX);
    struct cap_set a = {scope, id, cap};
    return tix__db_write(db, set_txn, &a);
}

int tix_show_set_user_cap(tix_db *db, tix_id show_id, uint32_t max_seats)
{
    return cap_set(db, TIX__CAP_SHOW, show_id, max_seats);
}

int tix_movie_set_user_cap(tix_db *db, tix_id movie_id, uint32_t max_seats)
{
    return cap_set(db, TIX__CAP_MOVIE, movie_id, max_seats);
}

static int usage_read(tix_db *db, MDB_txn *txn, tix_id show_id, tix_id user,
                      tix_user_caps *out)
{
    tix__show_info s;
    int rc = tix__show_read(db, txn, show_id, &s);
    if (rc == 0 && user) rc = tix__user_exists(db, txn, user);
    if (rc == 0) rc = tix__usercap_get(db, txn, TIX__CAP_SHOW, s.id, &out->show_cap);
    if (rc == 0) rc = tix__usercap_get(db, txn, TIX__CAP_MOVIE, s.movie_id, &out->movie_cap);
    if (rc == 0 && user && out->show_cap)
        rc = tix__usercap_count(db, txn, TIX__CAP_SHOW, s.id, user, &out->show_booked);
    if (rc == 0 && user && out->movie_cap)
        rc = tix__usercap_count(db, txn, TIX__CAP_MOVIE, s.movie_id, user,
                            &out->movie_booked);
    return rc;
}

int tix_user_caps_get(tix_db *db, tix_id show_id, tix_id user_id,
                      tix_user_caps *out)
{
    TIX__ARG(out);
    *out = (tix_user_caps){0};
    TIX__ARG(db);
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    rc = usage_read(db, txn, show_id, user_id, out);
    tix__db_read_end(db, txn);
    if (rc) *out = (tix_user_caps){0};
    return rc;
}
