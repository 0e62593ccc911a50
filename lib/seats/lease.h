/* Seat leases for admin-style changes (cancel, block, unblock): move the
 * seats to CONFIRMING under a lease, commit to LMDB, then move them to
 * their final word -- or back if the commit failed. A process that dies
 * in between leaves leases that run out and are repaired from LMDB. */
#ifndef TIX_LIB_LEASE_H
#define TIX_LIB_LEASE_H

#include "engine.h"

/* Decides whether a seat's current word may be leased (1) or not (0).
 * Words whose lease ran out are repaired before being shown to it. */
typedef int (*tix_lease_accept_fn)(uint64_t w, uint32_t now, void *arg);

typedef struct tix__lease {
    const tix__show_entry *e;
    const uint32_t *seats;
    uint32_t n;
    uint64_t word;  /* CONFIRMING(lease end, tag) */
    uint64_t *prev; /* caller-provided, n entries */
    uint32_t failed_seat;
} tix__lease;

/* Leases every seat or none. TIX_ECONFLICT (seat in failed_seat) when
 * @p accept refuses one. */
int tix__lease_take(tix_db *db, tix__lease *l, uint32_t tag,
                    tix_lease_accept_fn accept, void *arg);
/* Sets every leased seat to @p final (after the LMDB commit; see
 * tix__w_settle for a lease that ran out meanwhile). */
void tix__lease_finish(tix__lease *l, uint64_t final);
/* Puts every leased seat back. */
void tix__lease_revert(tix__lease *l);

#endif
