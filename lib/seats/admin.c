/* Admin blocks: seats taken off sale for one show (BLOCKED), recorded in
 * LMDB so seats.map can be rebuilt. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "layout.h"
#include "tables.h"
#include "lease.h"
#include "seatlog.h"

#define ADMIN_TAG 0xB10CB10Cu

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Validates and sorts @p seats (a copy the caller owns). */
static int check_seats(tix_db *db, tix_id show, uint32_t *seats, size_t n,
                       const tix__show_entry **e)
{
    int rc = tix__engine_show(db, show, e);
    if (rc) return rc;
    qsort(seats, n, sizeof *seats, cmp_u32);
    for (size_t i = 0; i < n; i++) {
        if (seats[i] >= (*e)->info.seat_count)
            return tix__err(TIX_EINVAL, "seat %u out of range", seats[i]);
        if (i && seats[i] == seats[i - 1])
            return tix__err(TIX_EINVAL, "seat %u listed twice", seats[i]);
    }
    return TIX_OK;
}

static int admin_blocked(uint64_t w, uint32_t now, void *arg)
{
    (void)now;
    (void)arg;
    return tix__w_state(w) == TIX_W_BLOCKED;
}

static int takeable(uint64_t w, uint32_t now, void *arg)
{
    (void)arg;
    return tix__w_takeable(w, now);
}

struct block_arg {
    const tix__lease *l;
    int block;
};

static int block_write(tix_db *db, MDB_txn *txn, void *arg)
{
    struct block_arg *a = arg;
    /* Read here, not from the cached entry: a cancel by another process
     * is seen only by LMDB. */
    tix__show_info s;
    int src = tix__show_read(db, txn, a->l->e->info.id, &s);
    if (src) return src;
    if (s.cancelled_at)
        return tix__err(TIX_ESTATE, "show %llu is cancelled",
                        (unsigned long long)s.id);
    uint8_t val[8];
    tix__be64_put(val, TIX_SEAT_STATE_BLOCKED);
    for (uint32_t i = 0; i < a->l->n; i++) {
        uint8_t key[TIX__SHOW_SEAT_KEY_LEN];
        tix__show_seat_key(key, a->l->e->info.id, a->l->seats[i]);
        MDB_val k = {sizeof key, key}, v;
        int rc = mdb_get(txn, db->dbi[TIX_T_SEAT_STATE], &k, &v);
        if (rc && rc != MDB_NOTFOUND) return tix__mdb_err(rc, "seat state");
        int admin = rc == 0 && v.mv_size == 8 &&
                    tix__be64_get(v.mv_data) == TIX_SEAT_STATE_BLOCKED;
        if ((a->block && rc == 0) || (!a->block && !admin)) {
            char label[TIX__SEAT_LABEL_MAX];
            tix__layout_seat_label(a->l->e->layout, a->l->seats[i], label);
            return a->block ? tix__err(TIX_ECONFLICT, "seat %s is booked or "
                                       "blocked", label)
                            : tix__err(TIX_ESTATE, "seat %s is not blocked by "
                                       "an admin", label);
        }
        rc = a->block ? tix__db_put(db, txn, TIX_T_SEAT_STATE, key, sizeof key, val,
                                 8, 0, "seat state")
                      : tix__db_del(db, txn, TIX_T_SEAT_STATE, key, sizeof key,
                                 "seat state");
        if (rc) return rc;
    }
    tix__seatlog_entry le = {.type = a->block ? TIX_SEAT_EVENT_BLOCKED
                                              : TIX_SEAT_EVENT_UNBLOCKED,
                             .at = tix_db_now(db)};
    return tix__seatlog_append(db, txn, a->l->e->info.id, a->l->seats, a->l->n,
                               &le);
}

static int change(tix_db *db, tix_id show, const uint32_t *in, size_t n,
                  int block)
{
    TIX__ARG(db);
    TIX__ARG(in);
    if (n == 0) return tix__err(TIX_EINVAL, "no seats given");
    if (n > 100000) return tix__err(TIX_ELIMIT, "too many seats at once");
    uint32_t *seats = malloc(n * sizeof *seats);
    uint64_t *prev = malloc(n * sizeof *prev);
    if (!seats || !prev) {
        free(seats);
        free(prev);
        return tix__err(TIX_ENOMEM, "out of memory");
    }
    memcpy(seats, in, n * sizeof *seats);
    const tix__show_entry *e;
    int rc = check_seats(db, show, seats, n, &e);
    if (rc) {
        free(seats);
        free(prev);
        return rc;
    }
    tix__lease l = {.e = e, .seats = seats, .n = (uint32_t)n, .prev = prev};
    rc = tix__lease_take(db, &l, ADMIN_TAG, block ? takeable : admin_blocked,
                         (void *)e);
    if (rc == TIX_ECONFLICT) {
        char label[TIX__SEAT_LABEL_MAX];
        tix__layout_seat_label(e->layout, l.failed_seat, label);
        rc = block ? tix__err(TIX_ECONFLICT, "seat %s is held, booked or blocked",
                              label)
                   : tix__err(TIX_ESTATE, "seat %s is not blocked", label);
    }
    if (rc == 0) {
        struct block_arg a = {&l, block};
        rc = tix__db_write(db, block_write, &a);
        if (rc == 0)
            tix__lease_finish(&l, tix__w_make(block ? TIX_W_BLOCKED : TIX_W_FREE,
                                              0, 0));
        else
            tix__lease_revert(&l);
    }
    free(seats);
    free(prev);
    return rc;
}

int tix_seats_block(tix_db *db, tix_id show, const uint32_t *seats, size_t n)
{
    return change(db, show, seats, n, 1);
}

int tix_seats_unblock(tix_db *db, tix_id show, const uint32_t *seats, size_t n)
{
    return change(db, show, seats, n, 0);
}
