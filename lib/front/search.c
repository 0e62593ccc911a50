/* Title search (see search.h). */
#include "search.h"
#include "tables.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fold.h"
#include "movie.h"
#include "place.h"
#include "show.h"
#include "stats.h"
#include "table.h"
#include "validate.h"

#define TERMS_VERSION 1
/* A title's words folded both ways (apostrophes dropped and splitting),
 * at most one word per two bytes each way. */
#define WORDS_MAX (TIX_NAME_MAX + 2)
#define WORD_KEY_MAX (TIX_NAME_MAX + 8)
#define LIMIT_DEFAULT 20

/* Distinct folded words, as C strings inside @p buf. */
typedef struct words {
    char buf[2 * (TIX_NAME_MAX + 1)];
    size_t used;
    const char *w[WORDS_MAX];
    size_t len[WORDS_MAX];
    size_t n;
    size_t chars; /* letters and digits in the last text added */
} words;

static void word_add(words *out, const char *w, size_t wl)
{
    for (size_t i = 0; i < out->n; i++)
        if (out->len[i] == wl && memcmp(out->w[i], w, wl) == 0) return;
    if (out->n < WORDS_MAX) {
        out->w[out->n] = w;
        out->len[out->n++] = wl;
    }
}

/* Folds @p s (valid UTF-8, at most TIX_NAME_MAX bytes) with @p flags and
 * adds its words to @p out. */
static void words_add(words *out, const char *s, unsigned flags)
{
    char *buf = out->buf + out->used;
    size_t len = tix__fold(s, strnlen(s, TIX_NAME_MAX), buf, &out->chars,
                           flags);
    out->used += len + 1;
    size_t pos = 0, wl;
    const char *w;
    while ((wl = tix__fold_next_word(buf, len, &pos, &w)) > 0) {
        buf[w - buf + wl] = '\0'; /* the space (or the final NUL) */
        word_add(out, w, wl);
    }
}

/* The words a title is found by: "Don't" by "dont" and "don", "d'Amélie"
 * by "damelie" and "amelie". */
static void title_words(const char *title, words *out)
{
    out->n = out->used = 0;
    words_add(out, title, 0);
    words_add(out, title, TIX__FOLD_SPLIT);
}

static size_t word_key(uint8_t key[WORD_KEY_MAX], const char *w, size_t wl,
                       tix_id movie)
{
    memcpy(key, w, wl);
    tix__be64_put(key + wl, movie);
    return wl + 8;
}

/* ---- the index ---------------------------------------------------------- */

/* Copies the stored terms of @p movie into @p old (no record: n = 0). */
static int terms_load(tix_db *db, MDB_txn *txn, tix_id movie, words *old)
{
    uint8_t key[8];
    tix__be64_put(key, movie);
    MDB_val v;
    old->n = 0;
    int rc = tix__db_get(db, txn, TIX_T_TITLE_TERMS, key, 8, &v, "title terms");
    if (rc == TIX_ENOTFOUND) return TIX_OK;
    tix_dec d;
    if (rc == TIX_OK)
        rc = tix__dec_init(&d, v.mv_data, v.mv_size, TIX_REC_TITLE_TERMS,
                           TERMS_VERSION);
    if (rc) return rc;
    uint32_t n = tix__dec_count(&d, WORDS_MAX);
    old->used = 0;
    for (uint32_t i = 0; i < n && !d.err; i++) {
        tix_str s = tix__dec_str(&d);
        if (old->used + s.len + 1 > sizeof old->buf) {
            d.err = TIX_ECORRUPT;
            break;
        }
        char *w = old->buf + old->used;
        memcpy(w, s.p, s.len);
        w[s.len] = '\0';
        old->w[i] = w;
        old->len[i] = s.len;
        old->used += s.len + 1;
    }
    if ((rc = tix__dec_finish(&d))) return rc;
    old->n = n;
    return TIX_OK;
}

