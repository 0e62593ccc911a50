/* Fixture shared by the seat-engine tests: a store with a 10 x 20 screen
 * (rows A..E Silver, F..J Gold), a show tomorrow and one user. Include it
 * in exactly one test file per program. */
#ifndef TIX_ENGINE_FIXTURE_H
#define TIX_ENGINE_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "testutil.h"

typedef struct fixture {
    tt_store s;
    tt_catalog c;
    tix_id show;
    tix_id user;
} fixture;

static int fx_setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    tt_now = 1767225600;
    tt_open(&f->s);
    tt_make_catalog(f->s.db, 10, 20, &f->c);
    tix_show sh = {.movie_id = f->c.movie, .screen_id = f->c.screen,
                   .start = tt_now + 86400};
    assert_ok(tix_show_create(f->s.db, &sh, &f->show));
    tix_user u = {.name = "Asha", .email = "asha@example.com",
                  .phone = "+919800000001", .home_city_id = f->c.city};
    assert_ok(tix_user_create(f->s.db, &u, &f->user));
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    fixture *f = *state;
    tt_close(&f->s);
    free(f);
    return 0;
}

static inline uint8_t fx_state(fixture *f, uint32_t seat)
{
    uint8_t st[200];
    assert_ok(tix_show_seat_states(f->s.db, f->show, st, sizeof st));
    return st[seat];
}

static inline tix_hold *fx_hold(fixture *f, const uint32_t *seats, size_t n)
{
    tix_hold *h;
    assert_ok(tix_hold_create(f->s.db, f->show, seats, n, NULL, &h));
    return h;
}

#endif
