/* Offers (discount codes) and price quotes.
 *
 * Record (TIX_REC_OFFER, version 1) in TIX_T_OFFERS, key id:
 *   u64 id | cstr code | u8 scope | u64 scope_id | u32 percent |
 *   i64 amount | i64 cap | i64 valid_from | i64 valid_until |
 *   u32 max_uses | u32 max_uses_per_user | u32 uses | i64 created_at
 * Index TIX_T_OFFERS_BY_CODE: upper-case code -> id (unique).
 * TIX_T_OFFER_USES: offer, user -> uses by that user (be64); no row = 0.
 *
 * The total use count lives in the offer record, so reading an offer needs
 * one lookup; a confirm rewrites the record and the user's row in its
 * transaction, which is what makes the limits exact under concurrency:
 * every confirm of a batch sees the uses counted by the ones before it. */
#include "offer.h"
#include "tables.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "seat.h"
#include "table.h"
#include "tier.h"
#include "user.h"
#include "validate.h"

#define OFFER_VERSION 1

/* ---- codes ------------------------------------------------------------- */

int tix__offer_code_norm(const char *in, char out[TIX_OFFER_CODE_MAX + 1])
{
    if (!in) return tix__err(TIX_EINVAL, "offer code is NULL");
    char up[TIX_OFFER_CODE_MAX + 2];
    size_t n = 0;
    for (; in[n] && n < sizeof up - 1; n++)
        up[n] = (in[n] >= 'a' && in[n] <= 'z') ? (char)(in[n] - 'a' + 'A') : in[n];
    up[n] = '\0';
    int rc = tix__validate_charset("offer code", up, TIX_OFFER_CODE_MIN,
                                TIX_OFFER_CODE_MAX,
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");
    if (rc) return rc;
    memcpy(out, up, n + 1);
    return TIX_OK;
}

/* ---- record ------------------------------------------------------------ */

static int offer_store(tix_db *db, MDB_txn *txn, const tix_offer *o)
{
    tix_enc e;
    tix__enc_init(&e, TIX_REC_OFFER, OFFER_VERSION);
    tix__enc_u64(&e, o->id);
    tix__enc_cstr(&e, o->code);
    tix__enc_u8(&e, (uint8_t)o->scope);
    tix__enc_u64(&e, o->scope_id);
    tix__enc_u32(&e, o->percent);
    tix__enc_i64(&e, o->amount_minor);
    tix__enc_i64(&e, o->cap_minor);
    tix__enc_i64(&e, o->valid_from);
    tix__enc_i64(&e, o->valid_until);
    tix__enc_u32(&e, o->max_uses);
    tix__enc_u32(&e, o->max_uses_per_user);
    tix__enc_u32(&e, o->uses);
    tix__enc_i64(&e, o->created_at);
    int rc = tix__enc_finish(&e);
    if (rc == TIX_OK) rc = tix__db_put_id(db, txn, TIX_T_OFFERS, o->id, &e, "offer");
    tix__enc_free(&e);
    return rc;
}

/* Decodes an offer; out->code points into @p val (a C string). */
static int offer_unpack(const MDB_val *val, tix_offer *o, uint32_t *code_len)
{
    tix_dec d;
    int rc = tix__dec_init(&d, val->mv_data, val->mv_size, TIX_REC_OFFER,
                           OFFER_VERSION);
    if (rc) return rc;
    o->id = tix__dec_u64(&d);
    tix_str code = tix__dec_cstr(&d);
    o->scope = (tix_offer_scope)tix__dec_u8(&d);
    o->scope_id = tix__dec_u64(&d);
    o->percent = tix__dec_u32(&d);
    o->amount_minor = tix__dec_i64(&d);
    o->cap_minor = tix__dec_i64(&d);
    o->valid_from = tix__dec_i64(&d);
    o->valid_until = tix__dec_i64(&d);
    o->max_uses = tix__dec_u32(&d);
    o->max_uses_per_user = tix__dec_u32(&d);
    o->uses = tix__dec_u32(&d);
    o->created_at = tix__dec_i64(&d);
    if ((rc = tix__dec_finish(&d))) return rc;
    o->code = code.p;
    if (code_len) *code_len = code.len;
    return TIX_OK;
}

static int offer_decode(const MDB_val *val, void *item, tix_bump *b)
{
    tix_offer *o = item;
    uint32_t len;
    int rc = offer_unpack(val, o, &len);
    if (rc) return rc;
    o->code = tix__bump_str(b, (tix_str){o->code, len});
    if (!o->code) return tix__err(TIX_ECORRUPT, "offer block too small");
    return TIX_OK;
}

static int offer_read(tix_db *db, MDB_txn *txn, tix_id id, tix_offer *o)
{
    MDB_val v;
    int rc = tix__db_get_id(db, txn, TIX_T_OFFERS, id, &v, "offer");
    return rc ? rc : offer_unpack(&v, o, NULL);
}

/* The id of the offer with stored code @p code; TIX_ENOTFOUND. */
static int offer_by_code(tix_db *db, MDB_txn *txn, const char *code,
                         tix_id *id)
{
    MDB_val k = {strlen(code), (void *)code}, v;
    int rc = mdb_get(txn, db->dbi[TIX_T_OFFERS_BY_CODE], &k, &v);
    if (rc == MDB_NOTFOUND)
        return tix__err(TIX_ENOTFOUND, "no offer with code %s", code);
    if (rc) return tix__mdb_err(rc, "offer code");
    if (v.mv_size != 8) return tix__err(TIX_ECORRUPT, "offer code index is malformed");
    *id = tix__be64_get(v.mv_data);
    return TIX_OK;
}

/* ---- per-user uses ----------------------------------------------------- */

static void uses_key(uint8_t k[16], tix_id offer, tix_id user)
{
    tix__be64_put(k, offer);
    tix__be64_put(k + 8, user);
}

static int uses_get(tix_db *db, MDB_txn *txn, tix_id offer, tix_id user,
                    uint64_t *n)
{
    uint8_t key[16];
    uses_key(key, offer, user);
    MDB_val k = {16, key}, v;
    int rc = mdb_get(txn, db->dbi[TIX_T_OFFER_USES], &k, &v);
    *n = 0;
    if (rc == MDB_NOTFOUND) return TIX_OK;
    if (rc) return tix__mdb_err(rc, "offer uses");
    if (v.mv_size != 8) return tix__err(TIX_ECORRUPT, "offer uses row is malformed");
    *n = tix__be64_get(v.mv_data);
    return TIX_OK;
}

/* Stores @p n uses (0 deletes the row). */
static int uses_put(tix_db *db, MDB_txn *txn, tix_id offer, tix_id user,
                    uint64_t n)
{
    uint8_t key[16], val[8];
    uses_key(key, offer, user);
    if (n == 0) {
        int rc = tix__db_del(db, txn, TIX_T_OFFER_USES, key, 16, "offer uses");
        return rc == TIX_ENOTFOUND ? TIX_OK : rc;
    }
    tix__be64_put(val, n);
    return tix__db_put(db, txn, TIX_T_OFFER_USES, key, 16, val, 8, 0, "offer uses");
}

/* ---- create, read -------------------------------------------------------- */

static const int scope_table[] = {0, TIX_T_MOVIES, TIX_T_VENUES, TIX_T_SCREENS,
                                  TIX_T_TIERS};
static const char *const scope_noun[] = {"", "movie", "venue", "screen", "tier"};

static int offer_check(const tix_offer *in, char code[TIX_OFFER_CODE_MAX + 1])
{
    int rc = tix__offer_code_norm(in->code, code);
    if (rc) return rc;
    if (in->scope < TIX_OFFER_MOVIE || in->scope > TIX_OFFER_TIER)
        return tix__err(TIX_EINVAL, "unknown offer scope %d", (int)in->scope);
    if (!in->scope_id) return tix__err(TIX_EINVAL, "scope_id is 0");
    if (in->percent > 100)
        return tix__err(TIX_ERANGE, "percent %u not in 1..100", in->percent);
    if (in->amount_minor < 0)
        return tix__err(TIX_ERANGE, "amount_minor %lld is negative",
                        (long long)in->amount_minor);
    if (in->percent && in->amount_minor)
        return tix__err(TIX_EINVAL, "set percent or amount_minor, not both");
    if (!in->percent && !in->amount_minor)
        return tix__err(TIX_ERANGE, "percent 0 not in 1..100 and amount_minor "
                                    "is 0: an offer needs one of them");
    if (in->cap_minor < 0)
        return tix__err(TIX_ERANGE, "cap_minor %lld is negative",
                        (long long)in->cap_minor);
    if (in->valid_until && in->valid_until <= in->valid_from)
        return tix__err(TIX_ERANGE, "valid_until %lld is not after valid_from %lld",
                        (long long)in->valid_until, (long long)in->valid_from);
    return TIX_OK;
}

size_t tix__offer_entries(const char *code, tix__ixentry *e)
{
    size_t n = strnlen(code, TIX__REC_KEY_MAX);
    *e = (tix__ixentry){.index = TIX_T_OFFERS_BY_CODE, .klen = n,
                        .val_is_id = 1};
    memcpy(e->key, code, n);
    return 1;
}

struct create_arg {
    tix_offer o;
    tix_id id;
};

static int create_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct create_arg *a = arg;
    MDB_val v;
    int rc = tix__db_get_id(db, txn, scope_table[a->o.scope], a->o.scope_id, &v,
                         scope_noun[a->o.scope]);
    if (rc) return tix__table_ref_err(rc, "scope_id", a->o.scope_id);
    if ((rc = tix__db_next_id(db, txn, TIX_T_OFFERS, &a->o.id))) return rc;
    uint8_t id[8];
    tix__be64_put(id, a->o.id);
    tix__ixentry e;
    tix__offer_entries(a->o.code, &e);
    rc = tix__db_put(db, txn, e.index, e.key, e.klen, id, 8, MDB_NOOVERWRITE,
                     "offer code");
    if (rc == TIX_EEXISTS)
        return tix__err(TIX_EEXISTS, "offer code %s already exists", a->o.code);
    if (rc == TIX_OK) rc = offer_store(db, txn, &a->o);
    if (rc == TIX_OK) a->id = a->o.id;
    return rc;
}

