/* Per-customer caps (lib/catalog/usercap.c, lib/sell/cap.c): a cap per show
 * and per movie, counted inside the confirm's transaction, given back by a
 * cancel, checked early by a hold that names its user; and a stress of
 * many threads confirming for one user, who must never pass the cap. */
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine_fixture.h"
#include "invariants.h"

static int confirm(fixture *f, tix_hold *h, tix_id user, const char *ref,
                   tix_id *booking)
{
    tix_confirm_opts co = {.user_id = user, .payment_ref = ref};
    return tix_hold_confirm(f->s.db, h, &co, booking);
}

static tix_hold *hold_seats(fixture *f, tix_id show, uint32_t first, uint32_t n)
{
    uint32_t seats[10];
    for (uint32_t i = 0; i < n; i++) seats[i] = first + i;
    tix_hold *h;
    assert_ok(tix_hold_create(f->s.db, show, seats, n, NULL, &h));
    return h;
}

static tix_id second_show(fixture *f)
{
    tix_show sh = {.movie_id = f->c.movie, .screen_id = f->c.screen,
                   .start = tt_now + 2 * 86400};
    tix_id id;
    assert_ok(tix_show_create(f->s.db, &sh, &id));
    return id;
}

static void show_cap_refuses_the_confirm_past_it(void **state)
{
    fixture *f = *state;
    assert_ok(tix_show_set_user_cap(f->s.db, f->show, 4));
    tix_hold *a = hold_seats(f, f->show, 0, 3), *b = hold_seats(f, f->show, 10, 2);
    tix_id booking;
    assert_ok(confirm(f, a, f->user, "cap-1", &booking));
    assert_rejected(f->s.db, confirm(f, b, f->user, "cap-2", NULL), TIX_ELIMIT,
                    "at most 4 seats of show");
    tix_user_caps u;
    assert_ok(tix_user_caps_get(f->s.db, f->show, f->user, &u));
    assert_int_equal(u.show_cap, 4);
    assert_int_equal(u.show_booked, 3);
    assert_int_equal(u.movie_cap, 0);
    /* The hold stayed: after a cancel gives the 3 seats back it books. */
    assert_ok(tix_booking_cancel(f->s.db, booking));
    assert_ok(tix_user_caps_get(f->s.db, f->show, f->user, &u));
    assert_int_equal(u.show_booked, 0);
    assert_ok(confirm(f, b, f->user, "cap-2", NULL));
    assert_ok(tix_user_caps_get(f->s.db, f->show, f->user, &u));
    assert_int_equal(u.show_booked, 2);
    /* Another user is counted apart. */
    tix_user other = {.name = "Ravi", .email = "ravi@example.com",
                      .phone = "+919800000002", .home_city_id = f->c.city};
    tix_id ravi;
    assert_ok(tix_user_create(f->s.db, &other, &ravi));
    tix_hold *c = hold_seats(f, f->show, 20, 4);
    assert_ok(confirm(f, c, ravi, "cap-3", NULL));
    tix_hold_free(a);
    tix_hold_free(b);
    tix_hold_free(c);
    tt_inv_assert(f->s.db, &(tt_inv_opts){.run_check = 1}, NULL);
}

static void movie_cap_spans_its_shows(void **state)
{
    fixture *f = *state;
    tix_id show2 = second_show(f);
    assert_ok(tix_movie_set_user_cap(f->s.db, f->c.movie, 5));
    tix_hold *a = hold_seats(f, f->show, 0, 3), *b = hold_seats(f, show2, 0, 3);
    assert_ok(confirm(f, a, f->user, "mcap-1", NULL));
    assert_rejected(f->s.db, confirm(f, b, f->user, "mcap-2", NULL), TIX_ELIMIT,
                    "of movie");
    tix_user_caps u;
    assert_ok(tix_user_caps_get(f->s.db, show2, f->user, &u));
    assert_int_equal(u.movie_cap, 5);
    assert_int_equal(u.movie_booked, 3);
    /* Removing the cap lets the confirm through. */
    assert_ok(tix_movie_set_user_cap(f->s.db, f->c.movie, 0));
    assert_ok(confirm(f, b, f->user, "mcap-2", NULL));
    tix_hold_free(a);
    tix_hold_free(b);
}

