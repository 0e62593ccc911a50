/* Recommendations (see recommend.h and tix_recommend() in tix.h). */
#include "recommend.h"
#include "tables.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fold.h"
#include "movie.h"
#include "place.h"
#include "review.h"
#include "show.h"
#include "stats.h"
#include "table.h"

#define DAYS_DEFAULT 7
#define DAYS_MAX 30
#define LIMIT_DEFAULT 10
#define LIMIT_MAX 100
#define DAY_SECONDS 86400
#define TEXT_MAX 256

enum { F_GENRE, F_LANGUAGE };

/* A genre or language and how much the user likes it. */
typedef struct feature {
    int kind;
    char key[TIX_NAME_MAX + 1]; /* folded */
    int64_t w;
} feature;

/* A movie showing in the window and its score. */
typedef struct cand {
    tix_id movie, show;
    int64_t start;
    int64_t genre, language, also, popular, score;
    tix_reason reason;
    tix_id reason_movie;
    uint32_t popularity;
    char title[TIX_NAME_MAX + 1];
    char best_genre[TIX_NAME_MAX + 1], best_language[TIX_NAME_MAX + 1];
} cand;

/* A show in the window. */
typedef struct upcoming {
    tix_id movie, show;
    int64_t start;
} upcoming;

typedef struct rec_ctx {
    tix_db *db;
    MDB_txn *txn;
    int64_t now, until;
    feature *f;
    size_t nf, capf;
    tix_id *seen; /* movies left out: booked or reviewed */
    size_t nseen, capseen;
    upcoming *shows;
    size_t nshows, capshows;
    cand *c;
    size_t nc;
    tix_id recent[TIX__RECENT_MOVIES];
    size_t nrecent;
} rec_ctx;

