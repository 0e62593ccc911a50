/* Fault injection over a whole booking flow (see fault.h for how calls
 * fail without touching the library).
 *
 * The flow: open (create) a store, build a catalog (places, venue,
 * screen, tiers, seats, movie, show, user), register an outbox consumer,
 * hold seats, round-trip the hold handle through its string, confirm it,
 * read the booking, hold best-available seats and confirm them
 * asynchronously, check a ticket in, cancel the second booking, read and
 * acknowledge the outbox, read availability and seat states, list the
 * user's bookings, trim the outbox, leave stale seat words behind (a
 * dead confirm's CONFIRMING lease, a sold seat FREE, a free seat BOOKED:
 * what a crash or a seats.map replaced under a running process leaves),
 * close, reopen (which repairs them from LMDB), read availability, close.
 *
 * A sweep runs the flow once per N = 1, 2, ... with the Nth call of one
 * kind failing (allocations, LMDB calls, system calls; and allocations
 * failing from the Nth on), until a run completes without reaching N.
 * For every N:
 *  - the step that met the fault returns a TIX_E* code with a message
 *    (or succeeds, when the library could retry: a full map grows), and
 *    the process never crashes;
 *  - a failed write changed nothing: every LMDB table is byte-for-byte
 *    as before (tt_digest), a failed hold left its seats free, a failed
 *    confirm left the hold in place, a failed cancel left the booking
 *    live, a failed check-in left the ticket unused;
 *  - with the fault gone, the failed step succeeds when run again and
 *    the rest of the flow completes: nothing was left stuck;
 *  - the store reopens and satisfies every invariant of
 *    tests/util/invariants.c, including the library's own check;
 *  - nothing leaks: under ASan, LeakSanitizer checks after every run.
 *
 * TIX_FAULT_MAX caps N per sweep (0 = until the flow completes).
 * TIX_FAULT_LEVEL=full (`make test-long`) gives every LMDB call site all
 * four of its errors and adds the persistent LMDB sweep; the default
 * (`make test`) gives each site two of them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "fault.h"
#include "invariants.h"
#include "journal.h"
#include "testutil.h"

/* LeakSanitizer's recoverable check, when linked (ASan builds). */
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

enum step {
    S_OPEN, S_COUNTRY, S_STATE, S_CITY, S_VENUE, S_SCREEN, S_TIER_A, S_TIER_B,
    S_SEATS, S_MOVIE, S_SHOW, S_USER, S_REGISTER, S_OFFER, S_HOLD, S_HANDLE,
    S_CONFIRM, S_BOOKING, S_HOLD_BEST, S_QUOTE, S_CONFIRM_ASYNC, S_CHECKIN,
    S_CANCEL, S_USER2, S_REVIEW, S_COMMENT, S_UPVOTE, S_SEARCH, S_RECOMMEND,
    S_NEARBY, S_OUTBOX, S_AVAIL, S_LIST, S_TRIM, S_DIRTY, S_CLOSE, S_REOPEN, S_AVAIL2,
    S_CLOSE2, S__COUNT
};

static const char *const step_names[S__COUNT] = {
    "open", "country", "state", "city", "venue", "screen", "tier A",
    "tier B", "seats", "movie", "show", "user", "register", "offer", "hold",
    "handle", "confirm", "booking", "hold best", "quote", "confirm async",
    "check-in", "cancel", "user 2", "review", "comment", "upvote", "search",
    "recommend", "nearby", "outbox", "availability", "list", "trim", "dirty", "close",
    "reopen", "availability 2", "close 2"};

/* What a failure of the step may not have changed. */
enum check { C_NONE, C_DIGEST, C_HOLD, C_HOLD_BEST, C_CONFIRM, C_CANCEL,
             C_CHECKIN };
