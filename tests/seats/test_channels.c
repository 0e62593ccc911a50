/* lib/seats/sales.c and the channel check of lib/seats/hold.c: sales
 * channels of a show's seats, their release, availability per channel,
 * best-available through channels, and stress by threads and processes
 * with the invariant that no channel seat is sold outside its channel. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "invariants.h"
#include "testutil.h"

typedef struct fixture {
    tt_store s;
    tt_catalog c;
    tix_id show, box, app, user;
} fixture;

static tix_id make_channel(tix_db *db, const char *name)
{
    tix_channel ch = {.name = name};
    tix_id id;
    assert_ok(tix_channel_create(db, &ch, &id));
    return id;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    tt_now = 1767225600;
    tt_open(&f->s);
    tt_make_catalog(f->s.db, 10, 20, &f->c); /* 200 seats, rows of 20 */
    tix_show sh = {.movie_id = f->c.movie, .screen_id = f->c.screen,
                   .start = tt_now + 86400};
    assert_ok(tix_show_create(f->s.db, &sh, &f->show));
    f->box = make_channel(f->s.db, "box office");
    f->app = make_channel(f->s.db, "aggregator X");
    tix_user u = {.name = "Asha", .email = "asha@example.com",
                  .phone = "+919800000001", .home_city_id = f->c.city};
    assert_ok(tix_user_create(f->s.db, &u, &f->user));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tt_close(&f->s);
    free(f);
    return 0;
}

static int hold_via(fixture *f, tix_id ch, uint32_t seat, tix_hold **h)
{
    tix_hold_opts o = {.channel = ch};
    return tix_hold_create(f->s.db, f->show, &seat, 1, &o, h);
}

static void channel_records(void **state)
{
    fixture *f = *state;
    tix_channel *c;
    assert_ok(tix_channel_find(f->s.db, "box office", &c));
    assert_int_equal(c->id, f->box);
    tix_channel_free(c);
    tix_channel_list *l;
    assert_ok(tix_channel_list_all(f->s.db, &l));
    assert_int_equal(l->count, 2);
    assert_string_equal(l->items[1].name, "aggregator X");
    tix_channel_list_free(l);
    tix_channel dup = {.name = "box office"};
    tix_id id;
    assert_rejected(f->s.db, tix_channel_create(f->s.db, &dup, &id), TIX_EEXISTS,
                    NULL);
    tix_channel empty = {.name = ""};
    assert_rejected(f->s.db, tix_channel_create(f->s.db, &empty, &id),
                    TIX_EINVAL, NULL);
    /* Ids are the seat bytes: the 256th channel does not fit. */
    char name[32];
    for (int i = 3; i <= TIX_CHANNEL_MAX; i++) {
        snprintf(name, sizeof name, "ch%d", i);
        make_channel(f->s.db, name);
    }
    tix_channel last = {.name = "one too many"};
    assert_rejected(f->s.db, tix_channel_create(f->s.db, &last, &id),
                    TIX_ELIMIT, "channels");
}

static void channel_seats_hold_only_through_their_channel(void **state)
{
    fixture *f = *state;
    uint32_t seats[] = {3, 4, 5};
    assert_ok(tix_channel_assign(f->s.db, f->show, f->box, seats, 3));
    tix_hold *h = NULL;
    assert_rejected(f->s.db, hold_via(f, 0, 4, &h), TIX_EPERM, "channel");
    assert_null(h);
    assert_rejected(f->s.db, hold_via(f, f->app, 4, &h), TIX_EPERM, "channel");
    /* All or nothing: a public seat before the channel seat stays free. */
    uint32_t mix[] = {2, 3};
    assert_code(tix_hold_create(f->s.db, f->show, mix, 2, NULL, &h), TIX_EPERM);
    uint8_t st[200];
    assert_ok(tix_show_seat_states(f->s.db, f->show, st, sizeof st));
    assert_int_equal(st[2], TIX_SEAT_FREE);
    /* The channel sees its seats and the public pool. */
    tix_hold_opts o = {.channel = f->box};
    assert_ok(tix_hold_create(f->s.db, f->show, mix, 2, &o, &h));
    /* The handle carries the channel through text, under its MAC. */
    char buf[TIX_HOLD_STRING_MAX + 1];
    assert_ok(tix_hold_to_string(h, buf, sizeof buf));
    assert_true(buf[0] == 'H' && buf[1] == '3');
    tix_hold *back;
    assert_ok(tix_hold_from_string(buf, &back));
    buf[1] = '2'; /* the same bytes without the channel: forged */
    tix_hold *forged = NULL;
    if (tix_hold_from_string(buf, &forged) == TIX_OK) {
        assert_code(tix_hold_release(f->s.db, forged), TIX_EBADCODE);
        tix_hold_free(forged);
    }
    tix_confirm_opts co = {.user_id = f->user, .payment_ref = "ch-1"};
    tix_id booking;
    assert_ok(tix_hold_confirm(f->s.db, back, &co, &booking));
    tix_booking *b;
    assert_ok(tix_booking_get(f->s.db, booking, &b));
    assert_int_equal(b->channel_id, f->box);
    assert_int_equal(b->group_id, 0);
    tix_booking_free(b);
    tix_hold_free(back);
    tix_hold_free(h);
    /* A public hold of a public seat records no channel. */
    assert_ok(hold_via(f, 0, 10, &h));
    tix_hold_free(h);
    tix_hold_opts bad = {.channel = TIX_CHANNEL_MAX + 1};
    uint32_t s = 11;
    assert_rejected(f->s.db, tix_hold_create(f->s.db, f->show, &s, 1, &bad, &h),
                    TIX_EINVAL, "channel");
    tt_inv_assert(f->s.db, &(tt_inv_opts){.run_check = 1}, NULL);
}

