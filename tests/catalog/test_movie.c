/* lib/catalog/movie.c: movies and events. */
#include <stdlib.h>
#include <string.h>

#include "movie.h"
#include "testutil.h"

/* Strings just past (or at) each limit. */
static char s17[18], s128[129], s129[130], s513[514], s4096[4097], s4097[4098];

static void fill_limits(void)
{
    memset(s17, 'c', 17);
    memset(s128, 't', 128);
    memset(s129, 't', 129);
    memset(s513, 'm', 513);
    memset(s4096, 's', 4096);
    memset(s4097, 's', 4097);
}

static const char *const langs[] = {"Hindi", "English", "\xe0\xa4\xb9\xe0\xa4\xbf"};
static const char *const genres[] = {"Drama", "Sport"};
static const char *const cast[] = {"Aamir Khan", "F\xc3\xa1tima Sana Shaikh"};
static const char *const crew[] = {"Nitesh Tiwari (director)"};
static const char *const media[] = {"posters/dangal.jpg",
                                    "trailers/dangal-1080p.mp4"};

/* A valid movie touching every field, with a UTF-8 title. */
static tix_movie sample(void)
{
    tix_movie m = {0};
    m.title = "\xe0\xa4\xa6\xe0\xa4\x82\xe0\xa4\x97\xe0\xa4\xb2 \xe2\x80\x94 Dangal \xf0\x9f\x8e\xac";
    m.duration_min = 161;
    m.certificate = "U/A";
    m.synopsis = "A former wrestler trains his daughters.\n\tBased on a true story.";
    m.languages = langs; m.n_languages = 3;
    m.genres = genres;   m.n_genres = 2;
    m.cast = cast;       m.n_cast = 2;
    m.crew = crew;       m.n_crew = 1;
    m.media = media;     m.n_media = 2;
    return m;
}

static void assert_list_equal(const char *const *got, size_t ngot,
                              const char *const *want, size_t nwant)
{
    assert_int_equal(ngot, nwant);
    assert_non_null(got); /* never NULL, even when empty */
    for (size_t i = 0; i < nwant; i++) assert_string_equal(got[i], want[i]);
    assert_null(got[nwant]);
}

static void assert_movie_equal(const tix_movie *got, const tix_movie *want)
{
    assert_string_equal(got->title, want->title);
    assert_int_equal(got->duration_min, want->duration_min);
    assert_string_equal(got->certificate, want->certificate ? want->certificate : "");
    assert_string_equal(got->synopsis, want->synopsis ? want->synopsis : "");
    assert_list_equal(got->languages, got->n_languages, want->languages, want->n_languages);
    assert_list_equal(got->genres, got->n_genres, want->genres, want->n_genres);
    assert_list_equal(got->cast, got->n_cast, want->cast, want->n_cast);
    assert_list_equal(got->crew, got->n_crew, want->crew, want->n_crew);
    assert_list_equal(got->media, got->n_media, want->media, want->n_media);
}

static void round_trip_every_field(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    tix_movie in = sample();
    in.id = 999; /* ignored on create */
    tix_id id = 0;
    assert_ok(tix_movie_create(s.db, &in, &id));
    assert_true(id == 1);
    tix_movie *m = NULL;
    assert_ok(tix_movie_get(s.db, id, &m));
    assert_true(m->id == id);
    assert_movie_equal(m, &in);
    tix_movie_free(m);

    tix_movie bare = {.title = "Bare", .duration_min = 1};
    assert_ok(tix_movie_create(s.db, &bare, NULL)); /* id_out optional */
    assert_ok(tix_movie_get(s.db, 2, &m));
    assert_movie_equal(m, &bare);
    tix_movie_free(m);
    tt_close(&s);
}

