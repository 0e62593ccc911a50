/* Hold handles and the confirm under attack (issue 14): a handle must be
 * one this store issued and left unedited, a dead hold never books, the
 * confirm re-checks the hold's limits and the amount charged, and request
 * keys and payment references are idempotent only for the same request.
 * The last test holds every documented error code of the hold and confirm
 * calls against what they return. */
#include "engine_fixture.h"

#include <stdio.h>

#include "hold.h"

static tix_hold *hold_str(fixture *f, const char *s)
{
    (void)f;
    tix_hold *h;
    assert_ok(tix_hold_from_string(s, &h));
    return h;
}

static tix_confirm_opts pay(fixture *f, const char *ref)
{
    return (tix_confirm_opts){.user_id = f->user, .payment_ref = ref};
}

/* A handle printed by hand, with any fields, as an attacker would: the
 * layout is public, the store's key is not. */
static void handles_the_store_never_issued_are_refused(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    uint64_t before = tt_digest(db);
    tix_hold *fake = tix__hold_new(f->show, 40); /* over hold_max_seats */
    for (uint32_t i = 0; i < 40; i++) fake->seats[i] = i;
    fake->expires = tt_now - 3600; /* expired: the old late-payment path */
    char s[TIX_HOLD_STRING_MAX];
    assert_ok(tix_hold_to_string(fake, s, sizeof s)); /* MAC all zero */
    tix_hold_free(fake);
    tix_hold *h = hold_str(f, s);
    tix_confirm_opts o = pay(f, "forged-1");
    tix_id id = 0;
    assert_code(tix_hold_confirm(db, h, &o, &id), TIX_EBADCODE);
    assert_code(tix_hold_release(db, h), TIX_EBADCODE);
    assert_code(tix_hold_extend(db, h, 60), TIX_EBADCODE);
    tix_hold_free(h);

    /* A genuine handle, edited field by field in its parsed form. */
    uint32_t seats[] = {3, 4};
    tix_hold *real = fx_hold(f, seats, 2);
    assert_ok(tix_hold_to_string(real, s, sizeof s));
    for (int field = 0; field < 4; field++) {
        h = hold_str(f, s);
        switch (field) {
        case 0: h->show_id++; break;
        case 1: h->expires += 3600; break;
        case 2: h->token[5] ^= 0x10; break;
        case 3: h->seats[1] = 9; break;
        }
        assert_code(tix_hold_confirm(db, h, &o, &id), TIX_EBADCODE);
        tix_hold_free(h);
    }
    /* Every single-character edit of its text. */
    size_t len = strlen(s);
    for (size_t i = 2; i < len; i++) {
        char t[TIX_HOLD_STRING_MAX];
        strcpy(t, s);
        t[i] = t[i] == 'Q' ? 'R' : 'Q';
        tix_hold *e = NULL;
        int rc = tix_hold_from_string(t, &e);
        if (rc == TIX_OK) {
            assert_code(tix_hold_confirm(db, e, &o, &id), TIX_EBADCODE);
            tix_hold_free(e);
        } else {
            assert_int_equal(rc, TIX_EBADCODE);
        }
    }
    assert_int_equal(fx_state(f, 3), TIX_SEAT_HELD);
    assert_true(tt_digest(db) == before); /* nothing booked */
    assert_int_equal(id, 0);
    tix_hold_free(real);
}

static void handles_of_another_store_are_refused(void **state)
{
    fixture *f = *state;
    fixture *g;
    fx_setup((void **)&g); /* same catalog, show and seat numbers */
    uint32_t seats[] = {10, 11};
    tix_hold *theirs = fx_hold(g, seats, 2);
    char s[TIX_HOLD_STRING_MAX];
    assert_ok(tix_hold_to_string(theirs, s, sizeof s));
    tix_hold *h = hold_str(f, s);
    tix_confirm_opts o = pay(f, "foreign-1");
    tix_id id;
    assert_int_equal(tix_hold_show(h), f->show); /* it names our show */
    assert_rejected(f->s.db, tix_hold_confirm(f->s.db, h, &o, &id),
                    TIX_EBADCODE, "not issued by this store");
    assert_code(tix_hold_release(f->s.db, h), TIX_EBADCODE);
    /* the handle still works in its own store */
    tix_confirm_opts og = pay(g, "foreign-1");
    assert_ok(tix_hold_confirm(g->s.db, h, &og, &id));
    tix_hold_free(h);
    tix_hold_free(theirs);
    fx_teardown((void **)&g);
}