static void assign_bad_inputs_change_nothing(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    uint32_t ok[] = {1, 2}, range[] = {1, 200}, twice[] = {1, 1};
    assert_rejected(db, tix_channel_assign(db, f->show, 99, ok, 2), TIX_ENOTFOUND,
                    "channel");
    assert_rejected(db, tix_channel_assign(db, f->show, 256, ok, 2),
                    TIX_ENOTFOUND, "channel");
    assert_rejected(db, tix_channel_assign(db, 999, f->box, ok, 2),
                    TIX_ENOTFOUND, NULL);
    assert_rejected(db, tix_channel_assign(db, f->show, f->box, range, 2),
                    TIX_EINVAL, "range");
    assert_rejected(db, tix_channel_assign(db, f->show, f->box, twice, 2),
                    TIX_EINVAL, "twice");
    assert_rejected(db, tix_channel_assign(db, f->show, f->box, ok, 0),
                    TIX_EINVAL, NULL);
    tix_hold *h;
    assert_ok(hold_via(f, 0, 2, &h));
    assert_rejected(db, tix_channel_assign(db, f->show, f->box, ok, 2),
                    TIX_ECONFLICT, "seat 2");
    /* Nothing moved: seat 1 is still public. */
    tix_hold *h1;
    assert_ok(hold_via(f, 0, 1, &h1));
    tix_hold_free(h1);
    tix_hold_free(h);
    assert_rejected(db, tix_channel_release(db, f->show, 0, 0), TIX_EINVAL, NULL);
    assert_rejected(db, tix_channel_release(db, f->show, f->box, tt_now - 5),
                    TIX_ERANGE, "past");
    assert_rejected(db, tix_channel_release(db, f->show, f->box,
                                            tt_now + 30 * 86400),
                    TIX_ERANGE, "end");
    assert_rejected(db, tix_channel_release(db, f->show, 77, 0), TIX_ENOTFOUND,
                    "channel");
    assert_rejected(db, tix_channel_assign_tier(db, f->show, f->box,
                                                f->c.tier_gold, 1000),
                    TIX_ECONFLICT, "free public seats");
    assert_rejected(db, tix_channel_assign_tier(db, f->show, f->box, 12345, 3),
                    TIX_ENOTFOUND, "tier");
}

/* The seat's channel history: to a channel, and back to the pool (0),
 * by seat or by tier share; a refused move writes nothing. */
