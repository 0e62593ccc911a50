/* Reviews, upvotes and review listing (see review.h). */
#include "review.h"
#include "tables.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comment.h"
#include "movie.h"
#include "error.h"
#include "outbox.h"
#include "rating.h"
#include "stats.h"
#include "table.h"
#include "user.h"
#include "validate.h"

#define REVIEW_VERSION 1
#define PAGE_DEFAULT 20
#define TIME_KEY_LEN 16    /* movie, ~id */
#define HELPFUL_KEY_LEN 20 /* movie, ~helpful, ~id */
#define CURSOR_LEN 41      /* order, movie(16 hex), helpful(8), id(16) */

/* ---- record ----------------------------------------------------------- */

typedef struct review_rec {
    tix_id id, movie, user;
    uint32_t rating;
    int64_t created, updated;
    uint32_t helpful;
    tix_str text; /* points into the value read, or at the caller's text */
} review_rec;

static int review_unpack(const MDB_val *v, review_rec *r)
{
    tix_dec d;
    int rc = tix__dec_init(&d, v->mv_data, v->mv_size, TIX_REC_REVIEW,
                           REVIEW_VERSION);
    if (rc) return rc;
    r->id = tix__dec_u64(&d);
    r->movie = tix__dec_u64(&d);
    r->user = tix__dec_u64(&d);
    r->rating = tix__dec_u8(&d);
    r->created = tix__dec_i64(&d);
    r->updated = tix__dec_i64(&d);
    r->helpful = tix__dec_u32(&d);
    r->text = tix__dec_str(&d);
    return tix__dec_finish(&d);
}

static int review_decode(const MDB_val *val, void *item, tix_bump *b)
{
    review_rec r;
    int rc = review_unpack(val, &r);
    if (rc) return rc;
    tix_review *out = item;
    *out = (tix_review){.id = r.id, .movie_id = r.movie, .user_id = r.user,
                        .rating = r.rating, .created_at = r.created,
                        .updated_at = r.updated, .helpful = r.helpful};
    out->text = tix__bump_str(b, r.text);
    if (!out->text)
        return tix__err(TIX_ECORRUPT, "review %llu does not fit its block",
                        (unsigned long long)r.id);
    return TIX_OK;
}

/* Encodes the whole record before writing, so a text pointing into the
 * old value is copied before LMDB touches its page. */
static int review_store(tix_db *db, MDB_txn *txn, const review_rec *r)
{
    tix_enc e;
    tix__enc_init(&e, TIX_REC_REVIEW, REVIEW_VERSION);
    tix__enc_u64(&e, r->id);
    tix__enc_u64(&e, r->movie);
    tix__enc_u64(&e, r->user);
    tix__enc_u8(&e, (uint8_t)r->rating);
    tix__enc_i64(&e, r->created);
    tix__enc_i64(&e, r->updated);
    tix__enc_u32(&e, r->helpful);
    tix__enc_u32(&e, r->text.len);
    tix__enc_bytes(&e, r->text.p, r->text.len);
    int rc = tix__enc_finish(&e);
    if (rc == TIX_OK) rc = tix__db_put_id(db, txn, TIX_T_REVIEWS, r->id, &e, "review");
    tix__enc_free(&e);
    return rc;
}

static int review_load_rec(tix_db *db, MDB_txn *txn, tix_id id,
                           review_rec *r)
{
    MDB_val v;
    int rc = tix__db_get_id(db, txn, TIX_T_REVIEWS, id, &v, "review");
    return rc ? rc : review_unpack(&v, r);
}

int tix__review_read(tix_db *db, MDB_txn *txn, tix_id id, tix_id *movie,
                     tix_id *user, uint32_t *rating)
{
    review_rec r;
    int rc = review_load_rec(db, txn, id, &r);
    if (rc) return rc;
    if (movie) *movie = r.movie;
    if (user) *user = r.user;
    if (rating) *rating = r.rating;
    return TIX_OK;
}

/* ---- indexes ----------------------------------------------------------- */

