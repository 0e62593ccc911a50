/* Live holds of a show, read from its seat words: what support sees when
 * a customer says "the seats I picked are gone". The map keeps no hold
 * handle, only each hold's 32-bit tag, so seats are grouped by tag. */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "error.h"
#include "hold.h"

typedef struct held_seat {
    uint32_t tag, exp, seat;
    uint8_t confirming;
} held_seat;

static int by_tag(const void *a, const void *b)
{
    const held_seat *x = a, *y = b;
    if (x->tag != y->tag) return x->tag < y->tag ? -1 : 1;
    return x->seat < y->seat ? -1 : x->seat > y->seat;
}

static int by_expiry(const void *a, const void *b)
{
    const tix_live_hold *x = a, *y = b;
    if (x->expires_at != y->expires_at)
        return x->expires_at < y->expires_at ? -1 : 1;
    return x->tag < y->tag ? -1 : x->tag > y->tag;
}

/* The seats held or being confirmed at map time @p now; *n receives the
 * count. One pass over the words: a snapshot, each word read once. */
static held_seat *collect(const tix__show_entry *e, uint32_t now, size_t *n)
{
    size_t cap = 64, k = 0;
    held_seat *v = malloc(cap * sizeof *v);
    for (uint32_t i = 0; v && i < e->info.seat_count; i++) {
        uint64_t w = tix__w_load(&e->seats[i]);
        unsigned st = tix__w_state(w);
        if ((st != TIX_W_HELD && st != TIX_W_CONFIRMING) || tix__w_exp(w) <= now)
            continue;
        if (k == cap) {
            held_seat *g = realloc(v, (cap *= 2) * sizeof *v);
            if (!g) { free(v); return NULL; }
            v = g;
        }
        v[k++] = (held_seat){tix__w_tag(w), tix__w_exp(w), i,
                             st == TIX_W_CONFIRMING};
    }
    *n = k;
    return v;
}

int tix_show_live_holds(tix_db *db, tix_id show_id, tix_live_hold_list **out)
{
    TIX__ARG(out);
    *out = NULL;
    TIX__ARG(db);
    const tix__show_entry *e;
    int rc = tix__engine_show(db, show_id, &e);
    if (rc) return rc;
    size_t n;
    held_seat *v = collect(e, tix__engine_now(db), &n);
    if (!v) return tix__err(TIX_ENOMEM, "out of memory");
    qsort(v, n, sizeof *v, by_tag);
    size_t groups = 0;
    for (size_t i = 0; i < n; i++) groups += !i || v[i].tag != v[i - 1].tag;
    size_t head = sizeof(tix_live_hold_list) + groups * sizeof(tix_live_hold);
    tix_live_hold_list *l = malloc(head + n * sizeof(uint32_t) + 1);
    if (!l) {
        free(v);
        return tix__err(TIX_ENOMEM, "out of memory");
    }
    uint32_t *seats = (uint32_t *)((char *)l + head);
    l->count = 0;
    l->n_seats = n;
    int64_t epoch = db->engine->map.epoch;
    for (size_t i = 0; i < n; i++) {
        seats[i] = v[i].seat;
        if (i && v[i].tag == v[i - 1].tag) {
            tix_live_hold *h = &l->items[l->count - 1];
            h->n_seats++;
            h->confirming |= v[i].confirming;
            /* An extend moving the seats one by one: the hold ends when
             * its first seat does. */
            if (epoch + v[i].exp < h->expires_at) h->expires_at = epoch + v[i].exp;
            continue;
        }
        l->items[l->count++] = (tix_live_hold){
            .tag = v[i].tag, .expires_at = epoch + v[i].exp,
            .confirming = v[i].confirming, .n_seats = 1, .seats = &seats[i]};
    }
    free(v);
    qsort(l->items, l->count, sizeof *l->items, by_expiry);
    *out = l;
    return TIX_OK;
}

void tix_live_hold_list_free(tix_live_hold_list *l) { free(l); }

uint32_t tix_hold_tag(tix_db *db, const tix_hold *h)
{
    return db && h ? tix__engine_hold_tag(db, h->token) : 0;
}
