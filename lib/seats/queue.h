/* Waiting rooms: a fair queue in front of a show's on-sale, in seats.map. */
#ifndef TIX_LIB_QUEUE_H
#define TIX_LIB_QUEUE_H

#include "engine.h"

/* A show's waiting room as LMDB records it (TIX_T_QUEUES). */
typedef struct tix__queue_rec {
    uint64_t qid;        /* names this queue; never reused */
    uint64_t base;       /* its region in seats.map */
    tix_queue_config cfg;
    int64_t rate_from;   /* the rate admits from here on (>= onsale) */
    uint64_t admit_base; /* places the rate admitted before rate_from */
} tix__queue_rec;

/* What this process knows of a show's waiting room, as of one value of the
 * map's queue generation (tix__seatmap_queue_gen). Immutable. */
typedef struct tix__queue_view {
    uint64_t gen;
    int queued;             /* 0: the show has no queue; nothing below */
    tix__queue_rec rec;
    _Atomic uint64_t *words; /* the queue's shared words in seats.map */
    uint8_t mac_key[16];    /* keys the tickets' MAC */
} tix__queue_view;

/* The slow side of tix__queue_gate: reads the waiting room again when the
 * generation moved, then checks the ticket. */
int tix__queue_check(tix_db *db, const tix__show_entry *e, const char *ticket,
                     int box_office, int64_t now);

/* The one check of the hold path: TIX_OK when show @p e has no queue, when
 * @p box_office, or when @p ticket is admitted (its first admitted hold
 * starts its window); else TIX_EPERM (no ticket), TIX_EAGAIN (not admitted
 * yet), TIX_EEXPIRED (window over), TIX_EBADCODE, TIX_EINVAL (a ticket of
 * another show). A show without a queue costs three loads of lines the
 * hold path keeps in cache. */
static inline int tix__queue_gate(tix_db *db, const tix__show_entry *e,
                                  const char *ticket, int box_office,
                                  int64_t now)
{
    const tix__queue_view *v =
        atomic_load_explicit(&e->queue, memory_order_acquire);
    if (v && !v->queued &&
        v->gen == atomic_load_explicit(tix__seatmap_queue_gen(&db->engine->map),
                                       memory_order_acquire))
        return TIX_OK;
    return tix__queue_check(db, e, ticket, box_office, now);
}

/* 1 when a seats.map region id (a region record's "show") is a queue's. */
#define TIX__QUEUE_REGION_BIT (1ull << 61)

#endif
