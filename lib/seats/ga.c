/* Holds of general-admission places: N places of an area by count, with
 * seats, in one hold.
 *
 * A place is a seat word like any other (lib/catalog/area.c), so taking
 * one is the CAS a seat hold makes, and everything after the take (extend,
 * release, confirm, cancel, check-in, repair of a dead confirm) is the
 * seats' code. What is particular here is only the choice: any takeable
 * words of the area, walked from a random place so that buyers of one
 * area spread over it instead of all racing for its first free word. The
 * words are the only truth; there is no counter to drift from them, so an
 * area is never oversold whatever interleaves (every place is taken by
 * exactly one CAS, and the hold keeps what its CASes won). */
#include "hold.h"
#include "layout.h"
#include "queue.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "random.h"

#define TAKE_MAX 256 /* hold_max_seats is at most 256 */

/* Places taken so far by one request, with the words they replaced so a
 * refusal can put back a run-out hold it robbed (it may be paid late). */
struct taken {
    uint32_t n;
    uint32_t seat[TAKE_MAX];
    uint64_t prev[TAKE_MAX];
};

static void give_back(const tix__show_entry *e, const struct taken *t,
                      uint64_t ours)
{
    for (uint32_t i = 0; i < t->n; i++) {
        uint64_t w = ours;
        tix__w_cas(&e->seats[t->seat[i]], &w, t->prev[i]);
    }
}

/* One word of the walk: takes it when pass 0 finds it FREE or pass 1
 * finds it takeable, after repairing a dead confirm, and when sales
 * channel @p ch may sell it (checked after the CAS, as for seats: see
 * tix__engine_chan_allows). 1 when taken. */
static int take_word(tix_db *db, const tix__show_entry *e, uint32_t seat,
                     int pass, uint64_t ours, uint32_t now, unsigned ch,
                     struct taken *t, int *rc)
{
    tix_word *p = &e->seats[seat];
    uint64_t w = tix__w_load(p);
    for (;;) {
        int ok = pass ? tix__w_takeable(w, now)
                      : tix__w_state(w) == TIX_W_FREE;
        if (ok) {
            uint64_t seen = w;
            if (!tix__w_cas(p, &w, ours)) continue;
            if (!tix__engine_chan_allows(e, seat, ch, now)) {
                uint64_t mine = ours;
                tix__w_cas(p, &mine, seen);
                return 0;
            }
            t->seat[t->n] = seat;
            t->prev[t->n++] = seen;
            return 1;
        }
        if (!tix__w_needs_repair(w, now)) return 0;
        if ((*rc = tix__engine_repair(db, e, seat, w, &w))) return 0;
    }
}

/* Takes @p want places of area slot @p a. Free places first, over the
 * whole area, and only then places of holds that ran out. */
static int take_area(tix_db *db, const tix__show_entry *e, size_t a,
                     uint32_t want, uint64_t ours, uint32_t now, unsigned ch,
                     struct taken *t)
{
    const tix__layout *l = e->layout;
    uint32_t first = l->area_first[a], cap = l->area_count[a], r;
    int rc = tix__random_batch(&r, sizeof r);
    if (rc) return rc;
    uint32_t start = r % cap, goal = t->n + want, got0 = t->n;
    for (int pass = 0; pass < 2 && t->n < goal; pass++)
        for (uint32_t j = 0; j < cap && t->n < goal; j++) {
            uint32_t k = start + j;
            take_word(db, e, first + (k < cap ? k : k - cap), pass, ours, now,
                      ch, t, &rc);
            if (rc) return rc;
        }
    if (t->n == goal) return TIX_OK;
    return tix__err(TIX_ECONFLICT, "area %llu of show %llu has %u free "
                    "places, %u asked", (unsigned long long)l->area_id[a],
                    (unsigned long long)e->info.id, t->n - got0, want);
}

/* The request's areas as layout slots (none twice) and its size. */
static int resolve(tix_db *db, const tix__show_entry *e,
                   const tix_area_take *areas, size_t nareas, size_t nseats,
                   size_t *slot, size_t *total)
{
    *total = nseats;
    for (size_t i = 0; i < nareas; i++) {
        if (areas[i].count == 0)
            return tix__err_at(tix__err(TIX_EINVAL, "areas[%zu]: count is 0",
                                        i), "areas[%zu].count", i);
        int rc = tix__layout_area(e->layout, areas[i].area_id, &slot[i]);
        if (rc) return tix__err_at(rc, "areas[%zu].area_id", i);
        for (size_t j = 0; j < i; j++)
            if (slot[j] == slot[i])
                return tix__err_at(tix__err(TIX_EINVAL, "area %llu listed "
                                            "twice",
                                            (unsigned long long)
                                                areas[i].area_id),
                                   "areas[%zu].area_id", i);
        *total += areas[i].count;
        if ((rc = tix__hold_max(db, *total))) return rc;
    }
    if (*total == 0) return tix__err(TIX_EINVAL, "nothing to hold");
    return TIX_OK;
}

