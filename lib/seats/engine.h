/* Seat engine state attached to a store: seats.map, a cache of show
 * entries (show record + seat layout + seat words), the group committer. */
#ifndef TIX_LIB_ENGINE_H
#define TIX_LIB_ENGINE_H

#include "db.h"
#include "seatmap.h"
#include "show.h"

/* The seat layout of a screen, frozen once the screen has shows. */
typedef struct tix__layout {
    tix_id screen_id;
    double ideal_x, ideal_y;
    uint32_t n_seats;
    uint16_t *tier_slot;   /* per seat: index into tier_id[] */
    uint32_t *flags;       /* per seat: TIX_SEAT_* */
    uint32_t *number;      /* per seat */
    float *x, *y;          /* per seat */
    size_t n_rows;
    uint32_t *row_start;   /* n_rows + 1 offsets into row_seats */
    uint32_t *row_seats;   /* seat indexes by row, ascending seat number */
    uint32_t *row_of;      /* per seat: its row */
    uint64_t *row_label;   /* per row: its label, 8 bytes NUL-padded */
    size_t n_tiers;
    tix_id *tier_id;       /* cheapest first */
    int64_t *tier_price;
    /* Rows holding seats of each tier, nearest the ideal point first, for
     * best-available: group t in tier_rows[tier_row_start[t] ..
     * tier_row_start[t+1]); group n_tiers lists every row. */
    uint32_t *tier_row_start; /* n_tiers + 2 */
    uint32_t *tier_rows;
    float *row_dist2;         /* per row: squared distance of its nearest
                                 seat to the ideal point (a lower bound) */
    /* General-admission areas: area i owns the places area_first[i] ..
     * area_first[i] + area_count[i] - 1. Their rows are in no tier group,
     * so best-available never walks them. */
    size_t n_areas;
    tix_id *area_id;
    uint32_t *area_first, *area_count;
} tix__layout;

/* A show's sales channels in seats.map, after its seat words (room made by
 * tix__region_chan_words): shared by every process like the words, and
 * rebuilt from LMDB with them. */
typedef struct tix__chan_area {
    /* Seats in some channel: while nonzero, best-available skips its
     * per-process hints, which know nothing of channels. */
    _Atomic uint64_t assigned;
    /* Per channel: the map time its unsold seats join the public pool;
     * 0 = not set. */
    _Atomic uint32_t release[TIX_CHANNEL_MAX + 1];
    _Atomic uint8_t seat[]; /* per seat: its channel, 0 = public pool */
} tix__chan_area;

struct tix__queue_view;

/* A show as the hot paths see it. Immutable once published, but for
 * the hints. */
typedef struct tix__show_entry {
    tix__show_info info;
    const tix__layout *layout;
    tix_word *seats; /* seat words in seats.map */
    tix__chan_area *chan; /* NULL for a show created before channels */
    /* Per tier group (n_tiers + 1: the last is "any tier"), this process's
     * sold-out hint (see lib/seats/best.c), in the same form as a row hint
     * but over every row of the group. Points into row_hint[], on cache
     * lines of its own: releases read it, and only a search that found
     * nothing or a free that ends a sell-out writes it. */
    _Atomic uint64_t *tier_hint;
    /* Nonzero while a tier hint may be set, so that a release (the hot
     * path) reads one word of a line it reads anyway instead of its seat's
     * tier and that tier's hint. */
    _Atomic uint64_t tier_armed;
    /* This process's view of the show's waiting room (lib/seats/queue.c),
     * valid while the map's queue generation is the one it was read at:
     * NULL until the first hold looks. */
    _Atomic(const struct tix__queue_view *) queue;
    /* Set by a tix_show_cancel of this process, so its holds name the
     * cancel; info.cancelled_at tells entries loaded after it. */
    _Atomic int cancelled;
    /* The map's show times generation this entry's times were read at;
     * a lookup that sees a newer one rereads the show (engine.c). */
    _Atomic uint64_t gen;
    /* Per row, this process's best-available hint (see lib/seats/best.c): the
     * longest run of takeable seats the last scan saw, valid until a map
     * time. Only the hints are mutable; relaxed atomics, lost updates are
     * harmless. */
    _Atomic uint64_t row_hint[];
} tix__show_entry;

/* Row hints, a line of padding, then the tier hints. */
#define TIX__HINT_LINE 8u
static inline size_t tix__hint_words(const tix__layout *l)
{
    size_t rows = (l->n_rows + TIX__HINT_LINE - 1) / TIX__HINT_LINE * TIX__HINT_LINE;
    return rows + TIX__HINT_LINE + l->n_tiers + 1;
}

static inline void tix__hint_zero(_Atomic uint64_t *h)
{
    if (atomic_load_explicit(h, memory_order_relaxed) != 0)
        atomic_store_explicit(h, 0, memory_order_relaxed);
}

/* Forgets the best-available hints of @p seat's row and the tier hints
 * (lib/seats/best.c): call after this process frees a seat, so the next
 * search sees it at once.
 * Stored only when it changes: every release would otherwise write a cache
 * line that all threads selling the same rows share. Here, not in best.c,
 * because every layer that frees a seat calls it and best.c sits above
 * them all. */
