/* Text folding for title search and for comparing genres and languages:
 * the same text in any case or accent folds to the same bytes.
 *
 *  - ASCII letters are lower-cased, ASCII digits kept;
 *  - Latin-1 letters (U+00C0..U+00FF) and Latin Extended-A (U+0100..U+017F)
 *    become their ASCII base letters (é -> e, ß -> ss, Æ -> ae, Ł -> l,
 *    Þ -> th); × and ÷ separate words;
 *  - combining marks (U+0300..U+036F) are dropped, so "e\u0301" folds
 *    like "é"; so are apostrophes (' and U+2019): "Don't" folds like
 *    "Dont" (with TIX__FOLD_SPLIT they separate instead: "don t", as
 *    elision wants, "d'Amélie" -> "d amelie");
 *  - Greek (U+0391..U+03A9) and Cyrillic (U+0400..U+042F) capitals are
 *    lower-cased;
 *  - every other non-ASCII code point except punctuation (U+0080..U+00BF,
 *    U+2000..U+206F, U+3000..U+303F, which separate words) is part of a
 *    word and kept byte for byte;
 *  - everything else separates words.
 * The output is the words joined by single spaces; it is never longer
 * than the input. */
#ifndef TIX_LIB_FOLD_H
#define TIX_LIB_FOLD_H

#include <stddef.h>

/* Flags of tix__fold. */
#define TIX__FOLD_SPLIT 0x1 /* apostrophes separate words */

/* Folds @p s[0..n) (valid UTF-8) into @p out, which must hold n + 1
 * bytes; returns the output length (out is NUL-terminated). *chars (may
 * be NULL) receives the number of code points in the words. */
size_t tix__fold(const char *s, size_t n, char *out, size_t *chars,
                 unsigned flags);

/* Splits folded text into words: returns the length of the word starting
 * at *pos (0 at the end) and stores its start in *word; *pos moves past
 * it and its separator. */
size_t tix__fold_next_word(const char *folded, size_t len, size_t *pos,
                           const char **word);

#endif
