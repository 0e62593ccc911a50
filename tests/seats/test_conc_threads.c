/* Contention inside one process: many threads on one tix_db hammer one
 * show with holds (explicit and best-available), releases, extends, sync
 * and async confirms, duplicate confirms and cancels while a shared fake
 * clock moves forward; afterwards the bookings in LMDB, the seat rows, the
 * seat words in seats.map and the availability counts must all agree.
 *
 * The random run goes twice. Strict: confirm_lease is an hour, longer than
 * the clock moves in the whole run, so no lease can run out and every call
 * must do what it says (a live hold always confirms, an own booking always
 * cancels). Lease overruns: confirm_lease is 30 s while the clock moves
 * seconds at a time, so confirms regularly outlive their lease, get
 * repaired away, and land later; a confirm may then lose its seats to
 * another (and a late-landing booking may take a seat from a younger
 * hold), so failed confirms are tolerated -- but at the end everything
 * must still agree and no seat may be sold twice.
 *
 * Two deterministic tests pin down what happens when a confirm or cancel
 * outlives its seat lease (a commit stalled past confirm_lease, or the
 * clock jumping forward): another thread then "repairs" the lease from
 * LMDB before the commit lands, and the committing thread must still
 * leave seats.map agreeing with LMDB.
 *
 * cmocka is not thread-safe: workers only record failures (counts and the
 * first message); the main thread asserts after joining them.
 *
 * TIX_CONC_OPS (operations per thread, default 700) and TIX_CONC_SEED
 * scale and reproduce the random run. */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "engine.h"
#include "invariants.h"
#include "testutil.h"

#define N_THREADS 8
#define ROWS 15
#define PER_ROW 20
#define N_SEATS (ROWS * PER_ROW) /* 300 */
#define MAX_HOLD 4

/* ---- the shared fake clock (tt_now, read atomically by tt_clock) ------ */

static int64_t clock_now(void) { return __atomic_load_n(&tt_now, __ATOMIC_SEQ_CST); }
static void clock_advance(int64_t s) { __atomic_fetch_add(&tt_now, s, __ATOMIC_SEQ_CST); }
static void clock_set(int64_t t) { __atomic_store_n(&tt_now, t, __ATOMIC_SEQ_CST); }

static unsigned env_uint(const char *name, unsigned def)
{
    const char *v = getenv(name);
    return v && *v ? (unsigned)strtoul(v, NULL, 0) : def;
}

/* ---- fixture ----------------------------------------------------------- */

typedef struct fixture {
    tt_store s;
    tt_catalog c;
    tix_id show, user;
} fixture;

/* A store like tt_open()'s, with confirm_lease @p lease. */
static void open_store(tt_store *s, uint32_t lease)
{
    tix_config cfg;
    tt_config(&cfg);
    cfg.confirm_lease = lease;
    char *base = tt_tmpdir();
    s->dir = malloc(strlen(base) + 8);
    sprintf(s->dir, "%s/store", base);
    free(base);
    assert_ok(tix_db_open(s->dir, &cfg, &s->db));
}

static int setup_lease(void **state, uint32_t lease)
{
    fixture *f = calloc(1, sizeof *f);
    clock_set(1767225600);
    open_store(&f->s, lease);
    tt_make_catalog(f->s.db, ROWS, PER_ROW, &f->c);
    tix_show sh = {.movie_id = f->c.movie, .screen_id = f->c.screen,
                   .start = clock_now() + 30 * 86400};
    assert_ok(tix_show_create(f->s.db, &sh, &f->show));
    tix_user u = {.name = "Asha", .email = "asha@example.com"};
    assert_ok(tix_user_create(f->s.db, &u, &f->user));
    *state = f;
    return 0;
}

/* confirm_lease 30 s (the default) */
static int setup(void **state) { return setup_lease(state, 30); }
/* confirm_lease an hour: no lease runs out during a random run */
static int setup_strict(void **state) { return setup_lease(state, 3600); }

static int teardown(void **state)
{
    fixture *f = *state;
    tt_close(&f->s);
    free(f);
    return 0;
}

/* ---- what the workers saw --------------------------------------------- */

/* A booking a worker knows about. */
typedef struct rec {
    tix_id id;           /* 0 for a fire-and-forget confirm (unknown) */
    int cancelled;       /* the worker cancelled it (TIX_OK) */
    uint32_t n;
    uint32_t seats[MAX_HOLD];
    char ref[48];
} rec;

typedef struct shared {
    tix_db *db;
    tix_id show, user, tier_cheap, tier_gold;
    unsigned ops;
    unsigned seed;
    int overruns_ok; /* leases may run out: failed confirms tolerated */
    _Atomic int go;
} shared;

typedef struct worker {
    shared *sh;
    int idx;
    pthread_t thread;
    uint64_t rng;
    rec *recs;
    size_t n_recs, cap;
    unsigned ref_seq;
    /* failures: count and the first few messages */
    int failures;
    char fail[3][400];
    /* what happened, for the report and for "the test did something" */
    unsigned holds, best_holds, conflicts, confirms, async_confirms,
        confirm_expired, dup_confirms, releases, extends, cancels,
        abandoned, forgotten, late, overruns, slow;
} worker;

static void wfail(worker *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void wfail(worker *w, const char *fmt, ...)
{
    if (w->failures < 3) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(w->fail[w->failures], sizeof w->fail[0], fmt, ap);
        va_end(ap);
        if (k >= 0 && (size_t)k < sizeof w->fail[0])
            snprintf(w->fail[w->failures] + k, sizeof w->fail[0] - (size_t)k,
                     " [%s]", tix_errmsg());
    }
    w->failures++;
}

static uint32_t rnd(worker *w, uint32_t n)
{
    /* xorshift64* */
    w->rng ^= w->rng >> 12;
    w->rng ^= w->rng << 25;
    w->rng ^= w->rng >> 27;
    return (uint32_t)((w->rng * 0x2545F4914F6CDD1Dull) >> 32) % n;
}