static inline void tix__engine_hint_clear(const tix__show_entry *e,
                                          uint32_t seat)
{
    const tix__layout *l = e->layout;
    if (seat >= l->n_seats) return;
    tix__hint_zero((_Atomic uint64_t *)&e->row_hint[l->row_of[seat]]);
    _Atomic uint64_t *armed = (_Atomic uint64_t *)&e->tier_armed;
    if (atomic_load_explicit(armed, memory_order_relaxed) == 0) return;
    /* Every tier's, not just the seat's: a free ends a sell-out rarely
     * enough that a needless rescan of another tier costs nothing. */
    atomic_store_explicit(armed, 0, memory_order_relaxed);
    for (size_t g = 0; g <= l->n_tiers; g++) tix__hint_zero(&e->tier_hint[g]);
}

/* 1 when a hold through channel @p ch (0 = none) may have @p seat at map
 * time @p now: the seat is in the public pool, in @p ch, or in a channel
 * released by now. The hold path calls it after its CAS has taken the
 * seat: a move between channels leases the seat's word, so a hold that
 * took the word after the move sees the move's byte. */
static inline int tix__engine_chan_allows(const tix__show_entry *e,
                                          uint32_t seat, unsigned ch,
                                          uint32_t now)
{
    const tix__chan_area *a = e->chan;
    if (!a) return 1;
    unsigned c = atomic_load_explicit(&a->seat[seat], memory_order_relaxed);
    if (c == 0 || c == ch) return 1;
    uint32_t rel = atomic_load_explicit(&a->release[c], memory_order_relaxed);
    return rel != 0 && rel <= now;
}

struct tix_committer;

struct tix_engine {
    tix_seatmap map;
    pthread_mutex_t lock;                /* cache inserts, layouts */
    _Atomic(struct show_table *) shows;  /* lock-free lookups */
    struct retired *retired;             /* old tables, freed at close */
    struct layout_node *layouts;
    /* Started on first confirm and published (release) only once its
     * thread runs; read with acquire loads, without en->lock. */
    _Atomic(struct tix_committer *) committer;
    /* Derived from the store secret at open (lib/seats/hold.c): the key of the
     * hold handles' MAC and the key of the hold digest a payment
     * reference records. */
    uint8_t hold_key[16];
    uint8_t ref_key[16];
    uint64_t hold_origin; /* random per open, never 0: see tix_hold.origin */
};

int tix__engine_open(tix_db *db);
void tix__engine_close(tix_db *db);


/* Finds a show, loading it and initialising its seats.map region on first
 * use. The entry lives until the store closes. TIX_ENOTFOUND, TIX_EPERM
 * (read-only store). */
int tix__engine_show(tix_db *db, tix_id show_id, const tix__show_entry **out);
/* The same with the caller's clock reading, so a hot path reads the clock
 * once per call. */
int tix__engine_show_at(tix_db *db, tix_id show_id, int64_t now,
                        const tix__show_entry **out);

/* Keeps @p ptr (malloc'ed) until the store closes, for data that lock-free
 * readers may still be reading when it is replaced. TIX_ENOMEM. */
int tix__engine_keep(tix_db *db, void *ptr);

/* Tells every process that show start and end times changed in LMDB:
 * their next lookup of a cached show rereads it. Call after the commit. */
void tix__engine_times_changed(tix_db *db);

/* The store clock in map time (seconds since the map's epoch). */
uint32_t tix__engine_now(tix_db *db);

/* The hold tag of a 128-bit token. */
uint32_t tix__engine_hold_tag(tix_db *db, const uint8_t token[16]);

/* The authoritative word for a seat, from LMDB: BOOKED(booking) when a
 * booking row exists, BLOCKED for admin or layout blocks, FREE otherwise. */
int tix__engine_truth(tix_db *db, MDB_txn *txn, const tix__show_entry *e,
                    uint32_t seat, uint64_t *word);

/* Repairs a word whose CONFIRMING lease ran out (its process died
 * mid-confirm): replaces @p seen by the truth from LMDB. On return *now
 * holds the current word (repaired or changed by someone else). */
int tix__engine_repair(tix_db *db, const tix__show_entry *e, uint32_t seat,
                     uint64_t seen, uint64_t *now);

/* Brings every seat word of every live show in line with LMDB (a hold on a
 * seat LMDB has free survives). At open when alone on the map, and when
 * LMDB changed under the map: a follower promoted (lib/repl). */
int tix__engine_resync(tix_db *db);

/* TIX_T_SEAT_STATE key of a seat of a show: show be64 + seat be32. Not to
 * be confused with tix__screen_seat_key, the catalog's key of a seat of a
 * screen. */
#define TIX__SHOW_SEAT_KEY_LEN 12
static inline void tix__show_seat_key(uint8_t *k, tix_id show, uint32_t seat)
{
    tix__be64_put(k, show);
    tix__be32_put(k + 8, seat);
}
/* Seat-state value for an admin block (otherwise a booking id). */
#define TIX_SEAT_STATE_BLOCKED UINT64_MAX

#endif