static void moves_are_in_the_seat_history(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    uint32_t seat = 5;
    assert_ok(tix_channel_assign(db, f->show, f->box, &seat, 1));
    tt_now += 60;
    assert_ok(tix_channel_assign(db, f->show, 0, &seat, 1));
    assert_rejected(db, tix_channel_assign(db, f->show, 99, &seat, 1),
                    TIX_ENOTFOUND, "channel");
    tix_seat_history *h;
    assert_ok(tix_seat_history_get(db, f->show, seat, &h));
    assert_int_equal(h->count, 2);
    assert_int_equal(h->items[0].type, TIX_SEAT_EVENT_CHANNEL);
    assert_int_equal(h->items[0].channel_id, f->box);
    assert_int_equal(h->items[0].booking_id, 0);
    assert_int_equal(h->items[1].type, TIX_SEAT_EVENT_CHANNEL);
    assert_int_equal(h->items[1].channel_id, 0);
    assert_int_equal(h->items[1].at, h->items[0].at + 60);
    tix_seat_history_free(h);
    assert_ok(tix_channel_assign_tier(db, f->show, f->app, f->c.tier_cheap, 3));
    uint8_t ch[200];
    assert_ok(tix_channel_seats(db, f->show, ch, sizeof ch));
    uint32_t logged = 0;
    for (uint32_t s = 0; s < 200; s++) {
        assert_ok(tix_seat_history_get(db, f->show, s, &h));
        if (ch[s] == f->app) {
            assert_int_equal(h->items[h->count - 1].type, TIX_SEAT_EVENT_CHANNEL);
            assert_int_equal(h->items[h->count - 1].channel_id, f->app);
            logged++;
        } else {
            assert_int_equal(h->count, s == seat ? 2 : 0);
        }
        tix_seat_history_free(h);
    }
    assert_int_equal(logged, 3);
}

static void release_at_a_time_and_now(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    uint32_t box[] = {20, 21, 22}, app[] = {30, 31};
    assert_ok(tix_channel_assign(db, f->show, f->box, box, 3));
    assert_ok(tix_channel_assign(db, f->show, f->app, app, 2));
    tix_hold *sold;
    assert_ok(hold_via(f, f->box, 22, &sold)); /* the box office sells it */
    tix_confirm_opts co = {.user_id = f->user, .payment_ref = "rel-1"};
    assert_ok(tix_hold_confirm(db, sold, &co, NULL));
    assert_ok(tix_channel_release(db, f->show, f->box, tt_now + 3600));
    tix_hold *h = NULL;
    assert_code(hold_via(f, 0, 20, &h), TIX_EPERM);
    tt_now += 3600; /* no sweeper: the hold path reads the time */
    assert_ok(hold_via(f, 0, 20, &h));
    tix_hold_free(h);
    assert_code(hold_via(f, 0, 22, &h), TIX_ECONFLICT); /* sold stays sold */
    assert_rejected(db, tix_channel_release(db, f->show, f->box, 0),
                    TIX_EALREADY, NULL);
    assert_rejected(db, tix_channel_assign(db, f->show, f->box, app, 1),
                    TIX_ESTATE, "released");
    /* Release now. */
    assert_code(hold_via(f, 0, 30, &h), TIX_EPERM);
    assert_ok(tix_channel_release(db, f->show, f->app, 0));
    assert_ok(hold_via(f, 0, 30, &h));
    tix_hold_free(h);
    uint8_t ch[200];
    assert_ok(tix_channel_seats(db, f->show, ch, sizeof ch));
    assert_int_equal(ch[21], 0);
    assert_code(tix_channel_seats(db, f->show, ch, 10), TIX_ERANGE);
    tix_hold_free(sold);
}

static void availability_per_channel(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    uint32_t box[] = {40, 41, 42, 43};
    assert_ok(tix_channel_assign(db, f->show, f->box, box, 4));
    assert_ok(tix_channel_assign_tier(db, f->show, f->app, f->c.tier_gold, 10));
    tix_hold *h;
    assert_ok(hold_via(f, f->box, 41, &h));
    tix_channel_avail *a;
    assert_ok(tix_channel_availability(db, f->show, &a));
    assert_int_equal(a->count, 3);
    assert_int_equal(a->items[0].channel_id, 0);
    assert_int_equal(a->items[0].counts.total, 200 - 14);
    assert_int_equal(a->items[1].channel_id, f->box);
    assert_int_equal(a->items[1].counts.total, 4);
    assert_int_equal(a->items[1].counts.held, 1);
    assert_int_equal(a->items[1].counts.free, 3);
    assert_int_equal(a->items[2].counts.total, 10);
    tix_channel_avail_free(a);
    /* Released: the box office's free seats count in the pool. */
    assert_ok(tix_channel_release(db, f->show, f->box, 0));
    assert_ok(tix_channel_availability(db, f->show, &a));
    assert_int_equal(a->items[0].counts.total, 200 - 14 + 3);
    assert_int_equal(a->items[1].counts.total, 1);
    assert_int_equal(a->items[1].released, 1);
    assert_true(a->items[1].release_at == tt_now);
    tix_channel_avail_free(a);
    /* Back to the pool seat by seat: channel 0. */
    uint32_t gold[200];
    uint8_t ch[200];
    size_t n = 0;
    assert_ok(tix_channel_seats(db, f->show, ch, sizeof ch));
    for (uint32_t s = 0; s < 200; s++)
        if (ch[s] == f->app) gold[n++] = s;
    assert_int_equal(n, 10);
    assert_ok(tix_channel_assign(db, f->show, 0, gold, n));
    assert_ok(tix_channel_availability(db, f->show, &a));
    assert_int_equal(a->count, 2);
    tix_channel_avail_free(a);
    tix_hold_free(h);
}

