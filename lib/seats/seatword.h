/* The 64-bit seat word in seats.map; every seat transition is one CAS.
 *
 *   bits 63..61  state   FREE | HELD | CONFIRMING | BOOKED | BLOCKED
 *   bits 60..32  expiry  seconds since the map's epoch (hold or lease end)
 *   bits 31..0   tag     HELD/CONFIRMING: XXH3(token, secret) truncated;
 *                        BOOKED: low 32 bits of the booking id
 *
 * A HELD word past its expiry is free. A CONFIRMING word past its lease is
 * unknown until repaired from LMDB (its confirm may have committed). */
#ifndef TIX_LIB_SEATWORD_H
#define TIX_LIB_SEATWORD_H

#include <stdatomic.h>
#include <stdint.h>

typedef _Atomic uint64_t tix_word;

enum tix_word_state {
    TIX_W_FREE = 0,
    TIX_W_HELD = 1,
    TIX_W_CONFIRMING = 2,
    TIX_W_BOOKED = 3,
    TIX_W_BLOCKED = 4,
};

#define TIX_W_EXP_MASK 0x1FFFFFFFu /* 29 bits: about 17 years */

static inline uint64_t tix__w_make(unsigned state, uint32_t exp, uint32_t tag)
{
    return ((uint64_t)state << 61) | ((uint64_t)(exp & TIX_W_EXP_MASK) << 32) |
           tag;
}
static inline unsigned tix__w_state(uint64_t w) { return (unsigned)(w >> 61); }
static inline uint32_t tix__w_exp(uint64_t w)
{
    return (uint32_t)(w >> 32) & TIX_W_EXP_MASK;
}
static inline uint32_t tix__w_tag(uint64_t w) { return (uint32_t)w; }

/* 1 when a HELD word is still held at map time @p now. */
static inline int tix__w_held_live(uint64_t w, uint32_t now)
{
    return tix__w_state(w) == TIX_W_HELD && tix__w_exp(w) > now;
}

/* 1 when a seat with this word may be taken at @p now without repair:
 * FREE, or HELD with the hold run out. */
static inline int tix__w_takeable(uint64_t w, uint32_t now)
{
    unsigned s = tix__w_state(w);
    return s == TIX_W_FREE || (s == TIX_W_HELD && tix__w_exp(w) <= now);
}

/* 1 when a CONFIRMING word's lease ran out: its owner died mid-confirm. */
static inline int tix__w_needs_repair(uint64_t w, uint32_t now)
{
    return tix__w_state(w) == TIX_W_CONFIRMING && tix__w_exp(w) <= now;
}

static inline int tix__w_cas(tix_word *p, uint64_t *expected, uint64_t desired)
{
    return atomic_compare_exchange_strong_explicit(
        p, expected, desired, memory_order_acq_rel, memory_order_acquire);
}

static inline uint64_t tix__w_load(tix_word *p)
{
    return atomic_load_explicit(p, memory_order_acquire);
}

/* Installs @p final on a seat whose confirm/cancel/block just committed to
 * LMDB, replacing our CONFIRMING word @p ours, which had replaced
 * @p before.
 *
 * Usually one CAS does it. But an operation can outlive its lease (a commit
 * stalled past confirm_lease, or the clock jumped forward): then whoever
 * met the run-out lease "repaired" the word from LMDB, which may have been
 * read before our commit landed (FREE for a confirm, @p before = BOOKED
 * for a cancel) or after it (@p final), and others may have used the seat
 * since. Leaving a stale word would show a sold seat as free (and make its
 * booking uncancellable), or a cancelled seat as sold forever.
 *
 *  - @p final taken (BOOKED, BLOCKED): LMDB now has the seat, nobody else
 *    can have committed it since, so any other word is stale and is
 *    overwritten -- even another operation's CONFIRMING word: that
 *    operation must fail in LMDB and only ever CASes back from its own
 *    word, while a confirm that gives up before reaching LMDB (it could not
 *    take all its seats) would otherwise put FREE back over a sold seat.
 *  - @p final FREE: once the seat is free in LMDB anyone may take it, so
 *    only the stale pre-commit truth (@p before, e.g. BOOKED by the booking
 *    we cancelled) is overwritten; anything else is newer and stays. */
static inline void tix__w_settle(tix_word *p, uint64_t ours, uint64_t before,
                                 uint64_t final)
{
    const int taken = tix__w_state(final) == TIX_W_BOOKED ||
                      tix__w_state(final) == TIX_W_BLOCKED;
    uint64_t w = ours;
    while (!tix__w_cas(p, &w, final))
        if (w == final || (!taken && w != before)) return;
}

#endif