int tix_offer_create(tix_db *db, const tix_offer *in, tix_id *id_out)
{
    TIX__ARG(db);
    TIX__ARG(in);
    char code[TIX_OFFER_CODE_MAX + 1];
    int rc = offer_check(in, code);
    if (rc) return rc;
    struct create_arg a = {.o = *in};
    a.o.code = code;
    a.o.uses = 0;
    a.o.created_at = tix_db_now(db);
    rc = tix__db_write(db, create_txn, &a);
    if (rc == TIX_OK && id_out) *id_out = a.id;
    return rc;
}

int tix_offer_get(tix_db *db, tix_id id, tix_offer **out)
{
    return tix__db_load_one(db, TIX_T_OFFERS, id, sizeof(tix_offer), offer_decode,
                         (void **)out, "offer");
}

int tix_offer_find_code(tix_db *db, const char *code, tix_offer **out)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(db);
    char norm[TIX_OFFER_CODE_MAX + 1];
    int rc = tix__offer_code_norm(code, norm);
    if (rc) return rc;
    MDB_txn *txn;
    if ((rc = tix__db_read_begin(db, &txn))) return rc;
    tix_id id;
    rc = offer_by_code(db, txn, norm, &id);
    if (rc == TIX_OK)
        rc = tix__table_load(db, txn, TIX_T_OFFERS, id, sizeof(tix_offer),
                           offer_decode, (void **)out, "offer");
    tix__db_read_end(db, txn);
    return rc;
}