static void best_available_respects_channels(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    /* Every seat but row 9 (the last, Gold) goes to the box office. */
    uint32_t seats[180];
    for (uint32_t i = 0; i < 180; i++) seats[i] = i;
    assert_ok(tix_channel_assign(db, f->show, f->box, seats, 180));
    tix_best_opts pub = {.flags = TIX_BEST_ANY_TIER};
    tix_hold *h;
    assert_ok(tix_hold_best(db, f->show, 4, &pub, &h));
    for (size_t i = 0; i < tix_hold_count(h); i++)
        assert_true(tix_hold_seat(h, i) >= 180);
    tix_hold_free(h);
    tix_best_opts box = {.tier_id = f->c.tier_cheap, .channel = f->box};
    assert_ok(tix_hold_best(db, f->show, 4, &box, &h));
    assert_true(tix_hold_seat(h, 0) < 180);
    tix_hold_free(h);
    /* The public pool is one row of 20 with 4 held in its middle: no 9
     * adjacent seats; the box office has them. */
    tix_hold *none = NULL;
    assert_code(tix_hold_best(db, f->show, 9, &pub, &none), TIX_ECONFLICT);
    box.tier_id = 0;
    box.flags = TIX_BEST_ANY_TIER;
    assert_ok(tix_hold_best(db, f->show, 9, &box, &h));
    tix_hold_free(h);
}

static void channels_survive_a_seatmap_rebuild(void **state)
{
    fixture *f = *state;
    uint32_t seats[] = {7, 8};
    assert_ok(tix_channel_assign(f->s.db, f->show, f->app, seats, 2));
    assert_ok(tix_channel_release(f->s.db, f->show, f->app, tt_now + 60));
    tix_db_close(f->s.db);
    char path[4096];
    snprintf(path, sizeof path, "%s/seats.map", f->s.dir);
    assert_int_equal(unlink(path), 0);
    tix_config cfg;
    tt_config(&cfg);
    assert_ok(tix_db_open(f->s.dir, &cfg, &f->s.db));
    tix_hold *h = NULL;
    assert_code(hold_via(f, 0, 8, &h), TIX_EPERM);
    assert_ok(hold_via(f, f->app, 8, &h));
    tix_hold_free(h);
    tt_now += 60;
    assert_ok(hold_via(f, 0, 7, &h));
    tix_hold_free(h);
}

/* ---- stress ------------------------------------------------------------ */

/* Seats 0..59 are the box office's, 60..99 the app's (released halfway),
 * the rest public. */
#define BOX_END 60
#define APP_END 100
#define OPS 400

static unsigned owner_of(uint32_t s, const fixture *f)
{
    return s < BOX_END ? (unsigned)f->box : s < APP_END ? (unsigned)f->app : 0;
}

static void stress_assign(fixture *f)
{
    uint32_t seats[APP_END];
    for (uint32_t i = 0; i < APP_END; i++) seats[i] = i;
    assert_ok(tix_channel_assign(f->s.db, f->show, f->box, seats, BOX_END));
    assert_ok(tix_channel_assign(f->s.db, f->show, f->app, seats + BOX_END,
                                 APP_END - BOX_END));
}

struct worker {
    fixture *f;
    tix_db *db;
    unsigned id, seed;
    int bad; /* calls that answered what they must not */
};

/* One random operation: a hold of random seats through a random channel
 * (sometimes best-available), confirmed or released. A refusal must be
 * the one the seats' channels call for. */
