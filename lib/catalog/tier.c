/* Price tiers of a screen.
 *
 * Record (TIX_REC_TIER, version 1):
 *   u64 id | u64 screen_id | cstr name | i64 price_minor | 3 bytes currency
 * The name is stored with its NUL so tix__tier_read can hand it out as a C
 * string inside LMDB memory.
 * Index TIX_T_TIERS_BY_SCREEN: screen, name -> id (unique in a screen). */
#include "tier.h"

#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "error.h"
#include "naming.h"
#include "screen.h"
#include "table.h"
#include "validate.h"

#define TIER_VERSION 1
#define CURRENCY_LEN 3

static const tix__names tier_names = {
    TIX_T_TIERS_BY_SCREEN, TIX_T_TIERS, "tier", "screen"};

/* Decodes a tier; out->name points into @p val (a C string, see
 * tix__dec_cstr) and @p name_len, when not NULL, receives its length. */
static int tier_unpack(const MDB_val *val, tix_tier *out, uint32_t *name_len)
{
    tix_dec d;
    int rc = tix__dec_init(&d, val->mv_data, val->mv_size, TIX_REC_TIER,
                           TIER_VERSION);
    if (rc) return rc;
    out->id = tix__dec_u64(&d);
    out->screen_id = tix__dec_u64(&d);
    tix_str name = tix__dec_cstr(&d);
    out->price_minor = tix__dec_i64(&d);
    const uint8_t *cur = tix__dec_bytes(&d, CURRENCY_LEN);
    if ((rc = tix__dec_finish(&d))) return rc;
    out->name = name.p;
    if (name_len) *name_len = name.len;
    memcpy(out->currency, cur, CURRENCY_LEN);
    out->currency[CURRENCY_LEN] = '\0';
    return TIX_OK;
}

static int tier_decode(const MDB_val *val, void *item, tix_bump *b)
{
    tix_tier *t = item;
    uint32_t name_len;
    int rc = tier_unpack(val, t, &name_len);
    if (rc) return rc;
    t->name = tix__bump_str(b, (tix_str){t->name, name_len});
    if (!t->name) return tix__err(TIX_ECORRUPT, "tier block too small");
    return TIX_OK;
}

static int tier_store(tix_db *db, MDB_txn *txn, tix_id id, const tix_tier *in)
{
    tix_enc e;
    tix__enc_init(&e, TIX_REC_TIER, TIER_VERSION);
    tix__enc_u64(&e, id);
    tix__enc_u64(&e, in->screen_id);
    tix__enc_cstr(&e, in->name);
    tix__enc_i64(&e, in->price_minor);
    tix__enc_bytes(&e, in->currency, CURRENCY_LEN);
    int rc = tix__enc_finish(&e);
    if (rc == TIX_OK) rc = tix__put_id(db, txn, TIX_T_TIERS, id, &e, "tier");
    tix__enc_free(&e);
    return rc;
}

int tix__tier_read(tix_db *db, MDB_txn *txn, tix_id id, tix_tier *out)
{
    MDB_val v;
    int rc = tix__get_id(db, txn, TIX_T_TIERS, id, &v, "tier");
    return rc ? rc : tier_unpack(&v, out, NULL);
}

/* ISO 4217 style: exactly three upper-case ASCII letters, NUL-terminated. */
static int currency_check(const char currency[4])
{
    for (int i = 0; i < CURRENCY_LEN; i++)
        if (currency[i] < 'A' || currency[i] > 'Z')
            return tix__err(TIX_EINVAL, "tier currency must be three letters "
                            "A-Z (ISO 4217); byte %d is 0x%02x", i,
                            (unsigned char)currency[i]);
    if (currency[CURRENCY_LEN] != '\0')
        return tix__err(TIX_EINVAL, "tier currency must be three letters A-Z "
                        "followed by a NUL");
    return TIX_OK;
}

int tix__tier_check(const tix_tier *in)
{
    int rc = tix__check_name("tier name", in->name);
    if (rc) return tix__at(rc, "name");
    if (in->price_minor < 0)
        return tix__at(tix__err(TIX_ERANGE, "tier price_minor %lld is "
                                "negative", (long long)in->price_minor),
                       "price_minor");
    if ((rc = currency_check(in->currency))) return tix__at(rc, "currency");
    return TIX_OK;
}

/* Every tier of a screen is priced in one currency: a booking adds up the
 * prices of its seats, and seats in two currencies have no total (every
 * confirm across them failed with TIX_EINVAL). @p self is the tier being
 * updated (0 for a create), which may change its currency only when no
 * other tier of the screen has another one. */
