/* Per-customer caps: storage, the check and the count (see usercap.h). */
#include "usercap.h"
#include "tables.h"

#include "error.h"
#include "table.h"

#define CAP_KEY 9    /* scope, id */
#define COUNT_KEY 17 /* scope, id, user */

static void cap_key(uint8_t *k, int scope, tix_id id)
{
    k[0] = (uint8_t)scope;
    tix__be64_put(k + 1, id);
}

static void count_key(uint8_t *k, int scope, tix_id id, tix_id user)
{
    cap_key(k, scope, id);
    tix__be64_put(k + CAP_KEY, user);
}

/* A be32 value of @p table, 0 when the key is absent. */
static int get_u32(tix_db *db, MDB_txn *txn, int table, const uint8_t *k,
                   size_t klen, uint32_t *out)
{
    MDB_val key = {klen, (void *)k}, v;
    int rc = mdb_get(txn, db->dbi[table], &key, &v);
    *out = 0;
    if (rc == MDB_NOTFOUND) return TIX_OK;
    if (rc) return tix__mdb_err(rc, "user caps");
    if (v.mv_size != 4) return tix__err(TIX_ECORRUPT, "user cap row malformed");
    *out = tix__be32_get(v.mv_data);
    return TIX_OK;
}

int tix__usercap_get(tix_db *db, MDB_txn *txn, int scope, tix_id id, uint32_t *cap)
{
    uint8_t k[CAP_KEY];
    cap_key(k, scope, id);
    return get_u32(db, txn, TIX_T_USER_CAPS, k, sizeof k, cap);
}

int tix__usercap_count(tix_db *db, MDB_txn *txn, int scope, tix_id id,
                   tix_id user, uint32_t *seats)
{
    uint8_t k[COUNT_KEY];
    count_key(k, scope, id, user);
    return get_u32(db, txn, TIX_T_USER_CAP_COUNTS, k, sizeof k, seats);
}

static const char *scope_name(int scope)
{
    return scope == TIX__CAP_SHOW ? "show" : "movie";
}

static int check_one(tix_db *db, MDB_txn *txn, int scope, tix_id id,
                     tix_id user, uint32_t n)
{
    uint32_t cap, seats;
    int rc = tix__usercap_get(db, txn, scope, id, &cap);
    if (rc || cap == 0) return rc;
    if ((rc = tix__usercap_count(db, txn, scope, id, user, &seats))) return rc;
    if ((uint64_t)seats + n <= cap) return TIX_OK;
    return tix__err(TIX_ELIMIT, "user %llu may book at most %u seats of %s "
                    "%llu and has %u: %u more is too many",
                    (unsigned long long)user, cap, scope_name(scope),
                    (unsigned long long)id, seats, n);
}

/* 1 when the store has no cap at all: every confirm asks, and most stores
 * never set one, so one look at the table's size saves two lookups. */
static int no_caps(tix_db *db, MDB_txn *txn)
{
    MDB_stat st;
    return mdb_stat(txn, db->dbi[TIX_T_USER_CAPS], &st) == 0 && st.ms_entries == 0;
}

int tix__usercap_check(tix_db *db, MDB_txn *txn, const tix__show_info *s,
                   tix_id user, uint32_t n)
{
    if (no_caps(db, txn)) return TIX_OK;
    int rc = check_one(db, txn, TIX__CAP_SHOW, s->id, user, n);
    return rc ? rc : check_one(db, txn, TIX__CAP_MOVIE, s->movie_id, user, n);
}

int tix__usercap_add(tix_db *db, MDB_txn *txn, int scope, tix_id id, tix_id user,
                 int64_t delta)
{
    uint8_t k[COUNT_KEY];
    count_key(k, scope, id, user);
    uint32_t seats;
    int rc = get_u32(db, txn, TIX_T_USER_CAP_COUNTS, k, sizeof k, &seats);
    if (rc) return rc;
    int64_t now = (int64_t)seats + delta;
    if (now < 0) now = 0; /* a cap set after the booking did not count it */
    if (now == 0 && seats == 0) return TIX_OK;
    if (now == 0) return tix__db_del(db, txn, TIX_T_USER_CAP_COUNTS, k, sizeof k,
                                  "user cap count");
    uint8_t v[4];
    tix__be32_put(v, now > UINT32_MAX ? UINT32_MAX : (uint32_t)now);
    return tix__db_put(db, txn, TIX_T_USER_CAP_COUNTS, k, sizeof k, v, 4, 0,
                    "user cap count");
}

static int charge_one(tix_db *db, MDB_txn *txn, int scope, tix_id id,
                      tix_id user, int64_t delta)
{
    uint32_t cap;
    int rc = tix__usercap_get(db, txn, scope, id, &cap);
    if (rc || cap == 0) return rc;
    return tix__usercap_add(db, txn, scope, id, user, delta);
}

int tix__usercap_charge(tix_db *db, MDB_txn *txn, const tix__show_info *s,
                    tix_id user, int64_t delta)
{
    if (no_caps(db, txn)) return TIX_OK;
    int rc = charge_one(db, txn, TIX__CAP_SHOW, s->id, user, delta);
    return rc ? rc : charge_one(db, txn, TIX__CAP_MOVIE, s->movie_id, user, delta);
}

int tix__usercap_put(tix_db *db, MDB_txn *txn, int scope, tix_id id, uint32_t cap)
{
    uint8_t k[CAP_KEY];
    cap_key(k, scope, id);
    int rc = tix__table_del_prefix(db, txn, TIX_T_USER_CAP_COUNTS, k, sizeof k, NULL,
                             NULL, NULL);
    if (rc) return rc;
    if (cap == 0) {
        rc = tix__db_del(db, txn, TIX_T_USER_CAPS, k, sizeof k, "user cap");
        return rc == TIX_ENOTFOUND ? TIX_OK : rc;
    }
    uint8_t v[4];
    tix__be32_put(v, cap);
    return tix__db_put(db, txn, TIX_T_USER_CAPS, k, sizeof k, v, 4, 0, "user cap");
}
