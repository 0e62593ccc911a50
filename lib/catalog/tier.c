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
static int tier_check(const void *rec)
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

#define F(member) offsetof(tix_tier, member)
static const tix__field tier_fields[] = {
    {"id", TIX__F_ID, 0, .off = F(id)},
    {"screen_id", TIX__F_ID, 0, .off = F(screen_id), .fixed = 1,
     .ref = TIX_T_SCREENS},
    {"tier name", TIX__F_CSTR, TIX__C_NAME, .off = F(name)},
    {"tier price_minor", TIX__F_I64, TIX__C_RANGE, .off = F(price_minor),
     .lo = 0, .hi = 9.3e18},
    {"tier currency", TIX__F_CODE3, 0, .off = F(currency)},
};
#undef F
static const tix__rindex tier_index[] = {
    {TIX_T_TIERS_BY_SCREEN, 1, 2, 0, "screen"}};

TIX__REC_DECODER(tier_decode, tix__tier_type)
const tix__rectype tix__tier_type = {
    "tier", TIX_T_TIERS, TIX_REC_TIER, 1, sizeof(tix_tier), tier_fields, 5,
    tier_index, 1, tier_decode, .check = tier_check};

int tix__tier_read(tix_db *db, MDB_txn *txn, tix_id id, tix_tier *out)
{
    return tix__rec_peek(db, txn, &tix__tier_type, id, out);
}

int tix_tier_create(tix_db *db, const tix_tier *in, tix_id *id_out)
{
    return tix__rec_create(db, &tix__tier_type, in, id_out);
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