static int same_words(const words *a, const words *b)
{
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->len[i] != b->len[i] || memcmp(a->w[i], b->w[i], a->len[i]))
            return 0;
    return 1;
}

int tix__search_index_title(tix_db *db, MDB_txn *txn, tix_id movie,
                            const char *title)
{
    words now, old;
    title_words(title ? title : "", &now);
    int rc = terms_load(db, txn, movie, &old);
    if (rc || (title && old.n && same_words(&now, &old))) return rc;
    uint8_t key[WORD_KEY_MAX];
    for (size_t i = 0; i < old.n && rc == TIX_OK; i++) {
        rc = tix__db_del(db, txn, TIX_T_TITLE_WORDS, key,
                      word_key(key, old.w[i], old.len[i], movie), "title word");
        if (rc == TIX_ENOTFOUND) rc = TIX_OK; /* already gone: fine */
    }
    for (size_t i = 0; i < now.n && rc == TIX_OK; i++)
        rc = tix__db_put(db, txn, TIX_T_TITLE_WORDS, key,
                      word_key(key, now.w[i], now.len[i], movie), "", 0, 0,
                      "title word");
    if (rc) return rc;
    uint8_t tk[8];
    tix__be64_put(tk, movie);
    if (!title) {
        rc = tix__db_del(db, txn, TIX_T_TITLE_TERMS, tk, 8, "title terms");
        return rc == TIX_ENOTFOUND ? TIX_OK : rc;
    }
    tix_enc e;
    tix__enc_init(&e, TIX_REC_TITLE_TERMS, TERMS_VERSION);
    tix__enc_strlist(&e, now.w, now.n);
    rc = tix__enc_finish(&e);
    if (rc == TIX_OK)
        rc = tix__db_put(db, txn, TIX_T_TITLE_TERMS, tk, 8, e.buf, e.len, 0,
                      "title terms");
    tix__enc_free(&e);
    return rc;
}

/* ---- the query ---------------------------------------------------------- */

typedef struct hit {
    tix_id movie;
    uint32_t popularity;
} hit;

typedef struct query {
    tix_db *db;
    MDB_txn *txn;
    words q;
    size_t driver;       /* index of the longest query word */
    tix_id *only;        /* sorted movies showing in the city, or NULL */
    size_t n_only;
    int filtered;        /* a city filter is on (n_only may be 0) */
    hit *hits;           /* the best `limit` so far: a heap, worst first */
    size_t n_hits, limit;
} query;

/* Sorts (unless already in order: one word's index entries are) and drops
 * repeats. */
static size_t sort_unique(tix_id *v, size_t n)
{
    if (n == 0) return 0;
    size_t i = 1;
    while (i < n && v[i - 1] <= v[i]) i++;
    if (i < n) qsort(v, n, sizeof *v, tix__table_cmp_id);
    size_t m = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[m - 1]) v[m++] = v[i];
    return m;
}

struct id_vec {
    tix_id *v;
    size_t n, cap;
};

