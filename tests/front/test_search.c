/* lib/front/search.c: title search by word prefix, folded, ranked by
 * popularity, optionally limited to a city and date. */
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "frontend_fixture.h"

static tix_search_result *search(tix_db *db, const char *q,
                                 const tix_search_opts *o)
{
    tix_search_result *r;
    assert_ok(tix_movie_search(db, q, o, &r));
    return r;
}

/* Asserts the hits of @p q are exactly @p want (in order). */
static void assert_hits(tix_db *db, const char *q, const tix_search_opts *o,
                        const tix_id *want, size_t n)
{
    tix_search_result *r = search(db, q, o);
    if (r->count != n)
        fail_msg("\"%s\": %zu hits, want %zu", q, r->count, n);
    for (size_t i = 0; i < n; i++)
        if (r->items[i].movie_id != want[i])
            fail_msg("\"%s\": hit %zu is movie %llu, want %llu", q, i,
                     (unsigned long long)r->items[i].movie_id,
                     (unsigned long long)want[i]);
    tix_search_result_free(r);
}

static void prefixes_case_and_accents(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_id knight = fe_movie(db, "The Dark Knight", NULL, NULL);
    tix_id waters = fe_movie(db, "Dark Waters", NULL, NULL);
    tix_id amelie = fe_movie(db, "Le Fabuleux Destin d'Amélie Poulain", NULL, NULL);
    tix_id strasse = fe_movie(db, "STRASSE der Stadt", NULL, NULL);
    tix_id day = fe_movie(db, "Knight and Day", NULL, NULL);
    tix_id lodz = fe_movie(db, "Łódź Story", NULL, NULL);
    tix_id moscow = fe_movie(db, "МОСКВА слезам не верит", NULL, NULL);
    assert_hits(db, "dar", NULL, (tix_id[]){knight, waters}, 2);
    assert_hits(db, "DARK kn", NULL, (tix_id[]){knight}, 1);
    assert_hits(db, "kn dark", NULL, (tix_id[]){knight}, 1);
    assert_hits(db, "knight", NULL, (tix_id[]){knight, day}, 2);
    assert_hits(db, "AMÉ", NULL, (tix_id[]){amelie}, 1);
    assert_hits(db, "amelie poul", NULL, (tix_id[]){amelie}, 1);
    assert_hits(db, "Straße", NULL, (tix_id[]){strasse}, 1);
    assert_hits(db, "lodz", NULL, (tix_id[]){lodz}, 1);
    assert_hits(db, "ŁÓD", NULL, (tix_id[]){lodz}, 1);
    assert_hits(db, "москва", NULL, (tix_id[]){moscow}, 1);
    assert_hits(db, "darkness", NULL, NULL, 0);
    assert_hits(db, "dark zzz", NULL, NULL, 0);
    tix_search_result *r = search(db, "waters", NULL);
    assert_string_equal(r->items[0].title, "Dark Waters");
    assert_int_equal(r->items[0].popularity, 0);
    tix_search_result_free(r);

    /* A new title replaces the old words. */
    tix_movie m = {.id = waters, .title = "Bright Rivers", .duration_min = 90};
    assert_ok(tix_movie_update(db, &m));
    assert_hits(db, "dar", NULL, (tix_id[]){knight}, 1);
    assert_hits(db, "riv", NULL, (tix_id[]){waters}, 1);
    /* Same title again: the index is untouched. */
    uint64_t before = tt_digest(db);
    m.duration_min = 95;
    assert_ok(tix_movie_update(db, &m));
    assert_hits(db, "bright", NULL, (tix_id[]){waters}, 1);
    assert_true(tt_digest(db) != before); /* the movie record changed */
}

