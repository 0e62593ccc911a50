/* Best available: n adjacent free seats in one row of one tier, nearest
 * the screen's ideal point, stranding as few single free seats as it can. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "hold.h"
#include "queue.h"

#define BEST_RETRIES 32

/* A window strands at most two seats: one at each end of its run. */
#define STRAND_MAX 2u

/* The search keeps the window with the fewest stranded seats, nearest the
 * ideal point among equals. @c limit caps the strands a window may have:
 * the first pass admits none, so that it can stop at the first row that
 * cannot beat its window. */
typedef struct pick {
    float score;
    uint32_t strands, limit;
    int skipped; /* a window was passed over for stranding seats */
    uint32_t wheel; /* companion requests: wheelchair seats a window must
                       hold, exactly (the rest are companion seats); 0 =
                       any eligible seats */
    uint32_t row, first; /* first = offset into row_seats */
} pick;

static void pick_init(pick *p, uint32_t limit, uint32_t wheel)
{
    *p = (pick){.score = 3.4e38f, .strands = limit, .limit = limit,
                .wheel = wheel};
}

/* Wheelchair seats among the @p n seats from offset @p a of row_seats. */
static uint32_t wheel_count(const tix__layout *l, uint32_t a, uint32_t n)
{
    uint32_t w = 0;
    for (uint32_t k = a; k < a + n; k++)
        w += (l->flags[l->row_seats[k]] & TIX_SEAT_WHEELCHAIR) != 0;
    return w;
}

/* 1 when a window meets a companion request's mix: the wheelchair seats
 * asked for, and companion seats (the other accessible kind) beside them. */
static int mix_ok(const tix__layout *l, uint32_t a, uint32_t n, uint32_t wheel)
{
    return !wheel || wheel_count(l, a, n) == wheel;
}

static int pick_found(const pick *p) { return p->score < 3.4e38f; }

static int eligible(const tix__layout *l, uint32_t seat, int slot,
                    uint32_t flags)
{
    uint32_t f = l->flags[seat];
    if (f & TIX_SEAT_BLOCKED) return 0;
    if (slot >= 0 && l->tier_slot[seat] != slot) return 0;
    int special = (f & (TIX_SEAT_WHEELCHAIR | TIX_SEAT_COMPANION)) != 0;
    return (flags & TIX_BEST_ACCESSIBLE) ? special : !special;
}

static float window_score(const tix__layout *l, uint32_t a, uint32_t n)
{
    float cx = 0, cy = 0;
    for (uint32_t k = a; k < a + n; k++) {
        cx += l->x[l->row_seats[k]];
        cy += l->y[l->row_seats[k]];
    }
    float dx = cx / (float)n - (float)l->ideal_x;
    float dy = cy / (float)n - (float)l->ideal_y;
    return dx * dx + dy * dy;
}

/* Scores every window of @p n seats inside the free run [s, s+len) of row
 * @p r; a window that would leave a single free seat at an end of the run
 * counts that seat as stranded. */
static void score_run(const tix__layout *l, uint32_t r, uint32_t s,
                      uint32_t len, uint32_t n, pick *best)
{
    if (len < n) return;
    for (uint32_t a = s; a + n <= s + len; a++) {
        uint32_t left = a - s, right = s + len - (a + n);
        uint32_t strands = (left == 1) + (right == 1);
        if (!mix_ok(l, a, n, best->wheel)) continue;
        if (strands > best->limit) best->skipped = 1;
        if (strands > best->strands) continue;
        float score = window_score(l, a, n);
        if (strands < best->strands || score < best->score) {
            best->score = score;
            best->strands = strands;
            best->row = r;
            best->first = a;
        }
    }
}

/* ---- row hints ---------------------------------------------------------
 * In a big sale most rows near the ideal point fill up first, and every
 * search used to read every seat of every full row before it reached one
 * with room (a quarter of the CPU of a 150,000-seat sale). Each scan now
 * leaves a hint per row: the longest run of takeable seats it saw (any
 * tier, any eligibility: an upper bound for every caller) and the map time
 * until which that can only shrink. A row whose hint is shorter than the
 * request is skipped.
 *
 * What can lengthen a run: a hold or a confirm lease running out (the hint
 * ends at the earliest such expiry in the row), and a seat freed by a
 * release, cancel, failed confirm or unblock. This process clears the row's
 * hint when it frees a seat (tix__engine_hint_clear); frees by other
 * processes are seen when the hint ends, at most HINT_SECONDS later, and so
 * is a free that races with a scan of the same row (the scan may store its
 * hint after the clear). Until then a search may offer a farther seat than
 * the best one: never a seat that is not free, since a pick is still taken
 * by CAS. */
