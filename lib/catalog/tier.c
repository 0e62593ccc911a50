/* Price tiers of a screen.
 *
 * Record (TIX_REC_TIER, version 1):
 *   u64 id | u64 screen_id | cstr name | i64 price_minor | 3 bytes currency
 * Index TIX_T_TIERS_BY_SCREEN: screen, name -> id (unique in a screen). */
#include "tier.h"
#include "tables.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#define CURRENCY_LEN 3

/* ISO 4217 style: exactly three upper-case ASCII letters, NUL-terminated. */
static int currency_check(const void *rec);

static int tier_check(const void *rec)
{
    int rc = currency_check(rec);
    return rc ? tix__err_at(rc, "currency") : TIX_OK;
}

static int currency_check(const void *rec)
{
    const char *currency = ((const tix_tier *)rec)->currency;
    for (int i = 0; i < CURRENCY_LEN; i++)
        if (currency[i] < 'A' || currency[i] > 'Z')
            return tix__err(TIX_EINVAL, "tier currency must be three letters "
                            "A-Z (ISO 4217); byte %d is 0x%02x", i,
                            (unsigned char)currency[i]);
    if (currency[CURRENCY_LEN] != '\0')
        return tix__err(TIX_EINVAL, "tier currency must be three letters A-Z "
                        "followed by a NUL");
    /* An unknown code would have no minor unit to show its prices in. */
    int exp = tix_currency_exponent(currency);
    return exp < 0 ? exp : TIX_OK;
}

/* Every tier of a screen is priced in one currency: a booking adds up the
 * prices of its seats, and seats in two currencies have no total (every
 * confirm across them failed with TIX_EINVAL). The tier being updated may
 * change its currency only when it is the screen's only tier. */
static int tier_rules(tix_db *db, MDB_txn *txn, const void *rec)
{
    const tix_tier *in = rec;
    uint8_t prefix[8];
    tix__be64_put(prefix, in->screen_id);
    tix_id *ids;
    size_t n;
    int rc = tix__db_index_ids(db, txn, TIX_T_TIERS_BY_SCREEN, prefix,
                            sizeof prefix, &ids, &n);
    for (size_t i = 0; i < n && rc == TIX_OK; i++) {
        tix_tier other;
        if (ids[i] == in->id) continue;
        if ((rc = tix__tier_read(db, txn, ids[i], &other))) break;
        if (memcmp(other.currency, in->currency, CURRENCY_LEN) != 0)
            rc = tix__err_at(tix__err(TIX_EINVAL, "tier currency %.3s differs "
                                  "from %s, the currency of tier %llu "
                                  "(\"%s\") of screen %llu: the tiers of a "
                                  "screen share one currency", in->currency,
                                  other.currency,
                                  (unsigned long long)other.id, other.name,
                                  (unsigned long long)in->screen_id),
                         "currency");
    }
    free(ids);
    return rc;
}

#define F(m) .off = offsetof(tix_tier, m), .member = #m
static const tix__field tier_fields[] = {
    {"id", TIX__F_ID, 0, F(id)},
    {"screen_id", TIX__F_ID, 0, F(screen_id), .fixed = 1,
     .ref = TIX_T_SCREENS},
    {"tier name", TIX__F_CSTR, TIX__C_NAME, F(name)},
    {"tier price_minor", TIX__F_I64, TIX__C_RANGE, F(price_minor),
     .lo = 0, .hi = 9.3e18},
    {"tier currency", TIX__F_CODE3, 0, F(currency)},
};
#undef F
_Static_assert(sizeof(tix_tier) <= TIX__REC_SIZE_MAX, "record.c copies it");
static const tix__rindex tier_index[] = {
    {TIX_T_TIERS_BY_SCREEN, 1, 2, 0, "screen"}};

TIX__REC_DECODER(tier_decode, tix__tier_type)
const tix__rectype tix__tier_type = {
    "tier", TIX_T_TIERS, TIX_REC_TIER, 1, sizeof(tix_tier), tier_fields, 5,
    tier_index, 1, tier_decode, .check = tier_check, .rules = tier_rules};

int tix__tier_read(tix_db *db, MDB_txn *txn, tix_id id, tix_tier *out)
{
    return tix__rec_peek(db, txn, &tix__tier_type, id, out);
}

int tix_tier_delete(tix_db *db, tix_id id)
{
    return tix__rec_delete(db, &tix__tier_type, id);
}

int tix_tier_create(tix_db *db, const tix_tier *in, tix_id *id_out)
{
    return tix__rec_create(db, &tix__tier_type, in, id_out);
}

int tix_tier_validate(const tix_tier *in)
{
    return tix__rec_validate(&tix__tier_type, in);
}

int tix_tier_update(tix_db *db, const tix_tier *in)
{
    return tix__rec_update(db, &tix__tier_type, in);
}

int tix_tier_get(tix_db *db, tix_id id, tix_tier **out)
{
    return tix__rec_get(db, &tix__tier_type, id, (void **)out);
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
    int rc = tix__rec_list_owned(db, &tix__tier_type, 0, screen_id,
                                 (void **)out);
    if (rc) return rc;
    /* Moving the structs is safe: their strings live elsewhere in the
     * block. */
    qsort((*out)->items, (*out)->count, sizeof(tix_tier), tier_cmp);
    return TIX_OK;
}

void tix_tier_free(tix_tier *t) { free(t); }

void tix_tier_list_free(tix_tier_list *l) { free(l); }
