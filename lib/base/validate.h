/* Input validation shared by every table. Each check returns TIX_OK or a
 * specific code with a detail message naming @p field. */
#ifndef TIX_LIB_VALIDATE_H
#define TIX_LIB_VALIDATE_H

#include <stddef.h>

#include "tix.h"

/* 1 when @p s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, no
 * code points above U+10FFFF). */
int tix__validate_utf8(const char *s, size_t n);

/* A string field of @p min..max bytes of UTF-8 without control characters
 * (NUL is impossible, tabs/newlines only when @p multiline).
 * NULL is treated as "". Errors: TIX_EINVAL (too short/empty or control
 * characters), TIX_ETOOLONG, TIX_EUTF8. */
int tix__validate_text(const char *field, const char *s, size_t min, size_t max,
                    int multiline);

/* A token of @p min..max bytes, every byte one of @p allowed (NUL-
 * terminated set, e.g. "abc...z0123456789_-"): consumer names, offer
 * codes. Errors: TIX_EINVAL (NULL, too short, a byte outside the set; the
 * message names byte and position), TIX_ETOOLONG. */
int tix__validate_charset(const char *field, const char *s, size_t min,
                       size_t max, const char *allowed);

/* A name: 1..TIX_NAME_MAX bytes, single line. */
int tix__validate_name(const char *field, const char *s);

/* A string list: up to TIX_LIST_MAX items of 1..@p item_max bytes each. */
int tix__validate_list(const char *field, const char *const *v, size_t n,
                    size_t item_max);

/* A real number that is finite and within @p lo..hi (NaN and infinities
 * never are). Errors: TIX_ERANGE. */
int tix__validate_real(const char *field, double v, double lo, double hi);

/* A real number that is merely finite (positions, coordinates).
 * Errors: TIX_ERANGE. */
int tix__validate_finite(const char *field, double v);

#endif