static void time_key(uint8_t k[TIME_KEY_LEN], tix_id movie, tix_id id)
{
    tix__key_pair(k, movie, ~id);
}

static void helpful_key(uint8_t k[HELPFUL_KEY_LEN], tix_id movie,
                        uint32_t helpful, tix_id id)
{
    tix__be64_put(k, movie);
    tix__be32_put(k + 8, ~helpful);
    tix__be64_put(k + 12, ~id);
}

size_t tix__review_entries(tix_id id, tix_id movie, tix_id user,
                           uint32_t helpful, tix__ixentry e[3])
{
    e[0] = (tix__ixentry){.index = TIX_T_REVIEWS_BY_USER, .klen = 16,
                          .val_is_id = 1};
    tix__key_pair(e[0].key, user, movie);
    e[1] = (tix__ixentry){.index = TIX_T_REVIEWS_BY_TIME,
                          .klen = TIME_KEY_LEN, .val_is_id = 1};
    time_key(e[1].key, movie, id);
    e[2] = (tix__ixentry){.index = TIX_T_REVIEWS_BY_HELPFUL,
                          .klen = HELPFUL_KEY_LEN, .val_is_id = 1};
    helpful_key(e[2].key, movie, helpful, id);
    return 3;
}

static int put_helpful(tix_db *db, MDB_txn *txn, const review_rec *r)
{
    uint8_t k[HELPFUL_KEY_LEN], v[8];
    helpful_key(k, r->movie, r->helpful, r->id);
    tix__be64_put(v, r->id);
    return tix__db_put(db, txn, TIX_T_REVIEWS_BY_HELPFUL, k, sizeof k, v, 8, 0,
                    "review index");
}

static int del_helpful(tix_db *db, MDB_txn *txn, const review_rec *r)
{
    uint8_t k[HELPFUL_KEY_LEN];
    helpful_key(k, r->movie, r->helpful, r->id);
    return tix__db_del(db, txn, TIX_T_REVIEWS_BY_HELPFUL, k, sizeof k,
                    "review index");
}

static int index_put(tix_db *db, MDB_txn *txn, const review_rec *r)
{
    uint8_t uk[16], tk[TIME_KEY_LEN], v[8];
    tix__key_pair(uk, r->user, r->movie);
    time_key(tk, r->movie, r->id);
    tix__be64_put(v, r->id);
    int rc = tix__db_put(db, txn, TIX_T_REVIEWS_BY_USER, uk, 16, v, 8,
                      MDB_NOOVERWRITE, "review of this user and movie");
    if (rc == TIX_OK)
        rc = tix__db_put(db, txn, TIX_T_REVIEWS_BY_TIME, tk, sizeof tk, v, 8, 0,
                      "review index");
    return rc ? rc : put_helpful(db, txn, r);
}

static int index_del(tix_db *db, MDB_txn *txn, const review_rec *r)
{
    uint8_t uk[16], tk[TIME_KEY_LEN];
    tix__key_pair(uk, r->user, r->movie);
    time_key(tk, r->movie, r->id);
    int rc = tix__db_del(db, txn, TIX_T_REVIEWS_BY_USER, uk, 16, "review index");
    if (rc == TIX_OK)
        rc = tix__db_del(db, txn, TIX_T_REVIEWS_BY_TIME, tk, sizeof tk,
                      "review index");
    if (rc == TIX_OK) rc = del_helpful(db, txn, r);
    return rc == TIX_ENOTFOUND
               ? tix__err(TIX_ECORRUPT, "review %llu is missing from an index",
                          (unsigned long long)r->id)
               : rc;
}

/* The review of (user, movie): *id 0 when there is none. */
static int find_id(tix_db *db, MDB_txn *txn, tix_id user, tix_id movie,
                   tix_id *id)
{
    uint8_t k[16];
    tix__key_pair(k, user, movie);
    MDB_val v;
    int rc = tix__db_get(db, txn, TIX_T_REVIEWS_BY_USER, k, 16, &v, "review");
    *id = 0;
    if (rc == TIX_ENOTFOUND) return TIX_OK;
    if (rc) return rc;
    if (v.mv_size != 8) return tix__err(TIX_ECORRUPT, "review index malformed");
    *id = tix__be64_get(v.mv_data);
    return TIX_OK;
}

