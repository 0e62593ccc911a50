/* Derived counters for search and recommendations (see stats.h). */
#include "stats.h"
#include "tables.h"

#include <string.h>

#include "error.h"
#include "table.h"

#define POP_VERSION 1
#define POP_SLOTS_MAX 64
#define USER_MOVIE_VERSION 1
#define RECENT_VERSION 1
#define COBOOKED_VERSION 1
#define DAY_SECONDS 86400

/* ---- small helpers ---------------------------------------------------- */

/* Looks a key up: TIX_OK with *found 0/1, or an LMDB error. */
static int lookup(tix_db *db, MDB_txn *txn, int table, const void *key,
                  size_t klen, MDB_val *v, int *found, const char *what)
{
    MDB_val k = {klen, (void *)key};
    int rc = mdb_get(txn, db->dbi[table], &k, v);
    *found = rc == 0;
    if (rc == MDB_NOTFOUND) return TIX_OK;
    return rc ? tix__mdb_err(rc, what) : TIX_OK;
}

/* Finishes @p e and stores it under @p key. */
static int store(tix_db *db, MDB_txn *txn, int table, const void *key,
                 size_t klen, tix_enc *e, const char *what)
{
    int rc = tix__enc_finish(e);
    if (rc == TIX_OK)
        rc = tix__db_put(db, txn, table, key, klen, e->buf, e->len, 0, what);
    tix__enc_free(e);
    return rc;
}

static uint32_t utc_day(int64_t t)
{
    return t <= 0 ? 0 : (uint32_t)(t / DAY_SECONDS);
}

/* ---- popularity ------------------------------------------------------- */

typedef struct pop_rec {
    uint32_t head_day;
    uint64_t total;
    uint32_t n;
    uint32_t count[POP_SLOTS_MAX];
} pop_rec;

static int pop_load(tix_db *db, MDB_txn *txn, tix_id movie, pop_rec *p,
                    int *found)
{
    uint8_t key[8];
    tix__be64_put(key, movie);
    MDB_val v;
    memset(p, 0, sizeof *p);
    int rc = lookup(db, txn, TIX_T_POPULARITY, key, 8, &v, found, "popularity");
    if (rc || !*found) return rc;
    tix_dec d;
    if ((rc = tix__dec_init(&d, v.mv_data, v.mv_size, TIX_REC_POPULARITY,
                            POP_VERSION)))
        return rc;
    p->head_day = tix__dec_u32(&d);
    p->total = tix__dec_u64(&d);
    p->n = tix__dec_count(&d, POP_SLOTS_MAX);
    for (uint32_t i = 0; i < p->n; i++) p->count[i] = tix__dec_u32(&d);
    return tix__dec_finish(&d);
}

static int pop_store(tix_db *db, MDB_txn *txn, tix_id movie,
                     const pop_rec *p)
{
    uint8_t key[8];
    tix__be64_put(key, movie);
    tix_enc e;
    tix__enc_init(&e, TIX_REC_POPULARITY, POP_VERSION);
    tix__enc_u32(&e, p->head_day);
    tix__enc_u64(&e, p->total);
    tix__enc_u32(&e, p->n);
    for (uint32_t i = 0; i < p->n; i++) tix__enc_u32(&e, p->count[i]);
    return store(db, txn, TIX_T_POPULARITY, key, 8, &e, "popularity");
}

/* Moves the window so that day @p day is slot 0 (never backwards). */
static void pop_advance(pop_rec *p, uint32_t day)
{
    if (p->n != TIX_POPULARITY_DAYS) { /* new record (or another width) */
        uint32_t keep = p->n < TIX_POPULARITY_DAYS ? p->n : TIX_POPULARITY_DAYS;
        for (uint32_t i = keep; i < TIX_POPULARITY_DAYS; i++) p->count[i] = 0;
        p->n = TIX_POPULARITY_DAYS;
    }
    if (day <= p->head_day) return;
    uint32_t shift = day - p->head_day;
    for (uint32_t i = p->n; i-- > 0;)
        p->count[i] = i >= shift ? p->count[i - shift] : 0;
    p->head_day = day;
}

static int pop_booked(tix_db *db, MDB_txn *txn, tix_id movie, int64_t now)
{
    pop_rec p;
    int found;
    int rc = pop_load(db, txn, movie, &p, &found);
    if (rc) return rc;
    uint32_t day = utc_day(now);
    if (!found) p.head_day = day;
    pop_advance(&p, day);
    uint32_t slot = p.head_day - day; /* > 0 only if the clock went back */
    if (slot < p.n && p.count[slot] < UINT32_MAX) p.count[slot]++;
    p.total++;
    return pop_store(db, txn, movie, &p);
}