static const enum check step_check[S__COUNT] = {
    [S_COUNTRY] = C_DIGEST, [S_STATE] = C_DIGEST, [S_CITY] = C_DIGEST,
    [S_VENUE] = C_DIGEST, [S_SCREEN] = C_DIGEST, [S_TIER_A] = C_DIGEST,
    [S_TIER_B] = C_DIGEST, [S_SEATS] = C_DIGEST, [S_MOVIE] = C_DIGEST,
    [S_SHOW] = C_DIGEST, [S_USER] = C_DIGEST, [S_REGISTER] = C_DIGEST,
    [S_OFFER] = C_DIGEST, [S_USER2] = C_DIGEST, [S_REVIEW] = C_DIGEST,
    [S_COMMENT] = C_DIGEST, [S_UPVOTE] = C_DIGEST,
    [S_HOLD] = C_HOLD, [S_CONFIRM] = C_CONFIRM, [S_HOLD_BEST] = C_HOLD_BEST,
    [S_CONFIRM_ASYNC] = C_CONFIRM, [S_CHECKIN] = C_CHECKIN,
    [S_CANCEL] = C_CANCEL, [S_OUTBOX] = C_NONE /* the ack: see below */,
};

#define N_SEATS 8

typedef struct flow {
    char dir[600];
    tix_db *db;
    tix_id country, state, city, venue, screen, tier_a, tier_b, movie, show,
        user, user2, offer, review, b1, b2;
    tix_hold *h1, *parsed, *h2;
    char code[TIX_TICKET_CODE_LEN + 1];
    uint64_t acked;
} flow;

static void flow_config(tix_config *cfg)
{
    tt_config(cfg); /* fake clock, TIX_SYNC_NONE */
    cfg->map_size = (size_t)1 << 20;
    cfg->seatmap_reserve = (size_t)4 << 20;
}