static int announce(tix_db *db, MDB_txn *txn, const review_rec *r,
                    int64_t now)
{
    tix__event ev = {.type = TIX_EVENT_REVIEWED, .at = now,
                     .user_id = r->user, .movie_id = r->movie,
                     .review_id = r->id, .gate = ""};
    return tix__outbox_append(db, txn, &ev, NULL);
}

int tix__review_list_of_user(tix_db *db, MDB_txn *txn, tix_id user,
                         tix__user_review_fn fn, void *arg)
{
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(txn, db->dbi[TIX_T_REVIEWS_BY_USER], &cur);
    if (mrc) return tix__mdb_err(mrc, "reviews by user");
    uint8_t prefix[8];
    tix__be64_put(prefix, user);
    MDB_val k = {8, prefix}, v;
    int rc = TIX_OK;
    mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == TIX_OK && mrc == 0 && k.mv_size == 16 &&
           memcmp(k.mv_data, prefix, 8) == 0) {
        if (v.mv_size != 8)
            rc = tix__err(TIX_ECORRUPT, "review index malformed");
        else
            rc = fn(tix__be64_get((const uint8_t *)k.mv_data + 8),
                    tix__be64_get(v.mv_data), arg);
        if (rc == TIX_OK) mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc) return rc;
    return mrc && mrc != MDB_NOTFOUND ? tix__mdb_err(mrc, "reviews by user")
                                      : TIX_OK;
}

/* ---- create / update --------------------------------------------------- */

struct review_write {
    const tix_review *in;
    tix_id id; /* out */
};

static int check_refs(tix_db *db, MDB_txn *txn, tix_id user, tix_id movie)
{
    int rc = tix__user_exists(db, txn, user);
    if (rc) return tix__table_ref_err(rc, "user_id", user);
    MDB_val v;
    rc = tix__db_get_id(db, txn, TIX_T_MOVIES, movie, &v, "movie");
    return rc ? tix__table_ref_err(rc, "movie_id", movie) : TIX_OK;
}

static int create_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct review_write *w = arg;
    const tix_review *in = w->in;
    int rc = check_refs(db, txn, in->user_id, in->movie_id);
    tix_id id = 0;
    if (rc == TIX_OK) rc = find_id(db, txn, in->user_id, in->movie_id, &id);
    if (rc) return rc;
    int64_t now = tix_db_now(db);
    const char *text = in->text ? in->text : "";
    review_rec r;
    uint32_t old_rating = 0; /* 0: a new review */
    int replace = id != 0;
    if (replace) { /* the user's second review of the movie replaces it */
        if ((rc = review_load_rec(db, txn, id, &r))) return rc;
        old_rating = r.rating;
    } else {
        if ((rc = tix__db_next_id(db, txn, TIX_T_REVIEWS, &id))) return rc;
        r = (review_rec){.id = id, .movie = in->movie_id, .user = in->user_id,
                         .created = now};
    }
    r.rating = in->rating;
    r.updated = now;
    r.text = (tix_str){text, (uint32_t)strlen(text)};
    rc = review_store(db, txn, &r);
    if (rc == TIX_OK && !replace) rc = index_put(db, txn, &r);
    if (rc == TIX_OK)
        rc = tix__rating_apply(db, txn, r.movie, old_rating, r.rating);
    if (rc == TIX_OK) rc = announce(db, txn, &r, now);
    if (rc == TIX_OK) w->id = id;
    return rc;
}

int tix_review_create(tix_db *db, const tix_review *in, tix_id *id_out)
{
    TIX__ARG(db);
    if (!in) return tix__err(TIX_EINVAL, "review is NULL");
    if (in->rating < TIX_RATING_MIN || in->rating > TIX_RATING_MAX)
        return tix__err(TIX_ERANGE, "rating %u not in %d..%d", in->rating,
                        TIX_RATING_MIN, TIX_RATING_MAX);
    int rc = tix__validate_text("review text", in->text, 0,
                             db->cfg.review_text_max, 1);
    if (rc) return rc;
    struct review_write w = {in, 0};
    if ((rc = tix__db_write(db, create_txn, &w))) return rc;
    if (id_out) *id_out = w.id;
    return TIX_OK;
}

