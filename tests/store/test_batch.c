/* Batches (tix_db_begin / tix_db_commit / tix_db_rollback, lib/store/db.c):
 * catalog writes of one thread in one transaction; a rollback, and a
 * failed call inside, leave the store exactly as it was. */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "db.h"
#include "error.h"
#include "testutil.h"

/* ---- what "unchanged" means ------------------------------------------- */

/* Everything a rollback must leave as it was: every table (tt_digest),
 * LMDB's last transaction id, what `tix check` counts, the files of the
 * store directory with their sizes, and the bytes of data.mdb. */
typedef struct snap {
    uint64_t digest, last_txn, records, index_entries, problems, data_hash;
    char files[1024];
} snap;

static uint64_t file_hash(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    XXH3_state_t *st = XXH3_createState();
    XXH3_64bits_reset(st);
    char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) XXH3_64bits_update(st, buf, n);
    fclose(f);
    uint64_t h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return h;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void take(tix_db *db, snap *s)
{
    memset(s, 0, sizeof *s);
    s->digest = tt_digest(db);
    tix_db_stats *si = calloc(1, sizeof *si);
    assert_ok(tix_db_stat(db, si));
    s->last_txn = si->last_txn;
    free(si);
    tix_check_counts c;
    assert_ok(tix_db_check(db, NULL, NULL, &c));
    s->records = c.records;
    s->index_entries = c.index_entries;
    s->problems = c.problems;
    const char *dir = tix_db_path(db);
    struct dirent **names;
    int n = scandir(dir, &names, NULL, by_name);
    assert_true(n > 0);
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        struct stat st;
        if (names[i]->d_name[0] != '.' && stat(path, &st) == 0 &&
            S_ISREG(st.st_mode) && strcmp(names[i]->d_name, "lock.mdb") != 0)
            len += (size_t)snprintf(s->files + len, sizeof s->files - len,
                                    "%s:%lld ", names[i]->d_name,
                                    (long long)st.st_size);
        free(names[i]);
    }
    free(names);
    char data[1024];
    snprintf(data, sizeof data, "%s/data.mdb", dir);
    s->data_hash = file_hash(data);
}

static void assert_same(const snap *a, const snap *b)
{
    assert_true(a->digest == b->digest);
    assert_int_equal(a->last_txn, b->last_txn);
    assert_int_equal(a->records, b->records);
    assert_int_equal(a->index_entries, b->index_entries);
    assert_int_equal(b->problems, 0);
    assert_string_equal(a->files, b->files);
    assert_true(a->data_hash == b->data_hash);
}

/* ---- fixture: a store with a catalog, a show tomorrow and a user ------ */

typedef struct world {
    tt_store s;
    tt_catalog c;
    tix_id show, user;
} world;

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    tt_now = 1767225600;
    tt_open(&w->s);
    tt_make_catalog(w->s.db, 4, 10, &w->c);
    tix_show sh = {.movie_id = w->c.movie, .screen_id = w->c.screen,
                   .start = tt_now + 86400};
    assert_ok(tix_show_create(w->s.db, &sh, &w->show));
    tix_user u = {.name = "Asha", .email = "asha@example.com"};
    assert_ok(tix_user_create(w->s.db, &u, &w->user));
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    tt_close(&w->s);
    free(w);
    return 0;
}

/* A new venue in the fixture's city, with a screen, tiers, 3 rows of 10
 * seats, a movie, a show and a user: every kind of catalog write. The ids
 * land in @p out (may be NULL). Fails the test on any error. */
typedef struct made {
    tix_id venue, screen, tier, movie, show, user, state, city;
} made;