static int run_step(flow *f, int s)
{
    tix_db *db = f->db;
    int rc;
    switch (s) {
    case S_OPEN: {
        tix_config cfg;
        flow_config(&cfg);
        return tix_db_open(f->dir, &cfg, &f->db);
    }
    case S_COUNTRY: {
        tix_place p = {.kind = TIX_PLACE_COUNTRY, .name = "India",
                       .utc_offset_min = 330};
        return tix_place_create(db, &p, &f->country);
    }
    case S_STATE: {
        tix_place p = {.kind = TIX_PLACE_STATE, .parent_id = f->country,
                       .name = "Kerala", .utc_offset_min = 330};
        return tix_place_create(db, &p, &f->state);
    }
    case S_CITY: {
        tix_place p = {.kind = TIX_PLACE_CITY, .parent_id = f->state,
                       .name = "Kochi", .utc_offset_min = 330};
        return tix_place_create(db, &p, &f->city);
    }
    case S_VENUE: {
        tix_venue v = {.city_id = f->city, .name = "Lulu", .address = "Edappally",
                       .lat = 10.027, .lon = 76.308};
        return tix_venue_create(db, &v, &f->venue);
    }
    case S_SCREEN: {
        tix_screen sc = {.venue_id = f->venue, .name = "Screen 1",
                         .ideal_x = 2.5, .ideal_y = 1};
        return tix_screen_create(db, &sc, &f->screen);
    }
    case S_TIER_A: {
        tix_tier t = {.screen_id = f->screen, .name = "Classic",
                      .price_minor = 18000, .currency = "INR"};
        return tix_tier_create(db, &t, &f->tier_a);
    }
    case S_TIER_B: {
        tix_tier t = {.screen_id = f->screen, .name = "Prime",
                      .price_minor = 26000, .currency = "INR"};
        return tix_tier_create(db, &t, &f->tier_b);
    }
    case S_SEATS: {
        tix_seat_spec a[4], b[4];
        for (uint32_t i = 0; i < 4; i++) {
            a[i] = (tix_seat_spec){.number = i + 1, .x = i + 1, .y = 0,
                                   .tier_id = f->tier_a};
            b[i] = (tix_seat_spec){.number = i + 1, .x = i + 1, .y = 1,
                                   .tier_id = f->tier_b,
                                   .flags = i == 0 ? TIX_SEAT_AISLE : 0};
        }
        tix_row_spec rows[2] = {{"A", a, 4}, {"B", b, 4}};
        return tix_seats_add_rows(db, f->screen, rows, 2, NULL);
    }
    case S_MOVIE: {
        const char *langs[] = {"Malayalam", "English"}, *genres[] = {"Drama"};
        tix_movie m = {.title = "Kumbalangi Nights", .duration_min = 135,
                       .certificate = "U", .synopsis = "Four brothers.",
                       .languages = langs, .n_languages = 2,
                       .genres = genres, .n_genres = 1};
        return tix_movie_create(db, &m, &f->movie);
    }
    case S_SHOW: {
        tix_show sh = {.movie_id = f->movie, .screen_id = f->screen,
                       .start = tt_now + 86400};
        return tix_show_create(db, &sh, &f->show);
    }
    case S_USER: {
        tix_user u = {.name = "Anu", .email = "anu@example.com",
                      .phone = "+919812345678", .home_city_id = f->city};
        return tix_user_create(db, &u, &f->user);
    }
    case S_REGISTER:
        return tix_outbox_register(db, "mail", 0);
    case S_OFFER: {
        tix_offer o = {.code = "PRIME20", .scope = TIX_OFFER_TIER,
                       .scope_id = f->tier_b, .percent = 20,
                       .cap_minor = 10000, .max_uses = 5,
                       .max_uses_per_user = 2};
        return tix_offer_create(db, &o, &f->offer);
    }
    case S_QUOTE: {
        tix_quote *q;
        uint32_t seats[2] = {tix_hold_seat(f->h2, 0), tix_hold_seat(f->h2, 1)};
        if ((rc = tix_price_quote(db, f->show, seats, 2, "prime20", f->user, &q)))
            return rc;
        tix_quote_free(q);
        return TIX_OK;
    }
    case S_USER2: {
        tix_user u = {.name = "Biju", .email = "biju@example.com",
                      .home_city_id = f->city};
        return tix_user_create(db, &u, &f->user2);
    }
    case S_REVIEW: {
        tix_review r = {.movie_id = f->movie, .user_id = f->user, .rating = 9,
                        .text = "Lovely, quiet film."};
        return tix_review_create(db, &r, &f->review);
    }
    case S_COMMENT: {
        tix_comment c = {.review_id = f->review, .user_id = f->user2,
                         .text = "Agreed!"};
        return tix_comment_create(db, &c, NULL);
    }
    case S_UPVOTE:
        return tix_review_upvote(db, f->review, f->user2);
    case S_SEARCH: {
        tix_search_result *r;
        if ((rc = tix_movie_search(db, "kumbal nig", NULL, &r))) return rc;
        int ok = r->count == 1;
        tix_search_result_free(r);
        return ok ? TIX_OK : TIX_ECORRUPT; /* a wrong answer: the test fails */
    }
    case S_RECOMMEND: {
        tix_recommendation_list *l;
        if ((rc = tix_recommend(db, f->user2, NULL, &l))) return rc;
        tix_recommendation_list_free(l);
        return TIX_OK;
    }
    case S_NEARBY: {
        tix_venue_near_list *l;
        if ((rc = tix_venue_nearby(db, 10.0, 76.3, 50, 0, &l))) return rc;
        int ok = l->count == 1;
        tix_venue_near_list_free(l);
        return ok ? TIX_OK : TIX_ECORRUPT;
    }
    case S_HOLD: {
        uint32_t seats[] = {2, 0, 1};
        return tix_hold_create(db, f->show, seats, 3, NULL, &f->h1);
    }
    case S_HANDLE: {
        char buf[TIX_HOLD_STRING_MAX];
        if ((rc = tix_hold_to_string(f->h1, buf, sizeof buf))) return rc;
        tix_hold_free(f->parsed);
        f->parsed = NULL;
        return tix_hold_from_string(buf, &f->parsed);
    }
    case S_CONFIRM: {
        tix_confirm_opts o = {.user_id = f->user, .payment_ref = "pay-1",
                              .seats_per_ticket = 1};
        return tix_hold_confirm(db, f->parsed, &o, &f->b1);
    }
    case S_BOOKING: {
        tix_booking *b;
        if ((rc = tix_booking_get(db, f->b1, &b))) return rc;
        memcpy(f->code, b->tickets[0].code, sizeof f->code);
        tix_booking_free(b);
        return TIX_OK;
    }
    case S_HOLD_BEST: {
        tix_best_opts o = {.tier_id = f->tier_b};
        return tix_hold_best(db, f->show, 2, &o, &f->h2);
    }
    case S_CONFIRM_ASYNC: {
        tix_confirm_opts o = {.user_id = f->user, .payment_ref = "pay-2",
                              .offer_code = "PRIME20"};
        tix_confirm *c;
        if ((rc = tix_confirm_submit(db, f->h2, &o, &c))) return rc;
        rc = tix_confirm_wait(c, -1, &f->b2);
        tix_confirm_free(c);
        return rc;
    }
    case S_CHECKIN: {
        tix_checkin ci;
        return tix_ticket_checkin(db, f->code, "Gate 3", &ci);
    }
    case S_CANCEL:
        return tix_booking_cancel(db, f->b2);
    case S_OUTBOX: {
        tix_event_list *l;
        if ((rc = tix_outbox_read(db, "mail", 10, &l))) return rc;
        uint64_t last = l->count ? l->items[l->count - 1].seq : 0;
        tix_event_list_free(l);
        if (!last) return TIX_ECORRUPT; /* the flow made events: a bug */
        if ((rc = tix_outbox_ack(db, "mail", last))) return rc;
        f->acked = last;
        return TIX_OK;
    }
    case S_AVAIL: {
        tix_avail *a;
        if ((rc = tix_show_availability(db, f->show, &a))) return rc;
        tix_avail_free(a);
        uint8_t st[N_SEATS];
        return tix_show_seat_states(db, f->show, st, sizeof st);
    }
    case S_LIST: {
        tix_booking_list *l;
        if ((rc = tix_booking_list_by_user(db, f->user, &l))) return rc;
        tix_booking_list_free(l);
        return TIX_OK;
    }
    case S_TRIM: {
        uint64_t removed;
        return tix_outbox_trim(db, &removed);
    }
    case S_DIRTY: {
        /* b1 holds seats 0-2, seats 3-7 are free: make three words stale
         * (no allocation, no LMDB call: the test writes the map itself) */
        const tix__show_entry *e;
        fault_pause();
        rc = tix__engine_show(db, f->show, &e);
        fault_resume();
        if (rc) return rc;
        atomic_store(&e->seats[0], tix__w_make(TIX_W_FREE, 0, 0));
        atomic_store(&e->seats[3], tix__w_make(TIX_W_CONFIRMING, 1, 77));
        atomic_store(&e->seats[6], tix__w_make(TIX_W_BOOKED, 0, 999));
        return TIX_OK;
    }
    case S_CLOSE:
    case S_CLOSE2:
        tix_db_close(db);
        f->db = NULL;
        return TIX_OK;
    case S_REOPEN:
        return run_step(f, S_OPEN);
    case S_AVAIL2: {
        tix_avail *a;
        if ((rc = tix_show_availability(db, f->show, &a))) return rc;
        int ok = a->all.booked == 3 && a->all.free == 5;
        tix_avail_free(a);
        return ok ? TIX_OK : TIX_ECORRUPT; /* the test fails: see run_once */
    }
    }
    return TIX_EINVAL;
}

