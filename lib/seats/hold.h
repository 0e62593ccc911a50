/* Holds: the handle and the seat-word transitions around it. */
#ifndef TIX_LIB_HOLD_H
#define TIX_LIB_HOLD_H

#include "engine.h"

#define TIX__HOLD_MAC_LEN 16

struct tix_hold {
    tix_id show_id;
    int64_t expires;    /* Unix seconds */
    uint8_t token[16];  /* 128 random bits; only its keyed tag is in seats.map */
    /* SipHash-2-4-128 of every other field under the store's hold key:
     * a handle that comes back as text is trusted only if this matches. */
    uint8_t mac[TIX__HOLD_MAC_LEN];
    /* The engine (tix_engine.hold_origin) that sealed this handle in this
     * process, 0 for a handle parsed from text: only text crosses a trust
     * boundary, so only parsed handles pay for the MAC check at each use. */
    uint64_t origin;
    uint8_t channel;    /* the sales channel it was made through; 0 = none */
    uint32_t n;
    uint32_t seats[];   /* ascending */
};

/* Computes h->mac with the store's key; call after any field changes. */
void tix__hold_seal(tix_db *db, tix_hold *h);

/* Checks a handle against the store: its MAC (TIX_EBADCODE for a handle
 * this store never issued or that was edited), its show, seats in range. */
int tix__hold_check(tix_db *db, const tix_hold *h, const tix__show_entry **e);

/* An 8-byte digest naming the hold @p h (show and token), recorded with a
 * payment reference so a reuse by another hold can be told apart. */
uint64_t tix__hold_digest(tix_db *db, const tix_hold *h);

/* How tix__hold_take treats a seat already held by @p tag. */
enum {
    TIX__TAKE_FRESH = 0, /* a conflict: every seat must be taken anew */
    TIX__TAKE_KEYED = 1, /* TIX__KEY_RACE: a request with the same key is
                            being taken at this moment; look again */
};
#define TIX__KEY_RACE 1

/* Takes seats[0..n) (ascending, validated) for @p tag until map time
 * @p exp through sales channel @p ch, all or nothing. Sets *min_exp to
 * @p exp. */
int tix__hold_take(tix_db *db, const tix__show_entry *e, const uint32_t *seats,
                   uint32_t n, uint32_t tag, uint32_t exp, int mode,
                   unsigned ch, uint32_t *min_exp);

/* Checks what tix_hold_opts says beyond the seats (ttl into *ttl, the
 * channel, the flags); @p opts may be NULL. */
int tix__hold_opts_check(tix_db *db, const tix_hold_opts *opts, uint32_t *ttl);

/* Validates a hold's channel id (TIX_EINVAL above TIX_CHANNEL_MAX). */
int tix__hold_channel(tix_id ch);

/* Ends a hold's creation: frees @p h and returns @p rc when it failed,
 * else stamps its expiry (map time @p exp), seals it and hands it out. */
int tix__hold_finish(tix_db *db, tix_hold *h, int rc, uint32_t exp,
                     tix_hold **out);

/* Gives back seats[0..n) that tix__hold_take took for @p tag until @p exp. */
void tix__hold_untake(const tix__show_entry *e, const uint32_t *seats,
                      uint32_t n, uint32_t tag, uint32_t exp);

/* What a request key's tag holds in the show right now. */
typedef struct tix__key_seats {
    uint32_t n;          /* seats held live (or being confirmed) by the tag */
    uint32_t min_exp;    /* earliest expiry among them (map time) */
    uint32_t seats[256]; /* the first 256 of them, ascending */
} tix__key_seats;

/* Fills @p ks by scanning the show's words (a request key's repeat and
 * reuse checks; O(seat_count), paid only by keyed requests). */
void tix__hold_key_seats(const tix__show_entry *e, uint32_t tag, uint32_t now,
                         tix__key_seats *ks);

/* Sorts seats[0..n) and checks them against the show: in range, none
 * twice (TIX_EINVAL). */
int tix__hold_seats_prepare(const tix__show_entry *e, uint32_t *s, size_t n);

/* TIX_ELIMIT when @p n seats exceed hold_max_seats. */
int tix__hold_max(tix_db *db, size_t n);
/* The early, advisory per-customer cap check of a hold for @p user (0: no
 * check): TIX_ELIMIT past a cap, TIX_ENOTFOUND for an unknown user. */
int tix__hold_user_cap(tix_db *db, const tix__show_entry *e, tix_id user,
                       uint32_t n);

/* Allocates a handle for @p n seats. */
tix_hold *tix__hold_new(tix_id show, uint32_t n);

/* Resolves ttl (0 = default) against the config; TIX_ERANGE when too long. */
int tix__hold_ttl(tix_db *db, uint32_t ttl, uint32_t *out);

/* Fills the token: derived from the request key (so a repeat finds the
 * same tag) or fresh randomness. Validates the key. */
int tix__hold_token(tix_db *db, tix_id show, const char *request_key,
                    uint8_t token[16]);

/* Validates that the show still sells seats at @p now. */
int tix__hold_show_selling(const tix__show_entry *e, int64_t now);

#endif
