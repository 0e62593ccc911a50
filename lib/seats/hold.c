/* Lock-free expiring holds: one CAS per seat in ascending order, rollback
 * on the first conflict; extend, release; the printable handle. */
#include "hold.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <time.h>

#include "error.h"
#include "layout.h"
#include "queue.h"
#include "random.h"
#include "user.h"
#include "usercap.h"
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
    int rc = tix__validate_text("request_key", request_key, 1,
                             TIX_REQUEST_KEY_MAX, 0);
    if (rc) return rc;
    /* Keyed by the store secret so a token cannot be computed from the
     * request key alone. */
    uint8_t buf[3 + 8 + TIX_REQUEST_KEY_MAX];
    size_t klen = strlen(request_key);
    memcpy(buf, "rk1", 3);
    tix__be64_put(buf + 3, show);
    memcpy(buf + 11, request_key, klen);
    crypto_generichash(token, 16, buf, 11 + klen, db->secret, 32);
    return TIX_OK;
}

int tix__hold_user_cap(tix_db *db, const tix__show_entry *e, tix_id user,
                       uint32_t n)
{
    if (!user) return TIX_OK;
    MDB_txn *txn;
    int rc = tix__db_read_begin(db, &txn);
    if (rc) return rc;
    rc = tix__user_exists(db, txn, user);
    if (rc == TIX_ENOTFOUND)
        rc = tix__err(rc, "user_id %llu does not exist", (unsigned long long)user);
    if (rc == 0) rc = tix__usercap_check(db, txn, &e->info, user, n);
    tix__db_read_end(db, txn);
    return rc;
}

