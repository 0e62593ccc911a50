/* lib/front/recommend.c: picks from upcoming shows in a city, scored from taste,
 * co-booking and popularity, explained, deterministic. */
#include <stdlib.h>
#include <string.h>

#include "frontend_fixture.h"
#include "recommend.h"

typedef struct world {
    fixture *f;
    tix_id drama_hi, action_en, drama_en, comedy_ta, action_hi;
    tix_id show[6];
    tix_id priya;
} world;

static void make_world(fixture *f, world *w)
{
    tix_db *db = f->s.db;
    w->f = f;
    w->drama_hi = fe_movie(db, "Monsoon Wedding", "Drama", "Hindi");
    w->action_en = fe_movie(db, "Fast Lane", "Action", "English");
    w->drama_en = fe_movie(db, "Quiet Rooms", "drama", "English");
    w->comedy_ta = fe_movie(db, "Laugh Riot", "Comedy", "Tamil");
    w->action_hi = fe_movie(db, "Chase", "Action", "HINDI");
    tix_id movies[] = {w->drama_hi, w->action_en, w->drama_en, w->comedy_ta,
                       w->action_hi};
    for (unsigned i = 0; i < 5; i++) w->show[i + 1] = fe_show(f, movies[i], i + 1);
    w->show[0] = f->show;
    w->priya = fe_user(db, "priya", f->c.city, "DRAMA", "hindi");
}

static tix_recommendation_list *recommend(tix_db *db, tix_id user,
                                          const tix_recommend_opts *o)
{
    tix_recommendation_list *l;
    assert_ok(tix_recommend(db, user, o, &l));
    return l;
}

static const tix_recommendation *find(const tix_recommendation_list *l,
                                      tix_id movie)
{
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i].movie_id == movie) return &l->items[i];
    return NULL;
}

static void profile_taste_ranks_and_explains(void **state)
{
    fixture *f = *state;
    world w;
    make_world(f, &w);
    tix_recommendation_list *l = recommend(f->s.db, w.priya, NULL);
    assert_int_equal(l->count, 6);
    /* drama_hi 30 + 30; drama_en 30 and action_hi 30 (by id); the rest 0
     * (by id). */
    const tix_id order[] = {w.drama_hi, w.drama_en, w.action_hi, f->c.movie,
                            w.action_en, w.comedy_ta};
    for (size_t i = 0; i < 6; i++) assert_true(l->items[i].movie_id == order[i]);
    const tix_recommendation *r = &l->items[0];
    assert_int_equal(r->score, 60);
    assert_int_equal(r->genre_points, 10 * TIX__REC_W_PROFILE);
    assert_int_equal(r->language_points, 10 * TIX__REC_W_PROFILE);
    assert_int_equal(r->reason, TIX_REASON_GENRE);
    assert_string_equal(r->reason_text, "Because you like Drama");
    assert_string_equal(r->title, "Monsoon Wedding");
    assert_true(r->next_show_id == w.show[1]);
    assert_true(r->next_show_start == tt_now + 86400 + 4 * 3600);
    assert_int_equal(l->items[1].reason, TIX_REASON_GENRE);
    assert_string_equal(l->items[1].reason_text, "Because you like drama");
    assert_int_equal(l->items[2].reason, TIX_REASON_LANGUAGE);
    assert_string_equal(l->items[2].reason_text,
                        "Because you watch movies in HINDI");
    assert_int_equal(l->items[3].reason, TIX_REASON_SHOWING);
    assert_int_equal(l->items[3].score, 0);
    assert_string_equal(l->items[3].reason_text, "Showing soon near you");
    /* Deterministic: the same call gives the same list. */
    tix_recommendation_list *again = recommend(f->s.db, w.priya, NULL);
    assert_int_equal(again->count, l->count);
    for (size_t i = 0; i < l->count; i++) {
        assert_true(again->items[i].movie_id == l->items[i].movie_id);
        assert_true(again->items[i].score == l->items[i].score);
        assert_string_equal(again->items[i].reason_text, l->items[i].reason_text);
    }
    tix_recommendation_list_free(again);
    tix_recommend_opts o = {.limit = 2};
    tix_recommendation_list_free(l);
    l = recommend(f->s.db, w.priya, &o);
    assert_int_equal(l->count, 2);
    tix_recommendation_list_free(l);
}

