/* A flash sale in one process: client threads buy best-available seats for
 * parties of random sizes (1..hold_max_seats) until the show is sold out;
 * a party that finds no room tries one seat fewer. Every seat must sell,
 * none twice.
 *
 * Best-available may refuse n seats only when no row has n adjacent free
 * ones. A run of free seats seen after a refusal may have been taken
 * during the call by another client's partial take that rolled back, or
 * hidden by a row hint that another thread's scan stored after a release
 * cleared it (up to a second, lib/seats/best.c): the party asks again with the
 * shared fake clock moved on a second, as real time would move. Without
 * abandoned holds a refusal that keeps coming while the run stays free is
 * a failure; with them (one party in ten) the sale must still sell out.
 *
 * cmocka is not thread-safe: workers only record failures; the main
 * thread asserts after joining them. TIX_CONC_SEED reproduces a run. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invariants.h"
#include "testutil.h"

#define N_THREADS 6
#define ROWS 60
#define PER_ROW 25
#define N_SEATS (ROWS * PER_ROW) /* 1500 */
#define HOLD_MAX 10              /* tix_config's default hold_max_seats */
#define IDLE_MAX 100000          /* passes without a sale before giving up */

typedef struct sale {
    tt_store s;
    tt_catalog c;
    tix_id show, user;
    _Atomic uint8_t booked[N_SEATS]; /* seats clients were told they booked */
    _Atomic uint32_t clock_moves;
    uint32_t abandon_pct;
} sale;

typedef struct client {
    sale *sale;
    int id;
    uint64_t rng;
    uint32_t confirms, abandons, refusals, failures;
    char first_failure[256];
} client;

static int64_t clock_now(void) { return __atomic_load_n(&tt_now, __ATOMIC_SEQ_CST); }

static void client_fail(client *c, const char *what, int rc)
{
    if (c->failures++ == 0)
        snprintf(c->first_failure, sizeof c->first_failure, "%s -> %d: %s",
                 what, rc, tix_errmsg());
}

static uint32_t client_rand(client *c, uint32_t n)
{
    c->rng ^= c->rng << 13;
    c->rng ^= c->rng >> 7;
    c->rng ^= c->rng << 17;
    return (uint32_t)(c->rng % n);
}

static int sold_out(client *c, uint32_t *free_now)
{
    tix_avail *a;
    int rc = tix_show_availability(c->sale->s.db, c->sale->show, &a);
    if (rc) {
        client_fail(c, "tix_show_availability", rc);
        return 1;
    }
    int done = a->all.booked == N_SEATS;
    *free_now = a->all.free;
    tix_avail_free(a);
    return done;
}

/* Longest run of free seats in one row (each row is one tier with
 * consecutive numbers in tt_make_catalog). */
static uint32_t longest_free_run(client *c)
{
    uint8_t st[N_SEATS];
    int rc = tix_show_seat_states(c->sale->s.db, c->sale->show, st, sizeof st);
    if (rc) client_fail(c, "tix_show_seat_states", rc);
    uint32_t run = 0, longest = 0;
    for (uint32_t i = 0; !rc && i < N_SEATS; i++) {
        run = st[i] == TIX_SEAT_FREE ? (i % PER_ROW ? run + 1 : 1) : 0;
        if (run > longest) longest = run;
    }
    return longest;
}

/* A refusal with n adjacent seats free after it may still be right: they
 * can have been in another client's partial take that rolled back, or
 * hidden by a stale hint. Returns 1 when the party should ask again (at
 * most ASK_MAX times, the clock moved on to end hints); a refusal that
 * keeps coming with the seats still free is a failure. */
#define ASK_MAX 8
static int ask_again(client *c, uint32_t n, uint32_t *asked)
{
    c->refusals++;
    uint32_t run = longest_free_run(c);
    if (run < n) return 0;
    if (++*asked <= ASK_MAX) {
        __atomic_fetch_add(&tt_now, 1, __ATOMIC_SEQ_CST);
        atomic_fetch_add(&c->sale->clock_moves, 1);
        return 1;
    }
    if (!c->sale->abandon_pct && c->failures++ == 0)
        snprintf(c->first_failure, sizeof c->first_failure,
                 "%u seats refused %u times with %u adjacent free: %s", n,
                 *asked, run, tix_errmsg());
    return 0;
}

static void pay(client *c, tix_hold *h)
{
    char ref[64];
    snprintf(ref, sizeof ref, "flash-%d-%u", c->id, c->confirms);
    tix_confirm_opts co = {.user_id = c->sale->user, .payment_ref = ref};
    tix_id booking;
    int rc = tix_hold_confirm(c->sale->s.db, h, &co, &booking);
    if (rc) {
        client_fail(c, "tix_hold_confirm", rc);
        return;
    }
    c->confirms++;
    for (size_t i = 0; i < tix_hold_count(h); i++)
        if (atomic_exchange(&c->sale->booked[tix_hold_seat(h, i)], 1))
            client_fail(c, "a seat booked twice", (int)tix_hold_seat(h, i));
}

