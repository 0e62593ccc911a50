/*
 * sharded: several libtix stores behind one router, in one process.
 *
 *   sharded [base-dir]        (default ./sharded-stores; makes shard-0, shard-1)
 *
 * A store is one machine's worth of inventory; beyond that, venues are
 * spread over several stores ("shards"). Everything about a show lives in
 * its venue's shard (screens, seats, holds, bookings, tickets), so selling
 * never crosses shards. The shard of a venue is
 *
 *     jump_consistent_hash(XXH3_64bits(venue_code), n_shards)
 *
 * where venue_code is a global, stable name ("blr-cubbon-cineplex"): the
 * router needs no lookup table, and growing from n to n+1 shards moves
 * only 1/(n+1) of the venues (this program measures it).
 *
 * Ids are per store, so the router hands out global ids with the shard in
 * the top 8 bits: gid = shard << 56 | local id. City listings scatter to
 * every shard and merge by start time. Each shard's outbox is drained by a
 * consumer "kafka" into one topic (here a JSON-lines file, partition =
 * shard, key = the venue), which is how analytics and recommendation
 * training see every booking (docs/scaling.md).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

#include "tix.h"

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("sharded: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

#define CHECK(call)                                                          \
    do {                                                                     \
        int rc_ = (call);                                                    \
        if (rc_ != TIX_OK)                                                   \
            die("%s: %s: %s", #call, tix_strerror(rc_), tix_errmsg());       \
    } while (0)

/* ------------------------------------------------------------------------ */
/* The router (a sketch of the API a service would wrap)                     */

/* Lamping & Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm". */
static int32_t jump_consistent_hash(uint64_t key, int32_t buckets)
{
    int64_t b = -1, j = 0;
    while (j < buckets) {
        b = j;
        key = key * 2862933555777941757ULL + 1;
        j = (int64_t)((double)(b + 1) *
                      ((double)(1LL << 31) / (double)((key >> 33) + 1)));
    }
    return (int32_t)b;
}

#define MAX_SHARDS 8
#define GID_SHARD(g) ((int)((g) >> 56))
#define GID_LOCAL(g) ((g) & ((1ULL << 56) - 1))
#define GID(shard, id) ((uint64_t)(shard) << 56 | (id))

typedef struct tix_router {
    int n;
    tix_db *shard[MAX_SHARDS];
} tix_router;

static int router_shard_of(const tix_router *r, const char *venue_code)
{
    return jump_consistent_hash(XXH3_64bits(venue_code, strlen(venue_code)), r->n);
}

static tix_db *router_db(const tix_router *r, uint64_t gid)
{
    int s = GID_SHARD(gid);
    return s < r->n ? r->shard[s] : NULL;
}

static int router_open(tix_router *r, const char *base, int n)
{
    r->n = n;
    for (int i = 0; i < n; i++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/shard-%d", base, i);
        tix_config cfg;
        tix_config_init(&cfg);
        cfg.durability = TIX_SYNC_NOMETA;
        int rc = tix_db_open(dir, &cfg, &r->shard[i]);
        if (rc) return rc;
    }
    return TIX_OK;
}

static void router_close(tix_router *r)
{
    for (int i = 0; i < r->n; i++) tix_db_close(r->shard[i]);
}

/* ------------------------------------------------------------------------ */
/* Catalog: every shard keeps the places it needs and the movies            */

typedef struct shard_refs {
    tix_id city[2]; /* Bengaluru, Mumbai */
    tix_id movie;
    tix_id user;
} shard_refs;

static const char *const cities[2] = {"Bengaluru", "Mumbai"};

static void shard_setup(tix_db *db, shard_refs *s)
{
    tix_id in, st[2];
    static const char *const states[2] = {"Karnataka", "Maharashtra"};
    CHECK(tix_place_create(db, &(tix_place){.kind = TIX_PLACE_COUNTRY, .name = "India"}, &in));
    for (int i = 0; i < 2; i++) {
        CHECK(tix_place_create(db, &(tix_place){.kind = TIX_PLACE_STATE, .parent_id = in,
                                                .name = states[i]}, &st[i]));
        CHECK(tix_place_create(db, &(tix_place){.kind = TIX_PLACE_CITY, .parent_id = st[i],
                                                .name = cities[i], .utc_offset_min = 330},
                               &s->city[i]));
    }
    /* Movies are replicated to every shard (same order, so same ids). */
    CHECK(tix_movie_create(db, &(tix_movie){.title = "Orbit 9", .duration_min = 165}, &s->movie));
    /* Users too, in this sketch; a real deployment keeps accounts in its
     * own service and passes the same user id to every shard. */
    CHECK(tix_user_create(db, &(tix_user){.name = "Asha Rao", .email = "asha@example.com"},
                          &s->user));
}