static void a_released_hold_never_books(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    uint32_t seats[] = {20, 21};
    tix_hold_opts ho = {.ttl = 60};
    tix_hold *h;
    assert_ok(tix_hold_create(db, f->show, seats, 2, &ho, &h));
    assert_ok(tix_hold_release(db, h));
    tix_confirm_opts o = pay(f, "released-1");
    tix_id id;
    assert_rejected(db, tix_hold_confirm(db, h, &o, &id), TIX_ESTATE,
                    "released");
    tt_now += 120; /* and after it would have run out: still dead */
    assert_rejected(db, tix_hold_confirm(db, h, &o, &id), TIX_EEXPIRED, NULL);
    assert_int_equal(fx_state(f, 20), TIX_SEAT_FREE);

    /* A late payment of a hold nobody touched still books... */
    uint32_t late[] = {22, 23};
    tix_hold *l;
    assert_ok(tix_hold_create(db, f->show, late, 2, &ho, &l));
    tt_now += 120;
    tix_confirm_opts lo = pay(f, "late-1");
    tix_id lid;
    assert_ok(tix_hold_confirm(db, l, &lo, &lid));
    /* ...once: after a cancel frees the seats, the booked hold is dead. */
    assert_ok(tix_booking_cancel(db, lid));
    tix_confirm_opts again = pay(f, "late-2");
    assert_rejected(db, tix_hold_confirm(db, l, &again, &id), TIX_EEXPIRED,
                    NULL);
    /* and a hold whose seats someone took and gave back is dead too */
    uint32_t taken[] = {24};
    tix_hold *t, *other;
    assert_ok(tix_hold_create(db, f->show, taken, 1, &ho, &t));
    tt_now += 120;
    assert_ok(tix_hold_create(db, f->show, taken, 1, &ho, &other));
    assert_ok(tix_hold_release(db, other));
    tix_confirm_opts to = pay(f, "taken-1");
    assert_rejected(db, tix_hold_confirm(db, t, &to, &id), TIX_EEXPIRED, NULL);
    tix_hold_free(t);
    tix_hold_free(other);
    tix_hold_free(l);
    tix_hold_free(h);
}

static void confirm_enforces_hold_max_and_show_end(void **state)
{
    fixture *f = *state;
    tix_config cfg;
    tt_config(&cfg);
    cfg.hold_max_seats = 20;
    tix_db_close(f->s.db);
    assert_ok(tix_db_open(f->s.dir, &cfg, &f->s.db));
    uint32_t seats[15];
    for (uint32_t i = 0; i < 15; i++) seats[i] = 100 + i;
    tix_hold_opts ho = {.ttl = 600};
    tix_hold *h;
    assert_ok(tix_hold_create(f->s.db, f->show, seats, 15, &ho, &h));
    char s[TIX_HOLD_STRING_MAX];
    assert_ok(tix_hold_to_string(h, s, sizeof s));
    tix_hold_free(h);
    tix_db_close(f->s.db);
    cfg.hold_max_seats = 10; /* the operator lowered the limit */
    assert_ok(tix_db_open(f->s.dir, &cfg, &f->s.db));
    h = hold_str(f, s);
    tix_confirm_opts o = pay(f, "big-1");
    tix_id id;
    assert_rejected(f->s.db, tix_hold_confirm(f->s.db, h, &o, &id),
                    TIX_ELIMIT, "hold_max_seats");
    tix_hold_free(h);

    /* a live hold whose show ends before the payment arrives */
    uint32_t two[] = {60, 61};
    tix_hold *l;
    tix_hold_opts long_ttl = {.ttl = 3600};
    assert_ok(tix_hold_create(f->s.db, f->show, two, 2, &long_ttl, &l));
    tix_show *sh;
    assert_ok(tix_show_get(f->s.db, f->show, &sh));
    tt_now = sh->end + 600;
    tix_show_free(sh);
    tix_confirm_opts lo = pay(f, "ended-1");
    assert_rejected(f->s.db, tix_hold_confirm(f->s.db, l, &lo, &id),
                    TIX_ESTATE, "ended");
    assert_code(tix_hold_extend(f->s.db, l, 60), TIX_ESTATE);
    tix_hold_free(l);
}