static void accepts_every_limit(void **state)
{
    (void)state;
    fill_limits();
    tt_store s;
    tt_open(&s);
    const char *many[TIX_LIST_MAX];
    const char *paths[TIX_LIST_MAX];
    char path[TIX_ADDRESS_MAX + 1];
    memset(path, 'p', TIX_ADDRESS_MAX);
    path[TIX_ADDRESS_MAX] = 0;
    for (int i = 0; i < TIX_LIST_MAX; i++) { many[i] = s128; paths[i] = path; }
    char cert[17];
    memcpy(cert, s17, 16);
    cert[16] = 0;
    tix_movie in = {.title = s128, .duration_min = 1440, .certificate = cert,
                    .synopsis = s4096,
                    .languages = many, .n_languages = TIX_LIST_MAX,
                    .genres = many, .n_genres = TIX_LIST_MAX,
                    .cast = many, .n_cast = TIX_LIST_MAX,
                    .crew = many, .n_crew = TIX_LIST_MAX,
                    .media = paths, .n_media = TIX_LIST_MAX};
    tix_id id;
    assert_ok(tix_movie_create(s.db, &in, &id));
    tix_movie *m;
    assert_ok(tix_movie_get(s.db, id, &m));
    assert_movie_equal(m, &in);
    tix_movie_free(m);
    tt_close(&s);
}

static void update_replaces_every_field(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    tix_movie in = sample();
    tix_id id;
    assert_ok(tix_movie_create(s.db, &in, &id));
    static const char *const one[] = {"Tamil"};
    tix_movie up = {.id = id, .title = "Dangal (re-release)",
                    .duration_min = 170, .certificate = "",
                    .synopsis = NULL, .languages = one, .n_languages = 1};
    assert_ok(tix_movie_update(s.db, &up));
    tix_movie *m;
    assert_ok(tix_movie_get(s.db, id, &m));
    assert_true(m->id == id);
    assert_movie_equal(m, &up);
    tix_movie_free(m);

    up.id = 77;
    assert_rejected(s.db, tix_movie_update(s.db, &up), TIX_ENOTFOUND, "movie");
    up.id = 0;
    assert_rejected(s.db, tix_movie_update(s.db, &up), TIX_ENOTFOUND, "movie");
    up.id = id;
    up.title = "";
    assert_rejected(s.db, tix_movie_update(s.db, &up), TIX_EINVAL, "title");
    tt_close(&s);
}

static void list_all_by_id_with_paging(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    tix_movie_list *l;
    assert_ok(tix_movie_list_all(s.db, 0, 0, &l));
    assert_int_equal(l->count, 0);
    tix_movie_list_free(l);

    const char *titles[] = {"Zeta", "Alpha", "M\xc3\xa9lo", "Beta", "Omega"};
    for (int i = 0; i < 5; i++) {
        tix_movie in = {.title = titles[i], .duration_min = 90 + (uint32_t)i};
        assert_ok(tix_movie_create(s.db, &in, NULL));
    }
    assert_ok(tix_movie_list_all(s.db, 0, 0, &l));
    assert_int_equal(l->count, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_true(l->items[i].id == i + 1);
        assert_string_equal(l->items[i].title, titles[i]);
        assert_int_equal(l->items[i].duration_min, 90 + i);
        assert_int_equal(l->items[i].n_genres, 0);
    }
    tix_movie_list_free(l);

    /* Pages of two: 1-2, 3-4, 5, then nothing. */
    tix_id after = 0;
    size_t pages[] = {2, 2, 1, 0};
    for (size_t p = 0; p < 4; p++) {
        assert_ok(tix_movie_list_all(s.db, after, 2, &l));
        assert_int_equal(l->count, pages[p]);
        for (size_t i = 0; i < l->count; i++)
            assert_true(l->items[i].id == after + 1 + i);
        if (l->count) after = l->items[l->count - 1].id;
        tix_movie_list_free(l);
    }
    assert_ok(tix_movie_list_all(s.db, UINT64_MAX, 0, &l));
    assert_int_equal(l->count, 0);
    tix_movie_list_free(l);
    tt_close(&s);
}

/* ---- bad input table -------------------------------------------------- */

static const char *const bad_utf8_item[] = {"ok", "\xc3("};
static const char *const empty_item[] = {"Drama", ""};
static const char *const long_item[] = {s129};
static const char *const long_path[] = {s513};
static const char *const nl_item[] = {"a\nb"};
static const char *many_items[TIX_LIST_MAX + 1];