static void make_more(tix_db *db, const world *w, const char *name, made *out)
{
    made m;
    tix_place st = {.kind = TIX_PLACE_STATE, .parent_id = w->c.country,
                    .name = name, .utc_offset_min = 330};
    assert_ok(tix_place_create(db, &st, &m.state));
    tix_place ct = {.kind = TIX_PLACE_CITY, .parent_id = m.state,
                    .name = name, .utc_offset_min = 330};
    assert_ok(tix_place_create(db, &ct, &m.city));
    tix_venue v = {.city_id = m.city, .name = name, .lat = 10, .lon = 70};
    assert_ok(tix_venue_create(db, &v, &m.venue));
    v.id = m.venue;
    v.address = "Beach Road";
    assert_ok(tix_venue_update(db, &v));
    tix_screen s = {.venue_id = m.venue, .name = "Screen 1", .ideal_x = 5,
                    .ideal_y = 2};
    assert_ok(tix_screen_create(db, &s, &m.screen));
    tix_tier t = {.screen_id = m.screen, .name = "Std", .price_minor = 100,
                  .currency = "INR"};
    assert_ok(tix_tier_create(db, &t, &m.tier));
    tix_seat_spec seats[30];
    tix_row_spec rows[3];
    static const char *const labels[] = {"A", "B", "C"};
    for (int r = 0; r < 3; r++) {
        for (int n = 0; n < 10; n++)
            seats[r * 10 + n] = (tix_seat_spec){.number = n + 1, .x = n,
                                                .y = r, .tier_id = m.tier};
        rows[r] = (tix_row_spec){labels[r], seats + r * 10, 10};
    }
    assert_ok(tix_seats_add_rows(db, m.screen, rows, 3, NULL));
    tix_movie mv = {.title = name, .duration_min = 100};
    assert_ok(tix_movie_create(db, &mv, &m.movie));
    tix_show sh = {.movie_id = m.movie, .screen_id = m.screen,
                   .start = tt_now + 2 * 86400};
    assert_ok(tix_show_create(db, &sh, &m.show));
    char email[64];
    snprintf(email, sizeof email, "%s@example.com", name);
    tix_user u = {.name = name, .email = email, .home_city_id = m.city};
    assert_ok(tix_user_create(db, &u, &m.user));
    if (out) *out = m;
}

/* ---- commit ------------------------------------------------------------ */

static void *read_venue(void *arg)
{
    world *w = arg;
    tix_venue *v = NULL;
    intptr_t rc = tix_venue_get(w->s.db, w->c.venue + 1, &v);
    tix_venue_free(v);
    return (void *)rc;
}

static void commit_is_one_transaction(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    snap before;
    take(db, &before);
    made m;
    assert_ok(tix_db_begin(db));
    make_more(db, w, "Goa", &m);
    /* This thread reads what the batch wrote... */
    tix_screen *s;
    assert_ok(tix_screen_get(db, m.screen, &s));
    assert_int_equal(s->seat_count, 30);
    tix_screen_free(s);
    tix_seat_list *l;
    assert_ok(tix_seat_list_by_screen(db, m.screen, &l));
    assert_int_equal(l->count, 30);
    tix_seat_list_free(l);
    /* ...another thread does not see it. */
    pthread_t t;
    void *res;
    pthread_create(&t, NULL, read_venue, w);
    pthread_join(t, &res);
    assert_int_equal((intptr_t)res, TIX_ENOTFOUND);
    assert_ok(tix_db_commit(db));

    snap after;
    take(db, &after);
    assert_int_equal(after.last_txn, before.last_txn + 1); /* one commit */
    assert_int_equal(after.problems, 0);
    assert_true(after.records > before.records);
    pthread_create(&t, NULL, read_venue, w);
    pthread_join(t, &res);
    assert_int_equal((intptr_t)res, TIX_OK);

    /* Durable: it is all there after a reopen, and the show sells. */
    char *dir = strdup(w->s.dir);
    tix_db_close(db);
    tix_config cfg;
    tt_config(&cfg);
    assert_ok(tix_db_open(dir, &cfg, &w->s.db));
    free(dir);
    db = w->s.db;
    tix_user *u;
    assert_ok(tix_user_find_email(db, "Goa@example.com", &u));
    assert_true(u->id == m.user && u->home_city_id == m.city);
    tix_user_free(u);
    tix_hold *h;
    assert_ok(tix_hold_best(db, m.show, 2, NULL, &h));
    tix_confirm_opts pay = {.user_id = m.user, .payment_ref = "goa-1"};
    tix_id booking;
    assert_ok(tix_hold_confirm(db, h, &pay, &booking));
    tix_hold_free(h);
}