static void expected_amount_is_checked_at_commit(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    uint32_t seats[] = {2, 3}; /* Silver: 2 x 15000 INR */
    tix_hold *h = fx_hold(f, seats, 2);
    tix_confirm_opts o = pay(f, "amount-1");
    o.expected_currency = "INR";
    o.expected_total_minor = 15000; /* the gateway charged for one seat */
    tix_id id;
    assert_rejected(db, tix_hold_confirm(db, h, &o, &id), TIX_EPRICE,
                    "30000");
    assert_int_equal(fx_state(f, 2), TIX_SEAT_HELD); /* the hold stays */
    o.expected_currency = "USD";
    o.expected_total_minor = 30000;
    assert_rejected(db, tix_hold_confirm(db, h, &o, &id), TIX_EPRICE, "USD");
    o.expected_currency = "inr";
    assert_rejected(db, tix_hold_confirm(db, h, &o, &id), TIX_EINVAL,
                    "expected_currency");
    o.expected_currency = "INR";
    o.expected_total_minor = -1;
    assert_rejected(db, tix_hold_confirm(db, h, &o, &id), TIX_ERANGE,
                    "negative");
    o.expected_total_minor = 30000;
    assert_ok(tix_hold_confirm(db, h, &o, &id));
    tix_booking *b;
    assert_ok(tix_booking_get(db, id, &b));
    assert_true(b->total_minor == 30000);
    tix_booking_free(b);
    tix_hold_free(h);

    /* a price that overflows is refused, with or without an expectation */
    tix_tier *t;
    assert_ok(tix_tier_get(db, f->c.tier_gold, &t));
    t->price_minor = INT64_MAX / 2 + 1;
    assert_ok(tix_tier_update(db, t));
    tix_tier_free(t);
    uint32_t gold[] = {150, 151};
    h = fx_hold(f, gold, 2);
    tix_confirm_opts ov = pay(f, "overflow-1");
    assert_rejected(db, tix_hold_confirm(db, h, &ov, &id), TIX_ERANGE, NULL);
    ov.expected_currency = "INR";
    ov.expected_total_minor = 0;
    assert_rejected(db, tix_hold_confirm(db, h, &ov, &id), TIX_ERANGE, NULL);
    tix_hold_free(h);
}

static void request_key_names_one_request(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    tix_hold_opts k = {.request_key = "checkout-77"};
    uint32_t first[] = {90, 91}, second[] = {91, 92}, apart[] = {95, 96};
    tix_hold *a, *b = NULL;
    assert_ok(tix_hold_create(db, f->show, first, 2, &k, &a));
    assert_rejected(db, tix_hold_create(db, f->show, second, 2, &k, &b),
                    TIX_EEXISTS, "request key");
    assert_null(b);
    assert_rejected(db, tix_hold_create(db, f->show, apart, 2, &k, &b),
                    TIX_EEXISTS, "request key");
    assert_int_equal(fx_state(f, 92), TIX_SEAT_FREE);
    assert_int_equal(fx_state(f, 95), TIX_SEAT_FREE);
    tix_best_opts bk = {.request_key = "checkout-77"};
    assert_code(tix_hold_best(db, f->show, 3, &bk, &b), TIX_EEXISTS);
    /* the same request gives the same hold back, by seats or by best */
    uint32_t again[] = {91, 90};
    assert_ok(tix_hold_create(db, f->show, again, 2, &k, &b));
    assert_int_equal(tix_hold_seat(b, 0), 90);
    tix_hold_free(b);
    assert_ok(tix_hold_best(db, f->show, 2, &bk, &b));
    assert_int_equal(tix_hold_seat(b, 1), 91);
    tix_hold_free(b);
    /* the first hold is intact: a stranger cannot take 91, it confirms */
    tix_hold *s;
    uint32_t s91 = 91;
    assert_code(tix_hold_create(db, f->show, &s91, 1, NULL, &s), TIX_ECONFLICT);
    tix_confirm_opts o = pay(f, "key-1");
    tix_id id;
    assert_ok(tix_hold_confirm(db, a, &o, &id));
    /* once that hold is gone the key is free for a new request */
    assert_ok(tix_hold_create(db, f->show, apart, 2, &k, &b));
    tix_hold_free(b);
    tix_hold_free(a);
}