static rec *add_rec(worker *w)
{
    if (w->n_recs == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->recs = realloc(w->recs, w->cap * sizeof *w->recs);
    }
    rec *r = &w->recs[w->n_recs++];
    memset(r, 0, sizeof *r);
    return r;
}

static void next_ref(worker *w, char *buf, size_t cap)
{
    snprintf(buf, cap, "pay-t%d-%u", w->idx, w->ref_seq++);
}

/* Random distinct seats, mostly inside a small hot area so that threads
 * collide often. Returns the count. */
static uint32_t pick_seats(worker *w, uint32_t *seats)
{
    uint32_t n = 1 + rnd(w, MAX_HOLD);
    uint32_t span = rnd(w, 2) ? 40 : N_SEATS;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t s;
        int dup;
        do {
            s = rnd(w, span);
            dup = 0;
            for (uint32_t k = 0; k < i; k++) dup |= seats[k] == s;
        } while (dup);
        seats[i] = s;
    }
    return n;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* A live hold's seats must read HELD: checked only when the clock stayed
 * before the hold's expiry for the whole read. */
static void check_held(worker *w, const tix_hold *h)
{
    uint8_t st[N_SEATS];
    int rc = tix_show_seat_states(w->sh->db, w->sh->show, st, sizeof st);
    int64_t after = clock_now();
    if (rc) {
        wfail(w, "seat_states -> %d", rc);
        return;
    }
    if (after >= tix_hold_expires(h)) return;
    for (size_t i = 0; i < tix_hold_count(h); i++)
        if (st[tix_hold_seat(h, i)] != TIX_SEAT_HELD)
            wfail(w, "seat %u of a live hold reads state %d",
                  tix_hold_seat(h, i), st[tix_hold_seat(h, i)]);
}

/* Checks a confirmed booking right away (sometimes). */
static void check_booking_now(worker *w, tix_id id, const tix_hold *h,
                              const char *ref)
{
    tix_booking *b;
    int rc = tix_booking_get(w->sh->db, id, &b);
    if (rc) {
        wfail(w, "booking %llu just confirmed: get -> %d",
              (unsigned long long)id, rc);
        return;
    }
    if (b->status != TIX_BOOKING_CONFIRMED || b->n_seats != tix_hold_count(h) ||
        strcmp(b->payment_ref, ref) != 0 || b->show_id != w->sh->show)
        wfail(w, "booking %llu does not match its confirm",
              (unsigned long long)id);
    for (size_t i = 0; i < b->n_seats && i < tix_hold_count(h); i++)
        if (b->seats[i].seat != tix_hold_seat(h, i))
            wfail(w, "booking %llu seat %zu is %u, hold had %u",
                  (unsigned long long)id, i, b->seats[i].seat,
                  tix_hold_seat(h, i));
    tix_booking_free(b);
    uint8_t st[N_SEATS];
    if ((rc = tix_show_seat_states(w->sh->db, w->sh->show, st, sizeof st)))
        wfail(w, "seat_states -> %d", rc);
    /* Only this thread cancels its bookings, so they stay BOOKED. */
    for (size_t i = 0; rc == 0 && i < tix_hold_count(h); i++)
        if (st[tix_hold_seat(h, i)] != TIX_SEAT_BOOKED)
            wfail(w, "seat %u of fresh booking %llu reads state %d",
                  tix_hold_seat(h, i), (unsigned long long)id,
                  st[tix_hold_seat(h, i)]);
}

static void record_confirm(worker *w, tix_id id, const tix_hold *h,
                           const char *ref)
{
    if (id == 0) {
        wfail(w, "confirm returned booking id 0");
        return;
    }
    for (size_t i = 0; i < w->n_recs; i++)
        if (w->recs[i].id == id) {
            wfail(w, "booking id %llu returned twice", (unsigned long long)id);
            return;
        }
    rec *r = add_rec(w);
    r->id = id;
    r->n = (uint32_t)tix_hold_count(h);
    for (uint32_t i = 0; i < r->n; i++) r->seats[i] = tix_hold_seat(h, i);
    snprintf(r->ref, sizeof r->ref, "%s", ref);
}

/* A failed confirm is only acceptable when the hold had run out by the
 * time the call returned (EEXPIRED, or ECONFLICT if the clock moved
 * between the engine's two clock reads) -- or, when leases may run out,
 * because this confirm outlived its lease and lost its seats, or another
 * one did and landed on a seat of this hold. */
static void confirm_failed(worker *w, int rc, const tix_hold *h)
{
    if ((rc == TIX_EEXPIRED || rc == TIX_ECONFLICT) &&
        clock_now() >= tix_hold_expires(h)) {
        w->confirm_expired++;
        return;
    }
    if ((rc == TIX_EEXPIRED || rc == TIX_ECONFLICT) && w->sh->overruns_ok) {
        w->overruns++;
        return;
    }
    wfail(w, "confirm of a live hold (expires %lld, now %lld) -> %d %s",
          (long long)tix_hold_expires(h), (long long)clock_now(), rc,
          tix_strerror(rc));
}

/* After a successful confirm: the same payment ref gives the same booking;
 * another ref on the now-booked hold books nothing. */
static void confirm_again(worker *w, const tix_hold *h, tix_id id,
                          const char *ref)
{
    tix_confirm_opts o = {.user_id = w->sh->user, .payment_ref = ref};
    tix_id again = 0;
    int rc = tix_hold_confirm(w->sh->db, h, &o, &again);
    if (rc != TIX_OK || again != id)
        wfail(w, "repeat confirm with ref %s -> %d, booking %llu not %llu",
              ref, rc, (unsigned long long)again, (unsigned long long)id);
    w->dup_confirms++;
    if (rnd(w, 2)) return;
    char other[48];
    next_ref(w, other, sizeof other);
    o.payment_ref = other;
    rc = tix_hold_confirm(w->sh->db, h, &o, &again);
    if (rc == TIX_OK)
        wfail(w, "hold already booked as %llu booked again as %llu",
              (unsigned long long)id, (unsigned long long)again);
    else if (rc != TIX_ESTATE && rc != TIX_EEXPIRED)
        wfail(w, "second-ref confirm -> %d", rc);
}