#define HINT_SECONDS 1u
#define HINT_RUN_MAX 0xFFFFu

static uint64_t hint_make(uint32_t until, uint32_t max_run)
{
    return ((uint64_t)until << 32) | (max_run > HINT_RUN_MAX ? HINT_RUN_MAX : max_run);
}

static uint32_t hint_until(uint64_t h) { return (uint32_t)(h >> 32); }
static uint32_t hint_run(uint64_t h) { return (uint32_t)(h & HINT_RUN_MAX); }

/* 1 when hint @p h says no run of @p n takeable seats exists. */
static int hint_says_none(uint64_t h, uint32_t n, uint32_t now)
{
    return hint_until(h) > now && n > hint_run(h);
}

static uint64_t hint_load(const _Atomic uint64_t *h)
{
    return atomic_load_explicit((_Atomic uint64_t *)h, memory_order_relaxed);
}

/* ---- tier hints (sold out) ----------------------------------------------
 * Once a show or a tier has nothing left, every further request used to
 * walk all its rows' hints (a stadium has thousands of rows: about 18 us a
 * failure, so a sold-out sale spent most of its time refusing). A walk
 * that found nothing has looked at every row of its group, so it knows the
 * group's longest takeable run and the earliest time that can grow (the
 * least of the rows' hint ends): it leaves that as the group's hint, and a
 * request longer than the run is refused from that one word, in O(1).
 * A free in this process clears every tier hint with the row's (one word,
 * tier_armed, tells a release whether there is any); frees by other
 * processes, and frees that race with the walk that stores the hint, are
 * seen when it ends, within HINT_SECONDS, as for row hints. */

/* Folds a row's hint into the group's: the shortest validity, the longest
 * run. */
static void group_fold(uint64_t *g, uint64_t row)
{
    uint32_t until = hint_until(row) < hint_until(*g) ? hint_until(row)
                                                     : hint_until(*g);
    uint32_t run = hint_run(row) > hint_run(*g) ? hint_run(row) : hint_run(*g);
    *g = hint_make(until, run);
}

/* 1 while the show has seats in sales channels: the hints (one per row
 * and tier, per process) know nothing of channels, so a run a hold of one
 * channel may not take would hide the seats another may. Such shows
 * search without them. */
static int ch_hints_off(const tix__show_entry *e)
{
    return e->chan &&
           atomic_load_explicit(&e->chan->assigned, memory_order_relaxed) != 0;
}

/* 1 when tier group @p group has no run of @p n takeable seats. */
static int group_says_none(const tix__show_entry *e, size_t group, uint32_t n,
                           uint32_t now)
{
    return !ch_hints_off(e) &&
           hint_says_none(hint_load(&e->tier_hint[group]), n, now);
}

/* Hints are written only when they change: every release and every search
 * would otherwise store into cache lines that all threads selling the same
 * rows share, on the hottest paths. */
static void hint_set_at(_Atomic uint64_t *h, uint64_t v)
{
    if (atomic_load_explicit(h, memory_order_relaxed) != v)
        atomic_store_explicit(h, v, memory_order_relaxed);
}

static void hint_set(const tix__show_entry *e, uint32_t r, uint64_t v)
{
    hint_set_at((_Atomic uint64_t *)&e->row_hint[r], v);
}

/* Walks a row, splitting it into runs of free eligible seats with
 * consecutive numbers, and records the row's hint, which it returns. */