int tix__hold_show_selling(const tix__show_entry *e, int64_t now)
{
    if (now >= e->info.end)
        return tix__err(TIX_ESTATE, "show %llu has ended",
                        (unsigned long long)e->info.id);
    /* Seen by entries loaded after the cancel (any process, after a
     * reopen); an entry cached before it finds every seat BLOCKED. */
    if (e->info.cancelled_at ||
        atomic_load_explicit(&e->cancelled, memory_order_relaxed))
        return tix__err(TIX_ESTATE, "show %llu is cancelled",
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

/* Undoes the seats we took. Each word goes back to what it was (@p prev),
 * or to FREE without @p prev: a refused hold must not rob a run-out hold of
 * its seats, since that hold may still be paid for late. */
static void rollback(const tix__show_entry *e, const uint32_t *seats,
                     const uint8_t *taken, const uint64_t *prev,
                     uint32_t upto, uint64_t ours)
{
    for (uint32_t i = 0; i < upto; i++)
        if (taken[i]) {
            uint64_t w = ours;
            tix__w_cas(&e->seats[seats[i]], &w,
                       prev ? prev[i] : tix__w_make(TIX_W_FREE, 0, 0));
            tix__engine_hint_clear(e, seats[i]);
        }
}

void tix__hold_untake(const tix__show_entry *e, const uint32_t *seats,
                      uint32_t n, uint32_t tag, uint32_t exp)
{
    uint8_t all[HOLD_MAX_SEATS_ABS];
    memset(all, 1, n);
    rollback(e, seats, all, NULL, n, tix__w_make(TIX_W_HELD, exp, tag));
}

/* tix__hold_take at map time @p now (the caller has read the clock).
 * A seat already held by @p tag is never shared: with random tokens that
 * is a 2^-32 tag collision with a stranger, and with a request key it is
 * a concurrent request with the same key (TIX__KEY_RACE: the caller looks
 * again, see keyed_take). */
static int channel_refusal(const tix__show_entry *e, uint32_t seat)
{
    return tix__err(TIX_EPERM, "seat %u of show %llu is sold through channel %u",
                    seat, (unsigned long long)e->info.id,
                    (unsigned)atomic_load(&e->chan->seat[seat]));
}

int tix__hold_opts_check(tix_db *db, const tix_hold_opts *opts, uint32_t *ttl)
{
    int rc = tix__hold_ttl(db, opts ? opts->ttl : 0, ttl);
    if (rc == 0 && opts) rc = tix__hold_channel(opts->channel);
    if (rc == 0 && opts && (opts->flags & ~TIX_HOLD_BOX_OFFICE))
        rc = tix__err(TIX_EINVAL, "unknown flags 0x%x", opts->flags);
    return rc;
}

int tix__hold_channel(tix_id ch)
{
    if (ch > TIX_CHANNEL_MAX)
        return tix__err(TIX_EINVAL, "channel %llu above TIX_CHANNEL_MAX",
                        (unsigned long long)ch);
    return TIX_OK;
}

static int hold_take_at(tix_db *db, const tix__show_entry *e,
                        const uint32_t *seats, uint32_t n, uint32_t tag,
                        uint32_t exp, uint32_t now, int mode, unsigned ch)
{
    const uint64_t ours = tix__w_make(TIX_W_HELD, exp, tag);
    uint8_t taken[HOLD_MAX_SEATS_ABS];
    uint64_t prev[HOLD_MAX_SEATS_ABS];
    for (uint32_t i = 0; i < n; i++) {
        tix_word *p = &e->seats[seats[i]];
        uint64_t w = tix__w_load(p);
        taken[i] = 0;
        for (;;) {
            if (tix__w_takeable(w, now)) {
                prev[i] = w;
                if (!tix__w_cas(p, &w, ours)) continue;
                taken[i] = 1;
                /* After the CAS, not before: see tix__engine_chan_allows. */
                if (!tix__engine_chan_allows(e, seats[i], ch, now)) {
                    rollback(e, seats, taken, prev, i + 1, ours);
                    return channel_refusal(e, seats[i]);
                }
                break;
            }
            if (tix__w_needs_repair(w, now)) {
                int rc = tix__engine_repair(db, e, seats[i], w, &w);
                if (rc) {
                    rollback(e, seats, taken, prev, i, ours);
                    return rc;
                }
                continue;
            }
            rollback(e, seats, taken, prev, i, ours);
            if (mode == TIX__TAKE_KEYED && tix__w_held_live(w, now) &&
                tix__w_tag(w) == tag)
                return TIX__KEY_RACE;
            char label[TIX__SEAT_LABEL_MAX];
            tix__layout_seat_label(e->layout, seats[i], label);
            return tix__err(TIX_ECONFLICT, "seat %s of show %llu is %s",
                            label, (unsigned long long)e->info.id,
                            state_name(w));
        }
    }
    return TIX_OK;
}

int tix__hold_take(tix_db *db, const tix__show_entry *e, const uint32_t *seats,
                   uint32_t n, uint32_t tag, uint32_t exp, int mode,
                   unsigned ch, uint32_t *min_exp)
{
    *min_exp = exp;
    return hold_take_at(db, e, seats, n, tag, exp, tix__engine_now(db), mode,
                        ch);
}

void tix__hold_key_seats(const tix__show_entry *e, uint32_t tag, uint32_t now,
                         tix__key_seats *ks)
{
    ks->n = 0;
    ks->min_exp = UINT32_MAX;
    for (uint32_t i = 0; i < e->info.seat_count; i++) {
        uint64_t w = atomic_load_explicit(&e->seats[i], memory_order_relaxed);
        unsigned st = tix__w_state(w);
        if (tix__w_tag(w) != tag || tix__w_exp(w) <= now ||
            (st != TIX_W_HELD && st != TIX_W_CONFIRMING))
            continue;
        if (ks->n < sizeof ks->seats / sizeof ks->seats[0])
            ks->seats[ks->n] = i;
        ks->n++;
        if (tix__w_exp(w) < ks->min_exp) ks->min_exp = tix__w_exp(w);
    }
}

/* 1 when the key's seats are exactly seats[0..n). */
static int key_seats_are(const tix__key_seats *ks, const uint32_t *seats,
                         uint32_t n)
{
    return ks->n == n && !memcmp(ks->seats, seats, n * sizeof *seats);
}

/* 1 when the key's seats are a part of seats[0..n): an identical request
 * is taking them right now. */
static int key_seats_within(const tix__key_seats *ks, const uint32_t *seats,
                            uint32_t n)
{
    uint32_t j = 0;
    for (uint32_t i = 0; i < ks->n; i++) {
        while (j < n && seats[j] < ks->seats[i]) j++;
        if (j == n || seats[j] != ks->seats[i]) return 0;
    }
    return ks->n < n;
}

#define KEY_ROUNDS 200 /* x 20 us: how long a racing twin may take */

static void key_pause(void)
{
    struct timespec ts = {0, 20000};
    nanosleep(&ts, NULL);
}

/* Holds seats for a request with a key: the same key and seats give back
 * the hold already made (a double click), the same key with other seats
 * is TIX_EEXISTS and changes nothing. After taking, the key's seats are
 * counted again, so two different requests racing with one key can never
 * both keep a hold that shares the tag. */
static int keyed_take(tix_db *db, const tix__show_entry *e, const tix_hold *h,
                      uint32_t tag, uint32_t exp, uint32_t now,
                      uint32_t *min_exp)
{
    static tix__key_seats ks_none;
    for (int round = 0; round < KEY_ROUNDS; round++) {
        tix__key_seats ks = ks_none;
        tix__hold_key_seats(e, tag, now, &ks);
        if (key_seats_are(&ks, h->seats, h->n)) {
            *min_exp = ks.min_exp;
            return TIX_OK;
        }
        if (ks.n && !key_seats_within(&ks, h->seats, h->n)) break;
        if (ks.n) { key_pause(); continue; }
        int rc = hold_take_at(db, e, h->seats, h->n, tag, exp, now,
                              TIX__TAKE_KEYED, h->channel);
        if (rc == TIX__KEY_RACE) continue;
        if (rc) return rc;
        tix__hold_key_seats(e, tag, now, &ks);
        if (key_seats_are(&ks, h->seats, h->n)) {
            *min_exp = exp;
            return TIX_OK;
        }
        tix__hold_untake(e, h->seats, h->n, tag, exp);
        break;
    }
    return tix__err(TIX_EEXISTS,
                    "request key already names another request of show %llu",
                    (unsigned long long)e->info.id);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void sort_seats(uint32_t *s, size_t n)
{
    if (n > 16) { /* the usual few seats: insertion sort beats qsort */
        qsort(s, n, sizeof *s, cmp_u32);
        return;
    }
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && s[j] < s[j - 1]; j--) {
            uint32_t t = s[j];
            s[j] = s[j - 1];
            s[j - 1] = t;
        }
}

static int check_seats(const tix__show_entry *e, const uint32_t *s, size_t n);

int tix__hold_seats_prepare(const tix__show_entry *e, uint32_t *s, size_t n)
{
    sort_seats(s, n);
    return check_seats(e, s, n);
}

static int check_seats(const tix__show_entry *e, const uint32_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= e->info.seat_count)
            return tix__err(TIX_EINVAL, "seat %u out of range (show has %u)",
                            s[i], e->info.seat_count);
        if (i && s[i] == s[i - 1])
            return tix__err(TIX_EINVAL, "seat %u listed twice", s[i]);
    }
    return TIX_OK;
}