static void do_confirm_sync(worker *w, tix_hold *h)
{
    char ref[48];
    next_ref(w, ref, sizeof ref);
    tix_confirm_opts o = {.user_id = w->sh->user, .payment_ref = ref,
                          .seats_per_ticket = rnd(w, 3)};
    tix_id id = 0;
    int64_t t0 = clock_now();
    int rc = tix_hold_confirm(w->sh->db, h, &o, &id);
    w->slow += clock_now() - t0 >= 30; /* outlived a 30 s lease */
    if (rc) {
        confirm_failed(w, rc, h);
        return;
    }
    w->confirms++;
    record_confirm(w, id, h, ref);
    if (rnd(w, 5) == 0) check_booking_now(w, id, h, ref);
    if (rnd(w, 8) == 0) confirm_again(w, h, id, ref);
}

static void do_confirm_async(worker *w, tix_hold *h)
{
    char ref[48];
    next_ref(w, ref, sizeof ref);
    tix_confirm_opts o = {.user_id = w->sh->user, .payment_ref = ref};
    tix_confirm *c = NULL;
    int64_t t0 = clock_now();
    int rc = tix_confirm_submit(w->sh->db, h, &o, &c);
    if (rc) {
        if (c) wfail(w, "failed submit left a confirm");
        confirm_failed(w, rc, h);
        return;
    }
    if (rnd(w, 10) == 0) {
        /* Fire and forget: it completes in the background; the booking,
         * if any, is found by its payment ref at the end. */
        tix_confirm_free(c);
        rec *r = add_rec(w);
        snprintf(r->ref, sizeof r->ref, "%s", ref);
        r->n = (uint32_t)tix_hold_count(h);
        for (uint32_t i = 0; i < r->n; i++) r->seats[i] = tix_hold_seat(h, i);
        w->forgotten++;
        return;
    }
    tix_id id = 0;
    for (int polls = 0;; polls++) {
        rc = polls % 4 == 3 ? tix_confirm_wait(c, 2, &id)
                            : tix_confirm_poll(c, &id);
        if (rc != TIX_EAGAIN && rc != TIX_ETIMEDOUT) break;
        if (polls > 200000) {
            rc = tix_confirm_wait(c, -1, &id);
            break;
        }
        sched_yield();
    }
    w->slow += clock_now() - t0 >= 30; /* outlived a 30 s lease */
    /* The result is stable: polling again gives the same answer. */
    tix_id id2 = 0;
    int rc2 = tix_confirm_poll(c, &id2);
    if (rc2 != rc || (rc == TIX_OK && id2 != id))
        wfail(w, "poll after completion -> %d/%llu, first %d/%llu", rc2,
              (unsigned long long)id2, rc, (unsigned long long)id);
    tix_confirm_free(c);
    if (rc) {
        confirm_failed(w, rc, h);
        return;
    }
    w->async_confirms++;
    record_confirm(w, id, h, ref);
    if (rnd(w, 5) == 0) check_booking_now(w, id, h, ref);
}

static void do_cancel(worker *w)
{
    size_t live = 0;
    for (size_t i = 0; i < w->n_recs; i++)
        live += w->recs[i].id && !w->recs[i].cancelled;
    if (!live) return;
    size_t pick = rnd(w, (uint32_t)live);
    rec *r = NULL;
    for (size_t i = 0; i < w->n_recs; i++)
        if (w->recs[i].id && !w->recs[i].cancelled && pick-- == 0) {
            r = &w->recs[i];
            break;
        }
    int rc = tix_booking_cancel(w->sh->db, r->id);
    if (rc) {
        char words[200] = "";
        const tix__show_entry *e;
        if (tix__engine_show(w->sh->db, w->sh->show, &e) == TIX_OK)
            for (uint32_t i = 0, len = 0; i < r->n && len < 150; i++) {
                uint64_t v = tix__w_load(&e->seats[r->seats[i]]);
                len += (uint32_t)snprintf(words + len, sizeof words - len,
                                          " %u:s%u/e%u/t%u", r->seats[i],
                                          tix__w_state(v), tix__w_exp(v),
                                          tix__w_tag(v));
            }
        wfail(w, "cancel of own booking %llu -> %d %s; words%s",
              (unsigned long long)r->id, rc, tix_strerror(rc), words);
        return;
    }
    r->cancelled = 1;
    w->cancels++;
    if (rnd(w, 4) == 0 &&
        (rc = tix_booking_cancel(w->sh->db, r->id)) != TIX_EALREADY)
        wfail(w, "second cancel of %llu -> %d", (unsigned long long)r->id, rc);
}

/* Does something with a hold we own; returns 1 when the handle was kept
 * (parked to be used later, after the clock moved). */
static int act_on_hold(worker *w, tix_hold *h, int parked_ok)
{
    shared *sh = w->sh;
    int rc;
    uint32_t what = rnd(w, 100);
    if (what < 28) {
        do_confirm_sync(w, h);
    } else if (what < 45) {
        do_confirm_async(w, h);
    } else if (what < 70) {
        if ((rc = tix_hold_release(sh->db, h))) wfail(w, "release -> %d", rc);
        w->releases++;
    } else if (what < 80) {
        rc = tix_hold_extend(sh->db, h, 5 + rnd(w, 30));
        if (rc == TIX_OK) {
            w->extends++;
            if (rnd(w, 2)) do_confirm_sync(w, h);
            else if ((rc = tix_hold_release(sh->db, h)))
                wfail(w, "release -> %d", rc);
        } else if (rc != TIX_EEXPIRED ||
                   (clock_now() < tix_hold_expires(h) && !sh->overruns_ok)) {
            /* EEXPIRED only for a hold that has run out (or lost a seat to
             * a booking that outlived its lease) */
            wfail(w, "extend -> %d", rc);
        }
    } else if (what < 92 && parked_ok) {
        return 1;
    } else {
        w->abandoned++; /* let it expire */
    }
    return 0;
}

#define PARK 4