static void m_title_empty(tix_movie *m) { m->title = ""; }
static void m_title_null(tix_movie *m) { m->title = NULL; }
static void m_title_long(tix_movie *m) { m->title = s129; }
static void m_title_utf8(tix_movie *m) { m->title = "Dang\xe0\xa4"; }
static void m_title_ctrl(tix_movie *m) { m->title = "Dan\ngal"; }
static void m_dur_zero(tix_movie *m) { m->duration_min = 0; }
static void m_dur_negative(tix_movie *m) { m->duration_min = (uint32_t)-90; }
static void m_dur_long(tix_movie *m) { m->duration_min = 1441; }
static void m_cert_long(tix_movie *m) { m->certificate = s17; }
static void m_cert_utf8(tix_movie *m) { m->certificate = "\xff"; }
static void m_syn_long(tix_movie *m) { m->synopsis = s4097; }
static void m_syn_utf8(tix_movie *m) { m->synopsis = "ok\xed\xa0\x80"; }
static void m_syn_ctrl(tix_movie *m) { m->synopsis = "bell\a"; }
static void m_lang_many(tix_movie *m) { m->languages = many_items; m->n_languages = TIX_LIST_MAX + 1; }
static void m_lang_null(tix_movie *m) { m->languages = NULL; m->n_languages = 2; }
static void m_genre_empty(tix_movie *m) { m->genres = empty_item; m->n_genres = 2; }
static void m_genre_ctrl(tix_movie *m) { m->genres = nl_item; m->n_genres = 1; }
static void m_cast_long(tix_movie *m) { m->cast = long_item; m->n_cast = 1; }
static void m_crew_utf8(tix_movie *m) { m->crew = bad_utf8_item; m->n_crew = 2; }
static void m_crew_many(tix_movie *m) { m->crew = many_items; m->n_crew = TIX_LIST_MAX + 1; }
static void m_media_long(tix_movie *m) { m->media = long_path; m->n_media = 1; }

static const struct bad_movie {
    const char *what;
    void (*mutate)(tix_movie *);
    int code;
    const char *field;
} bad_movies[] = {
    {"empty title", m_title_empty, TIX_EINVAL, "title"},
    {"NULL title", m_title_null, TIX_EINVAL, "title"},
    {"129-byte title", m_title_long, TIX_ETOOLONG, "title"},
    {"truncated UTF-8 title", m_title_utf8, TIX_EUTF8, "title"},
    {"newline in title", m_title_ctrl, TIX_EINVAL, "title"},
    {"zero duration", m_dur_zero, TIX_ERANGE, "duration"},
    {"negative duration", m_dur_negative, TIX_ERANGE, "duration"},
    {"1441-minute duration", m_dur_long, TIX_ERANGE, "duration"},
    {"17-byte certificate", m_cert_long, TIX_ETOOLONG, "certificate"},
    {"non-UTF-8 certificate", m_cert_utf8, TIX_EUTF8, "certificate"},
    {"4097-byte synopsis", m_syn_long, TIX_ETOOLONG, "synopsis"},
    {"surrogate in synopsis", m_syn_utf8, TIX_EUTF8, "synopsis"},
    {"bell in synopsis", m_syn_ctrl, TIX_EINVAL, "synopsis"},
    {"33 languages", m_lang_many, TIX_ETOOLONG, "languages"},
    {"NULL languages with items", m_lang_null, TIX_EINVAL, "languages"},
    {"empty genre", m_genre_empty, TIX_EINVAL, "genres"},
    {"newline in genre", m_genre_ctrl, TIX_EINVAL, "genres"},
    {"129-byte cast name", m_cast_long, TIX_ETOOLONG, "cast"},
    {"non-UTF-8 crew name", m_crew_utf8, TIX_EUTF8, "crew"},
    {"33 crew", m_crew_many, TIX_ETOOLONG, "crew"},
    {"513-byte media path", m_media_long, TIX_ETOOLONG, "media"},
};