/* ---- what a failed step may not have changed ----------------------------- */

typedef struct snap {
    uint64_t digest;
    uint8_t states[N_SEATS];
    int have_states;
} snap;

/* Only the hold-best step needs the seat states before it: reading them
 * earlier would initialise the show's seats.map region outside the armed
 * step that should do it (the first hold); before that hold every seat is
 * free (zeros = TIX_SEAT_FREE). */
static void take_snap(flow *f, snap *sn, int step)
{
    memset(sn, 0, sizeof *sn);
    if (!f->db) return;
    fault_pause();
    sn->digest = tt_digest(f->db);
    sn->have_states = step == S_HOLD ||
                      (step == S_HOLD_BEST &&
                       tix_show_seat_states(f->db, f->show, sn->states,
                                            N_SEATS) == TIX_OK);
    fault_resume();
}

/* After step @p s failed: the store is as it was. Runs unarmed. */
static void check_unchanged(flow *f, int s, const snap *before, const char *ctx)
{
    enum check c = step_check[s];
    if (c == C_NONE || !f->db) return;
    if (tt_digest(f->db) != before->digest)
        fail_msg("%s: failed %s changed LMDB", ctx, step_names[s]);
    if (!f->show) return;
    uint8_t st[N_SEATS];
    assert_ok(tix_show_seat_states(f->db, f->show, st, N_SEATS));
    switch (c) {
    case C_HOLD:
    case C_HOLD_BEST:
        /* a failed hold holds nothing */
        if (before->have_states && memcmp(st, before->states, N_SEATS))
            fail_msg("%s: failed %s changed seat states", ctx, step_names[s]);
        break;
    case C_CONFIRM: {
        const tix_hold *h = s == S_CONFIRM ? f->parsed : f->h2;
        for (size_t i = 0; i < tix_hold_count(h); i++)
            if (st[tix_hold_seat(h, i)] != TIX_SEAT_HELD)
                fail_msg("%s: failed %s left seat %u in state %d", ctx,
                         step_names[s], tix_hold_seat(h, i),
                         st[tix_hold_seat(h, i)]);
        break;
    }
    case C_CANCEL: {
        tix_booking *b;
        assert_ok(tix_booking_get(f->db, f->b2, &b));
        assert_int_equal(b->status, TIX_BOOKING_CONFIRMED);
        for (size_t i = 0; i < b->n_seats; i++)
            if (st[b->seats[i].seat] != TIX_SEAT_BOOKED)
                fail_msg("%s: failed cancel left seat %u in state %d", ctx,
                         b->seats[i].seat, st[b->seats[i].seat]);
        tix_booking_free(b);
        break;
    }
    case C_CHECKIN: {
        tix_booking *b;
        assert_ok(tix_booking_get(f->db, f->b1, &b));
        assert_int_equal(b->tickets[0].checked_in_at, 0);
        tix_booking_free(b);
        break;
    }
    default:
        break;
    }
}