static void *worker_main(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    tix_hold *parked[PARK] = {0};
    while (!atomic_load(&sh->go)) sched_yield();
    for (unsigned op = 0; op < sh->ops; op++) {
        /* The clock runs faster when leases may run out, so they do. */
        if (rnd(w, 100) < (sh->overruns_ok ? 10 : 5))
            clock_advance(1 + rnd(w, sh->overruns_ok ? 8 : 4));
        uint32_t r = rnd(w, 100);
        if (r < 18) {
            do_cancel(w);
            continue;
        }
        if (r < 30) {
            /* A hold parked a while ago: it may have run out meanwhile
             * (late confirm of free seats works; of taken ones fails). */
            uint32_t k = rnd(w, PARK);
            if (parked[k]) {
                w->late++;
                if (!act_on_hold(w, parked[k], 1)) {
                    tix_hold_free(parked[k]);
                    parked[k] = NULL;
                }
                continue;
            }
        }
        /* Get a hold: explicit seats or best available. */
        tix_hold *h = NULL;
        int rc;
        uint32_t ttl = rnd(w, 3) ? 5 + rnd(w, 40) : 0;
        uint32_t seats[MAX_HOLD], n;
        if (rnd(w, 10) < 6) {
            n = pick_seats(w, seats);
            tix_hold_opts ho = {.ttl = ttl};
            rc = tix_hold_create(sh->db, sh->show, seats, n, &ho, &h);
            if (rc == TIX_OK) {
                w->holds++;
                qsort(seats, n, sizeof *seats, cmp_u32);
                if (tix_hold_count(h) != n)
                    wfail(w, "hold has %zu seats, asked %u", tix_hold_count(h), n);
                for (uint32_t i = 0; i < n && i < tix_hold_count(h); i++)
                    if (tix_hold_seat(h, i) != seats[i])
                        wfail(w, "hold seat %u is %u", i, tix_hold_seat(h, i));
            }
        } else {
            n = 1 + rnd(w, MAX_HOLD);
            tix_best_opts bo = {.ttl = ttl};
            switch (rnd(w, 3)) {
            case 0: break;
            case 1: bo.tier_id = rnd(w, 2) ? sh->tier_cheap : sh->tier_gold; break;
            default: bo.flags = TIX_BEST_ANY_TIER;
            }
            rc = tix_hold_best(sh->db, sh->show, n, &bo, &h);
            if (rc == TIX_OK) {
                w->best_holds++;
                /* n adjacent seats of one row */
                uint32_t first = tix_hold_seat(h, 0);
                if (tix_hold_count(h) != n)
                    wfail(w, "best hold has %zu seats, asked %u",
                          tix_hold_count(h), n);
                for (uint32_t i = 1; i < tix_hold_count(h); i++)
                    if (tix_hold_seat(h, i) != first + i ||
                        tix_hold_seat(h, i) / PER_ROW != first / PER_ROW)
                        wfail(w, "best hold seats not adjacent in a row");
            }
        }
        if (rc == TIX_ECONFLICT) {
            if (h) wfail(w, "failed hold returned a handle");
            w->conflicts++;
            continue;
        }
        if (rc) {
            wfail(w, "hold -> %d %s", rc, tix_strerror(rc));
            continue;
        }
        if (!sh->overruns_ok && rnd(w, 20) == 0) check_held(w, h);
        uint32_t k = rnd(w, PARK);
        if (act_on_hold(w, h, !parked[k])) parked[k] = h;
        else tix_hold_free(h);
    }
    for (int k = 0; k < PARK; k++) tix_hold_free(parked[k]);
    return NULL;
}

/* ---- the cross-checks -------------------------------------------------- */

/* For failure messages: the seat's raw word and every booking (live or
 * cancelled) that ever had the seat. Static buffer. */
static const char *describe_seat(fixture *f, const tix_booking_list *l,
                                 uint32_t s)
{
    static char buf[512];
    const tix__show_entry *e;
    size_t len = 0;
    if (tix__engine_show(f->s.db, f->show, &e) == TIX_OK) {
        uint64_t w = tix__w_load(&e->seats[s]);
        len += (size_t)snprintf(buf, sizeof buf, "word state %u exp %u tag %u;",
                                tix__w_state(w), tix__w_exp(w), tix__w_tag(w));
    }
    for (size_t i = 0; i < l->count && len < sizeof buf - 64; i++)
        for (size_t k = 0; k < l->items[i].n_seats; k++)
            if (l->items[i].seats[k].seat == s)
                len += (size_t)snprintf(buf + len, sizeof buf - len,
                                        " booking %llu %s;",
                                        (unsigned long long)l->items[i].id,
                                        l->items[i].status == TIX_BOOKING_CONFIRMED
                                            ? "confirmed" : "cancelled");
    return buf;
}

/* Checks that LMDB bookings, LMDB seat rows, seats.map and the
 * availability counts agree, that no seat is in two live bookings and
 * that every booking a worker reported is there as it should be. Returns
 * the number of live bookings. */
