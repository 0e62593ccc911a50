/* Lock-free expiring holds: one CAS per seat in ascending order, rollback
 * on the first conflict; extend, release; the printable handle. */
#include "hold.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "error.h"
#include "random.h"
#include "validate.h"

#define HOLD_MAX_SEATS_ABS 256

tix_hold *tix__hold_new(tix_id show, uint32_t n)
{
    tix_hold *h = calloc(1, sizeof *h + (size_t)n * sizeof h->seats[0]);
    if (h) {
        h->show_id = show;
        h->n = n;
    }
    return h;
}

int tix__hold_ttl(tix_db *db, uint32_t ttl, uint32_t *out)
{
    if (ttl == 0) ttl = db->cfg.hold_ttl_default;
    if (ttl > db->cfg.hold_ttl_max)
        return tix__err(TIX_ERANGE, "ttl %u above hold_ttl_max %u", ttl,
                        db->cfg.hold_ttl_max);
    *out = ttl;
    return TIX_OK;
}

int tix__hold_token(tix_db *db, tix_id show, const char *request_key,
                    uint8_t token[16])
{
    if (!request_key) return tix__random_batch(token, 16);
    int rc = tix__check_text("request_key", request_key, 1,
                             TIX_REQUEST_KEY_MAX, 0);
    if (rc) return rc;
    /* Keyed by the store secret so a token cannot be computed from the
     * request key alone. */
    uint8_t buf[8 + 32 + TIX_REQUEST_KEY_MAX];
    size_t klen = strlen(request_key);
    tix__be64_put(buf, show);
    memcpy(buf + 8, db->secret, 32);
    memcpy(buf + 40, request_key, klen);
    XXH128_hash_t h = XXH3_128bits(buf, 40 + klen);
    memcpy(token, &h.low64, 8);
    memcpy(token + 8, &h.high64, 8);
    return TIX_OK;
}

int tix__show_selling(const tix__show_entry *e, int64_t now)
{
    if (now >= e->info.end)
        return tix__err(TIX_ESTATE, "show %llu has ended",
                        (unsigned long long)e->info.id);
    return TIX_OK;
}

static const char *state_name(uint64_t w)
{
    switch (tix__w_state(w)) {
    case TIX_W_HELD: return "held";
    case TIX_W_CONFIRMING: return "being confirmed";
    case TIX_W_BOOKED: return "booked";
    case TIX_W_BLOCKED: return "blocked";
    default: return "taken";
    }
}

/* Undoes the seats we took: our live words go back to FREE. */
static void rollback(const tix__show_entry *e, const uint32_t *seats,
                     const uint8_t *taken, uint32_t upto, uint64_t ours)
{
    for (uint32_t i = 0; i < upto; i++)
        if (taken[i]) {
            uint64_t w = ours;
            tix__w_cas(&e->seats[seats[i]], &w, tix__w_make(TIX_W_FREE, 0, 0));
            tix__best_hint_clear(e, seats[i]);
        }
}

/* tix__hold_take at map time @p now (the caller has read the clock). */
static int hold_take_at(tix_db *db, const tix__show_entry *e,
                        const uint32_t *seats, uint32_t n, uint32_t tag,
                        uint32_t exp, uint32_t now, uint32_t *min_exp)
{
    const uint64_t ours = tix__w_make(TIX_W_HELD, exp, tag);
    uint8_t taken[HOLD_MAX_SEATS_ABS];
    *min_exp = exp;
    for (uint32_t i = 0; i < n; i++) {
        tix_word *p = &e->seats[seats[i]];
        uint64_t w = tix__w_load(p);
        taken[i] = 0;
        for (;;) {
            if (tix__w_takeable(w, now)) {
                if (tix__w_cas(p, &w, ours)) { taken[i] = 1; break; }
                continue;
            }
            if (tix__w_held_live(w, now) && tix__w_tag(w) == tag) {
                if (tix__w_exp(w) < *min_exp) *min_exp = tix__w_exp(w);
                break; /* a repeated request: already ours */
            }
            if (tix__w_needs_repair(w, now)) {
                int rc = tix__seat_repair(db, e, seats[i], w, &w);
                if (rc) { rollback(e, seats, taken, i, ours); return rc; }
                continue;
            }
            rollback(e, seats, taken, i, ours);
            return tix__err(TIX_ECONFLICT, "seat %u of show %llu is %s",
                            seats[i], (unsigned long long)e->info.id,
                            state_name(w));
        }
    }
    return TIX_OK;
}

