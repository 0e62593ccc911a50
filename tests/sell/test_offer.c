/* lib/sell/offer.c and the confirm integration in lib/sell/booking.c: offer codes,
 * validation (every refusal leaves the store unchanged), price quotes,
 * discounts recorded at confirm, total and per-user limits counted in the
 * commit (two holds racing for the last use), cancel giving a use back,
 * version 1 bookings. Fixture prices: Silver 15000 (rows A-E, seats
 * 0..99), Gold 25000 (rows F-J, seats 100..199), INR. */
#include <pthread.h>
#include <stdio.h>

#include "db.h"
#include "tables.h"
#include "engine_fixture.h"

static tix_id make_offer(tix_db *db, const char *code, tix_offer_scope scope,
                         tix_id scope_id, uint32_t percent, int64_t amount,
                         int64_t cap)
{
    tix_offer o = {.code = code, .scope = scope, .scope_id = scope_id,
                   .percent = percent, .amount_minor = amount,
                   .cap_minor = cap};
    tix_id id;
    assert_ok(tix_offer_create(db, &o, &id));
    return id;
}

static tix_offer base_offer(fixture *f)
{
    return (tix_offer){.code = "SAVE10", .scope = TIX_OFFER_MOVIE,
                       .scope_id = f->c.movie, .percent = 10};
}

static uint32_t offer_uses(tix_db *db, tix_id id)
{
    tix_offer *o;
    assert_ok(tix_offer_get(db, id, &o));
    uint32_t n = o->uses;
    tix_offer_free(o);
    return n;
}

static tix_id other_user(fixture *f, const char *email)
{
    tix_user u = {.name = "Other", .email = email};
    tix_id id;
    assert_ok(tix_user_create(f->s.db, &u, &id));
    return id;
}

/* ---- create ---------------------------------------------------------------- */

