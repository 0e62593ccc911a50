/* The group committer: one thread per store drains the queue of confirms
 * and writes them all in one LMDB write transaction (one fsync).
 *
 * Why a dedicated thread rather than electing a leader among waiting
 * callers: the asynchronous confirm (submit, then poll) must make progress
 * while no caller is blocked, and one thread that owns the write
 * transaction keeps the batch logic in one place. */
#ifndef TIX_LIB_COMMIT_H
#define TIX_LIB_COMMIT_H

#include "engine.h"

/* Writes one confirm inside the batch transaction. Per-request failures
 * (TIX_ECONFLICT, TIX_ENOTFOUND, TIX_EINVAL) are stored in c->result and
 * TIX_OK is returned; anything else fails the whole batch. Handed in by
 * the layer above (lib/sell/booking.c) with each request, so the committer
 * never calls up into what it commits. */
typedef int (*tix__confirm_write_fn)(tix_db *db, MDB_txn *txn,
                                     struct tix_confirm *c);

/* One confirm in flight; also the public async handle. */
struct tix_confirm {
    tix_db *db;
    tix__confirm_write_fn write;
    const tix__show_entry *e;
    uint32_t n;
    uint32_t *seats;       /* ascending */
    uint64_t *prev;        /* each seat's word before CONFIRMING */
    uint64_t confirming;   /* the CONFIRMING word we wrote on every seat */
    tix_id user_id;
    char payment_ref[TIX_NAME_MAX + 1];
    uint32_t seats_per_ticket;
    char offer_code[TIX_OFFER_CODE_MAX + 1]; /* upper-case; "" = none */
    uint64_t hold_digest;      /* tix__hold_digest of the hold */
    uint8_t channel;           /* the hold's sales channel; 0 = none */
    /* The first confirm of a multi-show group (tix_hold_group_confirm),
     * whose booking id names the group; NULL when booked alone. */
    struct tix_confirm *group_head;
    int expect_amount;         /* the caller gave what it charged: */
    char expected_currency[4];
    int64_t expected_total;
    /* results, written by the committer before done is set */
    int result;
    tix_id booking_id;
    int dup;                   /* payment ref already had a booking */
    uint32_t conflict_seat;    /* on TIX_ECONFLICT from LMDB */
    uint64_t conflict_booking; /* the booking that owns it */
    char errmsg[256];
    _Atomic int done;          /* TIX__CONFIRM_*; also the futex word */
    _Atomic int refs;
    struct tix_confirm *next;
};

/* States of tix_confirm.done. A waiter marks SLEEPING before it sleeps,
 * so the committer makes the wake-up syscall only when someone sleeps. */
enum { TIX__CONFIRM_PENDING = 0, TIX__CONFIRM_DONE = 1, TIX__CONFIRM_SLEEPING = 2 };

/* 1 once the committer has finished @p c (its results are readable). */
static inline int tix__confirm_is_done(tix_confirm *c)
{
    return atomic_load_explicit(&c->done, memory_order_acquire) ==
           TIX__CONFIRM_DONE;
}


/* Queues @p c (the caller keeps its reference; the committer takes one). */
int tix__committer_submit(tix_db *db, tix_confirm *c);

/* Writes @p n confirms (their seats already CONFIRMING) in one write
 * transaction of their own, all or nothing: the first refusal aborts it
 * and is returned, and every confirm then carries it. Words are moved as
 * for a batch. Not queued: the caller's thread runs the transaction. */
int tix__committer_run_group(tix_db *db, tix_confirm *const *cs, size_t n);

/* Waits for @p c, up to timeout_ms (-1 = forever). */
int tix__committer_wait(tix_db *db, tix_confirm *c, int timeout_ms);

/* Drops a reference; the last one frees. */
void tix__committer_unref(tix_confirm *c);

/* Stops the committer thread after it drains the queue. */
void tix__committer_stop(tix_db *db);

/* Its counters are public: tix_db_commit_stats (tix.h). */

#endif
