/* Seat leases for cancel/block/unblock; see lease.h. */
#include "lease.h"

#include "error.h"

static void revert_upto(tix__lease *l, uint32_t upto)
{
    for (uint32_t i = 0; i < upto; i++) {
        uint64_t w = l->word;
        tix__w_cas(&l->e->seats[l->seats[i]], &w, l->prev[i]);
        tix__engine_hint_clear(l->e, l->seats[i]);
    }
}

int tix__lease_take(tix_db *db, tix__lease *l, uint32_t tag,
                    tix_lease_accept_fn accept, void *arg)
{
    int64_t now = tix_db_now(db);
    uint32_t mnow = tix__seatmap_time(&db->engine->map, now); /* same reading */
    l->word = tix__w_make(TIX_W_CONFIRMING,
                          tix__seatmap_time(&db->engine->map,
                                            now + db->cfg.confirm_lease),
                          tag);
    for (uint32_t i = 0; i < l->n; i++) {
        tix_word *p = &l->e->seats[l->seats[i]];
        uint64_t w = tix__w_load(p);
        for (;;) {
            if (tix__w_needs_repair(w, mnow)) {
                int rc = tix__engine_repair(db, l->e, l->seats[i], w, &w);
                if (rc) { revert_upto(l, i); return rc; }
                continue;
            }
            if (!accept(w, mnow, arg)) {
                revert_upto(l, i);
                l->failed_seat = l->seats[i];
                return TIX_ECONFLICT;
            }
            if (tix__w_cas(p, &w, l->word)) {
                l->prev[i] = w;
                break;
            }
        }
    }
    return TIX_OK;
}

void tix__lease_finish(tix__lease *l, uint64_t final)
{
    /* The change is committed: @p final is the truth even if the lease ran
     * out and the word was repaired to the old truth meanwhile. */
    for (uint32_t i = 0; i < l->n; i++) {
        tix__w_settle(&l->e->seats[l->seats[i]], l->word, l->prev[i], final);
        if (tix__w_state(final) == TIX_W_FREE)
            tix__engine_hint_clear(l->e, l->seats[i]);
    }
}

void tix__lease_revert(tix__lease *l) { revert_upto(l, l->n); }