/* Threads race different requests under one key: at the end, whatever
 * holds were returned, no two of them with different seats are live, and
 * the key's seats are exactly those of one returned hold. */
typedef struct key_racer {
    fixture *f;
    uint32_t seats[2];
    tix_hold *got;
    int rc;
} key_racer;

static void *key_race(void *arg)
{
    key_racer *r = arg;
    tix_hold_opts k = {.request_key = "race-key", .ttl = 600};
    r->rc = tix_hold_create(r->f->s.db, r->f->show, r->seats, 2, &k, &r->got);
    return NULL;
}

static void request_key_race_keeps_one_request(void **state)
{
    fixture *f = *state;
    enum { N = 6, ROUNDS = 60 };
    for (int round = 0; round < ROUNDS; round++) {
        key_racer r[N];
        pthread_t th[N];
        for (int i = 0; i < N; i++) {
            /* pairs overlap, and threads 0 and 1 make the same request */
            uint32_t base = 120 + (uint32_t)(i < 2 ? 0 : i - 1);
            r[i] = (key_racer){.f = f, .seats = {base, base + 1}};
            pthread_create(&th[i], NULL, key_race, &r[i]);
        }
        for (int i = 0; i < N; i++) pthread_join(th[i], NULL);
        const tix_hold *winner = NULL;
        for (int i = 0; i < N; i++) {
            if (r[i].rc != TIX_OK) {
                assert_true(r[i].rc == TIX_EEXISTS || r[i].rc == TIX_ECONFLICT ||
                            r[i].rc == TIX_EBUSY);
                continue;
            }
            if (!winner) winner = r[i].got;
            assert_memory_equal(r[i].got->seats, winner->seats, 8);
        }
        uint8_t st[200];
        assert_ok(tix_show_seat_states(f->s.db, f->show, st, sizeof st));
        unsigned held = 0;
        for (uint32_t s = 120; s < 130; s++) held += st[s] == TIX_SEAT_HELD;
        assert_int_equal(held, winner ? 2 : 0);
        if (winner) {
            assert_int_equal(st[winner->seats[0]], TIX_SEAT_HELD);
            assert_int_equal(st[winner->seats[1]], TIX_SEAT_HELD);
            assert_ok(tix_hold_release(f->s.db, winner));
        }
        for (int i = 0; i < N; i++)
            if (r[i].rc == TIX_OK) tix_hold_free(r[i].got);
    }
}