static size_t check_store(fixture *f, worker *ws, int nw)
{
    tix_db *db = f->s.db;
    tix_booking_list *l;
    assert_ok(tix_booking_list_by_show(db, f->show, &l));
    tix_id owner[N_SEATS] = {0};
    size_t live = 0, owned = 0;
    for (size_t i = 0; i < l->count; i++) {
        const tix_booking *b = &l->items[i];
        assert_int_equal(b->show_id, f->show);
        assert_true(b->status == TIX_BOOKING_CONFIRMED ||
                    b->status == TIX_BOOKING_CANCELLED);
        assert_true(b->n_seats >= 1 && b->n_seats <= MAX_HOLD);
        assert_true(b->n_tickets >= 1);
        size_t in_tickets = 0;
        for (size_t t = 0; t < b->n_tickets; t++) in_tickets += b->tickets[t].n_seats;
        assert_int_equal(in_tickets, b->n_seats);
        if (b->status != TIX_BOOKING_CONFIRMED) continue;
        live++;
        for (size_t k = 0; k < b->n_seats; k++) {
            uint32_t s = b->seats[k].seat;
            assert_true(s < N_SEATS);
            if (owner[s])
                fail_msg("seat %u is in live bookings %llu and %llu", s,
                         (unsigned long long)owner[s], (unsigned long long)b->id);
            owner[s] = b->id;
            owned++;
        }
    }

    /* seats.map (public view) against the bookings */
    uint8_t st[N_SEATS];
    assert_ok(tix_show_seat_states(db, f->show, st, sizeof st));
    uint32_t cnt[5] = {0};
    for (uint32_t s = 0; s < N_SEATS; s++) {
        assert_true(st[s] <= TIX_SEAT_UNAVAILABLE);
        cnt[st[s]]++;
        if (st[s] == TIX_SEAT_CONFIRMING)
            fail_msg("seat %u still CONFIRMING with nothing in flight", s);
        if ((st[s] == TIX_SEAT_BOOKED) != (owner[s] != 0))
            fail_msg("seat %u: state %d but live booking %llu (%s)", s, st[s],
                     (unsigned long long)owner[s], describe_seat(f, l, s));
    }
    /* raw words and LMDB seat rows name the owning booking */
    const tix__show_entry *e;
    assert_ok(tix__engine_show(db, f->show, &e));
    MDB_txn *txn;
    assert_ok(tix__db_read_begin(db, &txn));
    for (uint32_t s = 0; s < N_SEATS; s++) {
        uint64_t truth, w = tix__w_load(&e->seats[s]);
        int rc = tix__engine_truth(db, txn, e, s, &truth);
        if (rc) {
            tix__db_read_end(db, txn);
            fail_msg("seat_truth(%u) -> %d", s, rc);
        }
        uint64_t want = owner[s] ? tix__w_make(TIX_W_BOOKED, 0, (uint32_t)owner[s])
                                 : tix__w_make(TIX_W_FREE, 0, 0);
        if (truth != want || (owner[s] && w != want)) {
            tix__db_read_end(db, txn);
            fail_msg("seat %u: LMDB row %llx, word %llx, want %llx", s,
                     (unsigned long long)truth, (unsigned long long)w,
                     (unsigned long long)want);
        }
    }
    tix__db_read_end(db, txn);

    /* availability counts against the state array and the bookings */
    tix_avail *a;
    assert_ok(tix_show_availability(db, f->show, &a));
    assert_int_equal(a->all.total, N_SEATS);
    assert_int_equal(a->all.booked, cnt[TIX_SEAT_BOOKED]);
    assert_int_equal(a->all.booked, owned);
    assert_int_equal(a->all.held, cnt[TIX_SEAT_HELD] + cnt[TIX_SEAT_CONFIRMING]);
    assert_int_equal(a->all.free, cnt[TIX_SEAT_FREE]);
    assert_int_equal(a->all.unavailable, cnt[TIX_SEAT_UNAVAILABLE]);
    uint32_t sum[4] = {0};
    for (size_t t = 0; t < a->n_tiers; t++) {
        sum[0] += a->tiers[t].free;
        sum[1] += a->tiers[t].held;
        sum[2] += a->tiers[t].booked;
        sum[3] += a->tiers[t].total;
    }
    assert_int_equal(sum[0], a->all.free);
    assert_int_equal(sum[1], a->all.held);
    assert_int_equal(sum[2], a->all.booked);
    assert_int_equal(sum[3], a->all.total);
    tix_avail_free(a);

    /* every booking a worker knows about, as the worker left it */
    size_t known_live = 0;
    for (int t = 0; t < nw; t++)
        for (size_t i = 0; i < ws[t].n_recs; i++) {
            const rec *r = &ws[t].recs[i];
            tix_booking *b;
            if (r->id == 0) {
                /* fire and forget: booked or not, never half */
                int rc = tix_booking_find_payment(db, r->ref, &b);
                if (rc == TIX_ENOTFOUND) continue;
                assert_ok(rc);
                assert_int_equal(b->status, TIX_BOOKING_CONFIRMED);
            } else {
                assert_ok(tix_booking_get(db, r->id, &b));
                assert_string_equal(b->payment_ref, r->ref);
                assert_int_equal(b->status, r->cancelled ? TIX_BOOKING_CANCELLED
                                                         : TIX_BOOKING_CONFIRMED);
                if (r->cancelled) {
                    assert_true(b->cancelled_at != 0);
                    tix_booking_free(b);
                    continue;
                }
            }
            assert_int_equal(b->n_seats, r->n);
            for (uint32_t k = 0; k < r->n; k++) {
                assert_int_equal(b->seats[k].seat, r->seats[k]);
                assert_int_equal(owner[r->seats[k]], b->id);
            }
            known_live++;
            tix_booking_free(b);
        }
    /* ... and no live booking nobody asked for */
    assert_int_equal(known_live, live);
    tix_booking_list_free(l);
    return live;
}

/* After every hold has run out, every seat that is not booked can be held
 * again: nothing is stuck. */
static void check_all_unbooked_seats_holdable(fixture *f)
{
    clock_advance(4000); /* past hold_ttl_max and any lease */
    uint8_t st[N_SEATS];
    assert_ok(tix_show_seat_states(f->s.db, f->show, st, sizeof st));
    uint32_t batch[10], n = 0, booked = 0;
    for (uint32_t s = 0; s <= N_SEATS; s++) {
        if (s < N_SEATS && st[s] == TIX_SEAT_BOOKED) {
            booked++;
            continue;
        }
        if (s < N_SEATS) {
            assert_int_equal(st[s], TIX_SEAT_FREE);
            batch[n++] = s;
        }
        if (n == 10 || (s == N_SEATS && n)) {
            tix_hold *h;
            assert_ok(tix_hold_create(f->s.db, f->show, batch, n, NULL, &h));
            assert_ok(tix_hold_release(f->s.db, h));
            tix_hold_free(h);
            n = 0;
        }
    }
    tix_avail *a;
    assert_ok(tix_show_availability(f->s.db, f->show, &a));
    assert_int_equal(a->all.booked, booked);
    assert_int_equal(a->all.free + a->all.booked, N_SEATS);
    tix_avail_free(a);
}