/* ---- rollback ---------------------------------------------------------- */

static void rollback_leaves_the_store_as_it_was(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    snap before, after;
    take(db, &before);
    made m;
    assert_ok(tix_db_begin(db));
    make_more(db, w, "Goa", &m);
    /* Updates of records from before the batch are undone too. */
    tix_tier t = {.id = w->c.tier_gold, .screen_id = w->c.screen,
                  .name = "Platinum", .price_minor = 1, .currency = "INR"};
    assert_ok(tix_tier_update(db, &t));
    tix_movie mv = {.id = w->c.movie, .title = "Renamed", .duration_min = 99};
    assert_ok(tix_movie_update(db, &mv));
    assert_ok(tix_db_rollback(db));
    take(db, &after);
    assert_same(&before, &after);
    tix_tier *gold;
    assert_ok(tix_tier_get(db, w->c.tier_gold, &gold));
    assert_string_equal(gold->name, "Gold");
    tix_tier_free(gold);
    assert_code(tix_venue_get(db, m.venue, &(tix_venue *){NULL}),
                TIX_ENOTFOUND);

    /* The ids come round again, and the names are free. */
    made again;
    make_more(db, w, "Goa", &again);
    assert_true(again.venue == m.venue && again.show == m.show &&
                again.user == m.user);
}

/* ---- a failed call inside ---------------------------------------------- */

static void failure_inside_changes_nothing(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    assert_ok(tix_db_begin(db));
    made m;
    make_more(db, w, "Goa", &m);
    /* Inside the batch tt_digest reads the batch: each failure below
     * leaves it exactly as it was, and the batch goes on. */
    tix_venue dup = {.city_id = m.city, .name = "Goa", .lat = 1, .lon = 1};
    assert_rejected(db, tix_venue_create(db, &dup, NULL), TIX_EEXISTS, "Goa");
    tix_place bad = {.kind = TIX_PLACE_CITY, .parent_id = m.state,
                     .name = "Pan\x01aji", .utc_offset_min = 330};
    assert_rejected(db, tix_place_create(db, &bad, NULL), TIX_EINVAL,
                    "control character");
    /* A write that fails part way: the first row goes in before the bad
     * seat of the second is met, and is gone again. */
    tix_screen s2 = {.venue_id = m.venue, .name = "Screen 2"};
    tix_id screen2, tier2;
    assert_ok(tix_screen_create(db, &s2, &screen2));
    tix_tier t2 = {.screen_id = screen2, .name = "Std", .price_minor = 100,
                   .currency = "INR"};
    assert_ok(tix_tier_create(db, &t2, &tier2));
    tix_seat_spec good[] = {{1, 0, 0, tier2, 0}, {2, 1, 0, tier2, 0}};
    tix_seat_spec foreign[] = {{1, 0, 1, m.tier, 0}}; /* screen 1's tier */
    tix_row_spec rows[] = {{"D", good, 2}, {"E", foreign, 1}};
    assert_rejected(db, tix_seats_add_rows(db, screen2, rows, 2, NULL),
                    TIX_EINVAL, "tier_id");
    assert_string_equal(tix_errfield(), "rows[1].seats[0].tier_id");
    tix_row_spec first_row[] = {{"D", good, 2}};
    assert_ok(tix_seats_add_rows(db, screen2, first_row, 1, NULL));
    tix_seat_spec clash[] = {{5, 1, 0, tier2, 0}}; /* where D-2 is */
    tix_row_spec later[] = {{"E", clash, 1}};
    assert_rejected(db, tix_seats_add_rows(db, screen2, later, 1, NULL),
                    TIX_EEXISTS, "position of seat D-2");
    tix_tier usd = {.screen_id = m.screen, .name = "Dollar", .price_minor = 1,
                    .currency = "USD"};
    assert_rejected(db, tix_tier_create(db, &usd, NULL), TIX_EINVAL, "USD");
    tix_show overlap = {.movie_id = m.movie, .screen_id = m.screen,
                        .start = tt_now + 2 * 86400 + 60};
    assert_rejected(db, tix_show_create(db, &overlap, NULL), TIX_EOVERLAP,
                    NULL);
    /* The batch still commits what succeeded. */
    tix_seat_spec more[] = {{11, 10, 0, m.tier, 0}};
    tix_row_spec one[] = {{"A", more, 1}};
    /* (the screen has a show now: its layout is frozen) */
    assert_rejected(db, tix_seats_add_rows(db, m.screen, one, 1, NULL),
                    TIX_EBUSY, "frozen");
    assert_ok(tix_db_commit(db));
    tix_screen *s;
    assert_ok(tix_screen_get(db, m.screen, &s));
    assert_int_equal(s->seat_count, 30);
    tix_screen_free(s);
    assert_ok(tix_screen_get(db, screen2, &s));
    assert_int_equal(s->seat_count, 2);
    tix_screen_free(s);
    snap after;
    take(db, &after);
    assert_int_equal(after.problems, 0);
}