static void payment_ref_reuse_is_refused_and_reveals_nothing(void **state)
{
    fixture *f = *state;
    tix_db *db = f->s.db;
    uint32_t seats[] = {30, 31};
    tix_hold *h = fx_hold(f, seats, 2);
    tix_confirm_opts o = pay(f, "pay-shared");
    tix_id first, id;
    assert_ok(tix_hold_confirm(db, h, &o, &first));
    assert_ok(tix_hold_confirm(db, h, &o, &id)); /* a gateway retry */
    assert_int_equal(id, first);

    tix_user u2 = {.name = "Ravi", .email = "ravi@example.com",
                   .phone = "+919800000002", .home_city_id = f->c.city};
    tix_id user2;
    assert_ok(tix_user_create(db, &u2, &user2));
    /* the same hold, another user */
    tix_confirm_opts other_user = {.user_id = user2, .payment_ref = "pay-shared"};
    id = 0;
    assert_rejected(db, tix_hold_confirm(db, h, &other_user, &id), TIX_EEXISTS,
                    "payment reference");
    assert_int_equal(id, 0);
    /* another hold, either user; also when the first confirm is in the
     * same batch (async) */
    uint32_t more[] = {40, 41};
    tix_hold *h2 = fx_hold(f, more, 2);
    assert_rejected(db, tix_hold_confirm(db, h2, &other_user, &id), TIX_EEXISTS,
                    NULL);
    char bid[32];
    snprintf(bid, sizeof bid, "%llu", (unsigned long long)first);
    assert_null(strstr(tix_errmsg(), "booking 1"));
    assert_null(strstr(tix_errmsg(), bid));
    assert_rejected(db, tix_hold_confirm(db, h2, &o, &id), TIX_EEXISTS, NULL);
    assert_int_equal(id, 0);
    assert_int_equal(fx_state(f, 40), TIX_SEAT_HELD);

    tix_hold *h3 = fx_hold(f, (uint32_t[]){50}, 1);
    tix_hold *h4 = fx_hold(f, (uint32_t[]){51}, 1);
    tix_confirm_opts fresh = pay(f, "pay-batch");
    tix_confirm *c3, *c4;
    assert_ok(tix_confirm_submit(db, h3, &fresh, &c3));
    int rc4 = tix_confirm_submit(db, h4, &fresh, &c4);
    tix_id b3 = 0, b4 = 0;
    assert_ok(tix_confirm_wait(c3, -1, &b3));
    if (rc4 == TIX_OK) {
        assert_code(tix_confirm_wait(c4, -1, &b4), TIX_EEXISTS);
        tix_confirm_free(c4);
    } else {
        assert_int_equal(rc4, TIX_EEXISTS);
    }
    assert_int_equal(b4, 0);
    tix_confirm_free(c3);
    assert_int_equal(fx_state(f, 51), TIX_SEAT_HELD);
    tix_hold_free(h4);
    tix_hold_free(h3);
    tix_hold_free(h2);
    tix_hold_free(h);
}

/* ---- every documented code, as the header states it -------------------- */

enum { BAD_UTF8_LEN = 4 };
static const char bad_utf8[BAD_UTF8_LEN] = {'a', (char)0xC3, 'z', 0};

typedef struct code_case {
    const char *what;
    int code;
} code_case;

static char too_long[TIX_NAME_MAX + 2];

/* Runs case @p i against the fixture; returns what the call returned. */
static int run_case(fixture *f, int i, tix_hold *h, const char *ticket)
{
    tix_db *db = f->s.db;
    tix_hold *out = NULL;
    uint32_t one = 7, dup[] = {8, 8}, out_of_range = 5000;
    uint32_t many[11] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    tix_hold_opts ho = {0};
    tix_confirm_opts co = pay(f, "codes-1");
    tix_id id;
    int rc;
    switch (i) {
    case 0: return tix_hold_create(db, f->show, &one, 0, NULL, &out);
    case 1: return tix_hold_create(db, f->show, &out_of_range, 1, NULL, &out);
    case 2: return tix_hold_create(db, f->show, dup, 2, NULL, &out);
    case 3: ho.request_key = ""; break;
    case 4: ho.request_key = too_long; break;
    case 5: ho.request_key = bad_utf8; break;
    case 6: ho.request_key = "a\tb"; break;
    case 7: return tix_hold_create(db, f->show, many, 11, NULL, &out);
    case 8: ho.ttl = 1u << 30; break;
    case 9: return tix_hold_create(db, 9999, &one, 1, NULL, &out);
    case 10: co.user_id = 0; return tix_hold_confirm(db, h, &co, &id);
    case 11: co.payment_ref = ""; return tix_hold_confirm(db, h, &co, &id);
    case 12: co.payment_ref = too_long; return tix_hold_confirm(db, h, &co, &id);
    case 13: co.payment_ref = bad_utf8; return tix_hold_confirm(db, h, &co, &id);
    case 14: co.payment_ref = "a\nb"; return tix_hold_confirm(db, h, &co, &id);
    case 15: co.user_id = 4242; return tix_hold_confirm(db, h, &co, &id);
    case 16: co.expected_currency = "RUPEE"; return tix_hold_confirm(db, h, &co, &id);
    case 17: co.offer_code = "NOSUCHOFFER"; return tix_hold_confirm(db, h, &co, &id);
    case 18: return tix_ticket_checkin(db, ticket, too_long, NULL);
    case 19: return tix_ticket_checkin(db, ticket, bad_utf8, NULL);
    case 20: return tix_ticket_checkin(db, ticket, "", NULL);
    case 21: return tix_hold_from_string("H2@@", &out);
    case 22: return tix_hold_confirm(db, NULL, &co, &id);
    default: fail_msg("no case %d", i);
    }
    rc = tix_hold_create(db, f->show, &one, 1, &ho, &out);
    tix_hold_free(out);
    return rc;
}