int tix__hold_max(tix_db *db, size_t n)
{
    if (n > db->cfg.hold_max_seats)
        return tix__err(TIX_ELIMIT, "%zu seats exceed hold_max_seats %u", n,
                        db->cfg.hold_max_seats);
    return TIX_OK;
}

int tix_hold_create(tix_db *db, tix_id show_id, const uint32_t *seats,
                    size_t n, const tix_hold_opts *opts, tix_hold **out)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(db);
    TIX__ARG(seats);
    if (n == 0) return tix__err(TIX_EINVAL, "no seats to hold");
    uint32_t ttl = 0;
    int rc = tix__hold_max(db, n);
    if (rc == 0) rc = tix__hold_opts_check(db, opts, &ttl);
    if (rc) return rc;
    const tix__show_entry *e;
    int64_t now = tix_db_now(db); /* the one clock read of this call */
    if ((rc = tix__engine_show_at(db, show_id, now, &e))) return rc;
    if ((rc = tix__hold_show_selling(e, now))) return rc;
    if ((rc = tix__queue_gate(db, e, opts ? opts->queue_ticket : NULL,
                              opts && (opts->flags & TIX_HOLD_BOX_OFFICE), now)))
        return rc;
    if (opts && (rc = tix__hold_user_cap(db, e, opts->user_id, (uint32_t)n)))
        return rc;
    tix_hold *h = tix__hold_new(show_id, (uint32_t)n);
    if (!h) return tix__err(TIX_ENOMEM, "out of memory");
    memcpy(h->seats, seats, n * sizeof *seats);
    h->channel = opts ? (uint8_t)opts->channel : 0;
    const char *key = opts ? opts->request_key : NULL;
    rc = tix__hold_seats_prepare(e, h->seats, n);
    if (rc == 0) rc = tix__hold_token(db, show_id, key, h->token);
    uint32_t exp = tix__seatmap_time(&db->engine->map, now + ttl), min_exp = exp;
    uint32_t mnow = tix__seatmap_time(&db->engine->map, now);
    uint32_t tag = rc ? 0 : tix__engine_hold_tag(db, h->token);
    if (rc == 0 && key)
        rc = keyed_take(db, e, h, tag, exp, mnow, &min_exp);
    else if (rc == 0)
        rc = hold_take_at(db, e, h->seats, h->n, tag, exp, mnow,
                          TIX__TAKE_FRESH, h->channel);
    return tix__hold_finish(db, h, rc, min_exp, out);
}

