/* Availability: counts per tier and per-seat states, read straight from
 * the seat words (no lock, no LMDB read unless a dead confirm needs
 * repair). */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "error.h"
#include "layout.h"
#include "seatlog.h"

/* Classes counted, in tix_counts order after total. */
enum { C_FREE, C_HELD, C_BOOKED, C_UNAVAILABLE, C__N };

/* The public state of a word at map time @p now; repairs a dead confirm. */
static int classify(tix_db *db, const tix__show_entry *e, uint32_t seat,
                    uint64_t w, uint32_t now, int *cls)
{
    unsigned s = tix__w_state(w);
    if (s == TIX_W_CONFIRMING && tix__w_exp(w) <= now) {
        int rc = tix__engine_repair(db, e, seat, w, &w);
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

/* Counts seats [a, b), all of one tier and at most AVAIL_CHUNK of them,
 * into k[C__N] without a branch per seat. The high half of a word is
 * (state << 29 | expiry), so its class is given by where it falls between
 * five thresholds:
 *
 *   hi <= HELD|now                  FREE, or HELD and run out  -> free
 *   HELD|now < hi < CONFIRMING|0    HELD, live                 -> held
 *   CONFIRMING|0 <= hi <= CONF|now  CONFIRMING, lease run out  -> repair
 *   CONF|now < hi < BOOKED|0        CONFIRMING, live           -> held
 *   BOOKED|0 <= hi < BLOCKED|0      BOOKED                     -> booked
 *   hi >= BLOCKED|0                 BLOCKED (and unknown)      -> unavailable
 *
 * exactly as classify() decides. The words are read with relaxed atomic
 * loads (two per step, their high halves packed into one store) into a
 * small buffer, then counted in a loop the compiler vectorises. Returns
 * how many words need repair (the caller then takes the slow path). */
#define AVAIL_CHUNK 256
static uint32_t count_range(tix_word *seats, uint32_t a, uint32_t b,
                            uint32_t now, uint32_t *k)
{
    const uint32_t t_free = ((uint32_t)TIX_W_HELD << 29) + now;
    const uint32_t t_conf = (uint32_t)TIX_W_CONFIRMING << 29;
    const uint32_t t_dead = t_conf + now;
    const uint32_t t_booked = (uint32_t)TIX_W_BOOKED << 29;
    const uint32_t t_blocked = (uint32_t)TIX_W_BLOCKED << 29;
    uint32_t hi[AVAIL_CHUNK] __attribute__((aligned(16)));
    uint32_t m = b - a, j = 0;
    for (; j + 2 <= m; j += 2) {
        uint64_t x = atomic_load_explicit(&seats[a + j], memory_order_relaxed);
        uint64_t y = atomic_load_explicit(&seats[a + j + 1], memory_order_relaxed);
        uint32_t pair[2] = {(uint32_t)(x >> 32), (uint32_t)(y >> 32)};
        memcpy(&hi[j], pair, sizeof pair);
    }
    if (j < m)
        hi[j] = (uint32_t)(atomic_load_explicit(&seats[a + j],
                                                memory_order_relaxed) >> 32);
    uint32_t c_free = 0, c_conf = 0, c_dead = 0, c_booked = 0, c_blocked = 0;
    for (j = 0; j < m; j++) {
        uint32_t h = hi[j];
        c_free += h <= t_free;
        c_conf += h < t_conf;
        c_dead += h <= t_dead;
        c_booked += h < t_booked;
        c_blocked += h < t_blocked;
    }
    k[C_FREE] += c_free;
    k[C_HELD] += (c_conf - c_free) + (c_booked - c_dead);
    k[C_BOOKED] += c_blocked - c_booked;
    k[C_UNAVAILABLE] += m - c_blocked;
    return c_dead - c_conf;
}

/* End of the run of seats of one tier that starts at @p i, comparing
 * eight tier slots per step. */
static uint32_t run_end(const uint16_t *slot, uint32_t i, uint32_t n)
{
    uint16_t t = slot[i];
    uint64_t four = t * 0x0001000100010001ull, a, b;
    uint32_t j = i + 1;
    while (j + 8 <= n) {
        memcpy(&a, slot + j, 8);
        memcpy(&b, slot + j + 4, 8);
        if ((a ^ four) | (b ^ four)) break;
        j += 8;
    }
    while (j < n && slot[j] == t) j++;
    return j;
}

/* Counts every seat of a show per tier, by runs of seats of one tier
 * (layouts list seats row by row, so runs are long), AVAIL_CHUNK seats at
 * a time. Returns 0 when some word needs repair: then nothing counted may
 * be trusted. */
static int count_fast(const tix__show_entry *e, uint32_t now, uint32_t *k)
{
    const uint16_t *slot = e->layout->tier_slot;
    uint32_t n = e->info.seat_count;
    for (uint32_t i = 0; i < n;) {
        uint32_t end = run_end(slot, i, n);
        uint32_t *kt = &k[slot[i] * C__N];
        for (uint32_t c = i; c < end; c += AVAIL_CHUNK)
            if (count_range(e->seats, c,
                            end - c < AVAIL_CHUNK ? end : c + AVAIL_CHUNK,
                            now, kt))
                return 0;
        i = end;
    }
    return 1;
}

int tix_show_availability(tix_db *db, tix_id show_id, tix_avail **out)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(db);
    const tix__show_entry *e;
    int rc = tix__engine_show(db, show_id, &e);
    if (rc) return rc;
    const tix__layout *l = e->layout;
    size_t nt = l->n_tiers;
    tix_avail *a = malloc(sizeof *a + nt * sizeof a->tiers[0] +
                          (nt + 1) * C__N * sizeof(uint32_t));
    if (!a) return tix__err(TIX_ENOMEM, "out of memory");
    /* Scratch counters live past the tiers in the same block. */
    uint32_t *k = (uint32_t *)&a->tiers[nt];
    memset(k, 0, (nt + 1) * C__N * sizeof *k);
    uint32_t now = tix__engine_now(db);
    const uint16_t *slot = l->tier_slot;
    if (!count_fast(e, now, k)) {
        /* A confirm died mid-way: count seat by seat, repairing. */
        memset(k, 0, (nt + 1) * C__N * sizeof *k);
        for (uint32_t i = 0; i < e->info.seat_count; i++) {
            uint64_t w = atomic_load_explicit(&e->seats[i], memory_order_relaxed);
            int cls;
            if ((rc = classify(db, e, i, w, now, &cls))) break;
            k[slot[i] * C__N + cls]++;
        }
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

/* Counts seats [a, b) of one tier into k[C__N], the fast way unless a dead
 * confirm needs repair. */
static int count_seats(tix_db *db, const tix__show_entry *e, uint32_t a,
                       uint32_t b, uint32_t now, uint32_t *k)
{
    uint32_t dead = 0;
    for (uint32_t c = a; c < b && !dead; c += AVAIL_CHUNK)
        dead = count_range(e->seats, c, b - c < AVAIL_CHUNK ? b : c + AVAIL_CHUNK,
                           now, k);
    if (!dead) return TIX_OK;
    memset(k, 0, C__N * sizeof *k);
    for (uint32_t i = a; i < b; i++) {
        int cls, rc = classify(db, e, i, tix__w_load(&e->seats[i]), now, &cls);
        if (rc) return rc;
        k[cls]++;
    }
    return TIX_OK;
}

int tix_area_availability(tix_db *db, tix_id show_id, tix_id area_id,
                          tix_counts *out)
{
    TIX__ARG(db);
    TIX__ARG(out);
    const tix__show_entry *e;
    int rc = tix__engine_show(db, show_id, &e);
    size_t i = 0;
    if (rc == 0) rc = tix__layout_area(e->layout, area_id, &i);
    if (rc) return rc;
    const tix__layout *l = e->layout;
    uint32_t k[C__N] = {0}, first = l->area_first[i];
    rc = count_seats(db, e, first, first + l->area_count[i],
                     tix__engine_now(db), k);
    if (rc == 0) set_counts(out, l->tier_id[l->tier_slot[first]], k);
    return rc;
}

int tix_show_seat_states(tix_db *db, tix_id show_id, uint8_t *states,
                         size_t cap)
{
    TIX__ARG(db);
    TIX__ARG(states);
    const tix__show_entry *e;
    int rc = tix__engine_show(db, show_id, &e);
    if (rc) return rc;
    if (cap < e->info.seat_count)
        return tix__err(TIX_ERANGE, "states has %zu entries, show has %u seats",
                        cap, e->info.seat_count);
    static const uint8_t public_state[C__N] = {TIX_SEAT_FREE, TIX_SEAT_HELD,
                                               TIX_SEAT_BOOKED,
                                               TIX_SEAT_UNAVAILABLE};
    uint32_t now = tix__engine_now(db);
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

/* ---- seat history ------------------------------------------------------- */

static int history_now(tix_db *db, const tix__show_entry *e, uint32_t seat,
                       tix_seat_history *h)
{
    static const uint8_t public_state[C__N] = {TIX_SEAT_FREE, TIX_SEAT_HELD,
                                               TIX_SEAT_BOOKED,
                                               TIX_SEAT_UNAVAILABLE};
    uint32_t now = tix__engine_now(db);
    uint64_t w = tix__w_load(&e->seats[seat]);
    int cls;
    int rc = classify(db, e, seat, w, now, &cls);
    if (rc) return rc;
    w = tix__w_load(&e->seats[seat]); /* as repaired, if it was */
    h->state = public_state[cls];
    unsigned st = tix__w_state(w);
    if ((st == TIX_W_HELD || st == TIX_W_CONFIRMING) && tix__w_exp(w) > now) {
        h->state = st == TIX_W_HELD ? TIX_SEAT_HELD : TIX_SEAT_CONFIRMING;
        h->held_until = db->engine->map.epoch + tix__w_exp(w);
    }
    return TIX_OK;
}

int tix_seat_history_get(tix_db *db, tix_id show_id, uint32_t seat,
                         tix_seat_history **out)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(db);
    const tix__show_entry *e;
    int rc = tix__engine_show(db, show_id, &e);
    if (rc) return rc;
    if (seat >= e->info.seat_count)
        return tix__err(TIX_EINVAL, "seat %u out of range: show %llu has %u seats",
                        seat, (unsigned long long)show_id, e->info.seat_count);
    tix_seat_history *h = calloc(1, sizeof *h + TIX_SEAT_HISTORY_MAX *
                                                    sizeof h->items[0]);
    if (!h) return tix__err(TIX_ENOMEM, "out of memory");
    h->show_id = show_id;
    h->seat = seat;
    MDB_txn *txn;
    rc = history_now(db, e, seat, h);
    if (rc == 0) rc = tix__db_read_begin(db, &txn);
    if (rc == 0) {
        rc = tix__seatlog_read(db, txn, show_id, seat, h->items, &h->count);
        tix__db_read_end(db, txn);
    }
    if (rc) {
        free(h);
        return rc;
    }
    *out = h;
    return TIX_OK;
}

void tix_seat_history_free(tix_seat_history *h) { free(h); }