/* ---- nesting ------------------------------------------------------------ */

static tix_id movie(tix_db *db, const char *title)
{
    tix_movie m = {.title = title, .duration_min = 90};
    tix_id id;
    assert_ok(tix_movie_create(db, &m, &id));
    return id;
}

static int movie_exists(tix_db *db, tix_id id)
{
    tix_movie *m = NULL;
    int rc = tix_movie_get(db, id, &m);
    tix_movie_free(m);
    return rc == TIX_OK;
}

static void nested_levels_are_savepoints(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    snap before, after;
    take(db, &before);
    assert_ok(tix_db_begin(db));
    tix_id a = movie(db, "Outer");
    assert_ok(tix_db_begin(db));
    tix_id b = movie(db, "Inner rolled back");
    assert_ok(tix_db_begin(db));
    movie(db, "Innermost");
    assert_ok(tix_db_commit(db)); /* into the level above... */
    assert_ok(tix_db_rollback(db)); /* ...which goes, with it */
    assert_true(movie_exists(db, a));
    assert_false(movie_exists(db, b));
    assert_ok(tix_db_begin(db));
    tix_id c = movie(db, "Inner kept");
    assert_int_equal(c, b); /* the id came round again */
    assert_ok(tix_db_commit(db));
    assert_ok(tix_db_rollback(db)); /* the outermost: all of it goes */
    take(db, &after);
    assert_same(&before, &after);

    assert_ok(tix_db_begin(db));
    a = movie(db, "Outer");
    assert_ok(tix_db_begin(db));
    b = movie(db, "Inner");
    assert_ok(tix_db_commit(db));
    assert_ok(tix_db_commit(db));
    assert_true(movie_exists(db, a) && movie_exists(db, b));

    /* 32 levels at most. */
    for (int i = 0; i < 32; i++) assert_ok(tix_db_begin(db));
    assert_code(tix_db_begin(db), TIX_ELIMIT);
    for (int i = 0; i < 32; i++) assert_ok(tix_db_rollback(db));
    assert_code(tix_db_rollback(db), TIX_ESTATE);
}

/* ---- what does not join ------------------------------------------------- */

