/* Offers and pricing: the one place that turns seat prices (+ an offer
 * code) into subtotal, discount, fees and total, for quotes and confirms
 * alike, and counts offer uses. */
#ifndef TIX_LIB_OFFER_H
#define TIX_LIB_OFFER_H

#include "record.h"
#include "show.h"

/* Checks an offer code and writes its stored (upper-case) form.
 * TIX_EINVAL (NULL, shorter than TIX_OFFER_CODE_MIN, a byte outside
 * [A-Za-z0-9-]), TIX_ETOOLONG. */
int tix__offer_code_norm(const char *in, char out[TIX_OFFER_CODE_MAX + 1]);

/* Seats of one show being priced: n, tiers and prices in; the rest out. */
typedef struct tix__price {
    uint32_t n;
    const tix_id *tiers;    /* tier of each seat */
    const int64_t *prices;  /* tier price of each seat */
    uint8_t *in_scope;      /* n entries (may be NULL): seat discounted */
    int64_t subtotal, discount, fee, total;
    tix_id offer_id;        /* 0 without an offer */
} tix__price;

/* Prices @p p for @p show at time @p now: subtotal, the offer named by
 * @p code (NULL or "" = none) for @p user (0 = skip the per-user limit),
 * the per-seat fee of the config, total. With @p redeem (a write txn) one
 * use is counted, after every check passed, so a refusal writes nothing.
 * Refusals (see tix__offer_price_refusal): TIX_ENOTFOUND (no such code),
 * TIX_EEXPIRED (outside the window), TIX_ELIMIT (uses spent), TIX_EINVAL
 * (malformed code, no seat in scope), TIX_ETOOLONG, TIX_ERANGE (overflow).
 * Anything else is a store failure. */
int tix__offer_price(tix_db *db, MDB_txn *txn, const tix__show_info *show,
                       const char *code, tix_id user, int64_t now, int redeem,
                       tix__price *p);

/* 1 when @p rc from tix__offer_price refuses the request itself rather
 * than reporting a store failure. */
int tix__offer_price_refusal(int rc);

/* Gives back the use of offer @p offer that a booking of @p user counted
 * (inside the cancel transaction). A no-op for offer 0. */
int tix__offer_release(tix_db *db, MDB_txn *txn, tix_id offer, tix_id user);

/* The index entry of an offer with (normalised) @p code: what its create
 * writes and tix check verifies. */
size_t tix__offer_entries(const char *code, tix__ixentry *e);

#endif