static void a_cap_set_late_counts_earlier_bookings(void **state)
{
    fixture *f = *state;
    tix_id show2 = second_show(f);
    tix_hold *a = hold_seats(f, f->show, 0, 2), *b = hold_seats(f, show2, 0, 2);
    tix_id cancelled;
    tix_hold *c = hold_seats(f, f->show, 5, 2);
    assert_ok(confirm(f, a, f->user, "late-1", NULL));
    assert_ok(confirm(f, b, f->user, "late-2", NULL));
    assert_ok(confirm(f, c, f->user, "late-3", &cancelled));
    assert_ok(tix_booking_cancel(f->s.db, cancelled));
    assert_ok(tix_show_set_user_cap(f->s.db, f->show, 3));
    assert_ok(tix_movie_set_user_cap(f->s.db, f->c.movie, 10));
    tix_user_caps u;
    assert_ok(tix_user_caps_get(f->s.db, f->show, f->user, &u));
    assert_int_equal(u.show_booked, 2);  /* the cancelled two not counted */
    assert_int_equal(u.movie_booked, 4); /* both shows */
    tix_hold *d = hold_seats(f, f->show, 10, 2);
    assert_code(confirm(f, d, f->user, "late-4", NULL), TIX_ELIMIT);
    tix_hold_free(a);
    tix_hold_free(b);
    tix_hold_free(c);
    tix_hold_free(d);
}

static void holds_naming_the_user_are_refused_early(void **state)
{
    fixture *f = *state;
    assert_ok(tix_show_set_user_cap(f->s.db, f->show, 2));
    tix_hold *h;
    tix_hold_opts ho = {.user_id = f->user};
    uint32_t three[3] = {0, 1, 2};
    assert_rejected(f->s.db, tix_hold_create(f->s.db, f->show, three, 3, &ho, &h),
                    TIX_ELIMIT, "at most 2");
    assert_null(h);
    tix_best_opts bo = {.user_id = f->user};
    assert_code(tix_hold_best(f->s.db, f->show, 3, &bo, &h), TIX_ELIMIT);
    assert_ok(tix_hold_best(f->s.db, f->show, 2, &bo, &h));
    tix_hold_free(h);
    /* Without a user the hold is not checked: the confirm is. */
    assert_ok(tix_hold_create(f->s.db, f->show, three, 3, NULL, &h));
    assert_code(confirm(f, h, f->user, "early-1", NULL), TIX_ELIMIT);
    tix_hold_free(h);
    ho.user_id = 999;
    assert_code(tix_hold_create(f->s.db, f->show, three, 2, &ho, &h), TIX_ENOTFOUND);
}

static void bad_input(void **state)
{
    fixture *f = *state;
    assert_ok(tix_show_set_user_cap(f->s.db, f->show, 4));
    assert_rejected(f->s.db, tix_show_set_user_cap(f->s.db, f->show, 100001),
                    TIX_ERANGE, "100000");
    assert_rejected(f->s.db, tix_show_set_user_cap(f->s.db, 999, 4),
                    TIX_ENOTFOUND, NULL);
    assert_rejected(f->s.db, tix_movie_set_user_cap(f->s.db, 999, 4),
                    TIX_ENOTFOUND, NULL);
    assert_code(tix_show_set_user_cap(NULL, f->show, 4), TIX_EINVAL);
    tix_user_caps u;
    assert_code(tix_user_caps_get(f->s.db, 999, f->user, &u), TIX_ENOTFOUND);
    assert_code(tix_user_caps_get(f->s.db, f->show, 999, &u), TIX_ENOTFOUND);
    assert_int_equal(u.show_cap, 0);
    assert_code(tix_user_caps_get(f->s.db, f->show, f->user, NULL), TIX_EINVAL);
    assert_ok(tix_user_caps_get(f->s.db, f->show, 0, &u));
    assert_int_equal(u.show_cap, 4); /* unchanged by the refusals */
}

/* ---- stress: one user, many threads, one cap -------------------------- */

#define STRESS_THREADS 8
#define STRESS_ROUNDS 25
#define STRESS_CAP 7

typedef struct stress {
    fixture *f;
    int id;
    unsigned booked, refused, other;
    tix_id user;
} stress;

static void *stress_body(void *arg)
{
    stress *s = arg;
    for (int r = 0; r < STRESS_ROUNDS; r++) {
        uint32_t n = 1 + (uint32_t)((s->id + r) % 2);
        tix_hold *h;
        if (tix_hold_best(s->f->s.db, s->f->show, n, NULL, &h)) {
            s->other++;
            continue;
        }
        char ref[48];
        snprintf(ref, sizeof ref, "stress-%d-%d", s->id, r);
        tix_confirm_opts co = {.user_id = s->user, .payment_ref = ref};
        int rc = tix_hold_confirm(s->f->s.db, h, &co, NULL);
        if (rc == 0) s->booked += n;
        else if (rc == TIX_ELIMIT) s->refused++;
        else s->other++;
        if (rc) tix_hold_release(s->f->s.db, h);
        tix_hold_free(h);
    }
    return NULL;
}

