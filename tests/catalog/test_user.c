/* lib/catalog/user.c: users and the case-insensitive e-mail index. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "user.h"

static const char *const langs[] = {"Hindi", "Tamil", "English"};
static const char *const genres[] = {"Drama", "Com\xc3\xa9" "die"};

/* A valid user touching every field except the home city. */
static tix_user sample(void)
{
    tix_user u = {0};
    u.name = "Ren\xc3\xa9" "e \xe0\xa4\xb6\xe0\xa4\xb0\xe0\xa5\x8d\xe0\xa4\xae\xe0\xa4\xbe";
    u.email = "Renee.Sharma@Example.COM";
    u.phone = "+919876543210";
    u.languages = langs; u.n_languages = 3;
    u.genres = genres;   u.n_genres = 2;
    return u;
}

/* Country -> state -> city; returns the city, *state_out the state. */
static tix_id make_city(tix_db *db, tix_id *country_out, tix_id *state_out)
{
    tix_place p = {.kind = TIX_PLACE_COUNTRY, .name = "India"};
    tix_id country, state, city;
    assert_ok(tix_place_create(db, &p, &country));
    p = (tix_place){.kind = TIX_PLACE_STATE, .parent_id = country,
                    .name = "Karnataka"};
    assert_ok(tix_place_create(db, &p, &state));
    p = (tix_place){.kind = TIX_PLACE_CITY, .parent_id = state,
                    .name = "Bengaluru", .utc_offset_min = 330};
    assert_ok(tix_place_create(db, &p, &city));
    if (country_out) *country_out = country;
    if (state_out) *state_out = state;
    return city;
}

static void assert_list_equal(const char *const *got, size_t ngot,
                              const char *const *want, size_t nwant)
{
    assert_int_equal(ngot, nwant);
    assert_non_null(got);
    for (size_t i = 0; i < nwant; i++) assert_string_equal(got[i], want[i]);
    assert_null(got[nwant]);
}

static void assert_user_equal(const tix_user *got, const tix_user *want)
{
    assert_string_equal(got->name, want->name);
    assert_string_equal(got->email, want->email);
    assert_string_equal(got->phone, want->phone ? want->phone : "");
    assert_true(got->home_city_id == want->home_city_id);
    assert_list_equal(got->languages, got->n_languages, want->languages,
                      want->n_languages);
    assert_list_equal(got->genres, got->n_genres, want->genres, want->n_genres);
}

static void round_trip_every_field(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    tix_user in = sample();
    in.home_city_id = make_city(s.db, NULL, NULL);
    in.id = 42; /* ignored on create */
    tix_id id = 0;
    assert_ok(tix_user_create(s.db, &in, &id));
    assert_true(id == 1);
    tix_user *u = NULL;
    assert_ok(tix_user_get(s.db, id, &u));
    assert_true(u->id == id);
    assert_user_equal(u, &in); /* e-mail keeps its case */
    tix_user_free(u);

    tix_user bare = {.name = "B", .email = "b@c.d"}; /* no city, no phone */
    assert_ok(tix_user_create(s.db, &bare, NULL));
    assert_ok(tix_user_get(s.db, 2, &u));
    assert_user_equal(u, &bare);
    tix_user_free(u);
    tt_close(&s);
}

