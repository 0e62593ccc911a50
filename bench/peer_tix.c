/* tix-bench compare: libtix behind the peer interface (the system under
 * test, embedded in the bench process). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "peer.h"

#define TIX_MAX_SHOWS 64
#define ROWS_PER_CALL 250

struct peer {
    tix_db *db;
    bench_catalog cat;
    int durable;
    int journal; /* TIX_SYNC_JOURNAL */
    char dir[1024];
    pthread_mutex_t lock; /* shows[] */
    struct {
        tix_id show;
        uint32_t n_tiers;
        tix_id tiers[PEER_MAX_TIERS];
    } shows[TIX_MAX_SHOWS];
    size_t n_shows;
};

struct peer_conn {
    peer *p;
    char err[256];
};

static int fail(peer_conn *c, int rc, const char *what)
{
    if (rc == TIX_ECONFLICT || rc == TIX_EEXPIRED) return PEER_CONFLICT;
    snprintf(c->err, sizeof c->err, "%s: %s: %s", what, tix_strerror(rc),
             tix_errmsg());
    return PEER_ERR;
}

static int t_start(const peer_cfg *cfg, peer **out, char *err, size_t cap)
{
    peer *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, cap, "out of memory");
        return PEER_ERR;
    }
    snprintf(p->dir, sizeof p->dir, "%s/store", cfg->dir);
    p->durable = cfg->durable;
    p->journal = cfg->durable && cfg->tix_journal;
    pthread_mutex_init(&p->lock, NULL);
    tix_config c;
    tix_config_init(&c);
    c.durability = !cfg->durable  ? TIX_SYNC_NONE
                   : p->journal ? TIX_SYNC_JOURNAL
                                : TIX_SYNC_FULL;
    c.map_size = (size_t)4 << 30;
    c.seatmap_reserve = (size_t)4 << 30;
    int rc = tix_db_open(p->dir, &c, &p->db);
    if (rc) {
        snprintf(err, cap, "tix_db_open: %s: %s", tix_strerror(rc), tix_errmsg());
        free(p);
        return PEER_ERR;
    }
    bench_catalog_create(p->db, &p->cat);
    for (int i = 0; i < PEER_REVIEWS; i++) {
        char text[160];
        snprintf(text, sizeof text,
                 "Review %d: tight pacing, a loud finale and a seat map that "
                 "never lied to me. Would book again.", i);
        tix_review r = {.movie_id = p->cat.movie,
                        .user_id = p->cat.users[i % BENCH_USERS],
                        .rating = 1 + (uint32_t)(i * 7) % 10, .text = text};
        CHECK(tix_review_create(p->db, &r, NULL));
    }
    *out = p;
    return PEER_OK;
}

