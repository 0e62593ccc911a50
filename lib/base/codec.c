/* Record codec: see codec.h for the format. */
#include "codec.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"

static void enc_reserve(tix_enc *e, size_t more)
{
    if (e->err) return;
    if (e->len + more <= e->cap) return;
    size_t cap = e->cap ? e->cap : 64;
    while (cap < e->len + more) cap *= 2;
    uint8_t *p = realloc(e->buf, cap);
    if (!p) { e->err = TIX_ENOMEM; return; }
    e->buf = p;
    e->cap = cap;
}

void tix__enc_init(tix_enc *e, uint8_t type, uint8_t version)
{
    memset(e, 0, sizeof *e);
    tix__enc_u8(e, type);
    tix__enc_u8(e, version);
}

void tix__enc_bytes(tix_enc *e, const void *p, size_t n)
{
    enc_reserve(e, n);
    if (e->err) return;
    if (n) memcpy(e->buf + e->len, p, n);
    e->len += n;
}

void tix__enc_u8(tix_enc *e, uint8_t v) { tix__enc_bytes(e, &v, 1); }

void tix__enc_u32(tix_enc *e, uint32_t v)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++) b[i] = (uint8_t)(v >> (8 * i));
    tix__enc_bytes(e, b, 4);
}

void tix__enc_u64(tix_enc *e, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
    tix__enc_bytes(e, b, 8);
}

void tix__enc_i64(tix_enc *e, int64_t v) { tix__enc_u64(e, (uint64_t)v); }

void tix__enc_f64(tix_enc *e, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    tix__enc_u64(e, u);
}

void tix__enc_str(tix_enc *e, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n > UINT32_MAX) { e->err = TIX_ETOOLONG; return; }
    tix__enc_u32(e, (uint32_t)n);
    tix__enc_bytes(e, s, n);
}

void tix__enc_strlist(tix_enc *e, const char *const *v, size_t n)
{
    tix__enc_u32(e, (uint32_t)n);
    for (size_t i = 0; i < n; i++) tix__enc_str(e, v[i]);
}

int tix__enc_finish(tix_enc *e)
{
    if (e->err) return tix__err(e->err, "cannot encode record");
    return TIX_OK;
}

void tix__enc_free(tix_enc *e)
{
    free(e->buf);
    memset(e, 0, sizeof *e);
}

int tix__dec_init(tix_dec *d, const void *data, size_t len, uint8_t type,
                  uint8_t max_version)
{
    memset(d, 0, sizeof *d);
    d->p = data;
    d->len = len;
    if (len < 2 || !data)
        return d->err = tix__err(TIX_ECORRUPT, "record too short");
    if (d->p[0] != type)
        return d->err = tix__err(TIX_ECORRUPT,
                                 "record type %u where %u expected",
                                 d->p[0], type);
    d->version = d->p[1];
    if (d->version == 0)
        return d->err = tix__err(TIX_ECORRUPT, "record version 0");
    if (d->version > max_version)
        return d->err = tix__err(TIX_EVERSION,
                                 "record version %u is newer than %u",
                                 d->version, max_version);
    d->pos = 2;
    return TIX_OK;
}

const uint8_t *tix__dec_bytes(tix_dec *d, size_t n)
{
    if (d->err) return NULL;
    if (n > d->len - d->pos) {
        d->err = TIX_ECORRUPT;
        return NULL;
    }
    const uint8_t *p = d->p + d->pos;
    d->pos += n;
    return p;
}

uint8_t tix__dec_u8(tix_dec *d)
{
    const uint8_t *p = tix__dec_bytes(d, 1);
    return p ? p[0] : 0;
}