static int args_check(tix_db *db, const uint32_t *seats, size_t nseats,
                      const tix_area_take *areas, size_t nareas,
                      const tix_hold_opts *opts)
{
    TIX__ARG(db);
    if (nseats && !seats) return tix__err(TIX_EINVAL, "seats is NULL");
    if (nareas && !areas) return tix__err(TIX_EINVAL, "areas is NULL");
    if (nareas > TAKE_MAX || nseats > TAKE_MAX) return tix__hold_max(db, TAKE_MAX + 1);
    if (opts && opts->request_key)
        return tix__err(TIX_EINVAL, "request keys are not supported for "
                        "holds of general-admission places");
    return TIX_OK;
}

/* Takes the seats, then each area's places; all or nothing. */
static int take_all(tix_db *db, const tix__show_entry *e, tix_hold *h,
                    size_t nseats, const tix_area_take *areas,
                    const size_t *slot, size_t nareas, uint32_t exp)
{
    uint32_t tag = tix__engine_hold_tag(db, h->token), min_exp;
    int rc = nseats ? tix__hold_take(db, e, h->seats, (uint32_t)nseats, tag,
                                     exp, TIX__TAKE_FRESH, h->channel, &min_exp)
                    : TIX_OK;
    if (rc) return rc;
    const uint64_t ours = tix__w_make(TIX_W_HELD, exp, tag);
    uint32_t now = tix__engine_now(db);
    struct taken t;
    t.n = 0;
    for (size_t i = 0; i < nareas && rc == TIX_OK; i++)
        rc = take_area(db, e, slot[i], areas[i].count, ours, now, h->channel,
                       &t);
    if (rc) {
        give_back(e, &t, ours);
        if (nseats) tix__hold_untake(e, h->seats, (uint32_t)nseats, tag, exp);
        return rc;
    }
    memcpy(h->seats + nseats, t.seat, t.n * sizeof *t.seat);
    return tix__hold_seats_prepare(e, h->seats, h->n);
}

int tix_hold_areas(tix_db *db, tix_id show_id, const uint32_t *seats,
                   size_t nseats, const tix_area_take *areas, size_t nareas,
                   const tix_hold_opts *opts, tix_hold **out)
{
    TIX__ARG(out);
    *out = NULL;
    int rc = args_check(db, seats, nseats, areas, nareas, opts);
    uint32_t ttl = 0;
    if (rc == 0) rc = tix__hold_opts_check(db, opts, &ttl);
    if (rc) return rc;
    const tix__show_entry *e;
    int64_t now = tix_db_now(db);
    if ((rc = tix__engine_show_at(db, show_id, now, &e))) return rc;
    if ((rc = tix__hold_show_selling(e, now))) return rc;
    if ((rc = tix__queue_gate(db, e, opts ? opts->queue_ticket : NULL,
                              opts && (opts->flags & TIX_HOLD_BOX_OFFICE),
                              now)))
        return rc;
    size_t slot[TAKE_MAX], total;
    if ((rc = resolve(db, e, areas, nareas, nseats, slot, &total))) return rc;
    if (opts && (rc = tix__hold_user_cap(db, e, opts->user_id,
                                         (uint32_t)total)))
        return rc;
    tix_hold *h = tix__hold_new(show_id, (uint32_t)total);
    if (!h) return tix__err(TIX_ENOMEM, "out of memory");
    if (nseats) memcpy(h->seats, seats, nseats * sizeof *seats);
    h->channel = opts ? (uint8_t)opts->channel : 0;
    uint32_t exp = tix__seatmap_time(&db->engine->map, now + ttl);
    rc = tix__hold_seats_prepare(e, h->seats, nseats);
    if (rc == 0) rc = tix__hold_token(db, show_id, NULL, h->token);
    if (rc == 0) rc = take_all(db, e, h, nseats, areas, slot, nareas, exp);
    return tix__hold_finish(db, h, rc, exp, out);
}