static void accepts_limits(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    char email[255];
    memset(email, 'a', 254);
    memcpy(email + 254 - 12, "@example.com", 12);
    email[254] = 0;
    char name[TIX_NAME_MAX + 1];
    memset(name, 'n', TIX_NAME_MAX);
    name[TIX_NAME_MAX] = 0;
    const char *many[TIX_LIST_MAX];
    for (int i = 0; i < TIX_LIST_MAX; i++) many[i] = name;
    tix_user in = {.name = name, .email = email, .phone = "+123456789012345",
                   .languages = many, .n_languages = TIX_LIST_MAX,
                   .genres = many, .n_genres = TIX_LIST_MAX};
    assert_ok(tix_user_create(s.db, &in, NULL));
    in.email = "a@b.c"; /* shortest with a dotted domain */
    in.phone = "+1234567";
    assert_ok(tix_user_create(s.db, &in, NULL));
    in.email = "\xe0\xa4\xb0\xe0\xa4\xbe\xe0\xa4\xae@\xe0\xa4\x89\xe0\xa4\xa6.in";
    assert_ok(tix_user_create(s.db, &in, NULL)); /* UTF-8 address */
    tix_user *u;
    assert_ok(tix_user_get(s.db, 1, &u));
    assert_user_equal(u, &(tix_user){.name = name, .email = email,
                                     .phone = "+123456789012345",
                                     .languages = many,
                                     .n_languages = TIX_LIST_MAX,
                                     .genres = many, .n_genres = TIX_LIST_MAX});
    tix_user_free(u);
    assert_ok(tix_user_find_email(s.db, email, &u));
    assert_true(u->id == 1);
    tix_user_free(u);
    tt_close(&s);
}

static void find_email_ignores_case(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    tix_user in = sample();
    tix_id id;
    assert_ok(tix_user_create(s.db, &in, &id));
    const char *forms[] = {"Renee.Sharma@Example.COM", "renee.sharma@example.com",
                           "RENEE.SHARMA@EXAMPLE.COM"};
    for (size_t i = 0; i < 3; i++) {
        tix_user *u = NULL;
        assert_ok(tix_user_find_email(s.db, forms[i], &u));
        assert_true(u->id == id);
        assert_string_equal(u->email, in.email);
        tix_user_free(u);
    }
    tix_user *u = (tix_user *)1;
    assert_code(tix_user_find_email(s.db, "nobody@example.com", &u),
                TIX_ENOTFOUND);
    assert_null(u);
    assert_true(strstr(tix_errmsg(), "nobody@example.com") != NULL);
    assert_code(tix_user_find_email(s.db, "", &u), TIX_ENOTFOUND);
    char huge[600];
    memset(huge, 'h', sizeof huge - 1);
    huge[sizeof huge - 1] = 0;
    assert_code(tix_user_find_email(s.db, huge, &u), TIX_ENOTFOUND);
    assert_code(tix_user_find_email(s.db, NULL, &u), TIX_EINVAL);
    assert_code(tix_user_find_email(NULL, "a@b.c", &u), TIX_EINVAL);
    assert_code(tix_user_find_email(s.db, "a@b.c", NULL), TIX_EINVAL);
    tt_close(&s);
}

static void duplicate_email_in_any_case(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    tix_user in = sample();
    assert_ok(tix_user_create(s.db, &in, NULL));
    const char *dups[] = {"Renee.Sharma@Example.COM", "renee.sharma@example.com",
                          "RENEE.SHARMA@example.Com"};
    for (size_t i = 0; i < 3; i++) {
        tix_user d = sample();
        d.name = "Someone else";
        d.email = dups[i];
        tix_id out = 7;
        assert_rejected(s.db, tix_user_create(s.db, &d, &out), TIX_EEXISTS,
                        "email");
        assert_true(out == 7);
    }
    /* Non-ASCII bytes are not folded: a different address. */
    tix_user d = sample();
    d.email = "ren\xc3\xa9" "e@example.com";
    assert_ok(tix_user_create(s.db, &d, NULL));
    tt_close(&s);
}