static void seat_calls_and_other_writes_are_refused(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    uint32_t seat = 5;
    tix_hold *held;
    assert_ok(tix_hold_create(db, w->show, &seat, 1, NULL, &held));
    tix_confirm_opts pay = {.user_id = w->user, .payment_ref = "before"};
    tix_id booking;
    tix_hold *h2;
    seat = 6;
    assert_ok(tix_hold_create(db, w->show, &seat, 1, NULL, &h2));
    assert_ok(tix_hold_confirm(db, h2, &pay, &booking));
    tix_hold_free(h2);
    char *bdir = tt_tmpdir();
    char backup[1024];
    snprintf(backup, sizeof backup, "%s/copy", bdir);

    assert_ok(tix_db_begin(db));
    uint64_t inside = tt_digest(db);
    tix_hold *h = NULL;
    seat = 7;
    assert_code(tix_hold_create(db, w->show, &seat, 1, NULL, &h), TIX_ESTATE);
    assert_non_null(strstr(tix_errmsg(), "batch"));
    assert_null(h);
    assert_code(tix_hold_best(db, w->show, 2, NULL, &h), TIX_ESTATE);
    assert_code(tix_hold_extend(db, held, 0), TIX_ESTATE);
    assert_code(tix_hold_release(db, held), TIX_ESTATE);
    pay.payment_ref = "inside";
    assert_code(tix_hold_confirm(db, held, &pay, &booking), TIX_ESTATE);
    tix_avail *av = NULL;
    assert_code(tix_show_availability(db, w->show, &av), TIX_ESTATE);
    uint8_t states[64];
    assert_code(tix_show_seat_states(db, w->show, states, sizeof states),
                TIX_ESTATE);
    uint32_t block = 9;
    assert_code(tix_seats_block(db, w->show, &block, 1), TIX_ESTATE);
    assert_code(tix_booking_cancel(db, booking), TIX_ESTATE);
    assert_code(tix_outbox_register(db, "mailer", 0), TIX_ESTATE);
    tix_review r = {.user_id = w->user, .movie_id = w->c.movie, .rating = 8};
    assert_code(tix_review_create(db, &r, NULL), TIX_ESTATE);
    assert_code(tix_db_sync(db), TIX_ESTATE);
    assert_code(tix_db_backup(db, backup), TIX_ESTATE);
    struct stat st;
    assert_int_equal(stat(backup, &st), -1); /* nothing made */
    assert_true(tt_digest(db) == inside);
    /* Reads that need no seat engine are fine. */
    tix_booking *b;
    assert_ok(tix_booking_get(db, booking, &b));
    tix_booking_free(b);
    assert_ok(tix_db_rollback(db));

    /* After the batch every one of them works again. */
    pay.payment_ref = "after";
    assert_ok(tix_hold_confirm(db, held, &pay, &booking));
    assert_ok(tix_show_availability(db, w->show, &av));
    assert_int_equal(av->all.booked, 2);
    tix_avail_free(av);
    assert_ok(tix_booking_cancel(db, booking));
    assert_ok(tix_db_backup(db, backup));
    tix_hold_free(held);
    tt_rmrf(bdir);
    free(bdir);
}

static void calls_without_a_batch(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    assert_code(tix_db_commit(db), TIX_ESTATE);
    assert_code(tix_db_rollback(db), TIX_ESTATE);
    assert_code(tix_db_begin(NULL), TIX_EINVAL);
    assert_code(tix_db_commit(NULL), TIX_EINVAL);
    assert_code(tix_db_rollback(NULL), TIX_EINVAL);

    /* A read-only handle has no batches. */
    char *dir = strdup(w->s.dir);
    tix_db_close(db);
    tix_config cfg;
    tt_config(&cfg);
    cfg.flags = TIX_OPEN_READONLY;
    assert_ok(tix_db_open(dir, &cfg, &db));
    assert_code(tix_db_begin(db), TIX_EPERM);
    tix_db_close(db);
    cfg.flags = 0;
    assert_ok(tix_db_open(dir, &cfg, &w->s.db));
    free(dir);
}

/* ---- threads ------------------------------------------------------------ */

typedef struct racer {
    world *w;
    volatile int done;
    int rc;
} racer;