int tix__hold_take(tix_db *db, const tix__show_entry *e, const uint32_t *seats,
                   uint32_t n, uint32_t tag, uint32_t exp, uint32_t *min_exp)
{
    return hold_take_at(db, e, seats, n, tag, exp, tix__map_now(db), min_exp);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int tix_hold_create(tix_db *db, tix_id show_id, const uint32_t *seats,
                    size_t n, const tix_hold_opts *opts, tix_hold **out)
{
    if (!out) return tix__err(TIX_EINVAL, "out is NULL");
    *out = NULL;
    if (!db || !seats) return tix__err(TIX_EINVAL, "db or seats is NULL");
    if (n == 0) return tix__err(TIX_EINVAL, "no seats to hold");
    if (n > db->cfg.hold_max_seats)
        return tix__err(TIX_ELIMIT, "%zu seats exceed hold_max_seats %u", n,
                        db->cfg.hold_max_seats);
    uint32_t ttl = 0;
    int rc = tix__hold_ttl(db, opts ? opts->ttl : 0, &ttl);
    if (rc) return rc;
    const tix__show_entry *e;
    int64_t now = tix_db_now(db); /* the one clock read of this call */
    if ((rc = tix__show_lookup_at(db, show_id, now, &e))) return rc;
    if ((rc = tix__show_selling(e, now))) return rc;
    tix_hold *h = tix__hold_new(show_id, (uint32_t)n);
    if (!h) return tix__err(TIX_ENOMEM, "out of memory");
    memcpy(h->seats, seats, n * sizeof *seats);
    if (n <= 16) { /* the usual few seats: insertion sort beats qsort */
        for (size_t i = 1; i < n; i++)
            for (size_t j = i; j > 0 && h->seats[j] < h->seats[j - 1]; j--) {
                uint32_t t = h->seats[j];
                h->seats[j] = h->seats[j - 1];
                h->seats[j - 1] = t;
            }
    } else {
        qsort(h->seats, n, sizeof *h->seats, cmp_u32);
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (h->seats[i] >= e->info.seat_count)
            rc = tix__err(TIX_EINVAL, "seat %u out of range (show has %u)",
                          h->seats[i], e->info.seat_count);
        else if (i && h->seats[i] == h->seats[i - 1])
            rc = tix__err(TIX_EINVAL, "seat %u listed twice", h->seats[i]);
    }
    if (rc == 0)
        rc = tix__hold_token(db, show_id, opts ? opts->request_key : NULL,
                             h->token);
    /* One clock read serves the whole call. */
    uint32_t exp = tix__seatmap_time(&db->engine->map, now + ttl), min_exp;
    if (rc == 0)
        rc = hold_take_at(db, e, h->seats, h->n, tix__hold_tag(db, h->token),
                          exp, tix__seatmap_time(&db->engine->map, now),
                          &min_exp);
    if (rc) {
        free(h);
        return rc;
    }
    h->expires = db->engine->map.epoch + min_exp;
    *out = h;
    return TIX_OK;
}

int tix__hold_check(tix_db *db, const tix_hold *h, const tix__show_entry **e)
{
    if (!db || !h) return tix__err(TIX_EINVAL, "db or hold is NULL");
    int rc = tix__show_lookup(db, h->show_id, e);
    if (rc) return rc;
    for (uint32_t i = 0; i < h->n; i++)
        if (h->seats[i] >= (*e)->info.seat_count)
            return tix__err(TIX_EBADCODE, "hold names seat %u beyond the show",
                            h->seats[i]);
    return TIX_OK;
}

int tix_hold_extend(tix_db *db, tix_hold *h, uint32_t ttl)
{
    const tix__show_entry *e;
    int rc = tix__hold_check(db, h, &e);
    if (rc) return rc;
    if ((rc = tix__hold_ttl(db, ttl, &ttl))) return rc;
    int64_t now = tix_db_now(db);
    uint32_t mnow = tix__seatmap_time(&db->engine->map, now);
    uint32_t exp = tix__seatmap_time(&db->engine->map, now + ttl);
    uint32_t tag = tix__hold_tag(db, h->token);
    for (uint32_t i = 0; i < h->n; i++) {
        tix_word *p = &e->seats[h->seats[i]];
        uint64_t w = tix__w_load(p);
        for (;;) {
            if (!tix__w_held_live(w, mnow) || tix__w_tag(w) != tag)
                return tix__err(TIX_EEXPIRED, "hold on seat %u has run out",
                                h->seats[i]);
            if (tix__w_cas(p, &w, tix__w_make(TIX_W_HELD, exp, tag))) break;
        }
    }
    h->expires = now + ttl;
    return TIX_OK;
}

int tix_hold_release(tix_db *db, const tix_hold *h)
{
    const tix__show_entry *e;
    int rc = tix__hold_check(db, h, &e);
    if (rc) return rc;
    uint32_t tag = tix__hold_tag(db, h->token);
    for (uint32_t i = 0; i < h->n; i++) {
        tix_word *p = &e->seats[h->seats[i]];
        uint64_t w = tix__w_load(p);
        while (tix__w_state(w) == TIX_W_HELD && tix__w_tag(w) == tag &&
               !tix__w_cas(p, &w, tix__w_make(TIX_W_FREE, 0, 0))) {
        }
        tix__best_hint_clear(e, h->seats[i]);
    }
    return TIX_OK;
}

tix_id tix_hold_show(const tix_hold *h) { return h ? h->show_id : 0; }
size_t tix_hold_count(const tix_hold *h) { return h ? h->n : 0; }
uint32_t tix_hold_seat(const tix_hold *h, size_t i)
{
    return h && i < h->n ? h->seats[i] : UINT32_MAX;
}
int64_t tix_hold_expires(const tix_hold *h) { return h ? h->expires : 0; }
void tix_hold_free(tix_hold *h) { free(h); }

/* ---- printable handle: "H1" + base64url(payload + XXH32 check) ------- */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static size_t payload_size(uint32_t n) { return 8 + 8 + 16 + 2 + 4 * n + 4; }

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

int tix_hold_to_string(const tix_hold *h, char *buf, size_t cap)
{
    if (!h || !buf) return tix__err(TIX_EINVAL, "hold or buf is NULL");
    uint8_t p[8 + 8 + 16 + 2 + 4 * HOLD_MAX_SEATS_ABS + 4];
    size_t len = payload_size(h->n);
    put_le(p, h->show_id, 8);
    put_le(p + 8, (uint64_t)h->expires, 8);
    memcpy(p + 16, h->token, 16);
    put_le(p + 32, h->n, 2);
    for (uint32_t i = 0; i < h->n; i++) put_le(p + 34 + 4 * i, h->seats[i], 4);
    put_le(p + len - 4, XXH32(p, len - 4, 0x7e1d), 4);
    size_t out_len = 2 + (len * 8 + 5) / 6;
    if (cap < out_len + 1)
        return tix__err(TIX_ETOOLONG, "buffer of %zu bytes, need %zu", cap,
                        out_len + 1);
    char *o = buf;
    *o++ = 'H';
    *o++ = '1';
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | p[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            *o++ = b64[(acc >> bits) & 63];
        }
    }
    if (bits) *o++ = b64[(acc << (6 - bits)) & 63];
    *o = '\0';
    return TIX_OK;
}