static void t_stop(peer *p)
{
    if (!p) return;
    tix_db_close(p->db);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

static void t_describe(peer *p, char *buf, size_t cap)
{
    char fs[32];
    bench_fs_type(p->dir, fs, sizeof fs);
    snprintf(buf, cap,
             "version: libtix %s, embedded in the bench process (no server)\n"
             "store: %s (%s)\n"
             "confirms: %s\n"
             "holds: one CAS per seat in the shared seats.map, never durable\n"
             "best-available: tix_hold_best (nearest the ideal point, fewest "
             "stranded single seats)\n"
             "LMDB map: 4 GiB initial, seats.map reserve 4 GiB",
             tix_version(), p->dir, fs,
             !p->durable ? "TIX_SYNC_NONE: no fsync (NOT durable)"
             : p->journal ? "TIX_SYNC_JOURNAL: group commit, one fdatasync of "
                            "the redo journal per batch before it is "
                            "acknowledged; LMDB flushed at incremental "
                            "checkpoints in the background (no copy)"
                          : "TIX_SYNC_FULL: group commit, fsync of data + meta "
                            "per LMDB commit (one per batch)");
}

static int t_show_create(peer *p, const peer_layout *l, uint64_t *show)
{
    if (p->n_shows == TIX_MAX_SHOWS || l->n_tiers > PEER_MAX_TIERS) return PEER_ERR;
    tix_db *db = p->db;
    char name[32];
    snprintf(name, sizeof name, "Stand %u", ++p->cat.n_screens);
    tix_screen s = {.venue_id = p->cat.venue, .name = name,
                    .ideal_x = (l->cols - 1) / 2.0, .ideal_y = l->rows * 5 / 6.0};
    tix_id screen;
    CHECK(tix_screen_create(db, &s, &screen));
    tix_id tiers[PEER_MAX_TIERS];
    for (uint32_t t = 0; t < l->n_tiers; t++) {
        char tn[32];
        snprintf(tn, sizeof tn, "Tier %u", t + 1);
        tix_tier tr = {.screen_id = screen, .name = tn,
                       .price_minor = 10000 + 5000 * (int64_t)t, .currency = "INR"};
        CHECK(tix_tier_create(db, &tr, &tiers[t]));
    }
    tix_seat_spec *seats = calloc((size_t)ROWS_PER_CALL * l->cols, sizeof *seats);
    tix_row_spec *rs = calloc(ROWS_PER_CALL, sizeof *rs);
    char (*labels)[TIX_ROW_LABEL_MAX + 1] = calloc(ROWS_PER_CALL, sizeof *labels);
    if (!seats || !rs || !labels) bench_fatal("out of memory");
    for (uint32_t r0 = 0; r0 < l->rows; r0 += ROWS_PER_CALL) {
        uint32_t nr = l->rows - r0 < ROWS_PER_CALL ? l->rows - r0 : ROWS_PER_CALL;
        for (uint32_t i = 0; i < nr; i++) {
            uint32_t r = r0 + i;
            uint32_t tier = peer_seat_tier(l, r * l->cols);
            snprintf(labels[i], sizeof labels[i], "R%u", r + 1);
            rs[i].label = labels[i];
            rs[i].seats = &seats[(size_t)i * l->cols];
            rs[i].count = l->cols;
            for (uint32_t c = 0; c < l->cols; c++) {
                tix_seat_spec *sp = &seats[(size_t)i * l->cols + c];
                *sp = (tix_seat_spec){.number = c + 1, .x = c, .y = r,
                                      .tier_id = tiers[tier - 1],
                                      .flags = c == 0 || c + 1 == l->cols
                                                   ? TIX_SEAT_AISLE : 0};
            }
        }
        CHECK(tix_seats_add_rows(db, screen, rs, nr, NULL));
    }
    free(seats);
    free(rs);
    free(labels);
    tix_show sh = {.movie_id = p->cat.movie, .screen_id = screen,
                   .start = p->cat.first_start};
    tix_id id;
    CHECK(tix_show_create(db, &sh, &id));
    tix_avail *a; /* map the region now, not in a timed run */
    CHECK(tix_show_availability(db, id, &a));
    tix_avail_free(a);
    pthread_mutex_lock(&p->lock);
    size_t k = p->n_shows;
    p->shows[k].show = id;
    p->shows[k].n_tiers = l->n_tiers;
    memcpy(p->shows[k].tiers, tiers, sizeof tiers);
    p->n_shows = k + 1;
    pthread_mutex_unlock(&p->lock);
    *show = id;
    return PEER_OK;
}

static peer_conn *t_connect(peer *p, char *err, size_t cap)
{
    peer_conn *c = calloc(1, sizeof *c);
    if (!c) snprintf(err, cap, "out of memory");
    else c->p = p;
    return c;
}

static void t_disconnect(peer_conn *c) { free(c); }
static const char *t_error(peer_conn *c) { return c->err; }

static void fill(peer_hold *h, tix_hold *th, uint64_t show)
{
    h->show = show;
    h->native = th;
    h->n = (uint32_t)tix_hold_count(th);
    for (uint32_t i = 0; i < h->n && i < PEER_MAX_HOLD; i++)
        h->seats[i] = tix_hold_seat(th, i);
    h->token = 0;
}

static int t_hold(peer_conn *c, uint64_t show, const uint32_t *seats,
                  uint32_t n, uint32_t ttl, peer_hold *h)
{
    tix_hold_opts o = {.ttl = ttl};
    tix_hold *th;
    int rc = tix_hold_create(c->p->db, show, seats, n, &o, &th);
    if (rc) return fail(c, rc, "tix_hold_create");
    fill(h, th, show);
    return PEER_OK;
}

static int t_best(peer_conn *c, uint64_t show, uint32_t tier, uint32_t n,
                  uint32_t ttl, peer_hold *h)
{
    tix_best_opts o = {.ttl = ttl};
    if (tier) {
        peer *p = c->p;
        for (size_t i = 0; i < p->n_shows; i++)
            if (p->shows[i].show == show && tier <= p->shows[i].n_tiers)
                o.tier_id = p->shows[i].tiers[tier - 1];
    }
    tix_hold *th;
    int rc = tix_hold_best(c->p->db, show, n, &o, &th);
    if (rc) return fail(c, rc, "tix_hold_best");
    fill(h, th, show);
    return PEER_OK;
}

static int t_release(peer_conn *c, peer_hold *h)
{
    int rc = tix_hold_release(c->p->db, h->native);
    return rc ? fail(c, rc, "tix_hold_release") : PEER_OK;
}

static int t_confirm(peer_conn *c, peer_hold *h, uint32_t user,
                     const char *ref, uint64_t *booking)
{
    tix_confirm_opts o = {.user_id = c->p->cat.users[user % BENCH_USERS],
                          .payment_ref = ref};
    tix_id b = 0;
    int rc = tix_hold_confirm(c->p->db, h->native, &o, &b);
    if (rc) return fail(c, rc, "tix_hold_confirm");
    if (booking) *booking = b;
    return PEER_OK;
}

static void t_hold_done(peer_hold *h)
{
    tix_hold_free(h->native);
    h->native = NULL;
}

static void counts(peer_counts *o, const tix_counts *i)
{
    o->total = i->total;
    o->free = i->free;
    o->held = i->held;
    o->booked = i->booked;
}

static int t_avail(peer_conn *c, uint64_t show, peer_avail *out)
{
    tix_avail *a;
    int rc = tix_show_availability(c->p->db, show, &a);
    if (rc) return fail(c, rc, "tix_show_availability");
    counts(&out->all, &a->all);
    out->n_tiers = (uint32_t)(a->n_tiers < PEER_MAX_TIERS ? a->n_tiers : PEER_MAX_TIERS);
    for (uint32_t t = 0; t < out->n_tiers; t++) counts(&out->tiers[t], &a->tiers[t]);
    tix_avail_free(a);
    return PEER_OK;
}

static int t_seat_map(peer_conn *c, uint64_t show, uint8_t *states, uint32_t cap)
{
    int rc = tix_show_seat_states(c->p->db, show, states, cap);
    return rc ? fail(c, rc, "tix_show_seat_states") : PEER_OK;
}

static int t_reviews(peer_conn *c, uint32_t limit, uint64_t *sink)
{
    tix_review_list *l;
    char cursor[TIX_REVIEW_CURSOR_MAX];
    int rc = tix_review_list_by_movie(c->p->db, c->p->cat.movie,
                                      TIX_REVIEWS_NEWEST, NULL, limit, &l, cursor);
    if (rc) return fail(c, rc, "tix_review_list_by_movie");
    for (size_t i = 0; i < l->count; i++)
        *sink += l->items[i].id + l->items[i].rating + strlen(l->items[i].text);
    tix_review_list_free(l);
    return PEER_OK;
}

static int t_verify(peer_conn *c, uint64_t show, peer_verify *out)
{
    memset(out, 0, sizeof *out);
    tix_avail *a;
    int rc = tix_show_availability(c->p->db, show, &a);
    if (rc) return fail(c, rc, "tix_show_availability");
    out->booked_seats = a->all.booked;
    tix_avail_free(a);
    tix_booking_list *l;
    rc = tix_booking_list_by_show(c->p->db, show, &l);
    if (rc) return fail(c, rc, "tix_booking_list_by_show");
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i].status == TIX_BOOKING_CONFIRMED) {
            out->bookings++;
            out->booking_seats += l->items[i].n_seats;
        }
    tix_booking_list_free(l);
    return PEER_OK;
}

const peer_ops peer_libtix_ops = {
    .name = "libtix", .start = t_start, .stop = t_stop, .describe = t_describe,
    .show_create = t_show_create, .connect = t_connect,
    .disconnect = t_disconnect, .error = t_error, .hold = t_hold,
    .best = t_best, .release = t_release, .confirm = t_confirm,
    .hold_done = t_hold_done, .avail = t_avail, .seat_map = t_seat_map,
    .reviews = t_reviews, .verify = t_verify};