static const struct {
    const char *code, *name;
    int city;
    double lat, lon;
} venues[] = {
    {"blr-cubbon-cineplex", "Cubbon Cineplex", 0, 12.9756, 77.6066},
    {"blr-whitefield-talkies", "Whitefield Talkies", 0, 12.9855, 77.7365},
    {"blr-jayanagar-screens", "Jayanagar Screens", 0, 12.9250, 77.5938},
    {"bom-andheri-lotus", "Lotus Multiplex Andheri", 1, 19.1334, 72.8347},
    {"bom-colaba-regal", "Colaba Regal", 1, 18.9217, 72.8331},
    {"bom-powai-lakeside", "Powai Lakeside", 1, 19.1176, 72.9060},
};
#define N_VENUES (sizeof venues / sizeof *venues)

/* Creates a venue with one 40-seat screen and a show on its shard; returns
 * the show's global id. */
static uint64_t add_venue(tix_router *r, shard_refs *refs, size_t v, int64_t start)
{
    int s = router_shard_of(r, venues[v].code);
    tix_db *db = r->shard[s];
    tix_id venue, screen, tier, show;
    CHECK(tix_venue_create(db, &(tix_venue){.city_id = refs[s].city[venues[v].city],
                                            .name = venues[v].name, .lat = venues[v].lat,
                                            .lon = venues[v].lon}, &venue));
    CHECK(tix_screen_create(db, &(tix_screen){.venue_id = venue, .name = "Screen 1"}, &screen));
    CHECK(tix_tier_create(db, &(tix_tier){.screen_id = screen, .name = "Standard",
                                          .price_minor = 25000, .currency = "INR"}, &tier));
    tix_seat_spec seats[2][20];
    for (int row = 0; row < 2; row++)
        for (int i = 0; i < 20; i++)
            seats[row][i] = (tix_seat_spec){.number = (uint32_t)i + 1, .x = i, .y = row,
                                            .tier_id = tier};
    tix_row_spec rows[2] = {{"A", seats[0], 20}, {"B", seats[1], 20}};
    CHECK(tix_seats_add_rows(db, screen, rows, 2, NULL));
    CHECK(tix_show_create(db, &(tix_show){.movie_id = refs[s].movie, .screen_id = screen,
                                          .start = start + (int64_t)v * 900}, &show));
    printf("  %-24s -> shard %d (venue %llu, show gid %#llx)\n", venues[v].code, s,
           (unsigned long long)venue, (unsigned long long)GID(s, show));
    return GID(s, show);
}

/* Scatter-gather: the shows of a city on a date from every shard, merged
 * by start time. */
typedef struct gshow {
    uint64_t gid;
    int64_t start;
    uint32_t free;
    char venue[TIX_NAME_MAX + 1];
} gshow;

static int gshow_cmp(const void *a, const void *b)
{
    const gshow *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return x->gid < y->gid ? -1 : x->gid > y->gid;
}

static size_t router_shows_in_city(tix_router *r, shard_refs *refs, int city,
                                   uint32_t date, gshow *out, size_t max)
{
    size_t n = 0;
    for (int s = 0; s < r->n; s++) {
        tix_show_list *l;
        CHECK(tix_show_list_by_city(r->shard[s], refs[s].city[city], date, 0, &l));
        for (size_t i = 0; i < l->count && n < max; i++) {
            tix_venue *v;
            tix_avail *a;
            CHECK(tix_venue_get(r->shard[s], l->items[i].venue_id, &v));
            CHECK(tix_show_availability(r->shard[s], l->items[i].id, &a));
            out[n] = (gshow){GID(s, l->items[i].id), l->items[i].start, a->all.free, ""};
            snprintf(out[n].venue, sizeof out[n].venue, "%s", v->name);
            n++;
            tix_venue_free(v);
            tix_avail_free(a);
        }
        tix_show_list_free(l);
    }
    qsort(out, n, sizeof *out, gshow_cmp);
    return n;
}

/* Books @p n best seats of a show given by global id, on its shard. */
static uint64_t router_book(tix_router *r, shard_refs *refs, uint64_t show_gid,
                            uint32_t n, const char *payment_ref)
{
    tix_db *db = router_db(r, show_gid);
    if (!db) die("no shard for %#llx", (unsigned long long)show_gid);
    int s = GID_SHARD(show_gid);
    tix_hold *h;
    CHECK(tix_hold_best(db, GID_LOCAL(show_gid), n, NULL, &h));
    tix_id booking;
    CHECK(tix_hold_confirm(db, h, &(tix_confirm_opts){.user_id = refs[s].user,
                                                       .payment_ref = payment_ref},
                           &booking));
    tix_hold_free(h);
    return GID(s, booking);
}

/* Outbox -> "Kafka": each shard's consumer "kafka" publishes to topic
 * tix.events, partition = shard, key = the venue (a service would use its
 * venue code), value = the event. */