int tix__hold_finish(tix_db *db, tix_hold *h, int rc, uint32_t exp,
                     tix_hold **out)
{
    if (rc) {
        free(h);
        return rc;
    }
    h->expires = db->engine->map.epoch + exp;
    tix__hold_seal(db, h);
    *out = h;
    return TIX_OK;
}

/* ---- authenticity ------------------------------------------------------ */

/* The fields a handle's MAC and its text cover, in their printed layout:
 * a hold through a channel ("H3") adds its channel byte, so handles without
 * one print as they always did ("H2"). */
static size_t fields_size(uint32_t n, unsigned ch)
{
    return 8 + 8 + 16 + 2 + 4 * (size_t)n + (ch ? 1 : 0);
}

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

static size_t fields_encode(const tix_hold *h, uint8_t *p)
{
    put_le(p, h->show_id, 8);
    put_le(p + 8, (uint64_t)h->expires, 8);
    memcpy(p + 16, h->token, 16);
    put_le(p + 32, h->n, 2);
    for (uint32_t i = 0; i < h->n; i++) put_le(p + 34 + 4 * i, h->seats[i], 4);
    if (h->channel) p[34 + 4 * h->n] = h->channel;
    return fields_size(h->n, h->channel);
}

#define FIELDS_MAX (8 + 8 + 16 + 2 + 4 * HOLD_MAX_SEATS_ABS + 1)

/* SipHash-2-4 with a 128-bit output rather than HMAC or keyed BLAKE2b:
 * it is a PRF made for short inputs, and at ~45 ns a handle against ~300
 * for BLAKE2b it keeps a hold + release well inside the hot-path budget
 * (docs/design.md, "Hold handles"). */
static void hold_mac(tix_db *db, const tix_hold *h,
                     uint8_t mac[TIX__HOLD_MAC_LEN])
{
    uint8_t p[FIELDS_MAX];
    size_t len = fields_encode(h, p);
    crypto_shorthash_siphashx24(mac, p, len, db->engine->hold_key);
}

void tix__hold_seal(tix_db *db, tix_hold *h)
{
    hold_mac(db, h, h->mac);
    h->origin = db->engine->hold_origin;
}