static void *write_elsewhere(void *arg)
{
    racer *r = arg;
    tix_movie m = {.title = "From another thread", .duration_min = 90};
    r->rc = tix_movie_create(r->w->s.db, &m, NULL); /* waits for the batch */
    __atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void other_threads_wait_and_never_join(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    assert_ok(tix_db_begin(db));
    tix_id mine = movie(db, "Mine");
    racer r = {w, 0, 1};
    pthread_t t;
    pthread_create(&t, NULL, write_elsewhere, &r);
    struct timespec ms = {0, 200 * 1000000};
    nanosleep(&ms, NULL);
    assert_int_equal(__atomic_load_n(&r.done, __ATOMIC_ACQUIRE), 0);
    assert_ok(tix_db_rollback(db)); /* its write never joined ours */
    pthread_join(t, NULL);
    assert_ok(r.rc);
    assert_true(movie_exists(db, mine)); /* that id is the other thread's */
    tix_movie *m;
    assert_ok(tix_movie_get(db, mine, &m));
    assert_string_equal(m->title, "From another thread");
    tix_movie_free(m);
}

static void *begin_and_exit(void *arg)
{
    world *w = arg;
    if (tix_db_begin(w->s.db)) return (void *)1;
    tix_movie m = {.title = "Abandoned", .duration_min = 90};
    if (tix_movie_create(w->s.db, &m, NULL)) return (void *)2;
    return NULL; /* exits with the batch open */
}

static void a_thread_exit_rolls_its_batch_back(void **state)
{
    world *w = *state;
    tix_db *db = w->s.db;
    snap before, after;
    take(db, &before);
    pthread_t t;
    void *res;
    pthread_create(&t, NULL, begin_and_exit, w);
    pthread_join(t, &res);
    assert_null(res);
    take(db, &after); /* would hang if the write lock were still taken */
    assert_same(&before, &after);
    movie(db, "Next");
}

static void close_rolls_the_batch_back(void **state)
{
    world *w = *state;
    char *dir = strdup(w->s.dir);
    snap before, after;
    take(w->s.db, &before);
    assert_ok(tix_db_begin(w->s.db));
    made m;
    make_more(w->s.db, w, "Goa", &m);
    tix_db_close(w->s.db);
    tix_config cfg;
    tt_config(&cfg);
    assert_ok(tix_db_open(dir, &cfg, &w->s.db));
    free(dir);
    take(w->s.db, &after);
    before.last_txn = after.last_txn; /* reopening may commit its own */
    before.data_hash = after.data_hash;
    assert_true(before.digest == after.digest);
    assert_int_equal(before.records, after.records);
}

/* ---- the map cannot grow inside a batch ---------------------------------- */

static int fill(tix_db *db, tix_id screen, tix_id tier, int rows)
{
    enum { PER = 200 };
    tix_seat_spec *seats = calloc((size_t)rows * PER, sizeof *seats);
    tix_row_spec *rs = calloc((size_t)rows, sizeof *rs);
    char (*labels)[8] = calloc((size_t)rows, 8);
    for (int r = 0; r < rows; r++) {
        for (int n = 0; n < PER; n++)
            seats[r * PER + n] = (tix_seat_spec){.number = n + 1, .x = n,
                                                 .y = r, .tier_id = tier};
        snprintf(labels[r], 8, "R%d", r % 10000);
        rs[r] = (tix_row_spec){labels[r], seats + r * PER, PER};
    }
    int rc = tix_seats_add_rows(db, screen, rs, (size_t)rows, NULL);
    free(seats);
    free(rs);
    free(labels);
    return rc;
}

static void map_full_inside_grows_at_the_end(void **state)
{
    world *w = *state;
    tt_close(&w->s);
    char *base = tt_tmpdir();
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/store", base);
    tix_config cfg;
    tt_config(&cfg);
    cfg.map_size = (size_t)256 << 10;
    tix_db *db;
    assert_ok(tix_db_open(dir, &cfg, &db));
    w->s.db = db;
    w->s.dir = strdup(dir);
    free(base);
    tt_make_catalog(db, 0, 0, &w->c);

    int attempts = 0, rc;
    do {
        attempts++;
        assert_ok(tix_db_begin(db));
        tix_screen s = {.venue_id = w->c.venue, .name = "Big"};
        tix_id screen, tier;
        assert_ok(tix_screen_create(db, &s, &screen));
        tix_tier t = {.screen_id = screen, .name = "Std", .price_minor = 1,
                      .currency = "INR"};
        assert_ok(tix_tier_create(db, &t, &tier));
        uint64_t inside = tt_digest(db);
        rc = fill(db, screen, tier, 60); /* 12,000 seats: some MiB */
        if (rc == TIX_EFULL) {
            assert_non_null(strstr(tix_errmsg(), "roll the batch back"));
            assert_true(tt_digest(db) == inside); /* changed nothing */
            assert_ok(tix_db_rollback(db));       /* grows the map */
        } else {
            assert_ok(rc);
            assert_ok(tix_db_commit(db));
        }
    } while (rc == TIX_EFULL && attempts < 20);
    assert_ok(rc);
    assert_true(attempts > 1); /* it did not fit at first */
    tix_seat_list *l;
    tix_screen_list *sl;
    assert_ok(tix_screen_list_by_venue(db, w->c.venue, &sl));
    assert_int_equal(sl->count, 2);
    tix_id big = strcmp(sl->items[0].name, "Big") == 0 ? sl->items[0].id
                                                      : sl->items[1].id;
    tix_screen_list_free(sl);
    assert_ok(tix_seat_list_by_screen(db, big, &l));
    assert_int_equal(l->count, 12000);
    tix_seat_list_free(l);
    tix_movie m = {.title = "Test Movie 2", .duration_min = 150};
    assert_ok(tix_movie_create(db, &m, &w->c.movie));
    tix_show sh = {.movie_id = w->c.movie, .screen_id = big,
                   .start = tt_now + 86400};
    assert_ok(tix_show_create(db, &sh, &w->show));
}

/* ---- journal mode --------------------------------------------------------- */

static void journal_mode_commit_and_rollback(void **state)
{
    world *w = *state;
    tt_close(&w->s);
    char *base = tt_tmpdir();
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/store", base);
    free(base);
    tix_config cfg;
    tt_config(&cfg);
    cfg.durability = TIX_SYNC_JOURNAL;
    assert_ok(tix_db_open(dir, &cfg, &w->s.db));
    w->s.dir = strdup(dir);
    tix_db *db = w->s.db;
    tt_make_catalog(db, 4, 10, &w->c);
    uint64_t before = tt_digest(db);
    assert_ok(tix_db_begin(db));
    made m;
    make_more(db, w, "Goa", &m);
    assert_ok(tix_db_rollback(db));
    assert_true(tt_digest(db) == before);
    assert_ok(tix_db_begin(db));
    make_more(db, w, "Goa", &m);
    assert_ok(tix_db_commit(db));
    uint64_t committed = tt_digest(db);
    /* The journal replays the batch as one record after a crash: close
     * without the clean mark is what test_journal does; a clean reopen
     * must hold exactly the batch. */
    tix_db_close(db);
    assert_ok(tix_db_open(dir, &cfg, &w->s.db));
    assert_true(tt_digest(w->s.db) == committed);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(commit_is_one_transaction),
        T(rollback_leaves_the_store_as_it_was),
        T(failure_inside_changes_nothing),
        T(nested_levels_are_savepoints),
        T(seat_calls_and_other_writes_are_refused),
        T(calls_without_a_batch),
        T(other_threads_wait_and_never_join),
        T(a_thread_exit_rolls_its_batch_back),
        T(close_rolls_the_batch_back),
        T(map_full_inside_grows_at_the_end),
        T(journal_mode_commit_and_rollback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