static int collect_show_movie(tix_id movie, int64_t start, tix_id show,
                              void *arg)
{
    (void)start;
    (void)show;
    struct id_vec *s = arg;
    if (s->n && s->v[s->n - 1] == movie) return TIX_OK; /* same movie again */
    int rc = tix__table_vec_reserve((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v);
    if (rc == TIX_OK) s->v[s->n++] = movie;
    return rc;
}

/* The movies with a show in @p city on @p date, sorted. */
static int city_movies(query *q, tix_id city, uint32_t date)
{
    tix_place_kind kind;
    int rc = tix__place_read(q->db, q->txn, city, &kind, NULL);
    if (rc) return tix__table_ref_err(rc, "city_id", city);
    if (kind != TIX_PLACE_CITY)
        return tix__err(TIX_EINVAL, "city_id %llu is not a city",
                        (unsigned long long)city);
    struct id_vec s = {0};
    rc = tix__show_city_scan(q->db, q->txn, city, date, date,
                             collect_show_movie, &s);
    if (rc) {
        free(s.v);
        return rc;
    }
    q->only = s.v;
    q->n_only = sort_unique(s.v, s.n);
    q->filtered = 1;
    return TIX_OK;
}

/* The ids of movies with a title word starting with the driver word. */
static int prefix_ids(query *q, struct id_vec *ids)
{
    const char *w = q->q.w[q->driver];
    size_t wl = q->q.len[q->driver];
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(q->txn, q->db->dbi[TIX_T_TITLE_WORDS], &cur);
    if (mrc) return tix__mdb_err(mrc, "title words");
    MDB_val k = {wl, (void *)w}, v;
    int rc = TIX_OK;
    mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    while (rc == TIX_OK && mrc == 0 && k.mv_size >= wl + 8 &&
           memcmp(k.mv_data, w, wl) == 0) {
        rc = tix__table_vec_reserve((void **)&ids->v, &ids->cap, ids->n + 1,
                              sizeof *ids->v);
        if (rc == TIX_OK)
            ids->v[ids->n++] = tix__be64_get((const uint8_t *)k.mv_data +
                                             k.mv_size - 8);
        mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (rc) return rc;
    if (mrc && mrc != MDB_NOTFOUND) return tix__mdb_err(mrc, "title words");
    ids->n = sort_unique(ids->v, ids->n);
    return TIX_OK;
}

/* 1 when every query word but the driver starts some title word. */
static int other_words_match(query *q, tix_id movie, int *match)
{
    *match = 1;
    if (q->q.n == 1) return TIX_OK;
    words t;
    int rc = terms_load(q->db, q->txn, movie, &t);
    for (size_t i = 0; rc == TIX_OK && i < q->q.n && *match; i++) {
        if (i == q->driver) continue;
        int found = 0;
        for (size_t k = 0; k < t.n && !found; k++)
            found = t.len[k] >= q->q.len[i] &&
                    memcmp(t.w[k], q->q.w[i], q->q.len[i]) == 0;
        *match = found;
    }
    return rc;
}

/* 1 when @p a ranks before @p b: more popular, then lower id. */
static int better(const hit *a, const hit *b)
{
    if (a->popularity != b->popularity) return a->popularity > b->popularity;
    return a->movie < b->movie;
}

/* Keeps @p h if it is among the best q->limit hits: q->hits is a binary
 * heap whose root is the worst kept, so a query over thousands of matches
 * never sorts them all. */
static void keep_hit(query *q, hit h)
{
    size_t i;
    if (q->n_hits < q->limit) {
        i = q->n_hits++;
        while (i > 0 && better(&q->hits[(i - 1) / 2], &h)) {
            q->hits[i] = q->hits[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        q->hits[i] = h;
        return;
    }
    if (!better(&h, &q->hits[0])) return;
    i = 0;
    for (;;) { /* sift the new root down */
        size_t c = 2 * i + 1;
        if (c >= q->n_hits) break;
        if (c + 1 < q->n_hits && better(&q->hits[c], &q->hits[c + 1])) c++;
        if (!better(&h, &q->hits[c])) break;
        q->hits[i] = q->hits[c];
        i = c;
    }
    q->hits[i] = h;
}

static int consider(query *q, tix_id movie, int64_t now)
{
    if (q->filtered &&
        !bsearch(&movie, q->only, q->n_only, sizeof *q->only, tix__table_cmp_id))
        return TIX_OK;
    int match;
    int rc = other_words_match(q, movie, &match);
    if (rc || !match) return rc;
    uint32_t pop;
    if ((rc = tix__stats_popularity(q->db, q->txn, movie, now, &pop)))
        return rc;
    keep_hit(q, (hit){movie, pop});
    return TIX_OK;
}

static int by_popularity(const void *a, const void *b)
{
    const hit *x = a, *y = b;
    if (x->popularity != y->popularity)
        return x->popularity > y->popularity ? -1 : 1;
    return x->movie < y->movie ? -1 : x->movie > y->movie;
}

/* Builds the result block of the first @p n hits with their titles. */
static int build_result(query *q, size_t n, tix_search_result **out)
{
    tix_movie **m = calloc(n ? n : 1, sizeof *m);
    if (!m) return tix__err(TIX_ENOMEM, "out of memory");
    size_t size = sizeof(tix_search_result) + n * sizeof(tix_search_hit) + 8;
    int rc = TIX_OK;
    for (size_t i = 0; i < n && rc == TIX_OK; i++) {
        rc = tix__table_load(q->db, q->txn, TIX_T_MOVIES, q->hits[i].movie,
                           sizeof(tix_movie), tix__movie_decode,
                           (void **)&m[i], "movie");
        if (rc == TIX_OK) size += strlen(m[i]->title) + 1 + 8;
    }
    tix_bump b;
    if (rc == TIX_OK) rc = tix__bump_init(&b, size);
    if (rc == TIX_OK) {
        tix_search_result *r =
            tix__bump_alloc(&b, sizeof *r + n * sizeof(tix_search_hit));
        r->count = n;
        for (size_t i = 0; i < n; i++) {
            tix_str t = {m[i]->title, (uint32_t)strlen(m[i]->title)};
            r->items[i] = (tix_search_hit){q->hits[i].movie,
                                           tix__bump_str(&b, t),
                                           q->hits[i].popularity};
        }
        *out = r;
    }
    for (size_t i = 0; i < n; i++) free(m[i]);
    free(m);
    return rc;
}

static int search_txn(query *q, const tix_search_opts *o,
                      tix_search_result **out)
{
    q->hits = malloc(q->limit * sizeof *q->hits);
    if (!q->hits) return tix__err(TIX_ENOMEM, "out of memory");
    int rc = TIX_OK;
    if (o && o->city_id) rc = city_movies(q, o->city_id, o->date);
    struct id_vec ids = {0};
    if (rc == TIX_OK && !(q->filtered && q->n_only == 0))
        rc = prefix_ids(q, &ids);
    int64_t now = tix_db_now(q->db);
    for (size_t i = 0; i < ids.n && rc == TIX_OK; i++)
        rc = consider(q, ids.v[i], now);
    free(ids.v);
    if (rc) return rc;
    if (q->n_hits) qsort(q->hits, q->n_hits, sizeof *q->hits, by_popularity);
    return build_result(q, q->n_hits, out);
}

int tix_movie_search(tix_db *db, const char *text, const tix_search_opts *o,
                     tix_search_result **out)
{
    if (out) *out = NULL;
    if (!db || !text || !out)
        return tix__err(TIX_EINVAL, "db, query or out is NULL");
    int rc = tix__validate_text("query", text, 0, TIX_NAME_MAX, 0);
    if (rc) return rc;
    size_t limit = o && o->limit ? o->limit : LIMIT_DEFAULT;
    if (limit > TIX_SEARCH_LIMIT_MAX)
        return tix__err(TIX_ERANGE, "limit %zu above %d", limit,
                        TIX_SEARCH_LIMIT_MAX);
    query q = {.db = db, .limit = limit};
    words_add(&q.q, text, 0);
    if (q.q.chars < db->cfg.search_min_chars)
        return tix__err(TIX_EINVAL, "query \"%s\" has %zu letters or digits; "
                        "title search needs at least %u", text, q.q.chars,
                        db->cfg.search_min_chars);
    for (size_t i = 1; i < q.q.n; i++)
        if (q.q.len[i] > q.q.len[q.driver]) q.driver = i;
    if ((rc = tix__db_read_begin(db, &q.txn))) return rc;
    rc = search_txn(&q, o, out);
    tix__db_read_end(db, q.txn);
    free(q.only);
    free(q.hits);
    return rc;
}

void tix_search_result_free(tix_search_result *r) { free(r); }