/* ---- delete ------------------------------------------------------------ */

static int delete_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    tix_id id = *(tix_id *)arg;
    review_rec r;
    int rc = review_load_rec(db, txn, id, &r);
    if (rc) return rc;
    uint8_t key[8];
    tix__be64_put(key, id);
    rc = index_del(db, txn, &r);
    if (rc == TIX_OK)
        rc = tix__table_del_prefix(db, txn, TIX_T_REVIEW_VOTES, key, 8, NULL, NULL,
                             NULL);
    if (rc == TIX_OK) rc = tix__comment_drop_all(db, txn, id);
    if (rc == TIX_OK) rc = tix__rating_apply(db, txn, r.movie, r.rating, 0);
    if (rc == TIX_OK) rc = announce(db, txn, &r, tix_db_now(db));
    /* Last: r.text points into the record's page. */
    if (rc == TIX_OK) rc = tix__db_del(db, txn, TIX_T_REVIEWS, key, 8, "review");
    return rc;
}

int tix_review_delete(tix_db *db, tix_id id)
{
    TIX__ARG(db);
    return tix__db_write(db, delete_txn, &id);
}

/* ---- upvotes ----------------------------------------------------------- */

struct vote {
    tix_id review, user;
    int up; /* 1 upvote, 0 withdraw */
};

static int vote_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct vote *a = arg;
    review_rec r;
    int rc = review_load_rec(db, txn, a->review, &r);
    if (rc) return tix__table_ref_err(rc, "review_id", a->review);
    if ((rc = tix__user_exists(db, txn, a->user)))
        return tix__table_ref_err(rc, "user_id", a->user);
    if (a->up && r.user == a->user)
        return tix__err(TIX_EINVAL, "user_id %llu wrote review %llu and "
                        "cannot upvote it", (unsigned long long)a->user,
                        (unsigned long long)a->review);
    uint8_t vk[16];
    tix__key_pair(vk, a->review, a->user);
    MDB_val v;
    rc = tix__db_get(db, txn, TIX_T_REVIEW_VOTES, vk, 16, &v, "upvote");
    if (rc != TIX_OK && rc != TIX_ENOTFOUND) return rc;
    if ((rc == TIX_OK) == a->up) return TIX_OK; /* already so: no change */
    if (a->up) rc = tix__db_put(db, txn, TIX_T_REVIEW_VOTES, vk, 16, "", 0, 0,
                             "upvote");
    else rc = tix__db_del(db, txn, TIX_T_REVIEW_VOTES, vk, 16, "upvote");
    if (rc == TIX_OK) rc = del_helpful(db, txn, &r);
    if (rc == TIX_OK) {
        if (a->up) r.helpful++;
        else if (r.helpful > 0) r.helpful--;
        rc = put_helpful(db, txn, &r);
    }
    return rc ? rc : review_store(db, txn, &r);
}

static int vote(tix_db *db, tix_id review, tix_id user, int up)
{
    TIX__ARG(db);
    struct vote a = {review, user, up};
    return tix__db_write(db, vote_txn, &a);
}

int tix_review_upvote(tix_db *db, tix_id review_id, tix_id user_id)
{
    return vote(db, review_id, user_id, 1);
}

int tix_review_unvote(tix_db *db, tix_id review_id, tix_id user_id)
{
    return vote(db, review_id, user_id, 0);
}

/* ---- reads ------------------------------------------------------------- */

/* Fills the verified flag: does the user hold a booking for the movie? */
static int mark_verified(tix_db *db, MDB_txn *txn, tix_review *r)
{
    uint32_t active;
    int rc = tix__stats_user_movie(db, txn, r->user_id, r->movie_id, &active);
    r->verified = rc == TIX_OK && active > 0;
    return rc;
}