static uint64_t scan_row(const tix__show_entry *e, uint32_t r, int slot,
                     uint32_t flags, uint32_t n, uint32_t now, unsigned ch,
                     pick *best)
{
    const tix__layout *l = e->layout;
    uint32_t start = l->row_start[r], end = l->row_start[r + 1];
    uint32_t run = start, len = 0;
    uint32_t trun = 0, max_run = 0, until = now + HINT_SECONDS;
    for (uint32_t k = start; k < end; k++) {
        uint32_t seat = l->row_seats[k];
        int joins = k > start && l->number[seat] == l->number[l->row_seats[k - 1]] + 1;
        int takeable = 0;
        if (seat < e->info.seat_count && !(l->flags[seat] & TIX_SEAT_BLOCKED)) {
            uint64_t w = atomic_load_explicit(&e->seats[seat], memory_order_relaxed);
            takeable = tix__w_takeable(w, now) &&
                       tix__engine_chan_allows(e, seat, ch, now);
            unsigned st = tix__w_state(w);
            if (!takeable && (st == TIX_W_HELD || st == TIX_W_CONFIRMING) &&
                tix__w_exp(w) < until)
                until = tix__w_exp(w);
        }
        trun = takeable ? (joins && trun ? trun + 1 : 1) : 0;
        if (trun > max_run) max_run = trun;
        int ok = takeable && eligible(l, seat, slot, flags);
        if (ok && joins && len > 0) {
            len++;
        } else {
            score_run(l, r, run, len, n, best);
            run = k;
            len = ok ? 1 : 0;
        }
    }
    score_run(l, r, run, len, n, best);
    uint64_t h = until > now ? hint_make(until, max_run) : 0;
    if (!ch_hints_off(e)) hint_set(e, r, h);
    return h;
}

/* Walks the rows of tier group @p group (slot or "all") nearest first.
 * When it finds nothing it has seen every row, and *seen is the group's
 * hint (0: none). */
static void walk(const tix__show_entry *e, size_t group, int slot,
                 uint32_t flags, uint32_t n, uint32_t now, unsigned ch,
                 pick *best, uint64_t *seen)
{
    *seen = hint_make(now + HINT_SECONDS, 0);
    const tix__layout *l = e->layout;
    /* Strands can only fall to the floor: none in the first pass, one in
     * the second (the first found no window stranding none). */
    uint32_t floor = best->limit ? 1 : 0;
    for (uint32_t i = l->tier_row_start[group]; i < l->tier_row_start[group + 1];
         i++) {
        uint32_t r = l->tier_rows[i];
        /* Rows come nearest first: once even a row's nearest seat is farther
         * than a window no row can beat on strands, no later row can win. */
        if (best->strands <= floor && l->row_dist2[r] > best->score) break;
        uint64_t h = ch_hints_off(e) ? 0 : hint_load(&e->row_hint[r]);
        if (!hint_says_none(h, n, now))
            h = scan_row(e, r, slot, flags, n, now, ch, best);
        if (h == 0) *seen = 0;
        if (*seen) group_fold(seen, h);
    }
}

/* Best window of tier group @p group: one stranding no seat if any exists
 * (the pruned walk of the normal case), else the one stranding fewest. */
static int find(const tix__show_entry *e, size_t group, int slot,
                uint32_t flags, uint32_t n, uint32_t wheel, uint32_t now,
                unsigned ch, pick *best)
{
    uint64_t seen;
    pick_init(best, 0, wheel);
    walk(e, group, slot, flags, n, now, ch, best, &seen);
    if (!pick_found(best) && best->skipped) {
        pick_init(best, STRAND_MAX, wheel);
        walk(e, group, slot, flags, n, now, ch, best, &seen);
    }
    if (pick_found(best)) return 1;
    if (hint_until(seen) > now && !ch_hints_off(e)) {
        hint_set_at(&e->tier_hint[group], seen);
        hint_set_at((_Atomic uint64_t *)&e->tier_armed, 1);
    }
    return 0;
}

static int tier_slot_of(const tix__layout *l, tix_id tier)
{
    for (size_t t = 0; t < l->n_tiers; t++)
        if (l->tier_id[t] == tier) return (int)t;
    return -1;
}

/* 1 when the tier hints already say that request @p o for @p n seats
 * would find nothing: the sold-out answer, without a walk. */
static int sold_out(const tix__show_entry *e, const tix_best_opts *o,
                    uint32_t n, uint32_t now)
{
    const tix__layout *l = e->layout;
    if (ch_hints_off(e)) return 0;
    if (o->flags & TIX_BEST_ANY_TIER) return group_says_none(e, l->n_tiers, n, now);
    if (o->tier_id)
        return group_says_none(e, (size_t)tier_slot_of(l, o->tier_id), n, now);
    for (size_t t = 0; t < l->n_tiers; t++)
        if (!group_says_none(e, t, n, now)) return 0;
    return 1;
}