static void short_or_bad_queries_are_rejected(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_search_result *r = NULL;
    assert_rejected(db, tix_movie_search(db, "ab", NULL, &r), TIX_EINVAL,
                    "at least 3");
    assert_null(r);
    assert_rejected(db, tix_movie_search(db, "a b", NULL, &r), TIX_EINVAL,
                    "at least 3");
    assert_rejected(db, tix_movie_search(db, " !?- ", NULL, &r), TIX_EINVAL,
                    "at least 3");
    assert_rejected(db, tix_movie_search(db, "é'", NULL, &r), TIX_EINVAL,
                    "at least 3");
    assert_rejected(db, tix_movie_search(db, "ab\xC3", NULL, &r), TIX_EUTF8,
                    "query");
    assert_rejected(db, tix_movie_search(db, tt_name_too_long(), NULL, &r),
                    TIX_ETOOLONG, "query");
    assert_rejected(db, tix_movie_search(db, "tab\there", NULL, &r),
                    TIX_EINVAL, "query");
    assert_rejected(db, tix_movie_search(db, NULL, NULL, &r), TIX_EINVAL, NULL);
    assert_rejected(db, tix_movie_search(db, "test", NULL, NULL), TIX_EINVAL,
                    NULL);
    tix_search_opts o = {.limit = TIX_SEARCH_LIMIT_MAX + 1};
    assert_rejected(db, tix_movie_search(db, "test", &o, &r), TIX_ERANGE,
                    "limit");
    o = (tix_search_opts){.city_id = f->c.city, .date = 20260230};
    assert_rejected(db, tix_movie_search(db, "test", &o, &r), TIX_EINVAL,
                    "date");
    o.date = 20260102;
    o.city_id = 999;
    assert_rejected(db, tix_movie_search(db, "test", &o, &r), TIX_ENOTFOUND,
                    "city_id");
    o.city_id = f->c.state;
    assert_rejected(db, tix_movie_search(db, "test", &o, &r), TIX_EINVAL,
                    "not a city");
    /* Three letters are enough; so are "ß" + one (ss + 1). */
    assert_hits(db, "tes", NULL, (tix_id[]){f->c.movie}, 1);
    assert_hits(db, "ßx", NULL, NULL, 0);

    /* The minimum is configurable. */
    tix_config cfg;
    tt_config(&cfg);
    cfg.search_min_chars = 1;
    char *dir = tt_tmpdir();
    tix_db *db1;
    assert_ok(tix_db_open(dir, &cfg, &db1));
    tix_id t = fe_movie(db1, "T", NULL, NULL);
    assert_hits(db1, "t", NULL, (tix_id[]){t}, 1);
    tix_db_close(db1);
    tt_rmrf(dir);
    free(dir);
}

static void ranked_by_recent_bookings(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_id a = fe_movie(db, "Star Alpha", NULL, NULL);
    tix_id b = fe_movie(db, "Star Beta", NULL, NULL);
    tix_id c = fe_movie(db, "Stardust", NULL, NULL);
    tix_id sb = fe_show(f, b, 1), sc = fe_show(f, c, 2);
    for (uint32_t i = 0; i < 3; i++) fe_book(f, sc, f->user, i);
    fe_book(f, sb, f->user, 0);
    assert_hits(db, "star", NULL, (tix_id[]){c, b, a}, 3);
    tix_search_result *r = search(db, "star", NULL);
    assert_int_equal(r->items[0].popularity, 3);
    assert_int_equal(r->items[1].popularity, 1);
    tix_search_result_free(r);
    tix_search_opts o = {.limit = 2};
    assert_hits(db, "star", &o, (tix_id[]){c, b}, 2);
    /* A week later nobody booked recently: ties by id. */
    tt_now += TIX_POPULARITY_DAYS * 86400;
    assert_hits(db, "star", NULL, (tix_id[]){a, b, c}, 3);
}