/* Copies a name of at most TIX_NAME_MAX bytes. */
static void copy_name(char dst[TIX_NAME_MAX + 1], const char *src)
{
    size_t n = strnlen(src, TIX_NAME_MAX);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* ---- taste ---------------------------------------------------------------- */

static feature *feature_find(rec_ctx *x, int kind, const char *name)
{
    char key[TIX_NAME_MAX + 1];
    tix__fold(name, strnlen(name, TIX_NAME_MAX), key, NULL, 0);
    for (size_t i = 0; i < x->nf; i++)
        if (x->f[i].kind == kind && strcmp(x->f[i].key, key) == 0)
            return &x->f[i];
    return NULL;
}

static int feature_add(rec_ctx *x, int kind, const char *name, int64_t w)
{
    feature *f = feature_find(x, kind, name);
    if (f) {
        f->w += w;
        return TIX_OK;
    }
    int rc = tix__table_vec_reserve((void **)&x->f, &x->capf, x->nf + 1,
                              sizeof *x->f);
    if (rc) return rc;
    f = &x->f[x->nf++];
    f->kind = kind;
    tix__fold(name, strnlen(name, TIX_NAME_MAX), f->key, NULL, 0);
    f->w = w;
    return TIX_OK;
}

static int features_add(rec_ctx *x, const char *const *genres, size_t ng,
                        const char *const *langs, size_t nl, int64_t w)
{
    int rc = TIX_OK;
    for (size_t i = 0; i < ng && rc == TIX_OK; i++)
        rc = feature_add(x, F_GENRE, genres[i], w);
    for (size_t i = 0; i < nl && rc == TIX_OK; i++)
        rc = feature_add(x, F_LANGUAGE, langs[i], w);
    return rc;
}

static int load_movie(rec_ctx *x, tix_id id, tix_movie **m)
{
    return tix__table_load(x->db, x->txn, TIX_T_MOVIES, id, sizeof(tix_movie),
                         tix__movie_decode, (void **)m, "movie");
}

/* Adds @p w to every genre and language of movie @p id and leaves the
 * movie out of the picks. */
static int taste_from_movie(rec_ctx *x, tix_id id, int64_t w)
{
    int rc = tix__table_vec_reserve((void **)&x->seen, &x->capseen, x->nseen + 1,
                              sizeof *x->seen);
    if (rc) return rc;
    x->seen[x->nseen++] = id;
    tix_movie *m;
    if ((rc = load_movie(x, id, &m))) return rc;
    rc = features_add(x, m->genres, m->n_genres, m->languages, m->n_languages,
                      w);
    free(m);
    return rc;
}

static int on_booked(tix_id movie, uint32_t active, void *arg)
{
    return active ? taste_from_movie(arg, movie, TIX__REC_W_BOOKED) : TIX_OK;
}

static int on_review(tix_id movie, tix_id review, void *arg)
{
    rec_ctx *x = arg;
    uint32_t rating;
    int rc = tix__review_read(x->db, x->txn, review, NULL, NULL, &rating);
    return rc ? rc
              : taste_from_movie(x, movie,
                                 (int64_t)rating - TIX__REC_RATING_PIVOT);
}

/* ---- candidates ----------------------------------------------------------- */

static int on_show(tix_id movie, int64_t start, tix_id show, void *arg)
{
    rec_ctx *x = arg;
    if (start <= x->now || start > x->until) return TIX_OK;
    int rc = tix__table_vec_reserve((void **)&x->shows, &x->capshows, x->nshows + 1,
                              sizeof *x->shows);
    if (rc == TIX_OK) x->shows[x->nshows++] = (upcoming){movie, show, start};
    return rc;
}

static int by_movie_start(const void *a, const void *b)
{
    const upcoming *x = a, *y = b;
    if (x->movie != y->movie) return x->movie < y->movie ? -1 : 1;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return x->show < y->show ? -1 : x->show > y->show;
}

/* One candidate per movie (its first show), minus the movies seen. */
static int candidates(rec_ctx *x)
{
    if (x->nshows) qsort(x->shows, x->nshows, sizeof *x->shows, by_movie_start);
    if (x->nseen) qsort(x->seen, x->nseen, sizeof *x->seen, tix__table_cmp_id);
    x->c = calloc(x->nshows ? x->nshows : 1, sizeof *x->c);
    if (!x->c) return tix__err(TIX_ENOMEM, "out of memory");
    for (size_t i = 0; i < x->nshows; i++) {
        const upcoming *s = &x->shows[i];
        if (i && x->shows[i - 1].movie == s->movie) continue;
        if (x->nseen &&
            bsearch(&s->movie, x->seen, x->nseen, sizeof *x->seen, tix__table_cmp_id))
            continue;
        cand *c = &x->c[x->nc++];
        c->movie = s->movie;
        c->show = s->show;
        c->start = s->start;
    }
    return TIX_OK;
}

/* ---- scoring -------------------------------------------------------------- */

/* Sums the weights of @p names; copies the best liked one to @p best. */
static int64_t taste_points(rec_ctx *x, int kind, const char *const *names,
                            size_t n, char best[TIX_NAME_MAX + 1])
{
    int64_t sum = 0, top = 0;
    for (size_t i = 0; i < n; i++) {
        feature *f = feature_find(x, kind, names[i]);
        if (!f) continue;
        sum += f->w;
        if (f->w > top) {
            top = f->w;
            copy_name(best, names[i]);
        }
    }
    return sum;
}

static int also_booked(rec_ctx *x, cand *c)
{
    uint64_t total = 0;
    uint32_t top = 0;
    for (size_t i = 0; i < x->nrecent; i++) {
        uint32_t n;
        int rc = tix__stats_cobooked(x->db, x->txn, x->recent[i], c->movie, &n);
        if (rc) return rc;
        total += n;
        if (n > top) {
            top = n;
            c->reason_movie = x->recent[i];
        }
    }
    c->also = TIX__REC_ALSO_MULT * tix__bitlen(total);
    return TIX_OK;
}

static void pick_reason(cand *c)
{
    const int64_t pts[] = {c->genre, c->language, c->also, c->popular};
    const tix_reason why[] = {TIX_REASON_GENRE, TIX_REASON_LANGUAGE,
                              TIX_REASON_ALSO_BOOKED, TIX_REASON_POPULAR};
    int64_t best = 0;
    c->reason = TIX_REASON_SHOWING;
    for (int i = 0; i < 4; i++)
        if (pts[i] > best) {
            best = pts[i];
            c->reason = why[i];
        }
    if (c->reason != TIX_REASON_ALSO_BOOKED) c->reason_movie = 0;
}

static int score(rec_ctx *x, cand *c)
{
    tix_movie *m;
    int rc = load_movie(x, c->movie, &m);
    if (rc) return rc;
    copy_name(c->title, m->title);
    c->genre = TIX__REC_GENRE_MULT *
               taste_points(x, F_GENRE, m->genres, m->n_genres, c->best_genre);
    c->language = TIX__REC_LANGUAGE_MULT *
                  taste_points(x, F_LANGUAGE, m->languages, m->n_languages,
                               c->best_language);
    free(m);
    if ((rc = also_booked(x, c))) return rc;
    rc = tix__stats_popularity(x->db, x->txn, c->movie, x->now, &c->popularity);
    if (rc) return rc;
    c->popular = TIX__REC_POPULAR_MULT * tix__bitlen(c->popularity);
    c->score = c->genre + c->language + c->also + c->popular;
    pick_reason(c);
    return TIX_OK;
}

static int by_score(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return x->movie < y->movie ? -1 : x->movie > y->movie;
}

/* ---- the result ----------------------------------------------------------- */

static int reason_text(rec_ctx *x, const cand *c, char out[TEXT_MAX])
{
    switch (c->reason) {
    case TIX_REASON_GENRE:
        snprintf(out, TEXT_MAX, "Because you like %s", c->best_genre);
        return TIX_OK;
    case TIX_REASON_LANGUAGE:
        snprintf(out, TEXT_MAX, "Because you watch movies in %s",
                 c->best_language);
        return TIX_OK;
    case TIX_REASON_ALSO_BOOKED: {
        tix_movie *m;
        int rc = load_movie(x, c->reason_movie, &m);
        if (rc) return rc;
        snprintf(out, TEXT_MAX, "People who booked %s also booked this",
                 m->title);
        free(m);
        return TIX_OK;
    }
    case TIX_REASON_POPULAR:
        snprintf(out, TEXT_MAX, "Popular: %u bookings in the last %d days",
                 c->popularity, TIX_POPULARITY_DAYS);
        return TIX_OK;
    default:
        snprintf(out, TEXT_MAX, "Showing soon near you");
        return TIX_OK;
    }
}

static int build(rec_ctx *x, size_t n, tix_recommendation_list **out)
{
    char(*text)[TEXT_MAX] = malloc((n ? n : 1) * sizeof *text);
    if (!text) return tix__err(TIX_ENOMEM, "out of memory");
    size_t size = sizeof(tix_recommendation_list) +
                  n * sizeof(tix_recommendation) + 8;
    int rc = TIX_OK;
    for (size_t i = 0; i < n && rc == TIX_OK; i++) {
        rc = reason_text(x, &x->c[i], text[i]);
        size += strlen(x->c[i].title) + strlen(text[i]) + 2 + 16;
    }
    tix_bump b;
    if (rc == TIX_OK) rc = tix__bump_init(&b, size);
    if (rc == TIX_OK) {
        tix_recommendation_list *l =
            tix__bump_alloc(&b, sizeof *l + n * sizeof(tix_recommendation));
        l->count = n;
        for (size_t i = 0; i < n; i++) {
            const cand *c = &x->c[i];
            tix_str t = {c->title, (uint32_t)strlen(c->title)};
            tix_str r = {text[i], (uint32_t)strlen(text[i])};
            l->items[i] = (tix_recommendation){
                .movie_id = c->movie, .title = tix__bump_str(&b, t),
                .score = c->score, .genre_points = c->genre,
                .language_points = c->language,
                .also_booked_points = c->also,
                .popularity_points = c->popular, .reason = c->reason,
                .reason_text = tix__bump_str(&b, r),
                .reason_movie_id = c->reason_movie, .next_show_id = c->show,
                .next_show_start = c->start};
        }
        *out = l;
    }
    free(text);
    return rc;
}

/* The city to look in: opts' or the user's home city (*id). */
static int pick_city(rec_ctx *x, tix_id city, const tix_user *u, tix_id *id,
                     int32_t *offset)
{
    *id = city ? city : u->home_city_id;
    if (!*id)
        return tix__err(TIX_EINVAL, "user %llu has no home city and no "
                        "city_id was given", (unsigned long long)u->id);
    tix_place_kind kind;
    int rc = tix__place_read(x->db, x->txn, *id, &kind, offset);
    if (rc) return tix__table_ref_err(rc, "city_id", *id);
    if (kind != TIX_PLACE_CITY)
        return tix__err(TIX_EINVAL, "city_id %llu is not a city",
                        (unsigned long long)*id);
    return TIX_OK;
}

static int recommend_txn(rec_ctx *x, const tix_user *u, tix_id city_id,
                         size_t limit, tix_recommendation_list **out)
{
    int32_t offset, off_until = 0;
    tix_id city;
    int rc = pick_city(x, city_id, u, &city, &offset);
    /* The window's dates in the city's zone, summer time included. */
    if (rc == TIX_OK)
        rc = tix__place_offset_at(x->db, x->txn, city, x->now, &offset);
    if (rc == TIX_OK)
        rc = tix__place_offset_at(x->db, x->txn, city, x->until, &off_until);
    if (rc == TIX_OK)
        rc = features_add(x, u->genres, u->n_genres, u->languages,
                          u->n_languages, TIX__REC_W_PROFILE);
    if (rc == TIX_OK) rc = tix__stats_user_movies(x->db, x->txn, u->id,
                                                  on_booked, x);
    if (rc == TIX_OK) rc = tix__review_list_of_user(x->db, x->txn, u->id,
                                                on_review, x);
    if (rc == TIX_OK)
        rc = tix__stats_recent(x->db, x->txn, u->id, x->recent, &x->nrecent);
    if (rc == TIX_OK)
        rc = tix__show_city_scan(x->db, x->txn, city,
                                 tix__show_local_date(x->now, offset),
                                 tix__show_local_date(x->until, off_until), on_show,
                                 x);
    if (rc == TIX_OK) rc = candidates(x);
    for (size_t i = 0; i < x->nc && rc == TIX_OK; i++) rc = score(x, &x->c[i]);
    if (rc) return rc;
    if (x->nc) qsort(x->c, x->nc, sizeof *x->c, by_score);
    return build(x, x->nc < limit ? x->nc : limit, out);
}

int tix_recommend(tix_db *db, tix_id user_id, const tix_recommend_opts *opts,
                  tix_recommendation_list **out)
{
    if (out) *out = NULL;
    TIX__ARG(db);
    TIX__ARG(out);
    tix_recommend_opts o = opts ? *opts : (tix_recommend_opts){0};
    if (o.days > DAYS_MAX)
        return tix__err(TIX_ERANGE, "days %u above %d", o.days, DAYS_MAX);
    if (o.limit > LIMIT_MAX)
        return tix__err(TIX_ERANGE, "limit %zu above %d", o.limit, LIMIT_MAX);
    tix_user *u;
    int rc = tix_user_get(db, user_id, &u);
    if (rc) return rc;
    rec_ctx x = {.db = db, .now = tix_db_now(db)};
    x.until = x.now + (int64_t)(o.days ? o.days : DAYS_DEFAULT) * DAY_SECONDS;
    if ((rc = tix__db_read_begin(db, &x.txn)) == TIX_OK) {
        rc = recommend_txn(&x, u, o.city_id, o.limit ? o.limit : LIMIT_DEFAULT,
                           out);
        tix__db_read_end(db, x.txn);
    }
    free(x.f);
    free(x.seen);
    free(x.shows);
    free(x.c);
    tix_user_free(u);
    return rc;
}

void tix_recommendation_list_free(tix_recommendation_list *l) { free(l); }