/* Picks seats for one attempt (n: every seat, companions included); fills
 * seats[] ascending. */
static int choose(const tix__show_entry *e, const tix_best_opts *o, uint32_t n,
                  uint32_t now, uint32_t *seats)
{
    const tix__layout *l = e->layout;
    pick best;
    int found = 0;
    uint32_t wheel = o->companions ? n - o->companions : 0;
    const unsigned ch = (unsigned)o->channel;
    if (o->flags & TIX_BEST_ANY_TIER) {
        found = !group_says_none(e, l->n_tiers, n, now) &&
                find(e, l->n_tiers, -1, o->flags, n, wheel, now, ch, &best);
    } else if (o->tier_id) {
        int slot = tier_slot_of(l, o->tier_id);
        found = !group_says_none(e, (size_t)slot, n, now) &&
                find(e, (size_t)slot, slot, o->flags, n, wheel, now, ch, &best);
    } else {
        for (size_t t = 0; t < l->n_tiers && !found; t++)
            found = !group_says_none(e, t, n, now) &&
                    find(e, t, (int)t, o->flags, n, wheel, now, ch, &best);
    }
    if (!found) return 0;
    for (uint32_t k = 0; k < n; k++) seats[k] = l->row_seats[best.first + k];
    for (uint32_t i = 1; i < n; i++) /* insertion sort: n is small */
        for (uint32_t j = i; j > 0 && seats[j] < seats[j - 1]; j--) {
            uint32_t t = seats[j];
            seats[j] = seats[j - 1];
            seats[j - 1] = t;
        }
    return 1;
}

/* 1 when the seats a request key already holds answer this request: the
 * same count, each seat of the tier and kind asked for, and the same mix
 * of wheelchair and companion seats. */
static int repeat_fits(const tix__show_entry *e, const tix_best_opts *o,
                       uint32_t n, const tix__key_seats *ks)
{
    if (ks->n != n) return 0;
    const tix__layout *l = e->layout;
    int slot = (o->tier_id && !(o->flags & TIX_BEST_ANY_TIER))
                   ? tier_slot_of(l, o->tier_id)
                   : -1;
    uint32_t wheel = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (!eligible(l, ks->seats[i], slot, o->flags)) return 0;
        wheel += (l->flags[ks->seats[i]] & TIX_SEAT_WHEELCHAIR) != 0;
    }
    return !o->companions || wheel == n - o->companions;
}

/* Picks and takes seats for tag, retrying lost races. */
static int pick_and_take(tix_db *db, const tix__show_entry *e,
                         const tix_best_opts *o, uint32_t n, uint32_t tag,
                         uint32_t exp, int mode, tix_hold *h, uint32_t *min_exp)
{
    for (int attempt = 0;; attempt++) {
        if (!choose(e, o, n, tix__engine_now(db), h->seats))
            return o->companions
                       ? tix__err(TIX_ECONFLICT, "no %u wheelchair seats with "
                                  "%u companion seats beside them in one row",
                                  n - o->companions, o->companions)
                       : tix__err(TIX_ECONFLICT, "no %u adjacent seats available", n);
        int rc = tix__hold_take(db, e, h->seats, n, tag, exp, mode,
                                (unsigned)o->channel, min_exp);
        if (rc != TIX_ECONFLICT || attempt + 1 >= BEST_RETRIES) return rc;
    }
}

#define KEY_ROUNDS 200

/* A keyed best-available request: the seats the key already holds come
 * back when they answer the same request, another request with the key is
 * TIX_EEXISTS; as keyed_take in lib/seats/hold.c. */