static void offer_create_rejects_bad_input(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_offer o = base_offer(f);
    tix_id id;
    assert_rejected(db, tix_offer_create(db, NULL, &id), TIX_EINVAL, NULL);
    assert_rejected(db, tix_offer_create(NULL, &o, &id), TIX_EINVAL, NULL);
#define BAD(field_set, code, word)                                           \
    do {                                                                     \
        o = base_offer(f);                                                   \
        field_set;                                                           \
        assert_rejected(db, tix_offer_create(db, &o, &id), code, word);      \
    } while (0)
    BAD(o.code = NULL, TIX_EINVAL, "offer code");
    BAD(o.code = "AB", TIX_EINVAL, "shorter");
    BAD(o.code = "", TIX_EINVAL, "empty");
    BAD(o.code = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", TIX_ETOOLONG, "longer");
    BAD(o.code = "SAVE 10", TIX_EINVAL, "0x20");
    BAD(o.code = "SAVE_10", TIX_EINVAL, "0x5f");
    BAD(o.code = "\xc3\x84PFEL", TIX_EINVAL, "offer code");
    BAD(o.scope = 0, TIX_EINVAL, "scope");
    BAD(o.scope = 5, TIX_EINVAL, "scope");
    BAD(o.scope_id = 0, TIX_EINVAL, "scope_id");
    BAD(o.scope_id = 999, TIX_ENOTFOUND, "scope_id 999");
    BAD((o.scope = TIX_OFFER_TIER, o.scope_id = f->c.screen + 100),
        TIX_ENOTFOUND, "scope_id");
    BAD(o.percent = 0, TIX_ERANGE, "percent 0");
    BAD(o.percent = 101, TIX_ERANGE, "percent 101");
    BAD((o.percent = 0, o.amount_minor = -500), TIX_ERANGE, "amount_minor");
    BAD(o.amount_minor = 500, TIX_EINVAL, "not both");
    BAD(o.cap_minor = -1, TIX_ERANGE, "cap_minor");
    BAD((o.valid_from = 2000, o.valid_until = 2000), TIX_ERANGE, "valid_until");
    BAD((o.valid_from = 2000, o.valid_until = 1000), TIX_ERANGE, "valid_until");
#undef BAD
    /* Valid: the 32-byte code limit, lower case accepted and stored upper. */
    o = base_offer(f);
    o.code = "abcdefghijklmnopqrstuvwxyz-01234";
    assert_ok(tix_offer_create(db, &o, &id));
    o.code = "save10";
    o.max_uses = 5;
    o.max_uses_per_user = 2;
    o.valid_from = tt_now;
    o.valid_until = tt_now + 86400;
    o.cap_minor = 3000;
    tix_id save10;
    assert_ok(tix_offer_create(db, &o, &save10));
    o.code = "Save10";
    assert_rejected(db, tix_offer_create(db, &o, &id), TIX_EEXISTS, "SAVE10");

    tix_offer *got;
    assert_ok(tix_offer_get(db, save10, &got));
    assert_string_equal(got->code, "SAVE10");
    assert_int_equal(got->scope, TIX_OFFER_MOVIE);
    assert_int_equal(got->scope_id, f->c.movie);
    assert_int_equal(got->percent, 10);
    assert_true(got->cap_minor == 3000 && got->amount_minor == 0);
    assert_true(got->valid_from == tt_now && got->valid_until == tt_now + 86400);
    assert_int_equal(got->max_uses, 5);
    assert_int_equal(got->max_uses_per_user, 2);
    assert_int_equal(got->uses, 0);
    assert_true(got->created_at == tt_now);
    tix_offer_free(got);
    assert_ok(tix_offer_find_code(db, "sAvE10", &got));
    assert_int_equal(got->id, save10);
    tix_offer_free(got);
    got = (tix_offer *)1;
    assert_code(tix_offer_find_code(db, "NOPE1", &got), TIX_ENOTFOUND);
    assert_null(got);
    assert_code(tix_offer_find_code(db, "x!", &got), TIX_EINVAL);
    assert_code(tix_offer_get(db, 4242, &got), TIX_ENOTFOUND);
    tix_offer_list *l;
    assert_ok(tix_offer_list_all(db, 0, 0, &l));
    assert_int_equal(l->count, 2);
    assert_string_equal(l->items[0].code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ-01234");
    tix_offer_list_free(l);
    assert_ok(tix_offer_list_all(db, id, 10, &l));
    assert_int_equal(l->count, 1);
    tix_offer_list_free(l);
}

/* ---- quotes ---------------------------------------------------------------- */

static void quote_arithmetic(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    uint32_t seats[] = {0, 1, 150}; /* Silver, Silver, Gold */
    tix_quote *q;
    assert_ok(tix_price_quote(db, f->show, seats, 3, NULL, 0, &q));
    assert_int_equal(q->show_id, f->show);
    assert_int_equal(q->offer_id, 0);
    assert_string_equal(q->currency, "INR");
    assert_true(q->subtotal_minor == 55000 && q->discount_minor == 0);
    assert_true(q->fee_minor == 0 && q->total_minor == 55000);
    assert_int_equal(q->n_seats, 3);
    assert_int_equal(q->seats[2].seat, 150);
    assert_int_equal(q->seats[2].tier_id, f->c.tier_gold);
    assert_true(q->seats[0].price_minor == 15000);
    tix_quote_free(q);

    /* Percent on the whole show: 10% of 55000. */
    tix_id movie10 = make_offer(db, "MOVIE10", TIX_OFFER_MOVIE, f->c.movie, 10, 0, 0);
    assert_ok(tix_price_quote(db, f->show, seats, 3, "movie10", f->user, &q));
    assert_int_equal(q->offer_id, movie10);
    assert_true(q->discount_minor == 5500 && q->total_minor == 49500);
    assert_true(q->seats[0].in_scope && q->seats[2].in_scope);
    tix_quote_free(q);

    /* Percent on one tier, rounded down once on the in-scope sum:
     * 33% of 2 x 12345 = 8147.7 -> 8147. */
    tix_tier t = {.id = f->c.tier_cheap, .screen_id = f->c.screen,
                  .name = "Silver", .price_minor = 12345, .currency = "INR"};
    assert_ok(tix_tier_update(db, &t));
    make_offer(db, "SILVER33", TIX_OFFER_TIER, f->c.tier_cheap, 33, 0, 0);
    assert_ok(tix_price_quote(db, f->show, seats, 3, "SILVER33", 0, &q));
    assert_true(q->subtotal_minor == 12345 * 2 + 25000);
    assert_true(q->discount_minor == 8147);
    assert_true(q->seats[0].in_scope && q->seats[1].in_scope && !q->seats[2].in_scope);
    tix_quote_free(q);

    /* A fixed amount per seat, never more than the seat's price, capped:
     * min(20000, 12345) x 2 = 24690, cap 20000. */
    make_offer(db, "FLAT20K", TIX_OFFER_TIER, f->c.tier_cheap, 0, 20000, 20000);
    assert_ok(tix_price_quote(db, f->show, seats, 3, "FLAT20K", 0, &q));
    assert_true(q->discount_minor == 20000);
    tix_quote_free(q);
    make_offer(db, "FLAT500", TIX_OFFER_SCREEN, f->c.screen, 0, 500, 0);
    assert_ok(tix_price_quote(db, f->show, seats, 3, "FLAT500", 0, &q));
    assert_true(q->discount_minor == 1500);
    tix_quote_free(q);
    /* Percent with a cap; venue scope. */
    make_offer(db, "HALF", TIX_OFFER_VENUE, f->c.venue, 50, 0, 10000);
    assert_ok(tix_price_quote(db, f->show, seats, 3, "HALF", 0, &q));
    assert_true(q->discount_minor == 10000);
    assert_true(q->total_minor == 12345 * 2 + 25000 - 10000);
    tix_quote_free(q);
    /* 100% of a tier. */
    make_offer(db, "GOLDFREE", TIX_OFFER_TIER, f->c.tier_gold, 100, 0, 0);
    assert_ok(tix_price_quote(db, f->show, seats, 3, "GOLDFREE", 0, &q));
    assert_true(q->discount_minor == 25000);
    tix_quote_free(q);

    /* Fees come from the config, per seat, with or without an offer. */
    tix_db_close(f->s.db);
    tix_config cfg;
    tt_config(&cfg);
    cfg.fee_per_seat_minor = 1500;
    assert_ok(tix_db_open(f->s.dir, &cfg, &f->s.db));
    db = f->s.db;
    assert_ok(tix_price_quote(db, f->show, seats, 3, "MOVIE10", 0, &q));
    assert_true(q->fee_minor == 4500);
    assert_true(q->discount_minor == (12345 * 2 + 25000) / 10);
    assert_true(q->total_minor ==
                q->subtotal_minor - q->discount_minor + q->fee_minor);
    tix_quote_free(q);
    cfg.fee_per_seat_minor = -1;
    tix_db *bad;
    tix_db_close(f->s.db);
    assert_code(tix_db_open(f->s.dir, &cfg, &bad), TIX_EINVAL);
    cfg.fee_per_seat_minor = 0;
    assert_ok(tix_db_open(f->s.dir, &cfg, &f->s.db));
}

static void quote_refusals_are_specific(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    uint32_t seats[] = {0, 150};
    tix_quote *q = (tix_quote *)1;
    /* Another movie's offer does not apply to this show. */
    tix_movie m = {.title = "Other Movie", .duration_min = 90};
    tix_id other;
    assert_ok(tix_movie_create(db, &m, &other));
    make_offer(db, "OTHER", TIX_OFFER_MOVIE, other, 10, 0, 0);
    make_offer(db, "GOLD5", TIX_OFFER_TIER, f->c.tier_gold, 5, 0, 0);
    tix_offer o = {.code = "LATER", .scope = TIX_OFFER_MOVIE,
                   .scope_id = f->c.movie, .percent = 5,
                   .valid_from = tt_now + 100};
    assert_ok(tix_offer_create(db, &o, NULL));
    o.code = "GONE";
    o.valid_from = tt_now - 100;
    o.valid_until = tt_now; /* exclusive: over right now */
    assert_ok(tix_offer_create(db, &o, NULL));

    assert_rejected(db, tix_price_quote(db, f->show, seats, 2, "OTHER", 0, &q),
                    TIX_EINVAL, "OTHER");
    assert_null(q);
    uint32_t silver[] = {3};
    assert_rejected(db, tix_price_quote(db, f->show, silver, 1, "GOLD5", 0, &q),
                    TIX_EINVAL, "tier");
    assert_rejected(db, tix_price_quote(db, f->show, seats, 2, "NOSUCH", 0, &q),
                    TIX_ENOTFOUND, "NOSUCH");
    assert_rejected(db, tix_price_quote(db, f->show, seats, 2, "LATER", 0, &q),
                    TIX_EEXPIRED, "LATER");
    assert_rejected(db, tix_price_quote(db, f->show, seats, 2, "GONE", 0, &q),
                    TIX_EEXPIRED, "GONE");
    assert_rejected(db, tix_price_quote(db, f->show, seats, 2, "B@D", 0, &q),
                    TIX_EINVAL, "offer code");
    assert_rejected(db, tix_price_quote(db, 999, seats, 2, NULL, 0, &q),
                    TIX_ENOTFOUND, "show_id 999");
    assert_rejected(db, tix_price_quote(db, f->show, seats, 2, "GOLD5", 999, &q),
                    TIX_ENOTFOUND, "user_id 999");
    uint32_t out_of_range[] = {200};
    assert_rejected(db, tix_price_quote(db, f->show, out_of_range, 1, NULL, 0, &q),
                    TIX_EINVAL, "seat 200");
    uint32_t twice[] = {5, 5};
    assert_rejected(db, tix_price_quote(db, f->show, twice, 2, NULL, 0, &q),
                    TIX_EINVAL, "twice");
    assert_rejected(db, tix_price_quote(db, f->show, seats, 0, NULL, 0, &q),
                    TIX_EINVAL, NULL);
    assert_rejected(db, tix_price_quote(db, f->show, NULL, 2, NULL, 0, &q),
                    TIX_EINVAL, NULL);
    uint32_t many[11] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assert_rejected(db, tix_price_quote(db, f->show, many, 11, NULL, 0, &q),
                    TIX_ELIMIT, "hold_max_seats");
    assert_code(tix_price_quote(db, f->show, seats, 2, NULL, 0, NULL), TIX_EINVAL);
    /* "" is no offer. */
    assert_ok(tix_price_quote(db, f->show, seats, 2, "", 0, &q));
    assert_int_equal(q->offer_id, 0);
    tix_quote_free(q);
    /* Time moves into the window. */
    tt_now += 100;
    assert_ok(tix_price_quote(db, f->show, seats, 2, "LATER", 0, &q));
    assert_true(q->discount_minor == 40000 * 5 / 100);
    tix_quote_free(q);
}

/* ---- confirm ---------------------------------------------------------------- */

static int confirm_with(fixture *f, tix_hold *h, tix_id user, const char *ref,
                        const char *code, tix_id *bid)
{
    tix_confirm_opts o = {.user_id = user, .payment_ref = ref,
                          .offer_code = code};
    return tix_hold_confirm(f->s.db, h, &o, bid);
}

static void confirm_records_offer_and_counts_uses(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_offer o = {.code = "GOLD20", .scope = TIX_OFFER_TIER,
                   .scope_id = f->c.tier_gold, .percent = 20,
                   .max_uses_per_user = 1};
    tix_id offer;
    assert_ok(tix_offer_create(db, &o, &offer));
    uint32_t seats[] = {10, 110}; /* Silver + Gold */
    tix_hold *h = fx_hold(f, seats, 2);
    tix_quote *q;
    assert_ok(tix_price_quote(db, f->show, seats, 2, "gold20", f->user, &q));
    tix_id bid;
    assert_ok(confirm_with(f, h, f->user, "off-1", "gold20", &bid));
    tix_booking *b;
    assert_ok(tix_booking_get(db, bid, &b));
    assert_int_equal(b->offer_id, offer);
    assert_true(b->discount_minor == 5000);
    assert_true(b->fee_minor == 0);
    assert_true(b->total_minor == 40000 - 5000);
    assert_true(b->total_minor == q->total_minor);
    assert_true(b->seats[1].price_minor == 25000); /* the tier price */
    tix_booking_free(b);
    tix_quote_free(q);
    assert_int_equal(offer_uses(db, offer), 1);
    /* The same payment again returns the booking and counts nothing. */
    tix_id again;
    assert_ok(confirm_with(f, h, f->user, "off-1", "GOLD20", &again));
    assert_int_equal(again, bid);
    assert_int_equal(offer_uses(db, offer), 1);
    tix_hold_free(h);

    /* Per user: the second use by the same user is refused, at quote and
     * at confirm; the hold stays and nothing changes. */
    uint32_t s2[] = {120};
    h = fx_hold(f, s2, 1);
    assert_code(tix_price_quote(db, f->show, s2, 1, "GOLD20", f->user, &q),
                TIX_ELIMIT);
    assert_ok(tix_price_quote(db, f->show, s2, 1, "GOLD20", 0, &q)); /* anonymous */
    tix_quote_free(q);
    assert_rejected(db, confirm_with(f, h, f->user, "off-2", "GOLD20", &bid),
                    TIX_ELIMIT, "user");
    assert_int_equal(fx_state(f, 120), TIX_SEAT_HELD);
    tix_id ravi = other_user(f, "ravi@example.com");
    assert_ok(confirm_with(f, h, ravi, "off-2", "GOLD20", &bid));
    assert_int_equal(offer_uses(db, offer), 2);
    tix_hold_free(h);

    /* Cancel gives the use back: the first user may use it again. */
    tix_booking_list *bl;
    assert_ok(tix_booking_list_by_user(db, f->user, &bl));
    assert_ok(tix_booking_cancel(db, bl->items[0].id));
    tix_booking_list_free(bl);
    assert_int_equal(offer_uses(db, offer), 1);
    uint32_t s3[] = {130};
    h = fx_hold(f, s3, 1);
    assert_ok(confirm_with(f, h, f->user, "off-3", "GOLD20", &bid));
    assert_int_equal(offer_uses(db, offer), 2);
    tix_hold_free(h);

    /* Refusals at confirm name the offer and leave the hold. */
    uint32_t s4[] = {140};
    h = fx_hold(f, s4, 1);
    assert_rejected(db, confirm_with(f, h, f->user, "off-4", "NOSUCH", &bid),
                    TIX_ENOTFOUND, "NOSUCH");
    assert_rejected(db, confirm_with(f, h, f->user, "off-4", "no such", &bid),
                    TIX_EINVAL, "offer code");
    make_offer(db, "SILVERONLY", TIX_OFFER_TIER, f->c.tier_cheap, 5, 0, 0);
    assert_rejected(db, confirm_with(f, h, f->user, "off-4", "SILVERONLY", &bid),
                    TIX_EINVAL, "SILVERONLY");
    assert_int_equal(fx_state(f, 140), TIX_SEAT_HELD);
    /* No code (NULL or "") is a plain booking. */
    assert_ok(confirm_with(f, h, f->user, "off-4", "", &bid));
    assert_ok(tix_booking_get(db, bid, &b));
    assert_int_equal(b->offer_id, 0);
    assert_true(b->discount_minor == 0 && b->total_minor == 25000);
    tix_booking_free(b);
    tix_hold_free(h);
}

static void code_valid_at_quote_refused_at_confirm(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_offer o = {.code = "LASTONE", .scope = TIX_OFFER_SCREEN,
                   .scope_id = f->c.screen, .amount_minor = 1000,
                   .max_uses = 1, .valid_until = tt_now + 300};
    tix_id offer;
    assert_ok(tix_offer_create(db, &o, &offer));
    uint32_t a[] = {50}, b[] = {51}, c[] = {52};
    tix_hold *ha = fx_hold(f, a, 1), *hb = fx_hold(f, b, 1), *hc = fx_hold(f, c, 1);
    tix_quote *q;
    assert_ok(tix_price_quote(db, f->show, a, 1, "LASTONE", f->user, &q));
    tix_quote_free(q);
    assert_ok(tix_price_quote(db, f->show, b, 1, "LASTONE", f->user, &q));
    tix_quote_free(q);
    tix_id bid;
    tix_id ravi = other_user(f, "ravi@example.com");
    assert_ok(confirm_with(f, ha, ravi, "last-a", "LASTONE", &bid));
    assert_code(tix_price_quote(db, f->show, b, 1, "LASTONE", f->user, &q),
                TIX_ELIMIT);
    assert_rejected(db, confirm_with(f, hb, f->user, "last-b", "LASTONE", &bid),
                    TIX_ELIMIT, "LASTONE");
    assert_int_equal(fx_state(f, 51), TIX_SEAT_HELD);
    assert_ok(confirm_with(f, hb, f->user, "last-b", NULL, &bid));
    assert_int_equal(offer_uses(db, offer), 1);

    /* Valid at quote, expired by confirm time. */
    make_offer(db, "SOON", TIX_OFFER_SCREEN, f->c.screen, 10, 0, 0);
    tix_offer brief = {.code = "BRIEF", .scope = TIX_OFFER_MOVIE,
                       .scope_id = f->c.movie, .percent = 10,
                       .valid_from = tt_now, .valid_until = tt_now + 60};
    assert_ok(tix_offer_create(db, &brief, NULL));
    assert_ok(tix_price_quote(db, f->show, c, 1, "BRIEF", f->user, &q));
    tix_quote_free(q);
    tt_now += 60;
    assert_rejected(db, confirm_with(f, hc, f->user, "brief", "BRIEF", &bid),
                    TIX_EEXPIRED, "BRIEF");
    assert_int_equal(fx_state(f, 52), TIX_SEAT_HELD);
    assert_ok(confirm_with(f, hc, f->user, "brief", "SOON", &bid));
    tix_hold_free(ha);
    tix_hold_free(hb);
    tix_hold_free(hc);
}

/* Two holds race for the last use: asynchronously (often one batch) and
 * from two threads (often two batches); exactly one wins every time. */
struct racer {
    fixture *f;
    tix_hold *h;
    tix_id user;
    char ref[32];
    char code[16];
    pthread_barrier_t *go;
    int rc;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    pthread_barrier_wait(r->go);
    tix_id bid;
    r->rc = confirm_with(r->f, r->h, r->user, r->ref, r->code, &bid);
    return NULL;
}

static void two_holds_race_for_the_last_use(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_id ravi = other_user(f, "ravi@example.com");
    enum { ROUNDS = 20 };
    for (uint32_t round = 0; round < ROUNDS; round++) {
        char code[16];
        snprintf(code, sizeof code, "RACE-%u", round);
        tix_offer o = {.code = code, .scope = TIX_OFFER_MOVIE,
                       .scope_id = f->c.movie, .percent = 50, .max_uses = 1};
        tix_id offer;
        assert_ok(tix_offer_create(db, &o, &offer));
        uint32_t s1 = round * 2, s2 = round * 2 + 1;
        tix_hold *h1 = fx_hold(f, &s1, 1), *h2 = fx_hold(f, &s2, 1);
        int rc1, rc2;
        if (round % 2 == 0) {
            tix_confirm_opts o1 = {.user_id = f->user, .payment_ref = code,
                                   .offer_code = code};
            char ref2[24];
            snprintf(ref2, sizeof ref2, "%s-b", code);
            tix_confirm_opts o2 = {.user_id = ravi, .payment_ref = ref2,
                                   .offer_code = code};
            tix_confirm *c1, *c2;
            assert_ok(tix_confirm_submit(db, h1, &o1, &c1));
            assert_ok(tix_confirm_submit(db, h2, &o2, &c2));
            rc1 = tix_confirm_wait(c1, -1, NULL);
            rc2 = tix_confirm_wait(c2, -1, NULL);
            tix_confirm_free(c1);
            tix_confirm_free(c2);
        } else {
            pthread_barrier_t go;
            pthread_barrier_init(&go, NULL, 2);
            struct racer r1 = {f, h1, f->user, "", "", &go, -1},
                         r2 = {f, h2, ravi, "", "", &go, -1};
            snprintf(r1.ref, sizeof r1.ref, "%s-a", code);
            snprintf(r2.ref, sizeof r2.ref, "%s-b", code);
            snprintf(r1.code, sizeof r1.code, "%s", code);
            snprintf(r2.code, sizeof r2.code, "%s", code);
            pthread_t t1, t2;
            pthread_create(&t1, NULL, race, &r1);
            pthread_create(&t2, NULL, race, &r2);
            pthread_join(t1, NULL);
            pthread_join(t2, NULL);
            pthread_barrier_destroy(&go);
            rc1 = r1.rc;
            rc2 = r2.rc;
        }
        assert_true((rc1 == TIX_OK && rc2 == TIX_ELIMIT) ||
                    (rc1 == TIX_ELIMIT && rc2 == TIX_OK));
        assert_int_equal(offer_uses(db, offer), 1);
        uint32_t loser = rc1 ? s1 : s2, winner = rc1 ? s2 : s1;
        assert_int_equal(fx_state(f, loser), TIX_SEAT_HELD);
        assert_int_equal(fx_state(f, winner), TIX_SEAT_BOOKED);
        tix_hold_free(h1);
        tix_hold_free(h2);
    }
    /* Exactly ROUNDS bookings carry an offer. */
    tix_booking_list *bl;
    assert_ok(tix_booking_list_by_show(db, f->show, &bl));
    assert_int_equal(bl->count, ROUNDS);
    for (size_t i = 0; i < bl->count; i++) assert_true(bl->items[i].offer_id != 0);
    tix_booking_list_free(bl);
}

/* Bookings written before record version 2 read with no offer or fee. */
static int downgrade_booking(tix_db *db, MDB_txn *txn, void *arg)
{
    tix_id id = *(tix_id *)arg;
    MDB_val v;
    int rc = tix__db_get_id(db, txn, TIX_T_BOOKINGS, id, &v, "booking");
    if (rc) return rc;
    uint8_t buf[4096];
    /* without offer, discount, fee, digest, after_checkin, channel, group */
    size_t len = v.mv_size - 49;
    memcpy(buf, v.mv_data, len);
    buf[1] = 1;
    uint8_t key[8];
    tix__be64_put(key, id);
    return tix__db_put(db, txn, TIX_T_BOOKINGS, key, 8, buf, len, 0, "booking");
}

static void version_1_bookings_still_read(void **state)
{
    fixture *f = *state;
    uint32_t seats[] = {7, 8};
    tix_hold *h = fx_hold(f, seats, 2);
    tix_id bid;
    assert_ok(confirm_with(f, h, f->user, "v1", NULL, &bid));
    tix_hold_free(h);
    assert_ok(tix__db_write(f->s.db, downgrade_booking, &bid));
    tix_booking *b;
    assert_ok(tix_booking_get(f->s.db, bid, &b));
    assert_int_equal(b->offer_id, 0);
    assert_true(b->discount_minor == 0 && b->fee_minor == 0);
    assert_true(b->total_minor == 30000);
    assert_int_equal(b->n_tickets, 1);
    tix_booking_free(b);
    /* A cancel brings the v1 record up to the current version. */
    assert_ok(tix_booking_cancel(f->s.db, bid));
    assert_ok(tix_booking_get(f->s.db, bid, &b));
    assert_int_equal(b->status, TIX_BOOKING_CANCELLED);
    assert_true(b->total_minor == 30000 && b->offer_id == 0);
    assert_int_equal(b->cancelled_after_checkin, 0);
    tix_booking_free(b);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(offer_create_rejects_bad_input),
        T(quote_arithmetic),
        T(quote_refusals_are_specific),
        T(confirm_records_offer_and_counts_uses),
        T(code_valid_at_quote_refused_at_confirm),
        T(two_holds_race_for_the_last_use),
        T(version_1_bookings_still_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