static int drain_to_topic(tix_router *r, FILE *topic)
{
    int published = 0;
    for (int s = 0; s < r->n; s++) {
        tix_db *db = r->shard[s];
        for (;;) {
            tix_event_list *l;
            CHECK(tix_outbox_read(db, "kafka", 100, &l));
            if (l->count == 0) {
                tix_event_list_free(l);
                break;
            }
            for (size_t i = 0; i < l->count; i++) {
                const tix_event *e = &l->items[i];
                fprintf(topic,
                        "{\"topic\":\"tix.events\",\"partition\":%d,\"key\":\"%s\","
                        "\"offset\":%llu,\"value\":{\"type\":%d,\"booking\":\"%#llx\","
                        "\"show\":\"%#llx\",\"movie\":\"%s\",\"venue\":\"%s\","
                        "\"seats\":%zu,\"total_minor\":%lld,\"at\":%lld}}\n",
                        s, e->venue_name, (unsigned long long)e->seq, (int)e->type,
                        (unsigned long long)GID(s, e->booking_id),
                        (unsigned long long)GID(s, e->show_id), e->movie_title,
                        e->venue_name, e->n_seats, (long long)e->total_minor,
                        (long long)e->at);
                published++;
            }
            /* Ack after the producer confirmed the write (here: fflush). */
            fflush(topic);
            CHECK(tix_outbox_ack(db, "kafka", l->items[l->count - 1].seq));
            tix_event_list_free(l);
        }
    }
    return published;
}

int main(int argc, char **argv)
{
    const char *base = argc > 1 ? argv[1] : "sharded-stores";
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    if (system(cmd) != 0 || mkdir(base, 0700) != 0) die("cannot prepare %s", base);

    /* Jump hash moves few keys when a shard is added. */
    int moved = 0, total = 10000, per[3] = {0, 0, 0};
    for (int i = 0; i < total; i++) {
        char code[32];
        snprintf(code, sizeof code, "venue-%05d", i);
        uint64_t h = XXH3_64bits(code, strlen(code));
        int a = jump_consistent_hash(h, 2), b = jump_consistent_hash(h, 3);
        moved += a != b;
        per[b]++;
        if (a != b && b != 2) die("jump hash moved %s between old shards", code);
    }
    printf("growing 2 -> 3 shards moves %.1f%% of %d venues (ideal 33.3%%); "
           "spread %d/%d/%d\n", 100.0 * moved / total, total, per[0], per[1], per[2]);
    if (moved < total * 30 / 100 || moved > total * 37 / 100) die("unexpected spread");

    tix_router r;
    CHECK(router_open(&r, base, 2));
    shard_refs refs[MAX_SHARDS];
    for (int s = 0; s < r.n; s++) {
        shard_setup(r.shard[s], &refs[s]);
        CHECK(tix_outbox_register(r.shard[s], "kafka", 0));
    }
    int64_t start = (tix_db_now(r.shard[0]) / 86400 + 2) * 86400 + 12 * 3600;
    printf("\nvenues by jump_consistent_hash(XXH3(code), 2):\n");
    uint64_t show_gid[N_VENUES];
    int used[2] = {0, 0};
    for (size_t v = 0; v < N_VENUES; v++) {
        show_gid[v] = add_venue(&r, refs, v, start);
        used[GID_SHARD(show_gid[v])]++;
    }
    if (!used[0] || !used[1]) die("both shards should hold venues");

    tix_show *sh;
    CHECK(tix_show_get(router_db(&r, show_gid[0]), GID_LOCAL(show_gid[0]), &sh));
    uint32_t date = sh->local_date;
    tix_show_free(sh);
    for (int c = 0; c < 2; c++) {
        gshow list[16];
        size_t n = router_shows_in_city(&r, refs, c, date, list, 16);
        printf("\nshows in %s on %u (scatter-gather over %d shards):\n", cities[c], date, r.n);
        for (size_t i = 0; i < n; i++)
            printf("  %#018llx  shard %d  %-24s %u free\n", (unsigned long long)list[i].gid,
                   GID_SHARD(list[i].gid), list[i].venue, list[i].free);
        if (n != 3) die("expected 3 shows in %s, got %zu", cities[c], n);
    }

    printf("\nbookings through the router:\n");
    int bookings = 0;
    for (size_t v = 0; v < N_VENUES; v++) {
        char ref[32];
        snprintf(ref, sizeof ref, "pay-%zu", v);
        uint64_t b = router_book(&r, refs, show_gid[v], 2, ref);
        printf("  %s -> booking %#llx on shard %d\n", venues[v].code,
               (unsigned long long)b, GID_SHARD(b));
        bookings++;
    }

    char path[4200];
    snprintf(path, sizeof path, "%s/topic-tix.events.jsonl", base);
    FILE *topic = fopen(path, "w");
    if (!topic) die("%s: %s", path, strerror(errno));
    int published = drain_to_topic(&r, topic);
    fclose(topic);
    printf("\npublished %d events to %s\n", published, path);
    if (published != bookings) die("expected %d events, got %d", bookings, published);
    if (drain_to_topic(&r, stdout) != 0) die("events published twice");
    router_close(&r);
    printf("sharded: ok\n");
    return 0;
}
