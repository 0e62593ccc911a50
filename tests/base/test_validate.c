/* lib/base/validate.c: UTF-8 and text field rules. */
#include <math.h>
#include <string.h>

#include "testutil.h"
#include "validate.h"

static void utf8_accepts_valid(void **state)
{
    (void)state;
    const char *ok[] = {"", "abc", "caf\xc3\xa9", "\xe0\xa4\xb9\xe0\xa4\xbf",
                        "\xf0\x9f\x8e\xac", "\xef\xbf\xbf"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        assert_true(tix__validate_utf8(ok[i], strlen(ok[i])));
}

static void utf8_rejects_invalid(void **state)
{
    (void)state;
    const char *bad[] = {
        "\x80",             /* lone continuation */
        "\xc3",             /* truncated */
        "\xc0\xaf",         /* overlong '/' */
        "\xe0\x80\xaf",     /* overlong */
        "\xed\xa0\x80",     /* surrogate */
        "\xf4\x90\x80\x80", /* above U+10FFFF */
        "\xff",             /* never valid */
        "ab\xe2\x82",       /* truncated at end */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(tix__validate_utf8(bad[i], strlen(bad[i])));
}

static void text_rules(void **state)
{
    (void)state;
    char big[TIX_NAME_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_code(tix__validate_name("name", ""), TIX_EINVAL);
    assert_code(tix__validate_name("name", NULL), TIX_EINVAL);
    assert_code(tix__validate_name("name", big), TIX_ETOOLONG);
    big[TIX_NAME_MAX] = 0;
    assert_ok(tix__validate_name("name", big));
    assert_code(tix__validate_name("name", "a\xff"), TIX_EUTF8);
    assert_code(tix__validate_name("name", "a\nb"), TIX_EINVAL);
    assert_ok(tix__validate_text("synopsis", "a\nb", 0, 100, 1));
    assert_code(tix__validate_text("synopsis", "a\x01", 0, 100, 1), TIX_EINVAL);
    assert_true(strstr(tix_errmsg(), "synopsis") != NULL);
}

static void list_rules(void **state)
{
    (void)state;
    const char *v[TIX_LIST_MAX + 1];
    for (size_t i = 0; i <= TIX_LIST_MAX; i++) v[i] = "Drama";
    assert_ok(tix__validate_list("genres", v, TIX_LIST_MAX, TIX_NAME_MAX));
    assert_code(tix__validate_list("genres", v, TIX_LIST_MAX + 1, TIX_NAME_MAX),
                TIX_ETOOLONG);
    assert_code(tix__validate_list("genres", NULL, 2, TIX_NAME_MAX), TIX_EINVAL);
    v[3] = "";
    assert_code(tix__validate_list("genres", v, 5, TIX_NAME_MAX), TIX_EINVAL);
    v[3] = NULL;
    assert_code(tix__validate_list("genres", v, 5, TIX_NAME_MAX), TIX_EINVAL);
    assert_ok(tix__validate_list("genres", NULL, 0, TIX_NAME_MAX));
}

static void real_rules(void **state)
{
    (void)state;
    assert_ok(tix__validate_real("lat", 90, -90, 90));
    assert_ok(tix__validate_real("lat", -90, -90, 90));
    assert_code(tix__validate_real("lat", 90.5, -90, 90), TIX_ERANGE);
    assert_true(strstr(tix_errmsg(), "lat") != NULL);
    assert_code(tix__validate_real("lat", NAN, -90, 90), TIX_ERANGE);
    assert_code(tix__validate_real("lat", -INFINITY, -90, 90), TIX_ERANGE);
    assert_ok(tix__validate_finite("x", -1e308));
    assert_code(tix__validate_finite("x", INFINITY), TIX_ERANGE);
    assert_code(tix__validate_finite("x", NAN), TIX_ERANGE);
    assert_true(strstr(tix_errmsg(), "x") != NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8_accepts_valid),
        cmocka_unit_test(utf8_rejects_invalid),
        cmocka_unit_test(text_rules),
        cmocka_unit_test(list_rules),
        cmocka_unit_test(real_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
