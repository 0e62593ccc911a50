/* lib/seats/hold.c: lock-free holds, expiry by the injected clock, extend,
 * release, the printable handle, request keys and limits. */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "hold.h"
#include "testutil.h"

typedef struct fixture {
    tt_store s;
    tt_catalog c;
    tix_id show;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    tt_now = 1767225600;
    tt_open(&f->s);
    tt_make_catalog(f->s.db, 10, 20, &f->c); /* 200 seats */
    tix_show sh = {.movie_id = f->c.movie, .screen_id = f->c.screen,
                   .start = tt_now + 86400};
    assert_ok(tix_show_create(f->s.db, &sh, &f->show));
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

static uint8_t seat_state(fixture *f, uint32_t seat)
{
    uint8_t st[200];
    assert_ok(tix_show_seat_states(f->s.db, f->show, st, sizeof st));
    return st[seat];
}

static void hold_then_conflict_then_release(void **state)
{
    fixture *f = *state;
    uint32_t seats[] = {5, 3, 4};
    tix_hold *h;
    assert_ok(tix_hold_create(f->s.db, f->show, seats, 3, NULL, &h));
    assert_int_equal(tix_hold_count(h), 3);
    assert_int_equal(tix_hold_seat(h, 0), 3); /* ascending */
    assert_int_equal(tix_hold_seat(h, 2), 5);
    assert_true(tix_hold_expires(h) == tt_now + 600);
    assert_int_equal(seat_state(f, 4), TIX_SEAT_HELD);

    /* Overlapping hold fails as a whole and leaves seat 6 free. */
    uint32_t other[] = {6, 5};
    tix_hold *h2 = (tix_hold *)1;
    assert_code(tix_hold_create(f->s.db, f->show, other, 2, NULL, &h2),
                TIX_ECONFLICT);
    assert_null(h2);
    /* People know seats by row and number: index 5 is A6. */
    assert_non_null(strstr(tix_errmsg(), "seat A6 (index 5) of show"));
    assert_int_equal(seat_state(f, 6), TIX_SEAT_FREE);

    assert_ok(tix_hold_release(f->s.db, h));
    assert_int_equal(seat_state(f, 4), TIX_SEAT_FREE);
    size_t freed = 9;
    assert_ok(tix_hold_release_ex(f->s.db, h, &freed)); /* twice: harmless */
    assert_int_equal(freed, 0);                          /* and says so */
    assert_ok(tix_hold_create(f->s.db, f->show, other, 2, NULL, &h2));
    assert_ok(tix_hold_release_ex(f->s.db, h, &freed)); /* not h2's seats */
    assert_int_equal(freed, 0);
    assert_int_equal(seat_state(f, 6), TIX_SEAT_HELD);
    assert_ok(tix_hold_release_ex(f->s.db, h2, &freed));
    assert_int_equal(freed, 2);
    tix_hold_free(h2);
    assert_ok(tix_hold_create(f->s.db, f->show, other, 2, NULL, &h2));
    tix_hold_free(h);
    tix_hold_free(h2);
}

static void expiry_follows_the_clock(void **state)
{
    fixture *f = *state;
    uint32_t seats[] = {10, 11};
    tix_hold *h, *h2;
    tix_hold_opts o = {.ttl = 60};
    assert_ok(tix_hold_create(f->s.db, f->show, seats, 2, &o, &h));
    tt_now += 59;
    assert_code(tix_hold_create(f->s.db, f->show, seats, 2, NULL, &h2),
                TIX_ECONFLICT);
    assert_int_equal(seat_state(f, 10), TIX_SEAT_HELD);
    tt_now += 1; /* expired: free without any sweeper */
    assert_int_equal(seat_state(f, 10), TIX_SEAT_FREE);
    assert_code(tix_hold_extend(f->s.db, h, 60), TIX_EEXPIRED);
    assert_ok(tix_hold_create(f->s.db, f->show, seats, 2, NULL, &h2));
    /* Releasing the stale hold must not free the new holder's seats. */
    assert_ok(tix_hold_release(f->s.db, h));
    assert_int_equal(seat_state(f, 10), TIX_SEAT_HELD);
    tix_hold_free(h);
    tix_hold_free(h2);
}

static void extend_keeps_hold_alive(void **state)
{
    fixture *f = *state;
    uint32_t seats[] = {20};
    tix_hold *h, *h2;
    tix_hold_opts o = {.ttl = 60};
    assert_ok(tix_hold_create(f->s.db, f->show, seats, 1, &o, &h));
    tt_now += 50;
    assert_ok(tix_hold_extend(f->s.db, h, 120));
    assert_true(tix_hold_expires(h) == tt_now + 120);
    tt_now += 100;
    assert_code(tix_hold_create(f->s.db, f->show, seats, 1, NULL, &h2),
                TIX_ECONFLICT);
    assert_code(tix_hold_extend(f->s.db, h, 4000), TIX_ERANGE);
    tix_hold_free(h);
}

static void handle_round_trip_and_forgery(void **state)
{
    fixture *f = *state;
    uint32_t seats[] = {30, 31, 32};
    tix_hold *h, *back;
    assert_ok(tix_hold_create(f->s.db, f->show, seats, 3, NULL, &h));
    char buf[TIX_HOLD_STRING_MAX];
    assert_ok(tix_hold_to_string(h, buf, sizeof buf));
    assert_null(strpbrk(buf, " /+=?&"));
    assert_ok(tix_hold_from_string(buf, &back));
    assert_int_equal(tix_hold_show(back), f->show);
    assert_int_equal(tix_hold_count(back), 3);
    assert_int_equal(tix_hold_seat(back, 1), 31);
    assert_true(tix_hold_expires(back) == tix_hold_expires(h));
    char buf2[TIX_HOLD_STRING_MAX];
    assert_ok(tix_hold_to_string(back, buf2, sizeof buf2));
    assert_string_equal(buf, buf2);
    /* The parsed handle works: release through it. */
    assert_ok(tix_hold_release(f->s.db, back));
    assert_int_equal(seat_state(f, 31), TIX_SEAT_FREE);
    tix_hold_free(back);

    /* Every truncation and every single-character change is rejected. */
    tix_hold *bad = (tix_hold *)1;
    size_t len = strlen(buf);
    for (size_t i = 0; i < len; i++) {
        char t[TIX_HOLD_STRING_MAX];
        memcpy(t, buf, i);
        t[i] = '\0';
        assert_int_equal(tix_hold_from_string(t, &bad), TIX_EBADCODE);
        assert_null(bad);
        strcpy(t, buf);
        t[i] = t[i] == 'A' ? 'B' : 'A';
        /* The form may still parse; the MAC then refuses it at first use. */
        int rc = tix_hold_from_string(t, &bad);
        if (rc == TIX_OK) {
            assert_code(tix_hold_release(f->s.db, bad), TIX_EBADCODE);
            tix_hold_free(bad);
        } else {
            assert_int_equal(rc, TIX_EBADCODE);
        }
    }
    assert_int_equal(tix_hold_to_string(h, buf, 10), TIX_ETOOLONG);
    assert_int_equal(tix_hold_from_string(NULL, &bad), TIX_EINVAL);
    tix_hold_free(h);
}

static void forged_token_cannot_release(void **state)
{
    fixture *f = *state;
    uint32_t seats[] = {40, 41};
    tix_hold *h;
    assert_ok(tix_hold_create(f->s.db, f->show, seats, 2, NULL, &h));
    /* Someone else's hold on a different seat, re-aimed at seat 40/41 by
     * rebuilding its string with the victim's seats: the token differs. */
    uint32_t mine[] = {42, 43};
    tix_hold *m;
    assert_ok(tix_hold_create(f->s.db, f->show, mine, 2, NULL, &m));
    assert_ok(tix_hold_release(f->s.db, m));
    /* Forge: copy m's token into a handle for h's seats via the string. */
    char hs[TIX_HOLD_STRING_MAX], ms[TIX_HOLD_STRING_MAX];
    assert_ok(tix_hold_to_string(h, hs, sizeof hs));
    assert_ok(tix_hold_to_string(m, ms, sizeof ms));
    tix_hold *forged;
    assert_ok(tix_hold_from_string(hs, &forged));
    tix_hold *mh;
    assert_ok(tix_hold_from_string(ms, &mh));
    memcpy(forged->token, mh->token, sizeof forged->token);
    assert_code(tix_hold_release(f->s.db, forged), TIX_EBADCODE);
    assert_code(tix_hold_extend(f->s.db, forged, 60), TIX_EBADCODE);
    assert_int_equal(seat_state(f, 40), TIX_SEAT_HELD);
    tix__hold_seal(f->s.db, forged); /* even with the store's key */
    assert_ok(tix_hold_release(f->s.db, forged));
    assert_int_equal(seat_state(f, 40), TIX_SEAT_HELD);
    assert_code(tix_hold_extend(f->s.db, forged, 60), TIX_EEXPIRED);
    tix_hold_free(forged);
    tix_hold_free(mh);
    tix_hold_free(m);
    tix_hold_free(h);
}

static void request_key_repeats_the_hold(void **state)
{
    fixture *f = *state;
    uint32_t seats[] = {50, 51};
    tix_hold_opts o = {.request_key = "session-9:click-1"};
    tix_hold *a, *b, *c;
    assert_ok(tix_hold_create(f->s.db, f->show, seats, 2, &o, &a));
    assert_ok(tix_hold_create(f->s.db, f->show, seats, 2, &o, &b));
    char sa[TIX_HOLD_STRING_MAX], sb[TIX_HOLD_STRING_MAX];
    assert_ok(tix_hold_to_string(a, sa, sizeof sa));
    assert_ok(tix_hold_to_string(b, sb, sizeof sb));
    assert_string_equal(sa, sb);
    tix_hold_opts other = {.request_key = "session-7:click-1"};
    assert_code(tix_hold_create(f->s.db, f->show, seats, 2, &other, &c),
                TIX_ECONFLICT);
    char big[TIX_REQUEST_KEY_MAX + 2];
    memset(big, 'k', sizeof big - 1);
    big[sizeof big - 1] = 0;
    tix_hold_opts huge = {.request_key = big};
    uint32_t s3[] = {60};
    assert_code(tix_hold_create(f->s.db, f->show, s3, 1, &huge, &c),
                TIX_ETOOLONG);
    tix_hold_free(a);
    tix_hold_free(b);
}

static void bad_input(void **state)
{
    fixture *f = *state;
    tix_hold *h;
    uint32_t many[11] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    uint32_t dup[] = {7, 7};
    uint32_t out_of_range[] = {200};
    uint64_t before = tt_digest(f->s.db);
    assert_code(tix_hold_create(f->s.db, f->show, many, 11, NULL, &h), TIX_ELIMIT);
    assert_code(tix_hold_create(f->s.db, f->show, many, 0, NULL, &h), TIX_EINVAL);
    assert_code(tix_hold_create(f->s.db, f->show, dup, 2, NULL, &h), TIX_EINVAL);
    assert_code(tix_hold_create(f->s.db, f->show, out_of_range, 1, NULL, &h),
                TIX_EINVAL);
    assert_code(tix_hold_create(f->s.db, 999, many, 1, NULL, &h), TIX_ENOTFOUND);
    tix_hold_opts o = {.ttl = 3601};
    assert_code(tix_hold_create(f->s.db, f->show, many, 1, &o, &h), TIX_ERANGE);
    assert_code(tix_hold_create(f->s.db, f->show, NULL, 1, NULL, &h), TIX_EINVAL);
    assert_code(tix_hold_create(f->s.db, f->show, many, 1, NULL, NULL), TIX_EINVAL);
    tix_hold_opts bad_key = {.request_key = "a\xff"};
    assert_code(tix_hold_create(f->s.db, f->show, many, 1, &bad_key, &h),
                TIX_EUTF8);
    assert_true(tt_digest(f->s.db) == before);
    assert_int_equal(seat_state(f, 0), TIX_SEAT_FREE);
    /* After the show ends nothing can be held. */
    tt_now += 86400 * 2;
    assert_code(tix_hold_create(f->s.db, f->show, many, 1, NULL, &h), TIX_ESTATE);
    tt_now -= 86400 * 2;
}

/* Live holds: grouped by hold, soonest end first, named by the tag a
 * handle gives; a released hold and one that ran out are gone. */
static void live_holds_by_tag(void **state)
{
    fixture *f = *state;
    uint32_t a[] = {7, 3}, b[] = {50};
    tix_hold *ha, *hb;
    tix_hold_opts shortttl = {.ttl = 60};
    assert_ok(tix_hold_create(f->s.db, f->show, a, 2, NULL, &ha));
    assert_ok(tix_hold_create(f->s.db, f->show, b, 1, &shortttl, &hb));
    tix_live_hold_list *l;
    assert_ok(tix_show_live_holds(f->s.db, f->show, &l));
    assert_int_equal(l->count, 2);
    assert_int_equal(l->n_seats, 3);
    assert_int_equal(l->items[0].tag, tix_hold_tag(f->s.db, hb)); /* ends first */
    assert_true(l->items[0].expires_at == tix_hold_expires(hb));
    assert_int_equal(l->items[1].tag, tix_hold_tag(f->s.db, ha));
    assert_int_equal(l->items[1].n_seats, 2);
    assert_int_equal(l->items[1].seats[0], 3);
    assert_int_equal(l->items[1].seats[1], 7);
    assert_int_equal(l->items[1].confirming, 0);
    tix_live_hold_list_free(l);
    tt_now += 61; /* hb runs out */
    assert_ok(tix_hold_release(f->s.db, ha));
    assert_ok(tix_show_live_holds(f->s.db, f->show, &l));
    assert_int_equal(l->count, 0);
    assert_int_equal(l->n_seats, 0);
    tix_live_hold_list_free(l);
    assert_code(tix_show_live_holds(f->s.db, 999, &l), TIX_ENOTFOUND);
    assert_null(l);
    assert_code(tix_show_live_holds(f->s.db, f->show, NULL), TIX_EINVAL);
    tix_hold_free(ha);
    tix_hold_free(hb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(hold_then_conflict_then_release, setup, teardown),
        cmocka_unit_test_setup_teardown(expiry_follows_the_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(extend_keeps_hold_alive, setup, teardown),
        cmocka_unit_test_setup_teardown(handle_round_trip_and_forgery, setup, teardown),
        cmocka_unit_test_setup_teardown(forged_token_cannot_release, setup, teardown),
        cmocka_unit_test_setup_teardown(request_key_repeats_the_hold, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(live_holds_by_tag, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