static void bookings_and_reviews_shape_taste_and_are_left_out(void **state)
{
    fixture *f = *state;
    world w;
    make_world(f, &w);
    tix_db *db = f->s.db;
    fe_book(f, w.show[1], w.priya, 0);          /* drama_hi booked */
    fe_review(db, w.priya, w.drama_en, 10, ""); /* loved drama_en */
    fe_review(db, w.priya, w.comedy_ta, 1, ""); /* hated the comedy */
    tix_recommendation_list *l = recommend(db, w.priya, NULL);
    assert_null(find(l, w.drama_hi));
    assert_null(find(l, w.drama_en));
    assert_null(find(l, w.comedy_ta));
    assert_int_equal(l->count, 3);
    /* hindi: profile 3 + booked 2 = 5; action: 0; english: review +5. */
    const tix_recommendation *r = find(l, w.action_hi);
    assert_int_equal(r->language_points, 10 * (3 + 2));
    assert_int_equal(r->genre_points, 0);
    r = find(l, w.action_en);
    assert_int_equal(r->language_points, 10 * (10 - 5));
    assert_int_equal(r->reason, TIX_REASON_LANGUAGE);
    assert_string_equal(r->reason_text, "Because you watch movies in English");
    tix_recommendation_list_free(l);
    /* Cancelling the booking brings drama_hi back. */
    tix_booking_list *bl;
    assert_ok(tix_booking_list_by_user(db, w.priya, &bl));
    assert_ok(tix_booking_cancel(db, bl->items[0].id));
    tix_booking_list_free(bl);
    l = recommend(db, w.priya, NULL);
    assert_non_null(find(l, w.drama_hi));
    tix_recommendation_list_free(l);
}

static void cobooking_and_popularity_reasons(void **state)
{
    fixture *f = *state;
    world w;
    make_world(f, &w);
    tix_db *db = f->s.db;
    tix_id sam = fe_user(db, "sam", f->c.city, NULL, NULL);
    tix_id tom = fe_user(db, "tom", f->c.city, NULL, NULL);
    tix_id ann = fe_user(db, "ann", 0, NULL, NULL);
    /* sam and tom booked Fast Lane and then Laugh Riot. */
    fe_book(f, w.show[2], sam, 0);
    fe_book(f, w.show[4], sam, 0);
    fe_book(f, w.show[2], tom, 1);
    fe_book(f, w.show[4], tom, 1);
    /* Chase is popular: 8 recent bookings by others (Fast Lane gets 4). */
    for (uint32_t s = 0; s < 8; s++) fe_book(f, w.show[5], ann, s);
    /* ann booked Chase before Fast Lane, Laugh Riot never. */
    fe_book(f, w.show[2], ann, 2);
    /* Our user (no profile) booked Fast Lane. */
    tix_id kim = fe_user(db, "kim", f->c.city, NULL, NULL);
    fe_book(f, w.show[2], kim, 3);
    tix_recommendation_list *l = recommend(db, kim, NULL);
    assert_null(find(l, w.action_en));
    const tix_recommendation *r = find(l, w.comedy_ta);
    /* co-bookings with Fast Lane: 2 -> 8 * bitlen(2) = 16; popularity 2
     * bookings -> 4 * bitlen(2) = 8. Action taste +2 from the booking. */
    assert_int_equal(r->also_booked_points, 16);
    assert_int_equal(r->popularity_points, 8);
    assert_int_equal(r->reason, TIX_REASON_ALSO_BOOKED);
    assert_true(r->reason_movie_id == w.action_en);
    assert_string_equal(r->reason_text,
                        "People who booked Fast Lane also booked this");
    r = find(l, w.action_hi);
    /* Chase: action +2 -> 20; co-booked with Fast Lane by ann -> 8;
     * popularity 8 -> 4 * bitlen(8) = 16. */
    assert_int_equal(r->genre_points, 20);
    assert_int_equal(r->also_booked_points, 8);
    assert_int_equal(r->popularity_points, 16);
    assert_int_equal(r->score, 44);
    assert_int_equal(r->reason, TIX_REASON_GENRE);
    assert_true(r->reason_movie_id == 0);
    assert_true(l->items[0].movie_id == w.action_hi);
    tix_recommendation_list_free(l);
    /* For someone with no taste and no bookings, popularity decides. */
    tix_id new_user = fe_user(db, "newbie", f->c.city, NULL, NULL);
    l = recommend(db, new_user, NULL);
    assert_true(l->items[0].movie_id == w.action_hi);
    assert_int_equal(l->items[0].reason, TIX_REASON_POPULAR);
    assert_string_equal(l->items[0].reason_text,
                        "Popular: 8 bookings in the last 7 days");
    tix_recommendation_list_free(l);
}