static int load_review(tix_db *db, MDB_txn *txn, tix_id id, tix_review **out)
{
    void *p;
    int rc = tix__table_load(db, txn, TIX_T_REVIEWS, id, sizeof(tix_review),
                           review_decode, &p, "review");
    if (rc == TIX_OK && (rc = mark_verified(db, txn, p))) free(p);
    if (rc == TIX_OK) *out = p;
    return rc;
}

int tix_review_get(tix_db *db, tix_id id, tix_review **out)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(db);
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    rc = load_review(db, txn, id, out);
    tix__db_read_end(db, txn);
    return rc;
}

int tix_review_find(tix_db *db, tix_id user_id, tix_id movie_id,
                    tix_review **out)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(db);
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    tix_id id;
    rc = find_id(db, txn, user_id, movie_id, &id);
    if (rc == TIX_OK && id == 0)
        rc = tix__err(TIX_ENOTFOUND, "user %llu has no review of movie %llu",
                      (unsigned long long)user_id,
                      (unsigned long long)movie_id);
    if (rc == TIX_OK) rc = load_review(db, txn, id, out);
    tix__db_read_end(db, txn);
    return rc;
}

/* ---- paging ------------------------------------------------------------ */

/* A position in one of the two orders: the index key of the last review
 * a page returned. */
typedef struct page_pos {
    tix_review_order order;
    tix_id movie, id;
    uint32_t helpful;
} page_pos;

static size_t pos_key(const page_pos *p, uint8_t key[HELPFUL_KEY_LEN])
{
    if (p->order == TIX_REVIEWS_NEWEST) {
        time_key(key, p->movie, p->id);
        return TIME_KEY_LEN;
    }
    helpful_key(key, p->movie, p->helpful, p->id);
    return HELPFUL_KEY_LEN;
}

static void cursor_format(const page_pos *p, char out[TIX_REVIEW_CURSOR_MAX])
{
    snprintf(out, TIX_REVIEW_CURSOR_MAX, "%c%016llX%08X%016llX",
             p->order == TIX_REVIEWS_NEWEST ? 'N' : 'H',
             (unsigned long long)p->movie, p->helpful,
             (unsigned long long)p->id);
}

static int hex_field(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                                            : 16;
        if (d == 16) return 0;
        v = v << 4 | d;
    }
    *out = v;
    return 1;
}

static int cursor_parse(const char *s, page_pos *p)
{
    uint64_t movie, helpful, id;
    if (strnlen(s, CURSOR_LEN + 1) != CURSOR_LEN || (s[0] != 'N' && s[0] != 'H') ||
        !hex_field(s + 1, 16, &movie) || !hex_field(s + 17, 8, &helpful) ||
        !hex_field(s + 25, 16, &id))
        return tix__err(TIX_EBADCODE, "review cursor is malformed");
    p->order = s[0] == 'N' ? TIX_REVIEWS_NEWEST : TIX_REVIEWS_HELPFUL;
    p->movie = movie;
    p->helpful = (uint32_t)helpful;
    p->id = id;
    return TIX_OK;
}

/* Collects up to @p want review ids after position @p from (or from the
 * start of the movie's reviews when @p after is 0). */
static int page_ids(tix_db *db, MDB_txn *txn, const page_pos *from,
                    int after, size_t want, tix_id *ids, size_t *n)
{
    int table = from->order == TIX_REVIEWS_NEWEST ? TIX_T_REVIEWS_BY_TIME
                                                  : TIX_T_REVIEWS_BY_HELPFUL;
    uint8_t key[HELPFUL_KEY_LEN];
    size_t klen = after ? pos_key(from, key) : 8;
    if (!after) tix__be64_put(key, from->movie);
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(txn, db->dbi[table], &cur);
    if (mrc) return tix__mdb_err(mrc, "review index");
    MDB_val k = {klen, key}, v;
    *n = 0;
    mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    if (mrc == 0 && after && k.mv_size == klen &&
        memcmp(k.mv_data, key, klen) == 0)
        mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT); /* the one seen last */
    while (mrc == 0 && *n < want && k.mv_size >= 8 &&
           memcmp(k.mv_data, key, 8) == 0) {
        if (v.mv_size != 8) {
            mdb_cursor_close(cur);
            return tix__err(TIX_ECORRUPT, "review index malformed");
        }
        ids[(*n)++] = tix__be64_get(v.mv_data);
        mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    return mrc && mrc != MDB_NOTFOUND ? tix__mdb_err(mrc, "review index")
                                      : TIX_OK;
}