/* ---- one run --------------------------------------------------------------- */

typedef struct tally {
    unsigned long runs, failed_steps, retried_ok, leaks_checked;
    unsigned long by_step[S__COUNT];
    unsigned long by_code[32]; /* -code */
} tally;

static void flow_free(flow *f)
{
    tix_hold_free(f->h1);
    tix_hold_free(f->parsed);
    tix_hold_free(f->h2);
    f->h1 = f->parsed = f->h2 = NULL;
}

/* Runs the flow with the Nth call of @p kinds failing. Returns 1 when the
 * fault was reached (run again with N + 1), 0 when the flow ended first. */
static int run_once(unsigned kinds, unsigned long n, int persistent,
                    unsigned variant, tally *t)
{
    flow f;
    memset(&f, 0, sizeof f);
    char *base = tt_tmpdir();
    snprintf(f.dir, sizeof f.dir, "%s/store", base);
    tt_now = 1767225600;
    char ctx[160];
    snprintf(ctx, sizeof ctx, "kinds %u variant %u N=%lu%s", kinds, variant,
             n, persistent ? " (persistent)" : "");

    int failed_at = -1, rc = TIX_OK;
    fault_arm(kinds, n, persistent, variant);
    for (int s = 0; s < S__COUNT; s++) {
        snap before;
        take_snap(&f, &before, s);
        unsigned long fired_before = fault_fired();
        rc = run_step(&f, s);
        if (rc == TIX_OK) {
            if (fault_fired() != fired_before && getenv("TIX_FAULT_VERBOSE"))
                print_message("%s: %s succeeded despite %s(%d)\n", ctx,
                              step_names[s], fault_what(), fault_error());
            continue;
        }
        fault_disarm();
        failed_at = s;
        if (!fault_fired())
            fail_msg("%s: %s -> %d (%s) with no fault injected: %s", ctx,
                     step_names[s], rc, tix_strerror(rc), tix_errmsg());
        if (rc > TIX_OK || rc < TIX_ETIMEDOUT || tix_errmsg()[0] == '\0')
            fail_msg("%s: %s -> %d, not a TIX_E* code with a message", ctx,
                     step_names[s], rc);
        if (getenv("TIX_FAULT_VERBOSE"))
            print_message("%s: %s failed by %s(%d) -> %d\n", ctx, step_names[s],
                          fault_what(), fault_error(), rc);
        snprintf(ctx + strlen(ctx), sizeof ctx - strlen(ctx),
                 ": %s failed by %s(%d) -> %s", step_names[s], fault_what(),
                 fault_error(), tix_strerror(rc));
        check_unchanged(&f, s, &before, ctx);
        break;
    }
    fault_disarm();
    int reached = fault_count() >= n;
    if (failed_at >= 0) {
        t->failed_steps++;
        t->by_step[failed_at]++;
        if (-rc < 32) t->by_code[-rc]++;
        /* The fault is gone: the step works again and the flow completes. */
        for (int s = failed_at; s < S__COUNT; s++) {
            rc = run_step(&f, s);
            if (rc)
                fail_msg("%s; then %s -> %s: %s", ctx, step_names[s],
                         tix_strerror(rc), tix_errmsg());
        }
        t->retried_ok++;
    }
    flow_free(&f);
    if (f.db) tix_db_close(f.db);
    /* reopen alone and check everything */
    tix_config cfg;
    flow_config(&cfg);
    tix_db *db;
    rc = tix_db_open(f.dir, &cfg, &db);
    if (rc) fail_msg("%s; reopen -> %s: %s", ctx, tix_strerror(rc), tix_errmsg());
    tt_inv_opts o = {.run_check = 1, .outbox_trimmed = 1};
    tt_inv_stats st;
    if (tt_inv_check(db, &o, &st)) fail_msg("%s; invariants broken", ctx);
    if (st.bookings != 2 || st.live != 1 || st.checked_in != 1)
        fail_msg("%s; after the flow: %zu bookings, %zu live, %zu checked in",
                 ctx, st.bookings, st.live, st.checked_in);
    tix_db_close(db);
    tt_rmrf(base);
    free(base);
    if (__lsan_do_recoverable_leak_check) {
        t->leaks_checked++;
        if (__lsan_do_recoverable_leak_check())
            fail_msg("%s: memory leaked (see the LeakSanitizer report)", ctx);
    }
    t->runs++;
    return reached;
}

