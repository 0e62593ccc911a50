/* lib/base/money.c: ISO 4217 minor units, amounts as text and back. */
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "testutil.h"

static void exponents(void **state)
{
    (void)state;
    static const struct {
        const char *code;
        int exp;
    } known[] = {{"JPY", 0}, {"KRW", 0}, {"VND", 0}, {"ISK", 0}, {"CLP", 0},
                 {"XOF", 0}, {"EUR", 2}, {"USD", 2}, {"INR", 2}, {"GBP", 2},
                 {"BHD", 3}, {"KWD", 3}, {"JOD", 3}, {"OMR", 3}, {"TND", 3},
                 {"IQD", 3}, {"LYD", 3}, {"CLF", 4}, {"UYW", 4}};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (tix_currency_exponent(known[i].code) != known[i].exp)
            fail_msg("%s: %d, want %d", known[i].code,
                     tix_currency_exponent(known[i].code), known[i].exp);
    static const char *const bad[] = {"XYZ", "jpy", "JP", "JPYY", "", "XAU",
                                      "XXX", "J1Y"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_code(tix_currency_exponent(bad[i]), TIX_EINVAL);
    assert_code(tix_currency_exponent(NULL), TIX_EINVAL);
}

/* The table is sorted (the lookup is a binary search) and every code in
 * it is found. */
static void table_is_sorted(void **state)
{
    (void)state;
    size_t n = tix__money_currency_count();
    assert_true(n >= 150);
    for (size_t i = 0; i < n; i++) {
        const char *c = tix__money_currency_code(i);
        if (i) assert_true(strcmp(tix__money_currency_code(i - 1), c) < 0);
        int e = tix_currency_exponent(c);
        assert_true(e >= 0 && e <= 4);
    }
    assert_null(tix__money_currency_code(n));
}

static void format(void **state)
{
    (void)state;
    static const struct {
        int64_t amount;
        const char *cur, *text;
    } cases[] = {
        {1800, "JPY", "JPY 1800"},     {1800, "EUR", "EUR 18.00"},
        {1800, "KWD", "KWD 1.800"},    {5, "INR", "INR 0.05"},
        {-50, "USD", "USD -0.50"},     {0, "BHD", "BHD 0.000"},
        {123456789, "CLF", "CLF 12345.6789"},
        {INT64_MIN, "EUR", "EUR -92233720368547758.08"},
        {INT64_MAX, "JPY", "JPY 9223372036854775807"},
    };
    char buf[TIX_MONEY_TEXT_MAX];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        assert_ok(tix_money_format(cases[i].amount, cases[i].cur, buf, sizeof buf));
        assert_string_equal(buf, cases[i].text);
    }
    memcpy(buf, "untouched", 10);
    assert_code(tix_money_format(1800, "EUR", buf, 9), TIX_ETOOLONG);
    assert_string_equal(buf, "untouched");
    assert_ok(tix_money_format(1800, "EUR", buf, 10)); /* "EUR 18.00" + NUL */
    assert_code(tix_money_format(1800, "XYZ", buf, sizeof buf), TIX_EINVAL);
    assert_code(tix_money_format(1800, "EUR", NULL, 10), TIX_EINVAL);
}

static void parse(void **state)
{
    (void)state;
    static const struct {
        const char *text, *cur;
        int64_t minor;
    } good[] = {
        {"18", "JPY", 18},    {"18.50", "EUR", 1850}, {"18.5", "EUR", 1850},
        {"18", "EUR", 1800},  {"1.8", "KWD", 1800},   {"-3", "USD", -300},
        {"0.05", "INR", 5},   {"0", "BHD", 0},
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        int64_t v = 42;
        assert_ok(tix_money_parse(good[i].text, good[i].cur, &v));
        if (v != good[i].minor)
            fail_msg("%s %s: %lld", good[i].cur, good[i].text, (long long)v);
    }
    static const char *const bad[] = {"", "-", ".", "1.", ".5", "18.5x", "1e3",
                                      " 18", "18 ", "1,000", "+5", "--5"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int64_t v = 42;
        assert_code(tix_money_parse(bad[i], "EUR", &v), TIX_EINVAL);
        assert_true(v == 42);
    }
    int64_t v = 42;
    assert_code(tix_money_parse("18.5", "JPY", &v), TIX_EINVAL); /* no decimals */
    assert_code(tix_money_parse("1.0001", "KWD", &v), TIX_EINVAL);
    assert_code(tix_money_parse("99999999999999999", "EUR", &v), TIX_ERANGE);
    assert_code(tix_money_parse("1234567890123456789", "JPY", &v), TIX_ERANGE);
    assert_code(tix_money_parse("18", "XYZ", &v), TIX_EINVAL);
    assert_true(v == 42);
}

/* Tiers take only codes with a known minor unit. */
static void tier_refuses_unknown_currency(void **state)
{
    (void)state;
    tt_store s;
    tt_open(&s);
    tix_place p = {.kind = TIX_PLACE_COUNTRY, .name = "Japan"};
    tix_id jp, st, city, venue, screen;
    assert_ok(tix_place_create(s.db, &p, &jp));
    p = (tix_place){.kind = TIX_PLACE_STATE, .parent_id = jp, .name = "Tokyo-to"};
    assert_ok(tix_place_create(s.db, &p, &st));
    p = (tix_place){.kind = TIX_PLACE_CITY, .parent_id = st, .name = "Tokyo",
                    .time_zone = "Asia/Tokyo"};
    assert_ok(tix_place_create(s.db, &p, &city));
    tix_venue v = {.city_id = city, .name = "Toho", .lat = 35.7, .lon = 139.7};
    assert_ok(tix_venue_create(s.db, &v, &venue));
    tix_screen sc = {.venue_id = venue, .name = "1"};
    assert_ok(tix_screen_create(s.db, &sc, &screen));
    tix_tier t = {.screen_id = screen, .name = "S", .price_minor = 1800};
    memcpy(t.currency, "XYZ", 4);
    assert_rejected(s.db, tix_tier_create(s.db, &t, NULL), TIX_EINVAL, "XYZ");
    memcpy(t.currency, "JPY", 4);
    assert_ok(tix_tier_create(s.db, &t, NULL));
    tt_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exponents),
        cmocka_unit_test(table_is_sorted),
        cmocka_unit_test(format),
        cmocka_unit_test(parse),
        cmocka_unit_test(tier_refuses_unknown_currency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