static void hammer(fixture *f, int overruns_ok)
{
    shared sh = {.db = f->s.db, .show = f->show, .user = f->user,
                 .tier_cheap = f->c.tier_cheap, .tier_gold = f->c.tier_gold,
                 .ops = env_uint("TIX_CONC_OPS", 700),
                 .seed = env_uint("TIX_CONC_SEED", (unsigned)time(NULL)),
                 .overruns_ok = overruns_ok};
    print_message("threads: %d x %u ops, TIX_CONC_SEED=%u\n", N_THREADS,
                  sh.ops, sh.seed);
    /* Seat 299 sits out the run (admin-blocked) so that afterwards it can
     * carry the barrier confirm below. */
    const uint32_t barrier_seat = N_SEATS - 1;
    assert_ok(tix_seats_block(f->s.db, f->show, &barrier_seat, 1));
    /* ws[N_THREADS] holds the main thread's own booking (the barrier). */
    worker *ws = calloc(N_THREADS + 1, sizeof *ws);
    for (int t = 0; t < N_THREADS; t++) {
        ws[t].sh = &sh;
        ws[t].idx = t;
        ws[t].rng = ((uint64_t)sh.seed << 20) ^ (0x9E3779B97F4A7C15ull * (t + 1));
        if (!ws[t].rng) ws[t].rng = 1;
        assert_int_equal(pthread_create(&ws[t].thread, NULL, worker_main, &ws[t]), 0);
    }
    atomic_store(&sh.go, 1);
    for (int t = 0; t < N_THREADS; t++) pthread_join(ws[t].thread, NULL);

    int failures = 0;
    unsigned tot[15] = {0};
    for (int t = 0; t < N_THREADS; t++) {
        worker *w = &ws[t];
        for (int k = 0; k < w->failures && k < 3; k++)
            print_error("thread %d: %s\n", t, w->fail[k]);
        failures += w->failures;
        unsigned v[15] = {w->holds, w->best_holds, w->conflicts, w->confirms,
                          w->async_confirms, w->confirm_expired, w->dup_confirms,
                          w->releases, w->extends, w->cancels, w->abandoned,
                          w->forgotten, w->late, w->overruns, w->slow};
        for (int k = 0; k < 15; k++) tot[k] += v[k];
    }
    print_message("holds %u best %u conflicts %u confirms %u async %u "
                  "expired %u dup %u releases %u extends %u cancels %u "
                  "abandoned %u forgotten %u late %u tolerated %u "
                  "outlived-lease %u\n",
                  tot[0], tot[1], tot[2], tot[3], tot[4], tot[5], tot[6],
                  tot[7], tot[8], tot[9], tot[10], tot[11], tot[12], tot[13],
                  tot[14]);
    assert_int_equal(failures, 0);
    /* The mix really happened. */
    assert_true(tot[3] > 0 && tot[4] > 0 && tot[9] > 0 && tot[2] > 0 &&
                tot[5] > 0 && tot[12] > 0);
    if (!overruns_ok) assert_int_equal(tot[13], 0);

    /* Fire-and-forget confirms may still be in the committer's queue. The
     * queue is FIFO and a batch settles its seat words before it marks any
     * of its confirms done, so once a confirm submitted now is done, all of
     * them have landed. */
    assert_ok(tix_seats_unblock(f->s.db, f->show, &barrier_seat, 1));
    tix_hold *bh;
    assert_ok(tix_hold_create(f->s.db, f->show, &barrier_seat, 1, NULL, &bh));
    tix_confirm_opts bo = {.user_id = f->user, .payment_ref = "barrier"};
    tix_id bid;
    assert_ok(tix_hold_confirm(f->s.db, bh, &bo, &bid));
    ws[N_THREADS].sh = &sh;
    ws[N_THREADS].idx = N_THREADS;
    record_confirm(&ws[N_THREADS], bid, bh, "barrier");
    assert_int_equal(ws[N_THREADS].failures, 0);
    tix_hold_free(bh);

    size_t live = check_store(f, ws, N_THREADS + 1);
    print_message("live bookings at the end: %zu\n", live);
    /* plus the shared invariants: one outbox event per committed change,
     * tix check (tests/util/invariants.c) */
    tt_inv_assert(f->s.db, &(tt_inv_opts){.run_check = 1}, NULL);
    check_all_unbooked_seats_holdable(f);
    check_store(f, ws, N_THREADS + 1); /* still consistent after the expiry */
    for (int t = 0; t <= N_THREADS; t++) free(ws[t].recs);
    free(ws);
}

static void threads_hammer_strict(void **state) { hammer(*state, 0); }
static void threads_hammer_lease_overruns(void **state) { hammer(*state, 1); }

/* ---- leases outlived by a stalled commit ------------------------------- */

/* Holds LMDB's single writer lock from a test thread, so that the group
 * committer (or a cancel) blocks at the start of its write transaction. */
typedef struct blocker {
    tix_db *db;
    pthread_t thread;
    _Atomic int inside, release;
    int rc;
} blocker;

static int block_fn(tix_db *db, MDB_txn *txn, void *arg)
{
    (void)db;
    (void)txn;
    blocker *b = arg;
    atomic_store(&b->inside, 1);
    while (!atomic_load(&b->release)) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return TIX_OK;
}

static void *blocker_main(void *arg)
{
    blocker *b = arg;
    b->rc = tix__db_write(b->db, block_fn, b);
    return NULL;
}

static void blocker_start(blocker *b, tix_db *db)
{
    memset(b, 0, sizeof *b);
    b->db = db;
    assert_int_equal(pthread_create(&b->thread, NULL, blocker_main, b), 0);
    while (!atomic_load(&b->inside)) sched_yield();
}

static void blocker_stop(blocker *b)
{
    atomic_store(&b->release, 1);
    pthread_join(b->thread, NULL);
    assert_ok(b->rc);
}