int tix_offer_list_all(tix_db *db, tix_id after_id, size_t limit,
                       tix_offer_list **out)
{
    return tix__table_list_page(db, TIX_T_OFFERS, after_id, limit, sizeof(tix_offer),
                          offer_decode, (void **)out);
}

void tix_offer_free(tix_offer *o) { free(o); }
void tix_offer_list_free(tix_offer_list *l) { free(l); }

/* ---- pricing ------------------------------------------------------------- */

static int seat_in_scope(const tix_offer *o, const tix__show_info *s,
                         tix_id tier)
{
    switch (o->scope) {
    case TIX_OFFER_MOVIE: return s->movie_id == o->scope_id;
    case TIX_OFFER_VENUE: return s->venue_id == o->scope_id;
    case TIX_OFFER_SCREEN: return s->screen_id == o->scope_id;
    case TIX_OFFER_TIER: return tier == o->scope_id;
    }
    return 0;
}

/* Checks offer @p o (window, limits, scope) for @p p and sets
 * p->discount and p->in_scope. @p used: the user's uses so far. */
static int offer_discount(const tix_offer *o, const tix__show_info *show,
                          tix_id user, uint64_t used, int64_t now,
                          tix__price *p)
{
    if (now < o->valid_from)
        return tix__err(TIX_EEXPIRED, "offer %s is valid from %lld, not yet",
                        o->code, (long long)o->valid_from);
    if (o->valid_until && now >= o->valid_until)
        return tix__err(TIX_EEXPIRED, "offer %s ended at %lld", o->code,
                        (long long)o->valid_until);
    if (o->max_uses && o->uses >= o->max_uses)
        return tix__err(TIX_ELIMIT, "offer %s has been used %u of %u times",
                        o->code, o->uses, o->max_uses);
    if (user && o->max_uses_per_user && used >= o->max_uses_per_user)
        return tix__err(TIX_ELIMIT, "user %llu has used offer %s %llu of %u times",
                        (unsigned long long)user, o->code,
                        (unsigned long long)used, o->max_uses_per_user);
    int64_t scoped = 0, fixed = 0;
    uint32_t count = 0;
    for (uint32_t i = 0; i < p->n; i++) {
        int in = seat_in_scope(o, show, p->tiers[i]);
        if (p->in_scope) p->in_scope[i] = (uint8_t)in;
        if (!in) continue;
        count++;
        scoped += p->prices[i]; /* <= subtotal, which did not overflow */
        fixed += o->amount_minor < p->prices[i] ? o->amount_minor : p->prices[i];
    }
    if (!count)
        return tix__err(TIX_EINVAL, "offer %s applies to %s %llu, not to these "
                                    "seats of show %llu",
                        o->code, scope_noun[o->scope],
                        (unsigned long long)o->scope_id,
                        (unsigned long long)show->id);
    /* Percent of the in-scope sum, rounded down, without overflow. */
    int64_t d = o->percent ? scoped / 100 * o->percent +
                                 scoped % 100 * o->percent / 100
                           : fixed;
    if (o->cap_minor && d > o->cap_minor) d = o->cap_minor;
    p->discount = d;
    return TIX_OK;
}