static void codes_match_the_header(void **state)
{
    fixture *f = *state;
    memset(too_long, 'x', TIX_NAME_MAX + 1); /* = TIX_REQUEST_KEY_MAX + 1 */
    static const code_case cases[] = {
        {"hold of 0 seats", TIX_EINVAL},
        {"seat out of range", TIX_EINVAL},
        {"seat twice", TIX_EINVAL},
        {"empty request key", TIX_EINVAL},
        {"129-byte request key", TIX_ETOOLONG},
        {"request key not UTF-8", TIX_EUTF8},
        {"request key with a tab", TIX_EINVAL},
        {"11 seats, hold_max_seats 10", TIX_ELIMIT},
        {"ttl above hold_ttl_max", TIX_ERANGE},
        {"unknown show", TIX_ENOTFOUND},
        {"confirm by user 0", TIX_EINVAL},
        {"empty payment ref", TIX_EINVAL},
        {"129-byte payment ref", TIX_ETOOLONG},
        {"payment ref not UTF-8", TIX_EUTF8},
        {"payment ref with a newline", TIX_EINVAL},
        {"unknown user", TIX_ENOTFOUND},
        {"expected currency of 5 letters", TIX_EINVAL},
        {"unknown offer code", TIX_ENOTFOUND},
        {"129-byte gate", TIX_ETOOLONG},
        {"gate not UTF-8", TIX_EUTF8},
        {"empty gate", TIX_EINVAL},
        {"handle with bad characters", TIX_EBADCODE},
        {"confirm of a NULL hold", TIX_EINVAL},
    };
    uint32_t seats[] = {12, 13};
    tix_hold *h = fx_hold(f, seats, 2);
    uint32_t bs = 14;
    tix_hold *bh = fx_hold(f, &bs, 1);
    tix_confirm_opts co = pay(f, "codes-ticket");
    tix_id bid;
    assert_ok(tix_hold_confirm(f->s.db, bh, &co, &bid));
    tix_booking *b;
    assert_ok(tix_booking_get(f->s.db, bid, &b));
    char ticket[TIX_TICKET_CODE_LEN + 1];
    memcpy(ticket, b->tickets[0].code, sizeof ticket);
    tix_booking_free(b);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        uint64_t before = tt_digest(f->s.db);
        int rc = run_case(f, (int)i, h, ticket);
        if (rc != cases[i].code)
            fail_msg("%s: got %s, the header says %s (%s)", cases[i].what,
                     tix_strerror(rc), tix_strerror(cases[i].code),
                     tix_errmsg());
        assert_true(tix_errmsg()[0] != '\0');
        if (tt_digest(f->s.db) != before)
            fail_msg("%s changed the store", cases[i].what);
    }
    assert_int_equal(fx_state(f, 12), TIX_SEAT_HELD);
    tix_hold_free(bh);
    tix_hold_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(handles_the_store_never_issued_are_refused, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(handles_of_another_store_are_refused, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(a_released_hold_never_books, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(confirm_enforces_hold_max_and_show_end, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(expected_amount_is_checked_at_commit, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(request_key_names_one_request, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(request_key_race_keeps_one_request, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(payment_ref_reuse_is_refused_and_reveals_nothing, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(codes_match_the_header, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