static void bad_input_table(void **state)
{
    (void)state;
    fill_limits();
    for (int i = 0; i <= TIX_LIST_MAX; i++) many_items[i] = "x";
    tt_store s;
    tt_open(&s);
    tix_movie good = sample();
    tix_id id;
    assert_ok(tix_movie_create(s.db, &good, &id));
    for (size_t i = 0; i < sizeof bad_movies / sizeof *bad_movies; i++) {
        const struct bad_movie *b = &bad_movies[i];
        print_message("bad movie: %s\n", b->what);
        tix_movie m = sample();
        b->mutate(&m);
        tix_id out = 12345;
        assert_rejected(s.db, tix_movie_create(s.db, &m, &out), b->code, b->field);
        assert_true(out == 12345); /* untouched on failure */
        m.id = id;
        assert_rejected(s.db, tix_movie_update(s.db, &m), b->code, b->field);
    }
    /* The stored movie is still the good one. */
    tix_movie *got;
    assert_ok(tix_movie_get(s.db, id, &got));
    assert_movie_equal(got, &good);
    tix_movie_free(got);
    tt_close(&s);
}

static void null_and_unknown(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    tix_movie in = sample();
    tix_movie *m = (tix_movie *)1;
    tix_movie_list *l = (tix_movie_list *)1;
    assert_code(tix_movie_create(NULL, &in, NULL), TIX_EINVAL);
    assert_rejected(s.db, tix_movie_create(s.db, NULL, NULL), TIX_EINVAL, NULL);
    assert_code(tix_movie_update(NULL, &in), TIX_EINVAL);
    assert_code(tix_movie_update(s.db, NULL), TIX_EINVAL);
    assert_code(tix_movie_get(NULL, 1, &m), TIX_EINVAL);
    assert_null(m);
    assert_code(tix_movie_get(s.db, 1, NULL), TIX_EINVAL);
    m = (tix_movie *)1;
    assert_code(tix_movie_get(s.db, 1, &m), TIX_ENOTFOUND);
    assert_null(m);
    assert_true(strstr(tix_errmsg(), "movie") != NULL);
    assert_code(tix_movie_get(s.db, 0, &m), TIX_ENOTFOUND);
    assert_code(tix_movie_list_all(NULL, 0, 0, &l), TIX_EINVAL);
    assert_null(l);
    assert_code(tix_movie_list_all(s.db, 0, 0, NULL), TIX_EINVAL);
    tix_movie_free(NULL);
    tix_movie_list_free(NULL);
    tt_close(&s);
}

static void internal_duration(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    tix_movie in = sample();
    tix_id id;
    assert_ok(tix_movie_create(s.db, &in, &id));
    MDB_txn *txn;
    assert_ok(tix__db_read_begin(s.db, &txn));
    uint32_t dur = 0;
    assert_ok(tix__movie_duration(s.db, txn, id, &dur));
    assert_int_equal(dur, 161);
    assert_code(tix__movie_duration(s.db, txn, id + 1, &dur), TIX_ENOTFOUND);
    assert_int_equal(dur, 161);
    tix__db_read_end(s.db, txn);
    tt_close(&s);
}

static void readonly_store_refuses_writes(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    tix_movie in = sample();
    assert_ok(tix_movie_create(s.db, &in, NULL));
    tix_db_close(s.db);
    tix_config c;
    tt_config(&c);
    c.flags = TIX_OPEN_READONLY;
    assert_ok(tix_db_open(s.dir, &c, &s.db));
    assert_rejected(s.db, tix_movie_create(s.db, &in, NULL), TIX_EPERM, NULL);
    tix_movie *m;
    assert_ok(tix_movie_get(s.db, 1, &m));
    tix_movie_free(m);
    tt_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_every_field),
        cmocka_unit_test(accepts_every_limit),
        cmocka_unit_test(update_replaces_every_field),
        cmocka_unit_test(list_all_by_id_with_paging),
        cmocka_unit_test(bad_input_table),
        cmocka_unit_test(null_and_unknown),
        cmocka_unit_test(internal_duration),
        cmocka_unit_test(readonly_store_refuses_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
