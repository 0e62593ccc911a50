/* Availability: counts per tier and per-seat states, read straight from
 * the seat words (no lock, no LMDB read unless a dead confirm needs
 * repair). */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "error.h"

/* Classes counted, in tix_counts order after total. */
enum { C_FREE, C_HELD, C_BOOKED, C_UNAVAILABLE, C__N };

/* The public state of a word at map time @p now; repairs a dead confirm. */
static int classify(tix_db *db, const tix__show_entry *e, uint32_t seat,
                    uint64_t w, uint32_t now, int *cls)
{
    unsigned s = tix__w_state(w);
    if (s == TIX_W_CONFIRMING && tix__w_exp(w) <= now) {
        int rc = tix__seat_repair(db, e, seat, w, &w);
        if (rc) return rc;
        s = tix__w_state(w);
    }
    if (s == TIX_W_HELD && tix__w_exp(w) <= now) s = TIX_W_FREE;
    static const int map[8] = {C_FREE, C_HELD, C_HELD, C_BOOKED,
                               C_UNAVAILABLE, C_UNAVAILABLE, C_UNAVAILABLE,
                               C_UNAVAILABLE};
    *cls = map[s];
    return TIX_OK;
}

static void set_counts(tix_counts *c, tix_id tier, const uint32_t *k)
{
    c->tier_id = tier;
    c->free = k[C_FREE];
    c->held = k[C_HELD];
    c->booked = k[C_BOOKED];
    c->unavailable = k[C_UNAVAILABLE];
    c->total = k[C_FREE] + k[C_HELD] + k[C_BOOKED] + k[C_UNAVAILABLE];
}

int tix_show_availability(tix_db *db, tix_id show_id, tix_avail **out)
{
    if (!out) return tix__err(TIX_EINVAL, "out is NULL");
    *out = NULL;
    if (!db) return tix__err(TIX_EINVAL, "db is NULL");
    const tix__show_entry *e;
    int rc = tix__show_lookup(db, show_id, &e);
    if (rc) return rc;
    const tix__layout *l = e->layout;
    size_t nt = l->n_tiers;
    tix_avail *a = malloc(sizeof *a + nt * sizeof a->tiers[0] +
                          (nt + 1) * C__N * sizeof(uint32_t));
    if (!a) return tix__err(TIX_ENOMEM, "out of memory");
    /* Scratch counters live past the tiers in the same block. */
    uint32_t *k = (uint32_t *)&a->tiers[nt];
    memset(k, 0, (nt + 1) * C__N * sizeof *k);
    uint32_t now = tix__map_now(db);
    const uint16_t *slot = l->tier_slot;
    for (uint32_t i = 0; i < e->info.seat_count; i++) {
        uint64_t w = atomic_load_explicit(&e->seats[i], memory_order_relaxed);
        unsigned s = tix__w_state(w);
        int cls;
        if (s == TIX_W_FREE) cls = C_FREE; /* the common case, no branches on exp */
        else if (s == TIX_W_BOOKED) cls = C_BOOKED;
        else if ((rc = classify(db, e, i, w, now, &cls))) break;
        k[slot[i] * C__N + cls]++;
    }
    if (rc) {
        free(a);
        return rc;
    }
    uint32_t all[C__N] = {0};
    for (size_t t = 0; t < nt; t++) {
        for (int c = 0; c < C__N; c++) all[c] += k[t * C__N + c];
        set_counts(&a->tiers[t], l->tier_id[t], &k[t * C__N]);
    }
    a->show_id = show_id;
    a->n_tiers = nt;
    set_counts(&a->all, 0, all);
    *out = a;
    return TIX_OK;
}

void tix_avail_free(tix_avail *a) { free(a); }

int tix_show_seat_states(tix_db *db, tix_id show_id, uint8_t *states,
                         size_t cap)
{
    if (!db || !states) return tix__err(TIX_EINVAL, "db or states is NULL");
    const tix__show_entry *e;
    int rc = tix__show_lookup(db, show_id, &e);
    if (rc) return rc;
    if (cap < e->info.seat_count)
        return tix__err(TIX_ERANGE, "states has %zu entries, show has %u seats",
                        cap, e->info.seat_count);
    static const uint8_t public_state[C__N] = {TIX_SEAT_FREE, TIX_SEAT_HELD,
                                               TIX_SEAT_BOOKED,
                                               TIX_SEAT_UNAVAILABLE};
    uint32_t now = tix__map_now(db);
    for (uint32_t i = 0; i < e->info.seat_count; i++) {
        uint64_t w = tix__w_load(&e->seats[i]);
        int cls;
        if ((rc = classify(db, e, i, w, now, &cls))) return rc;
        states[i] = public_state[cls];
        if (tix__w_state(w) == TIX_W_CONFIRMING && tix__w_exp(w) > now)
            states[i] = TIX_SEAT_CONFIRMING;
    }
    return TIX_OK;
}