static void update_moves_email_index(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    tix_id city = make_city(s.db, NULL, NULL);
    tix_user a = sample(), b = sample();
    b.email = "other@example.com";
    tix_id ida, idb;
    assert_ok(tix_user_create(s.db, &a, &ida));
    assert_ok(tix_user_create(s.db, &b, &idb));

    /* Replace every field, including a new address. */
    static const char *const one[] = {"Kannada"};
    tix_user up = {.id = ida, .name = "Renee S.", .email = "renee@new.example",
                   .phone = "", .home_city_id = city, .languages = one,
                   .n_languages = 1};
    assert_ok(tix_user_update(s.db, &up));
    tix_user *u;
    assert_ok(tix_user_get(s.db, ida, &u));
    assert_user_equal(u, &up);
    tix_user_free(u);
    assert_code(tix_user_find_email(s.db, a.email, &u), TIX_ENOTFOUND);
    assert_ok(tix_user_find_email(s.db, "RENEE@NEW.EXAMPLE", &u));
    assert_true(u->id == ida);
    tix_user_free(u);

    /* The old address is free again. */
    tix_user c = sample();
    assert_ok(tix_user_create(s.db, &c, NULL));

    /* A change of case only keeps the entry and stores the new spelling. */
    up.email = "Renee@New.Example";
    assert_ok(tix_user_update(s.db, &up));
    assert_ok(tix_user_find_email(s.db, "renee@new.example", &u));
    assert_true(u->id == ida);
    assert_string_equal(u->email, "Renee@New.Example");
    tix_user_free(u);
    assert_ok(tix_user_update(s.db, &up)); /* unchanged is fine too */

    /* Taking another user's address, in any case, is refused. */
    up.email = "OTHER@example.com";
    assert_rejected(s.db, tix_user_update(s.db, &up), TIX_EEXISTS, "email");
    assert_ok(tix_user_find_email(s.db, "Renee@New.Example", &u));
    assert_true(u->id == ida);
    tix_user_free(u);

    up.id = 99;
    up.email = "free@example.com";
    assert_rejected(s.db, tix_user_update(s.db, &up), TIX_ENOTFOUND, "user");
    up.id = idb;
    up.home_city_id = 12345;
    assert_rejected(s.db, tix_user_update(s.db, &up), TIX_ENOTFOUND,
                    "home_city_id");
    tt_close(&s);
}

static void list_all_by_id_with_paging(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    tix_user_list *l;
    assert_ok(tix_user_list_all(s.db, 0, 0, &l));
    assert_int_equal(l->count, 0);
    tix_user_list_free(l);
    char email[32];
    for (int i = 0; i < 7; i++) {
        snprintf(email, sizeof email, "user%d@example.com", 7 - i);
        tix_user u = {.name = "U", .email = email};
        assert_ok(tix_user_create(s.db, &u, NULL));
    }
    assert_ok(tix_user_list_all(s.db, 0, 0, &l));
    assert_int_equal(l->count, 7);
    for (size_t i = 0; i < 7; i++) {
        assert_true(l->items[i].id == i + 1);
        snprintf(email, sizeof email, "user%zu@example.com", 7 - i);
        assert_string_equal(l->items[i].email, email);
    }
    tix_user_list_free(l);
    assert_ok(tix_user_list_all(s.db, 2, 3, &l));
    assert_int_equal(l->count, 3);
    assert_true(l->items[0].id == 3 && l->items[2].id == 5);
    tix_user_list_free(l);
    assert_ok(tix_user_list_all(s.db, 5, 10, &l));
    assert_int_equal(l->count, 2);
    tix_user_list_free(l);
    assert_ok(tix_user_list_all(s.db, 7, 0, &l));
    assert_int_equal(l->count, 0);
    tix_user_list_free(l);
    tt_close(&s);
}

/* ---- bad input table -------------------------------------------------- */

static char s129[130], s255[256];
static const char *many_items[TIX_LIST_MAX + 1];
static const char *const empty_item[] = {"Drama", ""};
static const char *const bad_utf8_item[] = {"\xe2\x82"};
static tix_id the_country, the_state;

