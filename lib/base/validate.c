/* Input validation shared by every table. */
#include "validate.h"

#include <math.h>
#include <string.h>

#include "error.h"

int tix__validate_utf8(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) { i++; continue; }
        size_t len;
        unsigned cp, min;
        if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; min = 0x80; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; min = 0x800; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; min = 0x10000; }
        else return 0;
        if (n - i < len) return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

int tix__validate_text(const char *field, const char *s, size_t min, size_t max,
                    int multiline)
{
    if (!s) s = "";
    size_t n = strnlen(s, max + 1);
    if (n > max)
        return tix__err(TIX_ETOOLONG, "%s is longer than %zu bytes", field, max);
    if (n < min)
        return tix__err(TIX_EINVAL, n ? "%s is shorter than %zu bytes"
                                      : "%s is empty", field, min);
    if (!tix__validate_utf8(s, n))
        return tix__err(TIX_EUTF8, "%s is not valid UTF-8", field);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F) {
            if (multiline && (c == '\n' || c == '\t' || c == '\r')) continue;
            return tix__err(TIX_EINVAL, "%s contains control character 0x%02x",
                            field, c);
        }
    }
    return TIX_OK;
}

int tix__validate_charset(const char *field, const char *s, size_t min,
                       size_t max, const char *allowed)
{
    if (!s) return tix__err(TIX_EINVAL, "%s is NULL", field);
    size_t n = strnlen(s, max + 1);
    if (n > max)
        return tix__err(TIX_ETOOLONG, "%s is longer than %zu bytes", field, max);
    if (n < min)
        return tix__err(TIX_EINVAL, n ? "%s is shorter than %zu bytes"
                                      : "%s is empty", field, min);
    for (size_t i = 0; i < n; i++)
        if (!strchr(allowed, s[i]))
            return tix__err(TIX_EINVAL, "%s has byte 0x%02x at %zu; allowed: %s",
                            field, (unsigned char)s[i], i, allowed);
    return TIX_OK;
}

int tix__validate_name(const char *field, const char *s)
{
    return tix__validate_text(field, s, 1, TIX_NAME_MAX, 0);
}

int tix__validate_list(const char *field, const char *const *v, size_t n,
                    size_t item_max)
{
    if (n > TIX_LIST_MAX)
        return tix__err(TIX_ETOOLONG, "%s has %zu items, more than %d", field, n,
                        TIX_LIST_MAX);
    if (n && !v) return tix__err(TIX_EINVAL, "%s is NULL with %zu items", field, n);
    for (size_t i = 0; i < n; i++) {
        if (!v[i]) return tix__err(TIX_EINVAL, "%s[%zu] is NULL", field, i);
        int rc = tix__validate_text(field, v[i], 1, item_max, 0);
        if (rc) return rc;
    }
    return TIX_OK;
}

int tix__validate_real(const char *field, double v, double lo, double hi)
{
    if (!isfinite(v))
        return tix__err(TIX_ERANGE, "%s is not a finite number", field);
    if (v < lo || v > hi)
        return tix__err(TIX_ERANGE, "%s %g is not in %g..%g", field, v, lo, hi);
    return TIX_OK;
}

int tix__validate_finite(const char *field, double v)
{
    if (!isfinite(v))
        return tix__err(TIX_ERANGE, "%s is not a finite number", field);
    return TIX_OK;
}