uint32_t tix__dec_u32(tix_dec *d)
{
    const uint8_t *p = tix__dec_bytes(d, 4);
    uint32_t v = 0;
    if (p)
        for (int i = 3; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

uint64_t tix__dec_u64(tix_dec *d)
{
    const uint8_t *p = tix__dec_bytes(d, 8);
    uint64_t v = 0;
    if (p)
        for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

int64_t tix__dec_i64(tix_dec *d) { return (int64_t)tix__dec_u64(d); }

double tix__dec_f64(tix_dec *d)
{
    uint64_t u = tix__dec_u64(d);
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

tix_str tix__dec_str(tix_dec *d)
{
    tix_str s = {"", 0};
    uint32_t n = tix__dec_u32(d);
    const uint8_t *p = tix__dec_bytes(d, n);
    if (p) {
        s.p = (const char *)p;
        s.len = n;
    }
    return s;
}

void tix__enc_cstr(tix_enc *e, const char *s)
{
    tix__enc_str(e, s);
    tix__enc_u8(e, 0);
}

tix_str tix__dec_cstr(tix_dec *d)
{
    tix_str s = tix__dec_str(d);
    uint8_t nul = tix__dec_u8(d);
    if (!d->err && (nul != 0 || memchr(s.p, 0, s.len))) {
        d->err = TIX_ECORRUPT;
        s.p = "";
        s.len = 0;
    }
    return s;
}

uint32_t tix__dec_count(tix_dec *d, uint32_t max)
{
    uint32_t n = tix__dec_u32(d);
    /* Each item needs at least 4 bytes, so a count larger than the bytes
     * left is corrupt before we allocate anything for it. */
    if (!d->err && (n > max || (size_t)n * 4 > d->len - d->pos)) {
        d->err = TIX_ECORRUPT;
        return 0;
    }
    return d->err ? 0 : n;
}

int tix__dec_finish(tix_dec *d)
{
    if (d->err == TIX_EVERSION) return d->err;
    if (d->err || d->pos != d->len)
        return tix__err(TIX_ECORRUPT, "record is malformed (%zu of %zu bytes)",
                        d->pos, d->len);
    return TIX_OK;
}

int tix__bump_init(tix_bump *b, size_t size)
{
    b->base = calloc(1, size);
    b->size = size;
    b->used = 0;
    if (!b->base) return tix__err(TIX_ENOMEM, "out of memory (%zu bytes)", size);
    return TIX_OK;
}

void *tix__bump_alloc(tix_bump *b, size_t size)
{
    size_t at = (b->used + 7) & ~(size_t)7;
    if (at > b->size || size > b->size - at) return NULL;
    b->used = at + size;
    return b->base + at;
}

const char *tix__bump_str(tix_bump *b, tix_str s)
{
    size_t at = b->used;
    if (at > b->size || (size_t)s.len + 1 > b->size - at) return NULL;
    char *p = b->base + at;
    memcpy(p, s.p, s.len);
    p[s.len] = '\0';
    b->used = at + s.len + 1;
    return p;
}

const char *const *tix__bump_strlist(tix_bump *b, tix_dec *d, size_t *n)
{
    uint32_t count = tix__dec_count(d, 1u << 16);
    *n = 0;
    if (d->err) return NULL;
    const char **v = tix__bump_alloc(b, sizeof(char *) * ((size_t)count + 1));
    if (!v) { d->err = TIX_ECORRUPT; return NULL; }
    for (uint32_t i = 0; i < count; i++) {
        tix_str s = tix__dec_str(d);
        if (d->err) return NULL;
        v[i] = tix__bump_str(b, s);
        if (!v[i]) { d->err = TIX_ECORRUPT; return NULL; }
    }
    v[count] = NULL;
    *n = count;
    return v;
}

size_t tix__bump_bound(size_t struct_size, size_t val_len)
{
    /* Each encoded string costs >= 4 bytes of length and turns into its
     * bytes + NUL (+ an 8-byte pointer and alignment when in a list), so
     * three times the encoded size always suffices. */
    return struct_size + 3 * val_len + 64;
}

void tix__dec_skip_strlist(tix_dec *d)
{
    uint32_t n = tix__dec_count(d, 1u << 16);
    for (uint32_t i = 0; i < n && !d->err; i++) tix__dec_str(d);
}