static int pop_cancelled(tix_db *db, MDB_txn *txn, tix_id movie,
                         int64_t booked_at)
{
    pop_rec p;
    int found;
    int rc = pop_load(db, txn, movie, &p, &found);
    if (rc || !found) return rc; /* booked before stats were kept */
    uint32_t day = utc_day(booked_at);
    if (day <= p.head_day && p.head_day - day < p.n &&
        p.count[p.head_day - day] > 0)
        p.count[p.head_day - day]--;
    if (p.total > 0) p.total--;
    return pop_store(db, txn, movie, &p);
}

int tix__stats_popularity(tix_db *db, MDB_txn *txn, tix_id movie,
                          int64_t now, uint32_t *count)
{
    pop_rec p;
    int found;
    int rc = pop_load(db, txn, movie, &p, &found);
    *count = 0;
    if (rc || !found) return rc;
    uint32_t today = utc_day(now);
    uint64_t sum = 0;
    for (uint32_t i = 0; i < p.n && i <= p.head_day; i++) {
        uint32_t day = p.head_day - i;
        if (day <= today && today - day < TIX_POPULARITY_DAYS)
            sum += p.count[i];
    }
    *count = sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
    return TIX_OK;
}

/* ---- user x movie ----------------------------------------------------- */

typedef struct user_movie_rec {
    uint32_t active;
    int64_t first_at, last_at;
} user_movie_rec;

static int user_movie_parse(const MDB_val *v, user_movie_rec *r)
{
    tix_dec d;
    int rc = tix__dec_init(&d, v->mv_data, v->mv_size, TIX_REC_USER_MOVIE,
                           USER_MOVIE_VERSION);
    if (rc) return rc;
    r->active = tix__dec_u32(&d);
    r->first_at = tix__dec_i64(&d);
    r->last_at = tix__dec_i64(&d);
    return tix__dec_finish(&d);
}

static int user_movie_load(tix_db *db, MDB_txn *txn, tix_id user,
                           tix_id movie, user_movie_rec *r, int *found)
{
    uint8_t key[16];
    tix__key_pair(key, user, movie);
    MDB_val v;
    memset(r, 0, sizeof *r);
    int rc = lookup(db, txn, TIX_T_USER_MOVIES, key, 16, &v, found,
                    "user movies");
    return rc || !*found ? rc : user_movie_parse(&v, r);
}

static int user_movie_store(tix_db *db, MDB_txn *txn, tix_id user,
                            tix_id movie, const user_movie_rec *r)
{
    uint8_t key[16];
    tix__key_pair(key, user, movie);
    tix_enc e;
    tix__enc_init(&e, TIX_REC_USER_MOVIE, USER_MOVIE_VERSION);
    tix__enc_u32(&e, r->active);
    tix__enc_i64(&e, r->first_at);
    tix__enc_i64(&e, r->last_at);
    return store(db, txn, TIX_T_USER_MOVIES, key, 16, &e, "user movies");
}

int tix__stats_user_movie(tix_db *db, MDB_txn *txn, tix_id user,
                          tix_id movie, uint32_t *active)
{
    user_movie_rec r;
    int found;
    int rc = user_movie_load(db, txn, user, movie, &r, &found);
    *active = rc == TIX_OK ? r.active : 0;
    return rc;
}

int tix__stats_user_movies(tix_db *db, MDB_txn *txn, tix_id user,
                           tix__user_movie_fn fn, void *arg)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, db->dbi[TIX_T_USER_MOVIES], &cur);
    if (rc) return tix__mdb_err(rc, "user movies");
    uint8_t prefix[8];
    tix__be64_put(prefix, user);
    MDB_val k = {8, prefix}, v;
    int mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    rc = TIX_OK;
    while (rc == TIX_OK && mrc == 0 && k.mv_size == 16 &&
           memcmp(k.mv_data, prefix, 8) == 0) {
        user_movie_rec r;
        rc = user_movie_parse(&v, &r);
        if (rc == TIX_OK)
            rc = fn(tix__be64_get((const uint8_t *)k.mv_data + 8), r.active,
                    arg);
        if (rc == TIX_OK) mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc) return rc;
    return mrc && mrc != MDB_NOTFOUND ? tix__mdb_err(mrc, "user movies")
                                      : TIX_OK;
}

/* ---- recent movies and co-booking -------------------------------------- */

int tix__stats_recent(tix_db *db, MDB_txn *txn, tix_id user,
                      tix_id movies[TIX__RECENT_MOVIES], size_t *n)
{
    uint8_t key[8];
    tix__be64_put(key, user);
    MDB_val v;
    int found;
    *n = 0;
    int rc = lookup(db, txn, TIX_T_USER_RECENT, key, 8, &v, &found,
                    "recent movies");
    if (rc || !found) return rc;
    tix_dec d;
    if ((rc = tix__dec_init(&d, v.mv_data, v.mv_size, TIX_REC_USER_RECENT,
                            RECENT_VERSION)))
        return rc;
    uint32_t count = tix__dec_count(&d, TIX__RECENT_MOVIES);
    for (uint32_t i = 0; i < count; i++) movies[i] = tix__dec_u64(&d);
    if ((rc = tix__dec_finish(&d))) return rc;
    *n = count;
    return TIX_OK;
}

