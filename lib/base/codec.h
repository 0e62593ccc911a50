/* The one record codec. Every table value is:
 *   u8 record type | u8 record version | fields...
 * Integers are little-endian fixed width, strings are u32 length + bytes
 * (no NUL), string lists are u32 count + strings. Decoding is bounds-checked:
 * any overrun, bad length or trailing garbage gives TIX_ECORRUPT, a version
 * newer than the reader knows gives TIX_EVERSION. Keys are encoded
 * big-endian (tix__be64_put) so LMDB's byte order sorts them numerically. */
#ifndef TIX_LIB_CODEC_H
#define TIX_LIB_CODEC_H

#include <stddef.h>
#include <stdint.h>

/* Record type bytes, one per table value kind; never reuse a number. */
enum tix_rec_type {
    TIX_REC_PLACE = 1,
    TIX_REC_VENUE = 2,
    TIX_REC_SCREEN = 3,
    TIX_REC_TIER = 4,
    TIX_REC_SEAT = 5,
    TIX_REC_MOVIE = 6,
    TIX_REC_SHOW = 7,
    TIX_REC_USER = 8,
    TIX_REC_BOOKING = 9,
    TIX_REC_TICKET = 10,
    TIX_REC_EVENT = 11,
    TIX_REC_STORE = 12,
    TIX_REC_OFFER = 13,    /* offers and price quotes */
    TIX_REC_CONSUMER = 14, /* outbox consumer cursors */
    TIX_REC_CHANNEL = 15,  /* sales channels */
    TIX_REC_AREA = 20,     /* general-admission areas */
    /* 32..47: reviews, search, recommendations, nearby */
    TIX_REC_REVIEW = 32,
    TIX_REC_COMMENT = 33,
    TIX_REC_RATING = 34,
    TIX_REC_TITLE_TERMS = 35,
    TIX_REC_POPULARITY = 36,
    TIX_REC_USER_MOVIE = 37,
    TIX_REC_USER_RECENT = 38,
    TIX_REC_COBOOKED = 39,
    TIX_REC_GEO = 40,
    /* 48..: the seat engine's records */
    TIX_REC_QUEUE = 48,
};

/* Growable output buffer. Errors are sticky: check once in tix__enc_finish. */
typedef struct tix_enc {
    uint8_t *buf;
    size_t len, cap;
    int err;
} tix_enc;

void tix__enc_init(tix_enc *e, uint8_t type, uint8_t version);
void tix__enc_u8(tix_enc *e, uint8_t v);
void tix__enc_u32(tix_enc *e, uint32_t v);
void tix__enc_u64(tix_enc *e, uint64_t v);
void tix__enc_i64(tix_enc *e, int64_t v);
void tix__enc_f64(tix_enc *e, double v);
void tix__enc_bytes(tix_enc *e, const void *p, size_t n); /* raw, no length */
void tix__enc_str(tix_enc *e, const char *s);             /* NULL = "" */
void tix__enc_strlist(tix_enc *e, const char *const *v, size_t n);
/* Returns TIX_OK or the first error (TIX_ENOMEM). */
int tix__enc_finish(tix_enc *e);
void tix__enc_free(tix_enc *e);

/* A string inside a record being decoded: not NUL-terminated. */
typedef struct tix_str {
    const char *p;
    uint32_t len;
} tix_str;

typedef struct tix_dec {
    const uint8_t *p;
    size_t len, pos;
    uint8_t version;
    int err;
} tix_dec;

/* Starts decoding a record of @p type; versions 1..max_version accepted. */
int tix__dec_init(tix_dec *d, const void *data, size_t len, uint8_t type,
                  uint8_t max_version);
uint8_t tix__dec_u8(tix_dec *d);
uint32_t tix__dec_u32(tix_dec *d);
uint64_t tix__dec_u64(tix_dec *d);
int64_t tix__dec_i64(tix_dec *d);
double tix__dec_f64(tix_dec *d);
const uint8_t *tix__dec_bytes(tix_dec *d, size_t n);
tix_str tix__dec_str(tix_dec *d);

/* A string stored with its terminating NUL (u32 length, bytes, u8 0), for
 * fields that internal readers hand out as C strings pointing straight into
 * LMDB memory. NULL encodes as "". tix__dec_cstr fails (sticky
 * TIX_ECORRUPT) when the NUL is missing or the bytes hold another NUL, so
 * the decoded .p is always a C string of exactly .len bytes. */
void tix__enc_cstr(tix_enc *e, const char *s);
tix_str tix__dec_cstr(tix_dec *d);
/* Reads a list count, checking it against @p max and the bytes left. */
uint32_t tix__dec_count(tix_dec *d, uint32_t max);
/* Consumes a string list without copying it (errors stay in @p d). */
void tix__dec_skip_strlist(tix_dec *d);
/* TIX_OK when every byte was consumed without error, else TIX_ECORRUPT. */
int tix__dec_finish(tix_dec *d);

/* Bump allocator used to return a record and its strings as one block. */
typedef struct tix_bump {
    char *base;
    size_t size, used;
} tix_bump;

/* Allocates @p size bytes for a block; TIX_ENOMEM on failure. */
int tix__bump_init(tix_bump *b, size_t size);
/* Carves @p size bytes aligned to 8; NULL when the block is exhausted
 * (a sizing bug, reported as TIX_ECORRUPT by the callers). */
void *tix__bump_alloc(tix_bump *b, size_t size);
/* Copies a decoded string and NUL-terminates it. */
const char *tix__bump_str(tix_bump *b, tix_str s);
/* Decodes a string list into a NULL-terminated array inside the block. */
const char *const *tix__bump_strlist(tix_bump *b, tix_dec *d, size_t *n);
/* Upper bound of the block needed to decode a value of @p val_len bytes
 * into a struct of @p struct_size bytes. */
size_t tix__bump_bound(size_t struct_size, size_t val_len);

/* Big-endian key helpers. */
static inline void tix__be64_put(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) { p[i] = (uint8_t)v; v >>= 8; }
}
static inline uint64_t tix__be64_get(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
    return v;
}
static inline void tix__be32_put(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--) { p[i] = (uint8_t)v; v >>= 8; }
}
static inline uint32_t tix__be32_get(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v = (v << 8) | p[i];
    return v;
}
/* Signed times sort correctly when their sign bit is flipped. */
static inline void tix__be64_put_i(uint8_t *p, int64_t v)
{
    tix__be64_put(p, (uint64_t)v ^ 0x8000000000000000ull);
}
static inline int64_t tix__be64_get_i(const uint8_t *p)
{
    return (int64_t)(tix__be64_get(p) ^ 0x8000000000000000ull);
}

#endif
