/* Holds: the handle and the seat-word transitions around it. */
#ifndef TIX_LIB_HOLD_H
#define TIX_LIB_HOLD_H

#include "engine.h"

struct tix_hold {
    tix_id show_id;
    int64_t expires;    /* Unix seconds */
    uint8_t token[16];  /* 128 random bits; only its tag is in seats.map */
    uint32_t n;
    uint32_t seats[];   /* ascending */
};

/* Checks a handle against its show (seat indexes in range). */
int tix__hold_check(tix_db *db, const tix_hold *h, const tix__show_entry **e);

/* Takes seats[0..n) (ascending, validated) for @p tag until map time
 * @p exp, all or nothing. Seats already held live by @p tag count as taken
 * (a repeated request). Sets *min_exp to the earliest expiry held. */
int tix__hold_take(tix_db *db, const tix__show_entry *e, const uint32_t *seats,
                   uint32_t n, uint32_t tag, uint32_t exp, uint32_t *min_exp);

/* Allocates a handle for @p n seats. */
tix_hold *tix__hold_new(tix_id show, uint32_t n);

/* Resolves ttl (0 = default) against the config; TIX_ERANGE when too long. */
int tix__hold_ttl(tix_db *db, uint32_t ttl, uint32_t *out);

/* Fills the token: derived from the request key (so a repeat finds the
 * same tag) or fresh randomness. Validates the key. */
int tix__hold_token(tix_db *db, tix_id show, const char *request_key,
                    uint8_t token[16]);

/* Validates that the show still sells seats at @p now. */
int tix__show_selling(const tix__show_entry *e, int64_t now);

#endif