static int currency_agrees(tix_db *db, MDB_txn *txn, tix_id screen,
                           tix_id self, const char currency[4])
{
    uint8_t prefix[8];
    tix__be64_put(prefix, screen);
    tix_id *ids;
    size_t n;
    int rc = tix__index_ids(db, txn, TIX_T_TIERS_BY_SCREEN, prefix,
                            sizeof prefix, &ids, &n);
    for (size_t i = 0; i < n && rc == TIX_OK; i++) {
        tix_tier other;
        if (ids[i] == self) continue;
        if ((rc = tix__tier_read(db, txn, ids[i], &other))) break;
        if (memcmp(other.currency, currency, CURRENCY_LEN) != 0)
            rc = tix__at(tix__err(TIX_EINVAL, "tier currency %.3s differs "
                                  "from %s, the currency of tier %llu "
                                  "(\"%s\") of screen %llu: the tiers of a "
                                  "screen share one currency", currency,
                                  other.currency,
                                  (unsigned long long)other.id, other.name,
                                  (unsigned long long)screen),
                         "currency");
    }
    free(ids);
    return rc;
}

struct tier_write {
    const tix_tier *in;
    tix_id id; /* out of create */
};

static int create_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    struct tier_write *w = arg;
    tix_screen screen;
    int rc = tix__screen_read(db, txn, w->in->screen_id, &screen);
    if (rc)
        return tix__at(tix__ref_err(rc, "screen_id", w->in->screen_id),
                       "screen_id");
    if ((rc = currency_agrees(db, txn, w->in->screen_id, 0, w->in->currency)))
        return rc;
    if ((rc = tix__next_id(db, txn, TIX_T_TIERS, &w->id))) return rc;
    rc = tix__name_claim(db, txn, &tier_names, w->in->screen_id, w->in->name,
                         w->id);
    return rc ? rc : tier_store(db, txn, w->id, w->in);
}

int tix_tier_create(tix_db *db, const tix_tier *in, tix_id *id_out)
{
    if (!db) return tix__err(TIX_EINVAL, "db is NULL");
    if (!in) return tix__err(TIX_EINVAL, "tier is NULL");
    int rc = tix__tier_check(in);
    if (rc) return rc;
    struct tier_write w = {in, 0};
    if ((rc = tix__write_join(db, create_txn, &w))) return rc;
    if (id_out) *id_out = w.id;
    return TIX_OK;
}

static int update_txn(tix_db *db, MDB_txn *txn, void *arg)
{
    const tix_tier *in = ((struct tier_write *)arg)->in;
    tix_tier old;
    int rc = tix__tier_read(db, txn, in->id, &old);
    if (rc) return rc;
    if (in->screen_id != old.screen_id)
        return tix__at(tix__err(TIX_EINVAL, "tier %llu is of screen %llu: "
                                "screen_id cannot change",
                                (unsigned long long)in->id,
                                (unsigned long long)old.screen_id),
                       "screen_id");
    if (memcmp(in->currency, old.currency, CURRENCY_LEN) != 0 &&
        (rc = currency_agrees(db, txn, old.screen_id, in->id, in->currency)))
        return rc;
    rc = tix__name_rename(db, txn, &tier_names, old.screen_id, old.name,
                          in->name, in->id);
    return rc ? rc : tier_store(db, txn, in->id, in);
}

int tix_tier_update(tix_db *db, const tix_tier *in)
{
    if (!db) return tix__err(TIX_EINVAL, "db is NULL");
    if (!in) return tix__err(TIX_EINVAL, "tier is NULL");
    int rc = tix__tier_check(in);
    if (rc) return rc;
    struct tier_write w = {in, in->id};
    return tix__write_join(db, update_txn, &w);
}

int tix_tier_get(tix_db *db, tix_id id, tix_tier **out)
{
    void *p = NULL;
    int rc = tix__load_one(db, TIX_T_TIERS, id, sizeof(tix_tier), tier_decode,
                           out ? &p : NULL, "tier");
    if (out) *out = p;
    return rc;
}

/* Cheapest first; equal prices by name, then id, so the order is total. */
static int tier_cmp(const void *a, const void *b)
{
    const tix_tier *x = a, *y = b;
    if (x->price_minor != y->price_minor)
        return x->price_minor < y->price_minor ? -1 : 1;
    int c = strcmp(x->name, y->name);
    if (c) return c;
    return (x->id > y->id) - (x->id < y->id);
}

int tix_tier_list_by_screen(tix_db *db, tix_id screen_id, tix_tier_list **out)
{
    void *l = NULL;
    int rc = tix__name_list(db, &tier_names, screen_id, sizeof(tix_tier),
                            tier_decode, out ? &l : NULL);
    if (out) *out = l;
    if (rc) return rc;
    /* Moving the structs is safe: their strings live elsewhere in the
     * block. */
    qsort((*out)->items, (*out)->count, sizeof(tix_tier), tier_cmp);
    return TIX_OK;
}

void tix_tier_free(tix_tier *t) { free(t); }

void tix_tier_list_free(tix_tier_list *l) { free(l); }
