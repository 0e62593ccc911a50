/* lib/base/fold.c: case and accent folding for title search. */
#include <stdlib.h>
#include <string.h>

#include "fold.h"
#include "testutil.h"
#include "validate.h"

static void assert_fold(const char *in, const char *want)
{
    char out[512];
    size_t n = tix__fold(in, strlen(in), out, NULL, 0);
    if (strcmp(out, want) != 0)
        fail_msg("fold(\"%s\") = \"%s\", want \"%s\"", in, out, want);
    assert_int_equal(n, strlen(want));
}

static void ascii_is_lowered_and_split_on_punctuation(void **state)
{
    (void)state;
    assert_fold("The Dark Knight", "the dark knight");
    assert_fold("  Mission: Impossible -- Fallout!! ", "mission impossible fallout");
    assert_fold("2001: A Space Odyssey", "2001 a space odyssey");
    assert_fold("", "");
    assert_fold("?!...", "");
    assert_fold("Don't Look Up", "dont look up");
    char out[64];
    tix__fold("Don't d\xE2\x80\x99" "Am\xC3\xA9lie", 17, out, NULL,
              TIX__FOLD_SPLIT);
    assert_string_equal(out, "don t d amelie");
}

static void latin_letters_fold_to_ascii(void **state)
{
    (void)state;
    assert_fold("Amélie", "amelie");
    assert_fold("ÀÁÂÃÄÅ àáâãäå", "aaaaaa aaaaaa");
    assert_fold("Straße", "strasse");
    assert_fold("Æon Flux", "aeon flux");
    assert_fold("Łódź", "lodz");
    assert_fold("Œuvre", "oeuvre");
    assert_fold("Þór", "thor");
    assert_fold("Ĳsselmeer", "ijsselmeer");
    assert_fold("Çà et là", "ca et la");
    assert_fold("Señor Ÿvain ŽŽ", "senor yvain zz");
    assert_fold("2×3÷4", "2 3 4");
    assert_fold("¡Hola! «Olé»", "hola ole");
    /* Decomposed accents and curly apostrophes. */
    assert_fold("e\xCC\x81" "cole", "ecole");
    assert_fold("Schindler\xE2\x80\x99s List", "schindlers list");
    /* Dashes and quotes from General Punctuation separate words. */
    assert_fold("Spider\xE2\x80\x94Man \xE2\x80\x9CHome\xE2\x80\x9D",
                "spider man home");
}

static void other_scripts_are_kept_or_lowered(void **state)
{
    (void)state;
    assert_fold("ΑΘΗΝΑ", "αθηνα");
    assert_fold("МОСКВА Ёлки", "москва ёлки");
    assert_fold("सलाम नमस्ते", "सलाम नमस्ते");
    assert_fold("東京、大阪", "東京 大阪");
}

static void every_latin_code_point_folds_to_ascii(void **state)
{
    (void)state;
    size_t letters = 0;
    for (unsigned cp = 0xC0; cp <= 0x17F; cp++) {
        char in[3] = {(char)(0xC0 | (cp >> 6)), (char)(0x80 | (cp & 0x3F)), 0};
        char out[8];
        size_t chars;
        size_t n = tix__fold(in, 2, out, &chars, 0);
        assert_true(n <= 2);
        assert_int_equal(chars, n);
        for (size_t i = 0; i < n; i++)
            if (out[i] < 'a' || out[i] > 'z')
                fail_msg("U+%04X folds to a non-letter 0x%02x", cp,
                         (unsigned char)out[i]);
        if (n == 0 && cp != 0xD7 && cp != 0xF7)
            fail_msg("U+%04X folds to nothing", cp);
        letters += n > 0;
    }
    assert_int_equal(letters, 0x180 - 0xC0 - 2);
}

static void counts_letters_and_never_grows(void **state)
{
    (void)state;
    char out[512];
    size_t chars;
    tix__fold("Straße 9", 9, out, &chars, 0);
    assert_int_equal(chars, 8); /* s t r a s s e 9 */
    tix__fold("東京", 6, out, &chars, 0);
    assert_int_equal(chars, 2);
    /* Random valid UTF-8: output never longer than input. */
    srand(7);
    static const unsigned pool[] = {'a', 'Z', ' ', '-', '\'', 0xE9, 0xDF,
                                    0x152, 0x301, 0x416, 0x3A3, 0x6771,
                                    0x2019, 0x2014, 0x1F600, 0xD7};
    for (int t = 0; t < 2000; t++) {
        char in[256];
        size_t n = 0;
        while (n < 200) {
            unsigned cp = pool[rand() % (sizeof pool / sizeof pool[0])];
            if (cp < 0x80) in[n++] = (char)cp;
            else if (cp < 0x800) {
                in[n++] = (char)(0xC0 | (cp >> 6));
                in[n++] = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                in[n++] = (char)(0xE0 | (cp >> 12));
                in[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                in[n++] = (char)(0x80 | (cp & 0x3F));
            } else {
                in[n++] = (char)(0xF0 | (cp >> 18));
                in[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
                in[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                in[n++] = (char)(0x80 | (cp & 0x3F));
            }
        }
        size_t m = tix__fold(in, n, out, NULL, t & 1 ? TIX__FOLD_SPLIT : 0);
        assert_true(m <= n);
        assert_true(tix__validate_utf8(out, m));
        assert_true(m == 0 || (out[0] != ' ' && out[m - 1] != ' '));
        assert_null(strstr(out, "  "));
    }
}

static void words_are_split(void **state)
{
    (void)state;
    const char *f = "the dark knight";
    size_t pos = 0, n;
    const char *w;
    n = tix__fold_next_word(f, strlen(f), &pos, &w);
    assert_int_equal(n, 3);
    assert_memory_equal(w, "the", 3);
    n = tix__fold_next_word(f, strlen(f), &pos, &w);
    assert_int_equal(n, 4);
    assert_memory_equal(w, "dark", 4);
    n = tix__fold_next_word(f, strlen(f), &pos, &w);
    assert_int_equal(n, 6);
    assert_memory_equal(w, "knight", 6);
    assert_int_equal(tix__fold_next_word(f, strlen(f), &pos, &w), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ascii_is_lowered_and_split_on_punctuation),
        cmocka_unit_test(latin_letters_fold_to_ascii),
        cmocka_unit_test(other_scripts_are_kept_or_lowered),
        cmocka_unit_test(every_latin_code_point_folds_to_ascii),
        cmocka_unit_test(counts_letters_and_never_grows),
        cmocka_unit_test(words_are_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