/* Waits (bounded) until seat @p s reads @p want. */
static int wait_state(fixture *f, uint32_t s, int want)
{
    for (int i = 0; i < 5000; i++) {
        uint8_t st[N_SEATS];
        assert_ok(tix_show_seat_states(f->s.db, f->show, st, sizeof st));
        if (st[s] == want) return 1;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

static uint8_t state_of(fixture *f, uint32_t s)
{
    uint8_t st[N_SEATS];
    assert_ok(tix_show_seat_states(f->s.db, f->show, st, sizeof st));
    return st[s];
}

/* A confirm whose commit stalls past confirm_lease: meanwhile a reader
 * meets the run-out CONFIRMING word and repairs it from LMDB (where the
 * booking is not yet), so it reads FREE. When the commit then lands, the
 * booking exists and the seat must read BOOKED again (not stay FREE for
 * someone else to be offered), and the booking must be cancellable. */
static void confirm_outliving_its_lease_still_books(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    uint32_t seats[] = {7, 8};
    tix_hold *h;
    assert_ok(tix_hold_create(db, f->show, seats, 2, NULL, &h));

    blocker b;
    blocker_start(&b, db);
    tix_confirm_opts o = {.user_id = f->user, .payment_ref = "slow-commit"};
    tix_confirm *c;
    assert_ok(tix_confirm_submit(db, h, &o, &c));
    assert_int_equal(state_of(f, 7), TIX_SEAT_CONFIRMING);
    tix_id id = 0;
    assert_int_equal(tix_confirm_poll(c, &id), TIX_EAGAIN);

    clock_advance(31); /* confirm_lease is 30 s */
    assert_int_equal(state_of(f, 7), TIX_SEAT_FREE); /* repaired from LMDB */

    blocker_stop(&b);
    assert_ok(tix_confirm_wait(c, 10000, &id));
    tix_confirm_free(c);
    assert_true(id != 0);
    tix_booking *bk;
    assert_ok(tix_booking_get(db, id, &bk));
    assert_int_equal(bk->status, TIX_BOOKING_CONFIRMED);
    tix_booking_free(bk);

    /* seats.map agrees with LMDB again */
    assert_int_equal(state_of(f, 7), TIX_SEAT_BOOKED);
    assert_int_equal(state_of(f, 8), TIX_SEAT_BOOKED);
    tix_hold *h2 = NULL;
    assert_code(tix_hold_create(db, f->show, seats, 1, NULL, &h2),
                TIX_ECONFLICT);
    tix_avail *a;
    assert_ok(tix_show_availability(db, f->show, &a));
    assert_int_equal(a->all.booked, 2);
    tix_avail_free(a);
    /* and the booking can be cancelled (cancel needs BOOKED words) */
    assert_ok(tix_booking_cancel(db, id));
    assert_int_equal(state_of(f, 7), TIX_SEAT_FREE);
    assert_ok(tix_hold_create(db, f->show, seats, 2, NULL, &h2));
    tix_hold_free(h2);
    tix_hold_free(h);
}

/* A confirm outlives its lease; its seats are repaired to FREE and a
 * second hold takes *both* of them and confirms too, in the same batch
 * behind the first. The first books the seats; the second must fail, and
 * every seat must read BOOKED afterwards -- the one the second confirm
 * found taken in LMDB and the other one it had taken too. */
static void overlapping_confirm_after_lease_ran_out_heals_every_seat(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    uint32_t seats[] = {70, 71, 72};
    tix_hold *h1, *h2;
    assert_ok(tix_hold_create(db, f->show, seats, 3, NULL, &h1));
    blocker b;
    blocker_start(&b, db);
    tix_confirm *c1, *c2;
    tix_confirm_opts o1 = {.user_id = f->user, .payment_ref = "first"};
    assert_ok(tix_confirm_submit(db, h1, &o1, &c1));
    clock_advance(31);
    assert_int_equal(state_of(f, 71), TIX_SEAT_FREE); /* repaired */
    tix_hold_opts ho = {.ttl = 600};
    assert_ok(tix_hold_create(db, f->show, seats, 3, &ho, &h2));
    tix_confirm_opts o2 = {.user_id = f->user, .payment_ref = "second"};
    assert_ok(tix_confirm_submit(db, h2, &o2, &c2));
    blocker_stop(&b);
    tix_id id1 = 0, id2 = 0;
    assert_ok(tix_confirm_wait(c1, 10000, &id1));
    int rc2 = tix_confirm_wait(c2, 10000, &id2);
    assert_true(rc2 == TIX_ECONFLICT || rc2 == TIX_EEXPIRED);
    tix_confirm_free(c1);
    tix_confirm_free(c2);
    for (uint32_t i = 0; i < 3; i++)
        if (state_of(f, seats[i]) != TIX_SEAT_BOOKED)
            fail_msg("seat %u of booking %llu reads %d", seats[i],
                     (unsigned long long)id1, state_of(f, seats[i]));
    assert_ok(tix_booking_cancel(db, id1)); /* needs all three BOOKED */
    tix_hold_free(h1);
    tix_hold_free(h2);
}

struct cancel_arg {
    tix_db *db;
    tix_id id;
    int rc;
};

static void *cancel_main(void *arg)
{
    struct cancel_arg *a = arg;
    a->rc = tix_booking_cancel(a->db, a->id);
    return NULL;
}

/* The same for a cancel: its lease runs out while its commit is stalled, a
 * reader repairs the seats to BOOKED (LMDB still has the booking), then
 * the cancel commits. The seats must end FREE and sellable, not BOOKED by
 * a cancelled booking forever. */
static void cancel_outliving_its_lease_still_frees(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    uint32_t seats[] = {40, 41, 42};
    tix_hold *h;
    assert_ok(tix_hold_create(db, f->show, seats, 3, NULL, &h));
    tix_confirm_opts o = {.user_id = f->user, .payment_ref = "to-cancel"};
    tix_id id;
    assert_ok(tix_hold_confirm(db, h, &o, &id));
    tix_hold_free(h);
    assert_int_equal(state_of(f, 41), TIX_SEAT_BOOKED);

    blocker b;
    blocker_start(&b, db);
    struct cancel_arg ca = {db, id, -999};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, cancel_main, &ca), 0);
    int leased = wait_state(f, 41, TIX_SEAT_CONFIRMING);
    if (!leased) {
        blocker_stop(&b);
        pthread_join(t, NULL);
        fail_msg("cancel never leased its seats (rc %d)", ca.rc);
    }
    clock_advance(31);
    assert_int_equal(state_of(f, 41), TIX_SEAT_BOOKED); /* repaired */
    blocker_stop(&b);
    pthread_join(t, NULL);
    assert_ok(ca.rc);

    tix_booking *bk;
    assert_ok(tix_booking_get(db, id, &bk));
    assert_int_equal(bk->status, TIX_BOOKING_CANCELLED);
    tix_booking_free(bk);
    for (uint32_t i = 0; i < 3; i++)
        assert_int_equal(state_of(f, seats[i]), TIX_SEAT_FREE);
    assert_ok(tix_hold_create(db, f->show, seats, 3, NULL, &h));
    assert_ok(tix_hold_confirm(db, h, &(tix_confirm_opts){.user_id = f->user,
                                                          .payment_ref = "rebook"},
                               &id));
    assert_int_equal(state_of(f, 40), TIX_SEAT_BOOKED);
    tix_hold_free(h);
}