static unsigned long env_ulong(const char *name, unsigned long def)
{
    const char *v = getenv(name);
    return v && *v ? strtoul(v, NULL, 0) : def;
}

static void sweep(unsigned kinds, int persistent, unsigned variant,
                  const char *label)
{
    tally t;
    memset(&t, 0, sizeof t);
    unsigned long max = env_ulong("TIX_FAULT_MAX", 0), n;
    for (n = 1; !max || n <= max; n++)
        if (!run_once(kinds, n, persistent, variant, &t)) break;
    char steps[600] = "", codes[300] = "";
    size_t len = 0;
    for (int s = 0; s < S__COUNT; s++)
        if (t.by_step[s])
            len += (size_t)snprintf(steps + len, sizeof steps - len, " %s:%lu",
                                    step_names[s], t.by_step[s]);
    len = 0;
    for (int c = 1; c < 32; c++)
        if (t.by_code[c])
            len += (size_t)snprintf(codes + len, sizeof codes - len, " %s:%lu",
                                    tix_strerror(-c), t.by_code[c]);
    print_message("%s (variant %u): %lu runs (calls 1..%lu failed), %lu steps failed and "
                  "recovered, %lu leak checks\n  failed steps:%s\n  codes:%s\n",
                  label, variant, t.runs, n, t.failed_steps, t.leaks_checked, steps,
                  codes);
    assert_true(t.runs > 1);
}

static void alloc_failures(void **state)
{
    (void)state;
    sweep(FAULT_ALLOC, 0, 0, "allocation fails once");
}

static void alloc_failures_persist(void **state)
{
    (void)state;
    sweep(FAULT_ALLOC, 1, 0, "allocations fail from N on");
}

static int full_level(void)
{
    const char *v = getenv("TIX_FAULT_LEVEL");
    return v && !strcmp(v, "full");
}

/* Every LMDB call site with each of the (up to four) errors its function
 * can return (two of them unless TIX_FAULT_LEVEL=full). */
static void lmdb_failures(void **state)
{
    (void)state;
    for (unsigned v = 0; v < (full_level() ? 4u : 2u); v++)
        sweep(FAULT_MDB, 0, v, "LMDB call fails once");
}

static void lmdb_failures_persist(void **state)
{
    (void)state;
    if (!full_level()) {
        print_message("skipped: TIX_FAULT_LEVEL=full runs it\n");
        return;
    }
    sweep(FAULT_MDB, 1, 0, "LMDB calls fail from N on");
}

static void syscall_failures(void **state)
{
    (void)state;
    for (unsigned v = 0; v < 4; v++) sweep(FAULT_SYS, 0, v, "system call fails once");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* before any fault: stdio allocates */
    /* Journal mode (TIX_TEST_DURABILITY=journal): a 1 MiB ring, so the
     * hundreds of opens do not each zero-fill the default 8 MiB. */
    if (tt_durability(TIX_SYNC_NONE) == TIX_SYNC_JOURNAL)
        tix__journal_tune(1u << 20, 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alloc_failures),
        cmocka_unit_test(alloc_failures_persist),
        cmocka_unit_test(lmdb_failures),
        cmocka_unit_test(lmdb_failures_persist),
        cmocka_unit_test(syscall_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