static void limited_to_a_city_and_date(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_id a = fe_movie(db, "Night Train", NULL, NULL);
    tix_id b = fe_movie(db, "Night Shift", NULL, NULL);
    fe_movie(db, "Night Owl", NULL, NULL); /* never shown */
    fe_show(f, a, 1);  /* tomorrow, 05:30+ local */
    fe_show(f, b, 6);  /* the day after */
    tix_show *s;
    assert_ok(tix_show_get(db, f->show, &s));
    uint32_t tomorrow = s->local_date;
    tix_show_free(s);
    tix_search_opts o = {.city_id = f->c.city, .date = tomorrow};
    assert_hits(db, "nigh", &o, (tix_id[]){a}, 1);
    o.date = tomorrow + 1;
    assert_hits(db, "nigh", &o, (tix_id[]){b}, 1);
    o.date = tomorrow + 2;
    assert_hits(db, "nigh", &o, NULL, 0);
    assert_hits(db, "nigh", NULL, (tix_id[]){a, b, b + 1}, 3);
}

/* Titles made of words from a small vocabulary, checked against a
 * brute-force scan with the same folding. */
static const char *const vocab[] = {
    "the", "dark", "knight", "return", "night", "amélie", "ÉCOLE", "école",
    "straße", "strasse", "lion", "king", "kingdom", "queen", "love", "lost",
    "last", "lust", "über", "uber", "noël", "nord", "north", "zoë", "zone",
    "москва", "море", "東京", "a", "an", "and", "day", "days", "dawn", "dusk",
    "don't", "d'amour", "l’été"};
#define VOCAB (sizeof vocab / sizeof vocab[0])
#define TITLES 2500

/* 1 when @p qw starts a word of @p title folded with @p flags. */
static int starts_word(const char *title, unsigned flags, const char *qw,
                       size_t ql)
{
    char ft[256];
    size_t nt = tix__fold(title, strlen(title), ft, NULL, flags);
    size_t tp = 0, tl;
    const char *tw;
    while ((tl = tix__fold_next_word(ft, nt, &tp, &tw)) > 0)
        if (tl >= ql && memcmp(tw, qw, ql) == 0) return 1;
    return 0;
}

static int matches(const char *title, const char *query)
{
    char fq[256];
    size_t nq = tix__fold(query, strlen(query), fq, NULL, 0);
    size_t qp = 0, ql;
    const char *qw;
    while ((ql = tix__fold_next_word(fq, nq, &qp, &qw)) > 0)
        if (!starts_word(title, 0, qw, ql) &&
            !starts_word(title, TIX__FOLD_SPLIT, qw, ql))
            return 0;
    return 1;
}

static void agrees_with_brute_force(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    char(*titles)[128] = calloc(TITLES, 128);
    tix_id *ids = calloc(TITLES, sizeof *ids);
    srand(11);
    for (size_t i = 0; i < TITLES; i++) {
        int words = 1 + rand() % 4;
        size_t n = 0;
        for (int w = 0; w < words; w++)
            n += (size_t)snprintf(titles[i] + n, 128 - n, "%s%s", w ? " " : "",
                                  vocab[rand() % VOCAB]);
        ids[i] = fe_movie(db, titles[i], NULL, NULL);
    }
    static const char *const queries[] = {
        "the", "dar", "kni", "KING", "kingd", "amé", "ame", "ecol", "École",
        "stras", "uber", "Über", "noe", "zoe", "моск", "nor", "los",
        "day", "dawn dus", "the king", "lo la", "a an", "ni kn", "dayz",
        "東京 th", "don", "dont", "amo", "damo", "ete", "lete"};
    tix_search_opts o = {.limit = TIX_SEARCH_LIMIT_MAX};
    for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
        tix_id want[TIX_SEARCH_LIMIT_MAX];
        size_t n = 0;
        for (size_t i = 0; i < TITLES && n < TIX_SEARCH_LIMIT_MAX; i++)
            if (matches(titles[i], queries[q])) want[n++] = ids[i];
        assert_hits(db, queries[q], &o, want, n);
        /* A small limit keeps the best few of many. */
        tix_search_opts few = {.limit = 5};
        assert_hits(db, queries[q], &few, want, n < 5 ? n : 5);
    }
    free(titles);
    free(ids);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(prefixes_case_and_accents),
        T(short_or_bad_queries_are_rejected),
        T(ranked_by_recent_bookings),
        T(limited_to_a_city_and_date),
        T(agrees_with_brute_force),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