/* Puts @p movie first in the user's recent list (moving it if present). */
static int recent_push(tix_db *db, MDB_txn *txn, tix_id user, tix_id movie,
                       const tix_id *old, size_t n)
{
    tix_id list[TIX__RECENT_MOVIES];
    size_t m = 0;
    list[m++] = movie;
    for (size_t i = 0; i < n && m < TIX__RECENT_MOVIES; i++)
        if (old[i] != movie) list[m++] = old[i];
    uint8_t key[8];
    tix__be64_put(key, user);
    tix_enc e;
    tix__enc_init(&e, TIX_REC_USER_RECENT, RECENT_VERSION);
    tix__enc_u32(&e, (uint32_t)m);
    for (size_t i = 0; i < m; i++) tix__enc_u64(&e, list[i]);
    return store(db, txn, TIX_T_USER_RECENT, key, 8, &e, "recent movies");
}

int tix__stats_cobooked(tix_db *db, MDB_txn *txn, tix_id x, tix_id y,
                        uint32_t *count)
{
    uint8_t key[16];
    tix__key_pair(key, x, y);
    MDB_val v;
    int found;
    *count = 0;
    int rc = lookup(db, txn, TIX_T_COBOOKED, key, 16, &v, &found, "co-booking");
    if (rc || !found) return rc;
    tix_dec d;
    if ((rc = tix__dec_init(&d, v.mv_data, v.mv_size, TIX_REC_COBOOKED,
                            COBOOKED_VERSION)))
        return rc;
    uint32_t c = tix__dec_u32(&d);
    if ((rc = tix__dec_finish(&d))) return rc;
    *count = c;
    return TIX_OK;
}

static int cobooked_add(tix_db *db, MDB_txn *txn, tix_id x, tix_id y)
{
    uint32_t c;
    int rc = tix__stats_cobooked(db, txn, x, y, &c);
    if (rc) return rc;
    uint8_t key[16];
    tix__key_pair(key, x, y);
    tix_enc e;
    tix__enc_init(&e, TIX_REC_COBOOKED, COBOOKED_VERSION);
    tix__enc_u32(&e, c < UINT32_MAX ? c + 1 : c);
    return store(db, txn, TIX_T_COBOOKED, key, 16, &e, "co-booking");
}

/* ---- the hooks -------------------------------------------------------- */

int tix__stats_booked(tix_db *db, MDB_txn *txn, tix_id booking, tix_id user,
                      const tix__show_info *show, uint32_t n_seats,
                      int64_t now)
{
    (void)booking;
    (void)n_seats;
    tix_id movie = show->movie_id;
    int rc = pop_booked(db, txn, movie, now);
    user_movie_rec um;
    int known = 0;
    if (rc == TIX_OK) rc = user_movie_load(db, txn, user, movie, &um, &known);
    if (rc) return rc;
    if (!known) um.first_at = now;
    if (um.active < UINT32_MAX) um.active++;
    um.last_at = now;
    if ((rc = user_movie_store(db, txn, user, movie, &um))) return rc;

    tix_id recent[TIX__RECENT_MOVIES];
    size_t n;
    if ((rc = tix__stats_recent(db, txn, user, recent, &n))) return rc;
    /* Pair a movie with the recent ones only the first time the user
     * books it, so booking it again (or cancel and rebook) counts no one
     * twice. */
    for (size_t i = 0; !known && i < n && rc == TIX_OK; i++) {
        if (recent[i] == movie) continue;
        rc = cobooked_add(db, txn, recent[i], movie);
        if (rc == TIX_OK) rc = cobooked_add(db, txn, movie, recent[i]);
    }
    if (rc == TIX_OK && (n == 0 || recent[0] != movie))
        rc = recent_push(db, txn, user, movie, recent, n);
    return rc;
}

int tix__stats_cancelled(tix_db *db, MDB_txn *txn, tix_id user, tix_id show,
                         int64_t booked_at)
{
    tix__show_info s;
    int rc = tix__show_read(db, txn, show, &s);
    if (rc == TIX_OK) rc = pop_cancelled(db, txn, s.movie_id, booked_at);
    user_movie_rec um;
    int known = 0;
    if (rc == TIX_OK)
        rc = user_movie_load(db, txn, user, s.movie_id, &um, &known);
    if (rc || !known || um.active == 0) return rc;
    um.active--;
    return user_movie_store(db, txn, user, s.movie_id, &um);
}