uint64_t tix__hold_digest(tix_db *db, const tix_hold *h)
{
    uint8_t p[24], d[8];
    put_le(p, h->show_id, 8);
    memcpy(p + 8, h->token, 16);
    crypto_shorthash(d, p, sizeof p, db->engine->ref_key);
    return get_le(d, 8);
}

int tix__hold_check(tix_db *db, const tix_hold *h, const tix__show_entry **e)
{
    TIX__ARG(db);
    TIX__ARG(h);
    if (!db->engine)
        return tix__err(TIX_EPERM, "holds need a read-write store");
    if (h->origin != db->engine->hold_origin) {
        uint8_t mac[TIX__HOLD_MAC_LEN];
        hold_mac(db, h, mac);
        if (crypto_verify_16(mac, h->mac) != 0)
            return tix__err(TIX_EBADCODE,
                            "hold handle was not issued by this store");
    }
    int rc = tix__engine_show(db, h->show_id, e);
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
    if ((rc = tix__hold_show_selling(e, now))) return rc;
    uint32_t mnow = tix__seatmap_time(&db->engine->map, now);
    uint32_t exp = tix__seatmap_time(&db->engine->map, now + ttl);
    uint32_t tag = tix__engine_hold_tag(db, h->token);
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
    h->expires = db->engine->map.epoch + exp;
    tix__hold_seal(db, h);
    return TIX_OK;
}

int tix_hold_release_ex(tix_db *db, const tix_hold *h, size_t *released)
{
    if (released) *released = 0;
    const tix__show_entry *e;
    int rc = tix__hold_check(db, h, &e);
    if (rc) return rc;
    uint32_t tag = tix__engine_hold_tag(db, h->token);
    size_t n = 0;
    for (uint32_t i = 0; i < h->n; i++) {
        tix_word *p = &e->seats[h->seats[i]];
        uint64_t w = tix__w_load(p);
        while (tix__w_state(w) == TIX_W_HELD && tix__w_tag(w) == tag) {
            if (tix__w_cas(p, &w, tix__w_make(TIX_W_FREE, 0, 0))) {
                n++;
                break;
            }
        }
        tix__engine_hint_clear(e, h->seats[i]);
    }
    if (released) *released = n;
    return TIX_OK;
}

int tix_hold_release(tix_db *db, const tix_hold *h)
{
    return tix_hold_release_ex(db, h, NULL);
}

tix_id tix_hold_show(const tix_hold *h) { return h ? h->show_id : 0; }
size_t tix_hold_count(const tix_hold *h) { return h ? h->n : 0; }
uint32_t tix_hold_seat(const tix_hold *h, size_t i)
{
    return h && i < h->n ? h->seats[i] : UINT32_MAX;
}
int64_t tix_hold_expires(const tix_hold *h) { return h ? h->expires : 0; }
void tix_hold_free(tix_hold *h) { free(h); }

/* ---- printable handle: "H2" + base64url(fields + MAC) --------------- */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static size_t payload_size(uint32_t n, unsigned ch)
{
    return fields_size(n, ch) + TIX__HOLD_MAC_LEN;
}

int tix_hold_to_string(const tix_hold *h, char *buf, size_t cap)
{
    TIX__ARG(h);
    TIX__ARG(buf);
    uint8_t p[FIELDS_MAX + TIX__HOLD_MAC_LEN];
    size_t len = fields_encode(h, p);
    memcpy(p + len, h->mac, TIX__HOLD_MAC_LEN);
    len += TIX__HOLD_MAC_LEN;
    size_t out_len = 2 + (len * 8 + 5) / 6;
    if (cap < out_len + 1)
        return tix__err(TIX_ETOOLONG, "buffer of %zu bytes, need %zu", cap,
                        out_len + 1);
    char *o = buf;
    *o++ = 'H';
    *o++ = h->channel ? '3' : '2';
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

/* Decodes the base64url after the "H2" prefix into p[0..*len). */
static int b64_decode(const char *s, size_t slen, uint8_t *p, size_t cap,
                      size_t *len)
{
    uint32_t acc = 0;
    int bits = 0;
    *len = 0;
    for (size_t i = 0; i < slen; i++) {
        int v = b64_value(s[i]);
        if (v < 0) return tix__err(TIX_EBADCODE, "bad character in hold handle");
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (*len >= cap) return tix__err(TIX_EBADCODE, "hold handle too long");
            p[(*len)++] = (uint8_t)(acc >> bits);
        }
    }
    /* Only the canonical encoding is accepted: the bits past the last byte
     * must be zero, so no two strings name the same handle. */
    if (bits && (acc & ((1u << bits) - 1)) != 0)
        return tix__err(TIX_EBADCODE, "hold handle has stray bits");
    return TIX_OK;
}