static int b64_value(char c)
{
    const char *p = c ? strchr(b64, c) : NULL;
    return p ? (int)(p - b64) : -1;
}

int tix_hold_from_string(const char *s, tix_hold **out)
{
    if (!out) return tix__err(TIX_EINVAL, "out is NULL");
    *out = NULL;
    if (!s) return tix__err(TIX_EINVAL, "string is NULL");
    size_t slen = strnlen(s, TIX_HOLD_STRING_MAX + 1);
    if (slen > TIX_HOLD_STRING_MAX || slen < 3 || s[0] != 'H' || s[1] != '1')
        return tix__err(TIX_EBADCODE, "not a hold handle");
    uint8_t p[8 + 8 + 16 + 2 + 4 * HOLD_MAX_SEATS_ABS + 4 + 3];
    size_t len = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 2; i < slen; i++) {
        int v = b64_value(s[i]);
        if (v < 0) return tix__err(TIX_EBADCODE, "bad character in hold handle");
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (len >= sizeof p) return tix__err(TIX_EBADCODE, "hold handle too long");
            p[len++] = (uint8_t)(acc >> bits);
        }
    }
    /* Only the canonical encoding is accepted: the bits past the last byte
     * must be zero, so no two strings name the same handle. */
    if (bits && (acc & ((1u << bits) - 1)) != 0)
        return tix__err(TIX_EBADCODE, "hold handle has stray bits");
    if (len < payload_size(1))
        return tix__err(TIX_EBADCODE, "hold handle truncated");
    uint32_t n = (uint32_t)get_le(p + 32, 2);
    if (n < 1 || n > HOLD_MAX_SEATS_ABS || len != payload_size(n))
        return tix__err(TIX_EBADCODE, "hold handle has the wrong length");
    if (get_le(p + len - 4, 4) != XXH32(p, len - 4, 0x7e1d))
        return tix__err(TIX_EBADCODE, "hold handle fails its check");
    tix_hold *h = tix__hold_new(get_le(p, 8), n);
    if (!h) return tix__err(TIX_ENOMEM, "out of memory");
    h->expires = (int64_t)get_le(p + 8, 8);
    memcpy(h->token, p + 16, 16);
    for (uint32_t i = 0; i < n; i++) {
        h->seats[i] = (uint32_t)get_le(p + 34 + 4 * i, 4);
        if (i && h->seats[i] <= h->seats[i - 1]) {
            free(h);
            return tix__err(TIX_EBADCODE, "hold handle seats out of order");
        }
    }
    *out = h;
    return TIX_OK;
}
