/* Helpers for the front-end tests (reviews, search, recommendations,
 * stats) on top of the engine fixture: users with tastes, movies with a
 * genre and a language, shows on the fixture's screen and one-seat
 * bookings. Include after engine_fixture.h, in one test file per
 * program. */
#ifndef TIX_FRONTEND_FIXTURE_H
#define TIX_FRONTEND_FIXTURE_H

#include <stdio.h>

#include "engine_fixture.h"

/* A user named @p name (e-mail name@example.com) living in @p city. */
static inline tix_id fe_user(tix_db *db, const char *name, tix_id city,
                             const char *genre, const char *language)
{
    char email[160];
    snprintf(email, sizeof email, "%s@example.com", name);
    const char *g[] = {genre}, *l[] = {language};
    tix_user u = {.name = name, .email = email, .home_city_id = city,
                  .genres = g, .n_genres = genre ? 1 : 0,
                  .languages = l, .n_languages = language ? 1 : 0};
    tix_id id;
    assert_ok(tix_user_create(db, &u, &id));
    return id;
}

/* A 120-minute movie with one genre and one language (either NULL). */
static inline tix_id fe_movie(tix_db *db, const char *title,
                              const char *genre, const char *language)
{
    const char *g[] = {genre}, *l[] = {language};
    tix_movie m = {.title = title, .duration_min = 120,
                   .genres = g, .n_genres = genre ? 1 : 0,
                   .languages = l, .n_languages = language ? 1 : 0};
    tix_id id;
    assert_ok(tix_movie_create(db, &m, &id));
    return id;
}

/* A show of @p movie on the fixture's screen in time slot @p slot (>= 1):
 * four hours apart, after the fixture's own show. */
static inline tix_id fe_show(fixture *f, tix_id movie, unsigned slot)
{
    tix_show s = {.movie_id = movie, .screen_id = f->c.screen,
                  .start = tt_now + 86400 + (int64_t)slot * 4 * 3600};
    tix_id id;
    assert_ok(tix_show_create(f->s.db, &s, &id));
    return id;
}

/* Books seat @p seat of @p show for @p user; returns the booking. */
static inline tix_id fe_book(fixture *f, tix_id show, tix_id user,
                             uint32_t seat)
{
    static unsigned ref;
    tix_hold *h;
    assert_ok(tix_hold_create(f->s.db, show, &seat, 1, NULL, &h));
    char pay[32];
    snprintf(pay, sizeof pay, "fe-pay-%u", ++ref);
    tix_confirm_opts o = {.user_id = user, .payment_ref = pay};
    tix_id b;
    assert_ok(tix_hold_confirm(f->s.db, h, &o, &b));
    tix_hold_free(h);
    return b;
}

/* Writes a review and returns its id. */
static inline tix_id fe_review(tix_db *db, tix_id user, tix_id movie,
                               uint32_t rating, const char *text)
{
    tix_review r = {.user_id = user, .movie_id = movie, .rating = rating,
                    .text = text};
    tix_id id;
    assert_ok(tix_review_create(db, &r, &id));
    return id;
}

#endif