/* One party: the largest size up to its wish that finds seats. Returns 1
 * when it bought or abandoned seats. */
static int buy(client *c)
{
    uint32_t n = 1 + client_rand(c, HOLD_MAX), asked = 0;
    while (n >= 1 && !c->failures) {
        tix_hold *h;
        int rc = tix_hold_best(c->sale->s.db, c->sale->show, n, NULL, &h);
        if (rc == TIX_ECONFLICT) {
            if (!ask_again(c, n, &asked)) n--, asked = 0;
            continue;
        }
        if (rc) {
            client_fail(c, "tix_hold_best", rc);
            return 0;
        }
        if (client_rand(c, 100) < c->sale->abandon_pct) {
            c->abandons++;
            rc = tix_hold_release(c->sale->s.db, h);
            if (rc) client_fail(c, "tix_hold_release", rc);
        } else {
            pay(c, h);
        }
        tix_hold_free(h);
        return 1;
    }
    return 0;
}

static void *client_main(void *arg)
{
    client *c = arg;
    uint32_t idle = 0, free_now;
    while (!c->failures && !sold_out(c, &free_now)) {
        if (buy(c)) {
            idle = 0;
            continue;
        }
        if (++idle > IDLE_MAX) {
            client_fail(c, "no sale for too long", (int)free_now);
            break;
        }
        /* Nothing found: seats are held by other clients (wait for them),
         * or free but hidden by a stale row hint (let it end). */
        if (free_now > 0) {
            __atomic_fetch_add(&tt_now, 1, __ATOMIC_SEQ_CST);
            atomic_fetch_add(&c->sale->clock_moves, 1);
        }
        sched_yield();
    }
    return NULL;
}

static int setup(void **state)
{
    sale *s = calloc(1, sizeof *s);
    __atomic_store_n(&tt_now, 1767225600, __ATOMIC_SEQ_CST);
    tt_open(&s->s);
    tt_make_catalog(s->s.db, ROWS, PER_ROW, &s->c);
    tix_show sh = {.movie_id = s->c.movie, .screen_id = s->c.screen,
                   .start = clock_now() + 30 * 86400};
    assert_ok(tix_show_create(s->s.db, &sh, &s->show));
    tix_user u = {.name = "Asha", .email = "asha@example.com"};
    assert_ok(tix_user_create(s->s.db, &u, &s->user));
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    sale *s = *state;
    tt_close(&s->s);
    free(s);
    return 0;
}

static unsigned seed_from_env(void)
{
    const char *v = getenv("TIX_CONC_SEED");
    return v && *v ? (unsigned)strtoul(v, NULL, 0) : 20260101u;
}

static void check_sold_out(sale *s, const client *cs)
{
    uint32_t refusals = 0, abandons = 0, confirms = 0;
    for (int i = 0; i < N_THREADS; i++) {
        if (cs[i].failures)
            fail_msg("client %d: %u failures, first: %s", i, cs[i].failures,
                     cs[i].first_failure);
        refusals += cs[i].refusals;
        abandons += cs[i].abandons;
        confirms += cs[i].confirms;
    }
    print_message("flash sale: %u confirms, %u abandoned, %u refusals, "
                  "%u clock moves\n", confirms, abandons, refusals,
                  atomic_load(&s->clock_moves));
    for (uint32_t i = 0; i < N_SEATS; i++)
        if (!atomic_load(&s->booked[i])) fail_msg("seat %u never booked", i);
    tix_avail *a;
    assert_ok(tix_show_availability(s->s.db, s->show, &a));
    assert_int_equal(a->all.booked, N_SEATS);
    assert_int_equal(a->all.free + a->all.held, 0);
    tix_avail_free(a);
    tt_inv_assert(s->s.db, &(tt_inv_opts){.run_check = 1}, NULL);
}

static void sell_out(sale *s, uint32_t abandon_pct)
{
    s->abandon_pct = abandon_pct;
    unsigned seed = seed_from_env();
    client cs[N_THREADS];
    pthread_t th[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        cs[i] = (client){.sale = s, .id = i,
                         .rng = (seed + 1ull) * 0x9E3779B97F4A7C15ull + (uint64_t)i};
        if (pthread_create(&th[i], NULL, client_main, &cs[i]))
            fail_msg("pthread_create");
    }
    for (int i = 0; i < N_THREADS; i++) pthread_join(th[i], NULL);
    check_sold_out(s, cs);
}

static void mixed_parties_sell_out_a_show(void **state) { sell_out(*state, 0); }

static void mixed_parties_sell_out_despite_abandoned_holds(void **state)
{
    sell_out(*state, 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(mixed_parties_sell_out_a_show, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            mixed_parties_sell_out_despite_abandoned_holds, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