static void threads_never_pass_the_cap(void **state)
{
    fixture *f = *state;
    assert_ok(tix_show_set_user_cap(f->s.db, f->show, STRESS_CAP));
    pthread_t t[STRESS_THREADS];
    stress s[STRESS_THREADS];
    for (int i = 0; i < STRESS_THREADS; i++) {
        s[i] = (stress){.f = f, .id = i, .user = f->user};
        assert_int_equal(pthread_create(&t[i], NULL, stress_body, &s[i]), 0);
    }
    unsigned booked = 0, refused = 0, other = 0;
    for (int i = 0; i < STRESS_THREADS; i++) {
        pthread_join(t[i], NULL);
        booked += s[i].booked;
        refused += s[i].refused;
        other += s[i].other;
    }
    assert_int_equal(other, 0);
    assert_in_range(booked, STRESS_CAP - 1, STRESS_CAP); /* 1- and 2-seat parties */
    assert_true(refused > 0);
    /* The store agrees: the user's confirmed seats of the show. */
    tix_booking_list *bl;
    assert_ok(tix_booking_list_by_user(f->s.db, f->user, &bl));
    size_t seats = 0;
    for (size_t i = 0; i < bl->count; i++)
        if (bl->items[i].status == TIX_BOOKING_CONFIRMED) seats += bl->items[i].n_seats;
    tix_booking_list_free(bl);
    assert_int_equal(seats, booked);
    tix_user_caps u;
    assert_ok(tix_user_caps_get(f->s.db, f->show, f->user, &u));
    assert_int_equal(u.show_booked, booked);
    tt_inv_assert(f->s.db, &(tt_inv_opts){.run_check = 1}, NULL);
}

/* ---- stress: one user, many processes, one cap ------------------------ */

#define PROCS 4
#define PROC_ROUNDS 12
#define PROC_CAP 9

/* One child: its own handle on the store, confirms of 1-2 seats for the
 * user until the rounds are done. Exit status: seats booked, or 255 on an
 * unexpected result (a child must not call cmocka). */
static int proc_child(const char *dir, tix_id show, tix_id user, int id)
{
    tix_config cfg;
    tt_config(&cfg);
    tix_db *db;
    if (tix_db_open(dir, &cfg, &db)) return 255;
    int booked = 0, bad = 0;
    for (int r = 0; r < PROC_ROUNDS && !bad; r++) {
        uint32_t n = 1 + (uint32_t)((id + r) % 2);
        tix_hold *h;
        if (tix_hold_best(db, show, n, NULL, &h)) { bad = 1; break; }
        char ref[48];
        snprintf(ref, sizeof ref, "proc-%d-%d", id, r);
        tix_confirm_opts co = {.user_id = user, .payment_ref = ref};
        int rc = tix_hold_confirm(db, h, &co, NULL);
        if (rc == 0) booked += (int)n;
        else if (rc == TIX_ELIMIT) tix_hold_release(db, h);
        else bad = 1;
        tix_hold_free(h);
    }
    tix_db_close(db);
    return bad ? 255 : booked;
}

static void processes_never_pass_the_cap(void **state)
{
    fixture *f = *state;
    assert_ok(tix_show_set_user_cap(f->s.db, f->show, PROC_CAP));
    tix_db_close(f->s.db); /* a store is open once per process */
    f->s.db = NULL;
    pid_t pid[PROCS];
    for (int i = 0; i < PROCS; i++) {
        pid[i] = fork();
        assert_true(pid[i] >= 0);
        if (pid[i] == 0) _exit(proc_child(f->s.dir, f->show, f->user, i));
    }
    int booked = 0;
    for (int i = 0; i < PROCS; i++) {
        int st;
        assert_int_equal(waitpid(pid[i], &st, 0), pid[i]);
        assert_true(WIFEXITED(st));
        assert_int_not_equal(WEXITSTATUS(st), 255);
        booked += WEXITSTATUS(st);
    }
    tix_config cfg;
    tt_config(&cfg);
    assert_ok(tix_db_open(f->s.dir, &cfg, &f->s.db));
    assert_in_range(booked, PROC_CAP - 1, PROC_CAP);
    tix_user_caps u;
    assert_ok(tix_user_caps_get(f->s.db, f->show, f->user, &u));
    assert_int_equal(u.show_booked, booked);
    tix_booking_list *bl;
    assert_ok(tix_booking_list_by_show(f->s.db, f->show, &bl));
    size_t seats = 0;
    for (size_t i = 0; i < bl->count; i++) seats += bl->items[i].n_seats;
    tix_booking_list_free(bl);
    assert_int_equal(seats, booked);
    tt_inv_assert(f->s.db, &(tt_inv_opts){.run_check = 1}, NULL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(show_cap_refuses_the_confirm_past_it),
        T(movie_cap_spans_its_shows),
        T(a_cap_set_late_counts_earlier_bookings),
        T(holds_naming_the_user_are_refused_early),
        T(bad_input),
        T(threads_never_pass_the_cap),
        T(processes_never_pass_the_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
