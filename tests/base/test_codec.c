/* lib/base/codec.c: round trips, and every malformed record is rejected. */
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "testutil.h"

static void encode_sample(tix_enc *e)
{
    static const char *const list[] = {"Hindi", "English", "தமிழ்"};
    tix__enc_init(e, TIX_REC_MOVIE, 1);
    tix__enc_u8(e, 7);
    tix__enc_u32(e, 0xdeadbeef);
    tix__enc_u64(e, 0x0123456789abcdefull);
    tix__enc_i64(e, -42);
    tix__enc_f64(e, 12.9716);
    tix__enc_str(e, "Bengaluru");
    tix__enc_str(e, NULL);
    tix__enc_strlist(e, list, 3);
    assert_ok(tix__enc_finish(e));
}

static int decode_sample(const void *p, size_t n)
{
    tix_dec d;
    int rc = tix__dec_init(&d, p, n, TIX_REC_MOVIE, 1);
    if (rc) return rc;
    tix__dec_u8(&d);
    tix__dec_u32(&d);
    tix__dec_u64(&d);
    tix__dec_i64(&d);
    tix__dec_f64(&d);
    tix__dec_str(&d);
    tix__dec_str(&d);
    tix_bump b;
    assert_ok(tix__bump_init(&b, tix__bump_bound(0, n)));
    size_t count;
    tix__bump_strlist(&b, &d, &count);
    free(b.base);
    return tix__dec_finish(&d);
}

static void round_trip(void **state)
{
    (void)state;
    tix_enc e;
    encode_sample(&e);
    tix_dec d;
    assert_ok(tix__dec_init(&d, e.buf, e.len, TIX_REC_MOVIE, 1));
    assert_int_equal(tix__dec_u8(&d), 7);
    assert_int_equal(tix__dec_u32(&d), 0xdeadbeef);
    assert_true(tix__dec_u64(&d) == 0x0123456789abcdefull);
    assert_true(tix__dec_i64(&d) == -42);
    assert_true(tix__dec_f64(&d) == 12.9716);
    tix_str s = tix__dec_str(&d);
    assert_int_equal(s.len, 9);
    assert_memory_equal(s.p, "Bengaluru", 9);
    assert_int_equal(tix__dec_str(&d).len, 0);
    tix_bump b;
    assert_ok(tix__bump_init(&b, tix__bump_bound(0, e.len)));
    size_t n;
    const char *const *list = tix__bump_strlist(&b, &d, &n);
    assert_int_equal(n, 3);
    assert_string_equal(list[2], "தமிழ்");
    assert_null(list[3]);
    assert_ok(tix__dec_finish(&d));
    free(b.base);
    tix__enc_free(&e);
}

static void every_truncation_is_corrupt(void **state)
{
    (void)state;
    tix_enc e;
    encode_sample(&e);
    for (size_t n = 0; n < e.len; n++) {
        void *copy = malloc(n ? n : 1); /* exact size so ASan sees overruns */
        memcpy(copy, e.buf, n);
        assert_int_equal(decode_sample(copy, n), TIX_ECORRUPT);
        free(copy);
    }
    assert_ok(decode_sample(e.buf, e.len));
    tix__enc_free(&e);
}

static void trailing_bytes_are_corrupt(void **state)
{
    (void)state;
    tix_enc e;
    encode_sample(&e);
    tix__enc_u8(&e, 0);
    assert_int_equal(decode_sample(e.buf, e.len), TIX_ECORRUPT);
    tix__enc_free(&e);
}

static void wrong_type_or_version(void **state)
{
    (void)state;
    tix_enc e;
    encode_sample(&e);
    tix_dec d;
    assert_int_equal(tix__dec_init(&d, e.buf, e.len, TIX_REC_USER, 1),
                     TIX_ECORRUPT);
    e.buf[1] = 2;
    assert_int_equal(tix__dec_init(&d, e.buf, e.len, TIX_REC_MOVIE, 1),
                     TIX_EVERSION);
    e.buf[1] = 0;
    assert_int_equal(tix__dec_init(&d, e.buf, e.len, TIX_REC_MOVIE, 1),
                     TIX_ECORRUPT);
    tix__enc_free(&e);
}

static void huge_lengths_do_not_allocate(void **state)
{
    (void)state;
    /* A list count of 2^32-1 in a tiny record must be rejected up front. */
    uint8_t rec[] = {TIX_REC_MOVIE, 1, 7, 0xef, 0xbe, 0xad, 0xde,
                     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                     0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                     0xff, 0xff, 0xff, 0xff};
    assert_int_equal(decode_sample(rec, sizeof rec), TIX_ECORRUPT);
}

static void big_endian_keys_sort(void **state)
{
    (void)state;
    uint8_t a[8], b[8];
    tix__be64_put(a, 255);
    tix__be64_put(b, 256);
    assert_true(memcmp(a, b, 8) < 0);
    assert_true(tix__be64_get(b) == 256);
    tix__be64_put_i(a, -5);
    tix__be64_put_i(b, 3);
    assert_true(memcmp(a, b, 8) < 0);
    assert_true(tix__be64_get_i(a) == -5);
    tix__be32_put(a, 0x01020304);
    assert_int_equal(tix__be32_get(a), 0x01020304);
}

static void cstrings_keep_their_nul(void **state)
{
    (void)state;
    tix_enc e;
    tix__enc_init(&e, TIX_REC_SCREEN, 1);
    tix__enc_cstr(&e, "Audi 1");
    tix__enc_cstr(&e, NULL);
    assert_ok(tix__enc_finish(&e));
    tix_dec d;
    assert_ok(tix__dec_init(&d, e.buf, e.len, TIX_REC_SCREEN, 1));
    tix_str s = tix__dec_cstr(&d);
    assert_int_equal(s.len, 6);
    assert_string_equal(s.p, "Audi 1"); /* a C string inside the record */
    s = tix__dec_cstr(&d);
    assert_int_equal(s.len, 0);
    assert_string_equal(s.p, "");
    assert_ok(tix__dec_finish(&d));

    /* A missing terminator or an embedded NUL is corrupt. */
    e.buf[2 + 4 + 6] = 'x';
    assert_ok(tix__dec_init(&d, e.buf, e.len, TIX_REC_SCREEN, 1));
    tix__dec_cstr(&d);
    tix__dec_cstr(&d);
    assert_int_equal(tix__dec_finish(&d), TIX_ECORRUPT);
    e.buf[2 + 4 + 6] = 0;
    e.buf[2 + 4 + 2] = 0;
    assert_ok(tix__dec_init(&d, e.buf, e.len, TIX_REC_SCREEN, 1));
    tix__dec_cstr(&d);
    tix__dec_cstr(&d);
    assert_int_equal(tix__dec_finish(&d), TIX_ECORRUPT);
    tix__enc_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(every_truncation_is_corrupt),
        cmocka_unit_test(trailing_bytes_are_corrupt),
        cmocka_unit_test(wrong_type_or_version),
        cmocka_unit_test(huge_lengths_do_not_allocate),
        cmocka_unit_test(big_endian_keys_sort),
        cmocka_unit_test(cstrings_keep_their_nul),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