/* Counts one use of @p o by @p user (its uses so far: @p used). */
static int offer_redeem(tix_db *db, MDB_txn *txn, tix_offer *o, tix_id user,
                        uint64_t used)
{
    char code[TIX_OFFER_CODE_MAX + 1];
    snprintf(code, sizeof code, "%s", o->code); /* o->code is in LMDB */
    o->code = code;
    o->uses++;
    int rc = offer_store(db, txn, o);
    return rc ? rc : uses_put(db, txn, o->id, user, used + 1);
}

int tix__offer_price(tix_db *db, MDB_txn *txn, const tix__show_info *show,
                       const char *code, tix_id user, int64_t now, int redeem,
                       tix__price *p)
{
    p->subtotal = p->discount = p->fee = p->total = 0;
    p->offer_id = 0;
    for (uint32_t i = 0; i < p->n; i++) {
        if (p->in_scope) p->in_scope[i] = 0;
        if (__builtin_add_overflow(p->subtotal, p->prices[i], &p->subtotal))
            return tix__err(TIX_ERANGE, "the seat prices overflow");
    }
    tix_offer o = {0};
    uint64_t used = 0;
    int rc = TIX_OK;
    if (code && *code) {
        char norm[TIX_OFFER_CODE_MAX + 1];
        tix_id id;
        if ((rc = tix__offer_code_norm(code, norm))) return rc;
        if ((rc = offer_by_code(db, txn, norm, &id))) return rc;
        if ((rc = offer_read(db, txn, id, &o)))
            return rc == TIX_ENOTFOUND
                       ? tix__err(TIX_ECORRUPT, "offer code %s names missing "
                                  "offer %llu", norm, (unsigned long long)id)
                       : rc;
        if (user && (rc = uses_get(db, txn, id, user, &used))) return rc;
        if ((rc = offer_discount(&o, show, user, used, now, p))) return rc;
        p->offer_id = id;
    }
    if (__builtin_mul_overflow(db->cfg.fee_per_seat_minor, (int64_t)p->n, &p->fee) ||
        __builtin_add_overflow(p->subtotal - p->discount, p->fee, &p->total))
        return tix__err(TIX_ERANGE, "the total overflows");
    if (redeem && p->offer_id) rc = offer_redeem(db, txn, &o, user, used);
    return rc;
}

int tix__offer_price_refusal(int rc)
{
    return rc == TIX_ENOTFOUND || rc == TIX_EEXPIRED || rc == TIX_ELIMIT ||
           rc == TIX_EINVAL || rc == TIX_ETOOLONG || rc == TIX_ERANGE;
}

int tix__offer_release(tix_db *db, MDB_txn *txn, tix_id offer, tix_id user)
{
    if (!offer) return TIX_OK;
    tix_offer o;
    int rc = offer_read(db, txn, offer, &o);
    if (rc == TIX_ENOTFOUND)
        return tix__err(TIX_ECORRUPT, "booking names missing offer %llu",
                        (unsigned long long)offer);
    uint64_t used = 0;
    if (rc == TIX_OK) rc = uses_get(db, txn, offer, user, &used);
    if (rc) return rc;
    char code[TIX_OFFER_CODE_MAX + 1];
    snprintf(code, sizeof code, "%s", o.code);
    o.code = code;
    if (o.uses) o.uses--;
    rc = offer_store(db, txn, &o);
    return rc ? rc : uses_put(db, txn, offer, user, used ? used - 1 : 0);
}

