/* lib/base/error.c: codes, names and the thread-local detail message. */
#include <pthread.h>
#include <string.h>

#include "error.h"
#include "testutil.h"

static void every_code_has_a_distinct_name(void **state)
{
    (void)state;
    for (int c = TIX_OK; c >= TIX_ETIMEDOUT; c--) {
        const char *s = tix_strerror(c);
        assert_non_null(s);
        assert_string_not_equal(s, "unknown error");
        for (int d = c - 1; d >= TIX_ETIMEDOUT; d--)
            assert_string_not_equal(s, tix_strerror(d));
    }
    assert_string_equal(tix_strerror(-999), "unknown error");
    assert_string_equal(tix_strerror(5), "unknown error");
}

static void detail_message_is_formatted(void **state)
{
    (void)state;
    assert_int_equal(tix__err(TIX_EINVAL, "field %s is %d", "x", 7), TIX_EINVAL);
    assert_string_equal(tix_errmsg(), "field x is 7");
}

static void *other_thread(void *arg)
{
    (void)arg;
    tix__err(TIX_EIO, "from the other thread");
    return NULL;
}

static void detail_message_is_per_thread(void **state)
{
    (void)state;
    tix__err(TIX_EINVAL, "mine");
    pthread_t t;
    pthread_create(&t, NULL, other_thread, NULL);
    pthread_join(t, NULL);
    assert_string_equal(tix_errmsg(), "mine");
}

static void long_message_is_truncated_not_overflowed(void **state)
{
    (void)state;
    char big[2000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    tix__err(TIX_ETOOLONG, "%s", big);
    assert_true(strlen(tix_errmsg()) < 600);
}

static void version_matches_macros(void **state)
{
    (void)state;
    assert_string_equal(tix_version(), TIX_VERSION_STRING);
    assert_int_equal(TIX_VERSION_NUMBER, TIX_VERSION_MAJOR * 10000 +
                                             TIX_VERSION_MINOR * 100 +
                                             TIX_VERSION_PATCH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_code_has_a_distinct_name),
        cmocka_unit_test(detail_message_is_formatted),
        cmocka_unit_test(detail_message_is_per_thread),
        cmocka_unit_test(long_message_is_truncated_not_overflowed),
        cmocka_unit_test(version_matches_macros),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