static void one_op(struct worker *w, int i)
{
    fixture *f = w->f;
    tix_id chans[3] = {0, f->box, f->app};
    tix_id ch = chans[rand_r(&w->seed) % 3];
    tix_hold *h = NULL;
    int rc;
    if (rand_r(&w->seed) % 4 == 0) {
        tix_best_opts o = {.flags = TIX_BEST_ANY_TIER, .channel = ch};
        rc = tix_hold_best(w->db, f->show, 1 + rand_r(&w->seed) % 3, &o, &h);
    } else {
        uint32_t seat = rand_r(&w->seed) % 200;
        tix_hold_opts o = {.channel = ch};
        rc = tix_hold_create(w->db, f->show, &seat, 1, &o, &h);
        if (rc == TIX_EPERM && (owner_of(seat, f) == 0 || owner_of(seat, f) == ch))
            w->bad++;
    }
    if (rc) return;
    if (rand_r(&w->seed) % 2) {
        char ref[64];
        snprintf(ref, sizeof ref, "p%u-%u-%d", (unsigned)getpid(), w->id, i);
        tix_confirm_opts co = {.user_id = f->user, .payment_ref = ref};
        tix_id b;
        rc = tix_hold_confirm(w->db, h, &co, &b);
        if (rc && rc != TIX_ECONFLICT) w->bad++;
    } else {
        tix_hold_release(w->db, h);
    }
    tix_hold_free(h);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < OPS; i++) {
        if (w->id == 0 && i == OPS / 2)
            if (tix_channel_release(w->db, w->f->show, w->f->app, 0)) w->bad++;
        one_op(w, i);
    }
    return NULL;
}

/* Every booked seat was sold through its channel, or is public, or is the
 * app's and was booked once the app had been released. */
static void check_no_seat_sold_outside(fixture *f, tix_db *db)
{
    tix_channel_avail *a;
    assert_ok(tix_channel_availability(db, f->show, &a));
    int64_t app_release = 0;
    for (size_t i = 0; i < a->count; i++)
        if (a->items[i].channel_id == f->app) app_release = a->items[i].release_at;
    tix_channel_avail_free(a);
    assert_true(app_release != 0);
    tix_booking_list *l;
    assert_ok(tix_booking_list_by_show(db, f->show, &l));
    size_t sold = 0;
    for (size_t i = 0; i < l->count; i++)
        for (size_t k = 0; k < l->items[i].n_seats; k++) {
            unsigned own = owner_of(l->items[i].seats[k].seat, f);
            int ok = own == 0 || own == l->items[i].channel_id ||
                     (own == f->app && l->items[i].created_at >= app_release);
            if (!ok)
                fail_msg("seat %u of channel %u sold through channel %llu",
                         l->items[i].seats[k].seat, own,
                         (unsigned long long)l->items[i].channel_id);
            sold++;
        }
    assert_true(sold > 0);
    tix_booking_list_free(l);
    tt_inv_assert(db, &(tt_inv_opts){.run_check = 1}, NULL);
}

static void stress_threads(void **state)
{
    fixture *f = *state;
    stress_assign(f);
    enum { N = 4 };
    pthread_t t[N];
    struct worker w[N];
    for (unsigned i = 0; i < N; i++) {
        w[i] = (struct worker){f, f->s.db, i, 1234 + i, 0};
        pthread_create(&t[i], NULL, worker_main, &w[i]);
    }
    for (unsigned i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].bad, 0);
    }
    check_no_seat_sold_outside(f, f->s.db);
}

static void stress_processes(void **state)
{
    fixture *f = *state;
    stress_assign(f);
    tix_db_close(f->s.db); /* a handle is never shared across fork */
    enum { N = 3 };
    pid_t pids[N];
    for (unsigned i = 0; i < N; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            tix_config cfg;
            tt_config(&cfg);
            struct worker w = {f, NULL, i, 99 + i, 0};
            if (tix_db_open(f->s.dir, &cfg, &w.db)) _exit(2);
            worker_main(&w);
            tix_db_close(w.db);
            _exit(w.bad ? 1 : 0);
        }
    }
    for (unsigned i = 0; i < N; i++) {
        int status;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    tix_config cfg;
    tt_config(&cfg);
    assert_ok(tix_db_open(f->s.dir, &cfg, &f->s.db));
    check_no_seat_sold_outside(f, f->s.db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(channel_records, setup, teardown),
        cmocka_unit_test_setup_teardown(
            channel_seats_hold_only_through_their_channel, setup, teardown),
        cmocka_unit_test_setup_teardown(assign_bad_inputs_change_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(moves_are_in_the_seat_history, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(release_at_a_time_and_now, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(availability_per_channel, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(best_available_respects_channels, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(channels_survive_a_seatmap_rebuild,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(stress_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(stress_processes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