/* Two cancels of one booking, the first outliving its lease: after the
 * repair put the stale BOOKED words back, the second cancel leases them
 * too. Whichever commits second finds the booking already cancelled; the
 * seats must still end FREE (LMDB has no rows for them any more). */
static void double_cancel_after_lease_ran_out_frees(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    uint32_t seats[] = {60, 61};
    tix_hold *h;
    assert_ok(tix_hold_create(db, f->show, seats, 2, NULL, &h));
    tix_confirm_opts o = {.user_id = f->user, .payment_ref = "double-cancel"};
    tix_id id;
    assert_ok(tix_hold_confirm(db, h, &o, &id));
    tix_hold_free(h);

    blocker b;
    blocker_start(&b, db);
    struct cancel_arg c1 = {db, id, -999}, c2 = {db, id, -999};
    pthread_t t1, t2;
    int started2 = 0;
    assert_int_equal(pthread_create(&t1, NULL, cancel_main, &c1), 0);
    int ok = wait_state(f, 60, TIX_SEAT_CONFIRMING);
    if (ok) {
        clock_advance(31);
        ok = state_of(f, 60) == TIX_SEAT_BOOKED; /* repaired */
    }
    if (ok) {
        assert_int_equal(pthread_create(&t2, NULL, cancel_main, &c2), 0);
        started2 = 1;
        ok = wait_state(f, 60, TIX_SEAT_CONFIRMING);
    }
    blocker_stop(&b);
    pthread_join(t1, NULL);
    if (started2) pthread_join(t2, NULL);
    assert_true(ok);
    /* one cancel did it, the other found it done */
    assert_true((c1.rc == TIX_OK && c2.rc == TIX_EALREADY) ||
                (c1.rc == TIX_EALREADY && c2.rc == TIX_OK));
    tix_booking *bk;
    assert_ok(tix_booking_get(db, id, &bk));
    assert_int_equal(bk->status, TIX_BOOKING_CANCELLED);
    tix_booking_free(bk);
    assert_int_equal(state_of(f, 60), TIX_SEAT_FREE);
    assert_int_equal(state_of(f, 61), TIX_SEAT_FREE);
    assert_ok(tix_hold_create(db, f->show, seats, 2, NULL, &h));
    tix_hold_free(h);
}

/* Many threads confirming at once, the very first confirms of the store:
 * the committer thread is started exactly once and every confirm lands. */
typedef struct first_arg {
    fixture *f;
    int idx;
    _Atomic int *go;
    int rc;
    tix_id id;
} first_arg;

static void *first_main(void *arg)
{
    first_arg *a = arg;
    while (!atomic_load(a->go)) sched_yield();
    uint32_t seat = (uint32_t)a->idx * 3;
    tix_hold *h;
    a->rc = tix_hold_create(a->f->s.db, a->f->show, &seat, 1, NULL, &h);
    if (a->rc) return NULL;
    char ref[32];
    snprintf(ref, sizeof ref, "first-%d", a->idx);
    tix_confirm_opts o = {.user_id = a->f->user, .payment_ref = ref};
    a->rc = tix_hold_confirm(a->f->s.db, h, &o, &a->id);
    tix_hold_free(h);
    return NULL;
}

static void first_confirms_race_committer_start(void **state)
{
    fixture *f = *state;
    for (int round = 0; round < 3; round++) {
        if (round) { /* a fresh store each round: no committer yet */
            teardown(state);
            setup(state);
            f = *state;
        }
        _Atomic int go = 0;
        first_arg args[N_THREADS];
        pthread_t th[N_THREADS];
        for (int t = 0; t < N_THREADS; t++) {
            args[t] = (first_arg){.f = f, .idx = t, .go = &go};
            assert_int_equal(pthread_create(&th[t], NULL, first_main, &args[t]), 0);
        }
        atomic_store(&go, 1);
        for (int t = 0; t < N_THREADS; t++) pthread_join(th[t], NULL);
        for (int t = 0; t < N_THREADS; t++) {
            assert_ok(args[t].rc);
            for (int u = 0; u < t; u++) assert_true(args[t].id != args[u].id);
        }
        tix_booking_list *l;
        assert_ok(tix_booking_list_by_show(f->s.db, f->show, &l));
        assert_int_equal(l->count, N_THREADS);
        tix_booking_list_free(l);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(first_confirms_race_committer_start, setup, teardown),
        cmocka_unit_test_setup_teardown(confirm_outliving_its_lease_still_books, setup, teardown),
        cmocka_unit_test_setup_teardown(cancel_outliving_its_lease_still_frees, setup, teardown),
        cmocka_unit_test_setup_teardown(double_cancel_after_lease_ran_out_frees, setup, teardown),
        cmocka_unit_test_setup_teardown(overlapping_confirm_after_lease_ran_out_heals_every_seat, setup, teardown),
        cmocka_unit_test_setup_teardown(threads_hammer_strict, setup_strict, teardown),
        cmocka_unit_test_setup_teardown(threads_hammer_lease_overruns, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