static void u_name_empty(tix_user *u) { u->name = ""; }
static void u_name_long(tix_user *u) { u->name = s129; }
static void u_name_utf8(tix_user *u) { u->name = "\xc0\xaf"; }
static void u_name_ctrl(tix_user *u) { u->name = "a\tb"; }
static void u_email_null(tix_user *u) { u->email = NULL; }
static void u_email_empty(tix_user *u) { u->email = ""; }
static void u_email_short(tix_user *u) { u->email = "a@"; }
static void u_email_long(tix_user *u) { u->email = s255; }
static void u_email_no_at(tix_user *u) { u->email = "renee.example.com"; }
static void u_email_two_at(tix_user *u) { u->email = "a@b@example.com"; }
static void u_email_no_local(tix_user *u) { u->email = "@example.com"; }
static void u_email_no_domain(tix_user *u) { u->email = "renee@"; }
static void u_email_no_dot(tix_user *u) { u->email = "renee@localhost"; }
static void u_email_lead_dot(tix_user *u) { u->email = "renee@.com"; }
static void u_email_trail_dot(tix_user *u) { u->email = "renee@com."; }
static void u_email_space(tix_user *u) { u->email = "renee sharma@example.com"; }
static void u_email_ctrl(tix_user *u) { u->email = "renee@example.com\r"; }
static void u_email_utf8(tix_user *u) { u->email = "ren\xe9@example.com"; }
static void u_phone_no_plus(tix_user *u) { u->phone = "919876543210"; }
static void u_phone_short(tix_user *u) { u->phone = "+123456"; }
static void u_phone_long(tix_user *u) { u->phone = "+1234567890123456"; }
static void u_phone_space(tix_user *u) { u->phone = "+91 9876543210"; }
static void u_phone_plus(tix_user *u) { u->phone = "+"; }
static void u_city_unknown(tix_user *u) { u->home_city_id = 4040; }
static void u_city_country(tix_user *u) { u->home_city_id = the_country; }
static void u_city_state(tix_user *u) { u->home_city_id = the_state; }
static void u_lang_many(tix_user *u) { u->languages = many_items; u->n_languages = TIX_LIST_MAX + 1; }
static void u_lang_null(tix_user *u) { u->languages = NULL; u->n_languages = 1; }
static void u_genre_empty(tix_user *u) { u->genres = empty_item; u->n_genres = 2; }
static void u_genre_utf8(tix_user *u) { u->genres = bad_utf8_item; u->n_genres = 1; }

static const struct bad_user {
    const char *what;
    void (*mutate)(tix_user *);
    int code;
    const char *field;
} bad_users[] = {
    {"empty name", u_name_empty, TIX_EINVAL, "name"},
    {"129-byte name", u_name_long, TIX_ETOOLONG, "name"},
    {"overlong UTF-8 name", u_name_utf8, TIX_EUTF8, "name"},
    {"tab in name", u_name_ctrl, TIX_EINVAL, "name"},
    {"NULL email", u_email_null, TIX_EINVAL, "email"},
    {"empty email", u_email_empty, TIX_EINVAL, "email"},
    {"2-byte email", u_email_short, TIX_EINVAL, "email"},
    {"255-byte email", u_email_long, TIX_ETOOLONG, "email"},
    {"email without @", u_email_no_at, TIX_EINVAL, "email"},
    {"email with two @", u_email_two_at, TIX_EINVAL, "email"},
    {"email without local part", u_email_no_local, TIX_EINVAL, "email"},
    {"email without domain", u_email_no_domain, TIX_EINVAL, "email"},
    {"email domain without dot", u_email_no_dot, TIX_EINVAL, "email"},
    {"email domain leading dot", u_email_lead_dot, TIX_EINVAL, "email"},
    {"email domain trailing dot", u_email_trail_dot, TIX_EINVAL, "email"},
    {"space in email", u_email_space, TIX_EINVAL, "email"},
    {"CR in email", u_email_ctrl, TIX_EINVAL, "email"},
    {"Latin-1 email", u_email_utf8, TIX_EUTF8, "email"},
    {"phone without +", u_phone_no_plus, TIX_EINVAL, "phone"},
    {"phone with 6 digits", u_phone_short, TIX_EINVAL, "phone"},
    {"phone with 16 digits", u_phone_long, TIX_EINVAL, "phone"},
    {"space in phone", u_phone_space, TIX_EINVAL, "phone"},
    {"phone '+' only", u_phone_plus, TIX_EINVAL, "phone"},
    {"unknown home city", u_city_unknown, TIX_ENOTFOUND, "home_city_id"},
    {"home city is a country", u_city_country, TIX_EINVAL, "home_city_id"},
    {"home city is a state", u_city_state, TIX_EINVAL, "home_city_id"},
    {"33 languages", u_lang_many, TIX_ETOOLONG, "languages"},
    {"NULL languages with items", u_lang_null, TIX_EINVAL, "languages"},
    {"empty genre", u_genre_empty, TIX_EINVAL, "genres"},
    {"truncated UTF-8 genre", u_genre_utf8, TIX_EUTF8, "genres"},
};