/* ---- quotes -------------------------------------------------------------- */

/* Reads tier and price of every seat (validated against the show). */
static int quote_seats(tix_db *db, MDB_txn *txn, const tix__show_info *show,
                       const uint32_t *seats, uint32_t n, tix_id *tiers,
                       int64_t *prices, char currency[4])
{
    currency[0] = '\0';
    for (uint32_t i = 0; i < n; i++) {
        if (seats[i] >= show->seat_count)
            return tix__err(TIX_EINVAL, "seat %u is out of range (show %llu has "
                                        "%u seats)", seats[i],
                            (unsigned long long)show->id, show->seat_count);
        for (uint32_t k = 0; k < i; k++)
            if (seats[k] == seats[i])
                return tix__err(TIX_EINVAL, "seat %u is listed twice", seats[i]);
        tix_seat s;
        char row[TIX_ROW_LABEL_MAX + 1];
        tix_tier t;
        int rc = tix__seat_read(db, txn, show->screen_id, seats[i], &s, row);
        if (rc == TIX_OK) rc = tix__tier_read(db, txn, s.tier_id, &t);
        if (rc == TIX_ENOTFOUND)
            return tix__err(TIX_ECORRUPT, "seat %u of show %llu has no tier",
                            seats[i], (unsigned long long)show->id);
        if (rc) return rc;
        if (!currency[0]) memcpy(currency, t.currency, 4);
        else if (memcmp(currency, t.currency, 3) != 0)
            return tix__err(TIX_EINVAL, "seats are priced in %s and %s",
                            currency, t.currency);
        tiers[i] = s.tier_id;
        prices[i] = t.price_minor;
    }
    return TIX_OK;
}

static int quote_txn(tix_db *db, MDB_txn *txn, tix_id show_id,
                     const uint32_t *seats, uint32_t n, const char *code,
                     tix_id user, tix_quote *q)
{
    tix__show_info show;
    int rc = tix__show_read(db, txn, show_id, &show);
    if (rc) return tix__table_ref_err(rc, "show_id", show_id);
    if (user && (rc = tix__user_exists(db, txn, user)))
        return tix__table_ref_err(rc, "user_id", user);
    tix_id tiers[n];
    int64_t prices[n];
    uint8_t in_scope[n];
    if ((rc = quote_seats(db, txn, &show, seats, n, tiers, prices, q->currency)))
        return rc;
    tix__price p = {.n = n, .tiers = tiers, .prices = prices,
                    .in_scope = in_scope};
    rc = tix__offer_price(db, txn, &show, code, user, tix_db_now(db), 0, &p);
    if (rc) return rc;
    q->show_id = show_id;
    q->offer_id = p.offer_id;
    q->subtotal_minor = p.subtotal;
    q->discount_minor = p.discount;
    q->fee_minor = p.fee;
    q->total_minor = p.total;
    q->n_seats = n;
    for (uint32_t i = 0; i < n; i++)
        q->seats[i] = (tix_quote_seat){.seat = seats[i], .tier_id = tiers[i],
                                       .price_minor = prices[i],
                                       .in_scope = in_scope[i]};
    return TIX_OK;
}

int tix_price_quote(tix_db *db, tix_id show_id, const uint32_t *seats,
                    size_t n, const char *offer_code, tix_id user_id,
                    tix_quote **out)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(db);
    if (n == 0) return tix__err(TIX_EINVAL, "no seats to quote");
    TIX__ARG(seats);
    if (n > db->cfg.hold_max_seats)
        return tix__err(TIX_ELIMIT, "%zu seats is more than hold_max_seats %u",
                        n, db->cfg.hold_max_seats);
    char norm[TIX_OFFER_CODE_MAX + 1];
    int rc;
    if (offer_code && *offer_code && (rc = tix__offer_code_norm(offer_code, norm)))
        return rc;
    tix_quote *q = calloc(1, sizeof *q + n * sizeof(tix_quote_seat));
    if (!q) return tix__err(TIX_ENOMEM, "out of memory");
    MDB_txn *txn;
    if ((rc = tix__db_read_begin(db, &txn))) {
        free(q);
        return rc;
    }
    rc = quote_txn(db, txn, show_id, seats, (uint32_t)n, offer_code, user_id, q);
    tix__db_read_end(db, txn);
    if (rc) {
        free(q);
        return rc;
    }
    *out = q;
    return TIX_OK;
}

void tix_quote_free(tix_quote *q) { free(q); }