static int best_keyed(tix_db *db, const tix__show_entry *e,
                      const tix_best_opts *o, uint32_t n, uint32_t tag,
                      uint32_t exp, tix_hold *h, uint32_t *min_exp)
{
    static tix__key_seats ks_none;
    for (int round = 0; round < KEY_ROUNDS; round++) {
        tix__key_seats ks = ks_none;
        tix__hold_key_seats(e, tag, tix__engine_now(db), &ks);
        if (repeat_fits(e, o, n, &ks)) {
            memcpy(h->seats, ks.seats, n * sizeof *h->seats);
            *min_exp = ks.min_exp;
            return TIX_OK;
        }
        if (ks.n >= n) break;
        if (ks.n) { /* a twin request is taking its seats right now */
            struct timespec ts = {0, 20000};
            nanosleep(&ts, NULL);
            continue;
        }
        int rc = pick_and_take(db, e, o, n, tag, exp, TIX__TAKE_KEYED, h,
                               min_exp);
        if (rc == TIX__KEY_RACE) continue;
        if (rc) return rc;
        tix__hold_key_seats(e, tag, tix__engine_now(db), &ks);
        if (ks.n == n && !memcmp(ks.seats, h->seats, n * sizeof *h->seats))
            return TIX_OK;
        tix__hold_untake(e, h->seats, n, tag, exp);
        break;
    }
    return tix__err(TIX_EEXISTS,
                    "request key already names another request of show %llu",
                    (unsigned long long)e->info.id);
}

/* Checks a request and sets *total, the seats it takes (companions
 * included). */
static int check_best(tix_db *db, uint32_t n, const tix_best_opts *o,
                      const tix__show_entry *e, uint32_t *total)
{
    if (n == 0) return tix__err(TIX_EINVAL, "no seats requested");
    if (o->flags &
        ~(TIX_BEST_ACCESSIBLE | TIX_BEST_ANY_TIER | TIX_BEST_BOX_OFFICE))
        return tix__err(TIX_EINVAL, "unknown flags 0x%x", o->flags);
    if (o->companions && !(o->flags & TIX_BEST_ACCESSIBLE))
        return tix__err(TIX_EINVAL, "companions need TIX_BEST_ACCESSIBLE: they "
                                    "sit beside wheelchair seats");
    uint64_t all = (uint64_t)n + o->companions;
    int rc = tix__hold_max(db, all > UINT32_MAX ? UINT32_MAX : (size_t)all);
    if (rc == 0) rc = tix__hold_channel(o->channel);
    if (rc) return rc;
    *total = (uint32_t)all;
    if (o->tier_id && !(o->flags & TIX_BEST_ANY_TIER) &&
        tier_slot_of(e->layout, o->tier_id) < 0)
        return tix__err(TIX_ENOTFOUND, "tier %llu has no seats in this show",
                        (unsigned long long)o->tier_id);
    return TIX_OK;
}

int tix_hold_best(tix_db *db, tix_id show_id, uint32_t n,
                  const tix_best_opts *opts, tix_hold **out)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(db);
    tix_best_opts none = {0};
    const tix_best_opts *o = opts ? opts : &none;
    const tix__show_entry *e;
    int64_t now = tix_db_now(db);
    int rc = tix__engine_show_at(db, show_id, now, &e);
    uint32_t ttl = 0, total = 0;
    if (rc == 0) rc = check_best(db, n, o, e, &total);
    n = total; /* from here on, every seat: companions included */
    if (rc == 0) rc = tix__hold_ttl(db, o->ttl, &ttl);
    if (rc == 0) rc = tix__hold_show_selling(e, now);
    if (rc == 0)
        rc = tix__queue_gate(db, e, o->queue_ticket,
                             !!(o->flags & TIX_BEST_BOX_OFFICE), now);
    if (rc == 0) rc = tix__hold_user_cap(db, e, o->user_id, n);
    if (rc) return rc;
    /* A keyed request may already hold seats of a sold-out show: it looks. */
    if (!o->request_key &&
        sold_out(e, o, n, tix__seatmap_time(&db->engine->map, now)))
        return tix__err_str(TIX_ECONFLICT,
                            "sold out: no adjacent seats of this kind are free");
    tix_hold *h = tix__hold_new(show_id, n);
    if (!h) return tix__err(TIX_ENOMEM, "out of memory");
    rc = tix__hold_token(db, show_id, o->request_key, h->token);
    h->channel = (uint8_t)o->channel;
    uint32_t tag = rc ? 0 : tix__engine_hold_tag(db, h->token);
    uint32_t exp = tix__seatmap_time(&db->engine->map, now + ttl), min_exp = exp;
    if (rc == 0 && o->request_key)
        rc = best_keyed(db, e, o, n, tag, exp, h, &min_exp);
    else if (rc == 0)
        rc = pick_and_take(db, e, o, n, tag, exp, TIX__TAKE_FRESH, h, &min_exp);
    return tix__hold_finish(db, h, rc, min_exp, out);
}