static void bad_input_table(void **state)
{
    (void)state;
    memset(s129, 'n', 129);
    memset(s255, 'e', 255);
    memcpy(s255 + 255 - 12, "@example.com", 12);
    for (int i = 0; i <= TIX_LIST_MAX; i++) many_items[i] = "x";
    tt_store s;
    tt_open(&s);
    tix_id city = make_city(s.db, &the_country, &the_state);
    tix_user good = sample();
    good.home_city_id = city;
    tix_id id;
    assert_ok(tix_user_create(s.db, &good, &id));
    for (size_t i = 0; i < sizeof bad_users / sizeof *bad_users; i++) {
        const struct bad_user *b = &bad_users[i];
        print_message("bad user: %s\n", b->what);
        tix_user u = sample();
        u.email = "fresh@example.com"; /* so only the mutation can fail */
        b->mutate(&u);
        tix_id out = 555;
        assert_rejected(s.db, tix_user_create(s.db, &u, &out), b->code,
                        b->field);
        assert_true(out == 555);
        u.id = id;
        assert_rejected(s.db, tix_user_update(s.db, &u), b->code, b->field);
    }
    tix_user *got;
    assert_ok(tix_user_get(s.db, id, &got));
    assert_user_equal(got, &good);
    tix_user_free(got);
    tt_close(&s);
}

static void null_and_unknown(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    tix_user in = sample();
    tix_user *u = (tix_user *)1;
    tix_user_list *l = (tix_user_list *)1;
    assert_code(tix_user_create(NULL, &in, NULL), TIX_EINVAL);
    assert_rejected(s.db, tix_user_create(s.db, NULL, NULL), TIX_EINVAL, NULL);
    assert_code(tix_user_update(NULL, &in), TIX_EINVAL);
    assert_code(tix_user_update(s.db, NULL), TIX_EINVAL);
    assert_code(tix_user_get(NULL, 1, &u), TIX_EINVAL);
    assert_null(u);
    assert_code(tix_user_get(s.db, 1, NULL), TIX_EINVAL);
    u = (tix_user *)1;
    assert_code(tix_user_get(s.db, 1, &u), TIX_ENOTFOUND);
    assert_null(u);
    assert_code(tix_user_list_all(NULL, 0, 0, &l), TIX_EINVAL);
    assert_null(l);
    assert_code(tix_user_list_all(s.db, 0, 0, NULL), TIX_EINVAL);
    tix_user_free(NULL);
    tix_user_list_free(NULL);
    tt_close(&s);
}

static void internal_exists(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    tix_user in = sample();
    tix_id id;
    assert_ok(tix_user_create(s.db, &in, &id));
    MDB_txn *txn;
    assert_ok(tix__db_read_begin(s.db, &txn));
    assert_ok(tix__user_exists(s.db, txn, id));
    assert_code(tix__user_exists(s.db, txn, id + 1), TIX_ENOTFOUND);
    assert_code(tix__user_exists(s.db, txn, 0), TIX_ENOTFOUND);
    tix__db_read_end(s.db, txn);
    tt_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_every_field),
        cmocka_unit_test(accepts_limits),
        cmocka_unit_test(find_email_ignores_case),
        cmocka_unit_test(duplicate_email_in_any_case),
        cmocka_unit_test(update_moves_email_index),
        cmocka_unit_test(list_all_by_id_with_paging),
        cmocka_unit_test(bad_input_table),
        cmocka_unit_test(null_and_unknown),
        cmocka_unit_test(internal_exists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