static void window_city_and_errors(void **state)
{
    fixture *f = *state;
    world w;
    make_world(f, &w);
    tix_db *db = f->s.db;
    tix_id later = fe_movie(db, "Next Week", "Drama", "Hindi");
    fe_show(f, later, 48); /* 9 days ahead */
    tix_recommendation_list *l = recommend(db, w.priya, NULL);
    assert_null(find(l, later));
    tix_recommendation_list_free(l);
    tix_recommend_opts o = {.days = 10};
    l = recommend(db, w.priya, &o);
    assert_true(l->items[0].movie_id == later || l->items[1].movie_id == later);
    tix_recommendation_list_free(l);
    /* Shows that started are over for recommending. */
    tt_now += 86400 + 3 * 3600;
    l = recommend(db, w.priya, NULL);
    assert_null(find(l, f->c.movie));
    assert_non_null(find(l, w.drama_en));
    tix_recommendation_list_free(l);
    /* Another city without shows: nothing to pick. */
    tix_place p = {.kind = TIX_PLACE_CITY, .parent_id = f->c.state,
                   .name = "Mysuru", .utc_offset_min = 330};
    tix_id mysuru;
    assert_ok(tix_place_create(db, &p, &mysuru));
    o = (tix_recommend_opts){.city_id = mysuru};
    l = recommend(db, w.priya, &o);
    assert_int_equal(l->count, 0);
    tix_recommendation_list_free(l);

    tix_id homeless = fe_user(db, "nomad", 0, NULL, NULL);
    assert_rejected(db, tix_recommend(db, homeless, NULL, &l), TIX_EINVAL,
                    "home city");
    assert_null(l);
    assert_rejected(db, tix_recommend(db, 999, NULL, &l), TIX_ENOTFOUND,
                    "user");
    o = (tix_recommend_opts){.city_id = 999};
    assert_rejected(db, tix_recommend(db, w.priya, &o, &l), TIX_ENOTFOUND,
                    "city_id");
    o.city_id = f->c.state;
    assert_rejected(db, tix_recommend(db, w.priya, &o, &l), TIX_EINVAL,
                    "not a city");
    o = (tix_recommend_opts){.days = 31};
    assert_rejected(db, tix_recommend(db, w.priya, &o, &l), TIX_ERANGE, "days");
    o = (tix_recommend_opts){.limit = 101};
    assert_rejected(db, tix_recommend(db, w.priya, &o, &l), TIX_ERANGE,
                    "limit");
    assert_rejected(db, tix_recommend(db, w.priya, NULL, NULL), TIX_EINVAL,
                    NULL);
}

static void bitlen_is_an_integer_log(void **state)
{
    (void)state;
    assert_int_equal(tix__bitlen(0), 0);
    assert_int_equal(tix__bitlen(1), 1);
    assert_int_equal(tix__bitlen(2), 2);
    assert_int_equal(tix__bitlen(3), 2);
    assert_int_equal(tix__bitlen(4), 3);
    assert_int_equal(tix__bitlen(1000), 10);
    assert_int_equal(tix__bitlen(UINT64_MAX), 64);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(profile_taste_ranks_and_explains),
        T(bookings_and_reviews_shape_taste_and_are_left_out),
        T(cobooking_and_popularity_reasons),
        T(window_city_and_errors),
        cmocka_unit_test(bitlen_is_an_integer_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
