/* Rating summaries (see rating.h). */
#include "rating.h"
#include "tables.h"

#include <string.h>

#include "error.h"

#define RATING_VERSION 1

int tix__rating_read(tix_db *db, MDB_txn *txn, tix_id movie,
                     tix_rating_summary *out)
{
    memset(out, 0, sizeof *out);
    out->movie_id = movie;
    uint8_t key[8];
    tix__be64_put(key, movie);
    MDB_val k = {8, key}, v;
    int rc = mdb_get(txn, db->dbi[TIX_T_RATINGS], &k, &v);
    if (rc == MDB_NOTFOUND) return TIX_OK;
    if (rc) return tix__mdb_err(rc, "rating summary");
    tix_dec d;
    if ((rc = tix__dec_init(&d, v.mv_data, v.mv_size, TIX_REC_RATING,
                            RATING_VERSION)))
        return rc;
    out->count = tix__dec_u64(&d);
    out->sum = tix__dec_u64(&d);
    for (int i = 0; i < TIX_RATING_MAX; i++)
        out->histogram[i] = tix__dec_u64(&d);
    if ((rc = tix__dec_finish(&d))) return rc;
    out->mean = out->count ? (double)out->sum / (double)out->count : 0.0;
    return TIX_OK;
}

static int rating_ok(uint32_t r)
{
    return r >= TIX_RATING_MIN && r <= TIX_RATING_MAX;
}

int tix__rating_apply(tix_db *db, MDB_txn *txn, tix_id movie,
                      uint32_t old_rating, uint32_t new_rating)
{
    tix_rating_summary s;
    int rc = tix__rating_read(db, txn, movie, &s);
    if (rc) return rc;
    if (old_rating) {
        if (!rating_ok(old_rating) || s.count == 0 || s.sum < old_rating ||
            s.histogram[old_rating - 1] == 0)
            return tix__err(TIX_ECORRUPT, "rating summary of movie %llu does "
                            "not hold a rating %u",
                            (unsigned long long)movie, old_rating);
        s.count--;
        s.sum -= old_rating;
        s.histogram[old_rating - 1]--;
    }
    if (new_rating) {
        if (!rating_ok(new_rating))
            return tix__err(TIX_ERANGE, "rating %u not in %d..%d", new_rating,
                            TIX_RATING_MIN, TIX_RATING_MAX);
        s.count++;
        s.sum += new_rating;
        s.histogram[new_rating - 1]++;
    }
    uint8_t key[8];
    tix__be64_put(key, movie);
    if (s.count == 0) {
        rc = tix__db_del(db, txn, TIX_T_RATINGS, key, 8, "rating summary");
        return rc == TIX_ENOTFOUND ? TIX_OK : rc;
    }
    tix_enc e;
    tix__enc_init(&e, TIX_REC_RATING, RATING_VERSION);
    tix__enc_u64(&e, s.count);
    tix__enc_u64(&e, s.sum);
    for (int i = 0; i < TIX_RATING_MAX; i++) tix__enc_u64(&e, s.histogram[i]);
    rc = tix__enc_finish(&e);
    if (rc == TIX_OK)
        rc = tix__db_put(db, txn, TIX_T_RATINGS, key, 8, e.buf, e.len, 0,
                      "rating summary");
    tix__enc_free(&e);
    return rc;
}

int tix_rating_summary_get(tix_db *db, tix_id movie_id,
                           tix_rating_summary *out)
{
    TIX__ARG(db);
    TIX__ARG(out);
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    MDB_val v;
    rc = tix__db_get_id(db, txn, TIX_T_MOVIES, movie_id, &v, "movie");
    tix_rating_summary s;
    if (rc == TIX_OK) rc = tix__rating_read(db, txn, movie_id, &s);
    tix__db_read_end(db, txn);
    if (rc == TIX_OK) *out = s;
    return rc;
}
