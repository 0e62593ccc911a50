/* Text folding for search: see fold.h. */
#include "fold.h"

#include <stdint.h>
#include <string.h>

/* Latin-1 letters and Latin Extended-A, as runs of code points that fold
 * to the same ASCII; "" marks a separator (× and ÷). */
static const struct latin_run {
    uint16_t lo, hi;
    char fold[3];
} latin[] = {
    {0x00C0, 0x00C5, "a"},  {0x00C6, 0x00C6, "ae"}, {0x00C7, 0x00C7, "c"},
    {0x00C8, 0x00CB, "e"},  {0x00CC, 0x00CF, "i"},  {0x00D0, 0x00D0, "d"},
    {0x00D1, 0x00D1, "n"},  {0x00D2, 0x00D6, "o"},  {0x00D7, 0x00D7, ""},
    {0x00D8, 0x00D8, "o"},  {0x00D9, 0x00DC, "u"},  {0x00DD, 0x00DD, "y"},
    {0x00DE, 0x00DE, "th"}, {0x00DF, 0x00DF, "ss"}, {0x00E0, 0x00E5, "a"},
    {0x00E6, 0x00E6, "ae"}, {0x00E7, 0x00E7, "c"},  {0x00E8, 0x00EB, "e"},
    {0x00EC, 0x00EF, "i"},  {0x00F0, 0x00F0, "d"},  {0x00F1, 0x00F1, "n"},
    {0x00F2, 0x00F6, "o"},  {0x00F7, 0x00F7, ""},   {0x00F8, 0x00F8, "o"},
    {0x00F9, 0x00FC, "u"},  {0x00FD, 0x00FD, "y"},  {0x00FE, 0x00FE, "th"},
    {0x00FF, 0x00FF, "y"},  {0x0100, 0x0105, "a"},  {0x0106, 0x010D, "c"},
    {0x010E, 0x0111, "d"},  {0x0112, 0x011B, "e"},  {0x011C, 0x0123, "g"},
    {0x0124, 0x0127, "h"},  {0x0128, 0x0131, "i"},  {0x0132, 0x0133, "ij"},
    {0x0134, 0x0135, "j"},  {0x0136, 0x0138, "k"},  {0x0139, 0x0142, "l"},
    {0x0143, 0x014B, "n"},  {0x014C, 0x0151, "o"},  {0x0152, 0x0153, "oe"},
    {0x0154, 0x0159, "r"},  {0x015A, 0x0161, "s"},  {0x0162, 0x0167, "t"},
    {0x0168, 0x0173, "u"},  {0x0174, 0x0175, "w"},  {0x0176, 0x0178, "y"},
    {0x0179, 0x017E, "z"},  {0x017F, 0x017F, "s"},
};

static const char *latin_fold(unsigned cp)
{
    size_t lo = 0, hi = sizeof latin / sizeof latin[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < latin[mid].lo) hi = mid;
        else if (cp > latin[mid].hi) lo = mid + 1;
        else return latin[mid].fold;
    }
    return ""; /* not reached for U+00C0..U+017F: the runs cover it */
}

/* Decodes one code point of valid UTF-8; returns its length. */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (len > n) len = n; /* cannot happen with valid input */
    *cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (size_t k = 1; k < len; k++) *cp = (*cp << 6) | (s[k] & 0x3F);
    return len;
}

static size_t utf8_encode(unsigned cp, char *out)
{
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

/* Greek and Cyrillic capitals to small letters (same UTF-8 length). */
static unsigned lower_other(unsigned cp)
{
    if (cp >= 0x0391 && cp <= 0x03A9 && cp != 0x03A2) return cp + 0x20;
    if (cp >= 0x0410 && cp <= 0x042F) return cp + 0x20;
    if (cp >= 0x0400 && cp <= 0x040F) return cp + 0x50;
    return cp;
}

enum cls { SEP, DROP, WORD };

static enum cls classify(unsigned cp, unsigned flags)
{
    if (cp == '\'' || cp == 0x2019)
        return flags & TIX__FOLD_SPLIT ? SEP : DROP;
    if (cp < 0x80) {
        if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
            (cp >= '0' && cp <= '9'))
            return WORD;
        return SEP;
    }
    if (cp < 0xC0) return SEP;
    if (cp >= 0x0300 && cp <= 0x036F) return DROP;
    if ((cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F))
        return SEP;
    return WORD;
}

size_t tix__fold(const char *str, size_t n, char *out, size_t *chars,
                 unsigned flags)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t o = 0, count = 0;
    int sep = 0; /* a separator is pending before the next word byte */
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t len = utf8_decode(s + i, n - i, &cp);
        const char *src = (const char *)s + i;
        i += len;
        enum cls c = classify(cp, flags);
        if (c == DROP) continue;
        const char *fold = NULL;
        char buf[4];
        size_t flen = 0;
        if (c == WORD && cp < 0x80) {
            buf[0] = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
            fold = buf;
            flen = 1;
        } else if (c == WORD && cp <= 0x017F) {
            fold = latin_fold(cp);
            flen = strlen(fold);
        } else if (c == WORD) {
            unsigned lc = lower_other(cp);
            if (lc != cp) {
                flen = utf8_encode(lc, buf);
                fold = buf;
            } else {
                fold = src;
                flen = len;
            }
        }
        if (flen == 0) { /* a separator (or × ÷) */
            sep = o > 0;
            continue;
        }
        if (sep) out[o++] = ' ';
        sep = 0;
        memcpy(out + o, fold, flen);
        o += flen;
        /* "ss" from ß counts as the two letters it became. */
        count += cp < 0x80 || cp > 0x017F ? 1 : flen;
    }
    out[o] = '\0';
    if (chars) *chars = count;
    return o;
}

size_t tix__fold_next_word(const char *folded, size_t len, size_t *pos,
                           const char **word)
{
    size_t p = *pos;
    if (p >= len) return 0;
    const char *end = memchr(folded + p, ' ', len - p);
    size_t wl = end ? (size_t)(end - (folded + p)) : len - p;
    *word = folded + p;
    *pos = p + wl + 1;
    return wl;
}