static int list_txn(tix_db *db, MDB_txn *txn, const page_pos *from,
                    int after, size_t limit, tix_review_list **out,
                    char *next)
{
    tix_id ids[TIX_REVIEW_PAGE_MAX + 1];
    size_t n = 0; /* page_ids() may fail before setting it */
    int rc = page_ids(db, txn, from, after, limit + 1, ids, &n);
    size_t count = n > limit ? limit : n;
    if (rc == TIX_OK)
        rc = tix__db_list_build(db, txn, TIX_T_REVIEWS, ids, count,
                             sizeof(tix_review), review_decode, (void **)out);
    if (rc) return rc;
    tix_review_list *l = *out;
    for (size_t i = 0; i < l->count && rc == TIX_OK; i++)
        rc = mark_verified(db, txn, &l->items[i]);
    if (rc) {
        free(l);
        *out = NULL;
        return rc;
    }
    next[0] = '\0';
    if (n > limit) {
        const tix_review *last = &l->items[count - 1];
        page_pos p = {from->order, from->movie, last->id, last->helpful};
        cursor_format(&p, next);
    }
    return TIX_OK;
}

int tix_review_list_by_movie(tix_db *db, tix_id movie_id,
                             tix_review_order order, const char *cursor,
                             size_t limit, tix_review_list **out,
                             char next_cursor[TIX_REVIEW_CURSOR_MAX])
{
    if (out) *out = NULL;
    if (!db || !out || !next_cursor)
        return tix__err(TIX_EINVAL, "db, out or next_cursor is NULL");
    if (order != TIX_REVIEWS_NEWEST && order != TIX_REVIEWS_HELPFUL)
        return tix__err(TIX_EINVAL, "unknown review order %d", (int)order);
    if (limit > TIX_REVIEW_PAGE_MAX)
        return tix__err(TIX_ERANGE, "limit %zu above %d", limit,
                        TIX_REVIEW_PAGE_MAX);
    page_pos from = {order, movie_id, 0, 0};
    int after = cursor && cursor[0];
    if (after) {
        int rc = cursor_parse(cursor, &from);
        if (rc) return rc;
        if (from.order != order || from.movie != movie_id)
            return tix__err(TIX_EINVAL, "cursor belongs to another movie or "
                            "order");
    }
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    rc = list_txn(db, txn, &from, after, limit ? limit : PAGE_DEFAULT, out,
                  next_cursor);
    tix__db_read_end(db, txn);
    return rc;
}

void tix_review_free(tix_review *r) { free(r); }

void tix_review_list_free(tix_review_list *l) { free(l); }

int tix__review_refs(tix_db *db, MDB_txn *txn, const tix__rectype *t,
                     tix_id id)
{
    if (t == &tix__movie_type)
        return tix__rec_refs_key(db, txn, t, id, TIX_T_REVIEWS_BY_TIME, 0, -1,
                                 "reviews", "review");
    if (t != &tix__user_type) return TIX_OK;
    int rc = tix__rec_refs_key(db, txn, t, id, TIX_T_REVIEWS_BY_USER, 0, -1,
                               "reviews", "review");
    if (rc == TIX_OK)
        rc = tix__rec_refs_key(db, txn, t, id, TIX_T_REVIEW_VOTES, 8, 0,
                               "votes on reviews", "review");
    tix_id comment = 0;
    if (rc == TIX_OK) rc = tix__comment_by_user(db, txn, id, &comment);
    return rc == 1 ? tix__rec_refs_busy(t, id, "comments", "comment", comment)
                   : rc;
}