int tix_hold_from_string(const char *s, tix_hold **out)
{
    TIX__ARG(out);
    *out = NULL;
    if (!s) return tix__err(TIX_EINVAL, "string is NULL");
    size_t slen = strnlen(s, TIX_HOLD_STRING_MAX + 1);
    if (slen > TIX_HOLD_STRING_MAX || slen < 3 || s[0] != 'H' ||
        (s[1] != '2' && s[1] != '3'))
        return tix__err(TIX_EBADCODE, "not a hold handle");
    const unsigned has_ch = s[1] == '3';
    uint8_t p[FIELDS_MAX + TIX__HOLD_MAC_LEN + 3];
    size_t len;
    int rc = b64_decode(s + 2, slen - 2, p, sizeof p, &len);
    if (rc) return rc;
    if (len < payload_size(1, has_ch))
        return tix__err(TIX_EBADCODE, "hold handle truncated");
    uint32_t n = (uint32_t)get_le(p + 32, 2);
    if (n < 1 || n > HOLD_MAX_SEATS_ABS || len != payload_size(n, has_ch))
        return tix__err(TIX_EBADCODE, "hold handle has the wrong length");
    if (has_ch && p[34 + 4 * n] == 0)
        return tix__err(TIX_EBADCODE, "hold handle names channel 0");
    tix_hold *h = tix__hold_new(get_le(p, 8), n);
    if (!h) return tix__err(TIX_ENOMEM, "out of memory");
    h->expires = (int64_t)get_le(p + 8, 8);
    memcpy(h->token, p + 16, 16);
    h->channel = has_ch ? p[34 + 4 * n] : 0;
    memcpy(h->mac, p + fields_size(n, has_ch), TIX__HOLD_MAC_LEN);
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

/* ---- multi-show holds -------------------------------------------------- */

#define GROUP_MAX 64

int tix_hold_group_create(tix_db *db, const tix_hold_part *parts, size_t n,
                          const tix_hold_opts *opts, tix_hold **out)
{
    TIX__ARG(out);
    TIX__ARG(db);
    TIX__ARG(parts);
    if (n == 0 || n > GROUP_MAX)
        return tix__err(TIX_EINVAL, "a group has 1..%d parts, not %zu",
                        GROUP_MAX, n);
    for (size_t i = 0; i < n; i++) {
        out[i] = NULL;
        for (size_t j = 0; j < i; j++)
            if (parts[j].show_id == parts[i].show_id)
                return tix__err(TIX_EINVAL, "show %llu is in the group twice",
                                (unsigned long long)parts[i].show_id);
    }
    for (size_t i = 0; i < n; i++) {
        int rc = tix_hold_create(db, parts[i].show_id, parts[i].seats,
                                 parts[i].n_seats, opts, &out[i]);
        if (rc == 0) continue;
        char msg[256];
        snprintf(msg, sizeof msg, "%s", tix_errmsg());
        for (size_t j = 0; j < i; j++) { /* all or nothing */
            tix_hold_release(db, out[j]);
            tix_hold_free(out[j]);
            out[j] = NULL;
        }
        return tix__err(rc, "part %zu (show %llu): %s", i,
                        (unsigned long long)parts[i].show_id, msg);
    }
    return TIX_OK;
}
